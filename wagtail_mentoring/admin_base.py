"""Base classes of the package's admin (Wagtail 7.4 and 8 alike).

Every viewset of the package derives from one of these, and every view they
build is scoped by the model's policy (``permissions.py``): listings, exports,
inspect, edit, history, usage, delete and chooser views alike. Objects outside
the policy's scope are "not found", never "forbidden", so ids cannot be probed.
"""

from __future__ import annotations

import datetime

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import TemplateView
from wagtail import VERSION as WAGTAIL_VERSION
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    StatusTagColumn,
    Table,
)
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import chooser
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.search.index import class_is_indexed
from wagtail.snippets.views.snippets import SnippetViewSet

from wagtail_mentoring import dispatch
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import terms_query
from wagtail_mentoring.permissions import policy_for
from wagtail_mentoring.spreadsheets import safe_cell

#: Every admin URL of the package lives under ``/admin/<ADMIN_URL_PREFIX>/``.
ADMIN_URL_PREFIX = "mentoring"

CHOOSER_VIEWS = (
    chooser.BaseChooseView,
    chooser.ChosenViewMixin,
    chooser.ChosenMultipleViewMixin,
    chooser.CreateViewMixin,
)


def _action_of(view_class) -> str:
    """The policy action a generic view needs on the objects it touches."""
    if issubclass(view_class, CHOOSER_VIEWS):
        return "choose"
    if issubclass(view_class, generic.DeleteView):
        return "delete"
    if issubclass(view_class, generic.CreateView):  # includes copy
        return "add"
    if issubclass(view_class, generic.EditView):
        return "change"
    return "view"


class PolicyScopedView:
    """Mixed into every view a package viewset builds (see :func:`scoped`)."""

    scope_action = "view"

    @property
    def scoped_model(self):
        return getattr(self, "model", None) or self.model_class

    def scoped_queryset(self, action: str | None = None) -> QuerySet:
        return policy_for(self.scoped_model).instances_user_has_permission_for(
            self.request.user, action or self.scope_action
        )

    def _in_scope(self, queryset):
        # History and usage views list log entries and references of a scoped
        # object (get_object checks it): only lists of the model itself filter.
        if (
            not isinstance(queryset, QuerySet)
            or queryset.model is not self.scoped_model
        ):
            return queryset
        return queryset.filter(pk__in=self.scoped_queryset().values("pk"))

    def write_csv_row(self, writer, row_dict):
        # Wagtail keeps XLSX formulas as text, not CSV ones (HRIS data, names).
        return super().write_csv_row(
            writer, {k: safe_cell(v) for k, v in row_dict.items()}
        )

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        return super().generate_xlsx_row(
            worksheet, {k: safe_cell(v) for k, v in row_dict.items()}, date_format
        )

    # Listings, exports and history/usage listings.
    def get_base_queryset(self):
        return self._in_scope(super().get_base_queryset())

    # Choosers.
    def get_object_list(self):
        return self._in_scope(super().get_object_list())

    def search_queryset(self, queryset):
        # Wagtail's database fallback looks for the whole query in one field,
        # so "Lena Mensah" found nobody: each word must match some field.
        if (
            not getattr(self, "is_searching", False)
            or not self.search_fields
            or (class_is_indexed(queryset.model) and self.search_backend_name)
        ):
            return super().search_queryset(queryset)
        return queryset.filter(terms_query(self.search_query, self.search_fields))

    # Every single-object view.
    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if obj is None:  # a create view has no object
            return obj
        pk = getattr(obj, "pk", None)
        if not self.scoped_queryset().filter(pk=pk).exists():
            raise Http404
        return obj

    def get_objects(self, pks):
        return self._in_scope(super().get_objects(pks))


def scoped(view_class):
    """``view_class`` with :class:`PolicyScopedView` in front of it."""
    if issubclass(view_class, PolicyScopedView):
        return view_class
    attrs = {"scope_action": _action_of(view_class)}
    # The audit trail and usage of an object are read-only: seeing the object
    # is enough (Wagtail asks for "change" by default).
    if issubclass(view_class, HistoryView):
        attrs["any_permission_required"] = ["view", "change"]
    if issubclass(view_class, UsageView):
        attrs["permission_required"] = "view"
    return type(f"Scoped{view_class.__name__}", (PolicyScopedView, view_class), attrs)


class ScopedViewSetMixin:
    """Builds every view through :func:`scoped`, including views added later."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(scoped(view_class), **kwargs)

    if WAGTAIL_VERSION < (8, 0):
        # Wagtail 8 looks the policy up in its registry (filled in ready());
        # 7.4 asks the viewset.
        @property
        def permission_policy(self):
            return policy_for(self.model)


class PrefixedURLsMixin:
    """URLs under ``/admin/mentoring/<name>/`` and names under ``wm_<name>``,
    so that they cannot collide with the host's own admin views."""

    @property
    def url_prefix(self):
        return f"{ADMIN_URL_PREFIX}/{self.name}"

    @property
    def url_namespace(self):
        return f"wm_{self.name}"


class CalendarDateColumn(Column):
    """A date as the host's locale writes it (``DATE_FORMAT``, as on the
    employees' side). Wagtail's ``DateColumn`` reads a datetime relative to
    now and any future one as "Just now": right for when something happened
    (applied, sent), wrong for a deadline, a planned end or an expiry."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if not value:
            return "—"
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value).date()
        return date_format(value, "DATE_FORMAT")


class StatusColumn(StatusTagColumn):
    """Wagtail's status tag, its cell rendered once for each status it shows:
    a listing's fifty rows hold a handful of statuses, and a template render
    per row was the largest part of the proposals listing's own time. The
    cell depends on the status and whether it is primary, nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cells: dict = {}

    def render_cell_html(self, instance, parent_context):
        key = (str(self.get_value(instance)), bool(self.get_primary(instance)))
        html = self._cells.get(key)
        if html is None:
            html = self._cells[key] = super().render_cell_html(instance, parent_context)
        return html


class _RowKey:
    pk = "wmrowkey7f3a"  # letters and digits: every quoting leaves it as it is


class BulkCheckboxColumn(BulkActionsCheckboxColumn):
    """Wagtail's bulk-action checkbox, its cell rendered once per language for
    a stand-in row and given each row's key: the cell depends on nothing else
    (not for pages, whose checkbox also says whether the page is live)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cells: dict = {}

    def render_cell_html(self, instance, parent_context):
        language = get_language()
        cell = self._cells.get(language)
        if cell is None:
            html = super().render_cell_html(_RowKey(), parent_context)
            cell = self._cells[language] = (
                html.replace("{", "{{").replace("}", "}}").replace(_RowKey.pk, "{0}")
            )
        return format_html(cell, quote(instance.pk))


class ListingTable(Table):
    """Wagtail's table with its rows joined in Python rather than by the
    template: a template loop, an ``attrs`` include and a ``component`` tag
    per cell were a third of a fifty-row listing's table. The header, and
    each cell's own rendering, are Wagtail's."""

    template_name = "wagtail_mentoring/admin/table.html"

    class Body:
        def __init__(self, table):
            self.table = table

        def render_html(self, parent_context):
            table = self.table
            columns = list(table.columns.values())
            html = []
            for row in table.rows:
                instance = row.instance
                html.append(f"<tr{flatatt(row.attrs)}>")
                # As the template's loop would: a cell may read its row.
                with parent_context.push(row=row):
                    html.extend(
                        column.render_cell_html(instance, parent_context)
                        for column in columns
                    )
                html.append("</tr>")
            # Each cell is safe as its column rendered it; flatatt escapes.
            return mark_safe("".join(html))  # noqa: S308

    @cached_property
    def body(self):
        return self.Body(self)


class MentoringViewSet(PrefixedURLsMixin, ViewSet):
    """A custom admin screen (not a model's CRUD) of the package."""


class ReportView(WagtailAdminTemplateMixin, TemplateView):
    """An admin report screen that asks ``has_permission(user)`` first."""

    def has_permission(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class SingleViewSet(MentoringViewSet):
    """A viewset of one admin screen whose menu item asks ``allowed(user)``."""

    view_class = None

    def allowed(self, user) -> bool:
        return self.view_class().has_permission(user)

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]

    @cached_property
    def menu_item_class(self):
        allowed = self.allowed

        class PermissionMenuItem(MenuItem):
            def is_shown(self, request):
                return allowed(request.user)

        return PermissionMenuItem


class MentoringModelViewSet(PrefixedURLsMixin, ScopedViewSetMixin, ModelViewSet):
    """A ModelViewSet under the package's admin prefix, scoped by its policy."""

    copy_view_enabled = False


class MentoringSnippetViewSet(ScopedViewSetMixin, SnippetViewSet):
    """A snippet (taxonomy) viewset, scoped by its policy like the others."""

    copy_view_enabled = False


class MentoringChooserViewSet(PrefixedURLsMixin, ScopedViewSetMixin, ChooserViewSet):
    """A chooser modal whose choices come from the model's policy."""


class MentoringViewSetGroup(ViewSetGroup):
    """An admin menu group whose items the domains add at registration."""

    def __init__(self, label, icon, order, items):
        self.menu_label = label
        self.menu_icon = icon
        self.menu_order = order
        self.items = tuple(items)
        super().__init__()


class AdminMenu:
    """The package's admin menu groups, filled by each domain's ``register()``."""

    def __init__(self):
        self.mentoring: list = []
        self.sponsorship: list = []


class ServiceFormMixin:
    """Create/edit views whose ``save_instance`` calls a service: a refusal is
    shown on the form, and the service's transaction wrote nothing."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except MentoringError as error:
            form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ServiceBulkAction(BulkAction):
    """A bulk action that runs one of our services on the selected objects.

    ``service`` is the business function; a refusal (:class:`MentoringError`)
    is shown as a message and the listing is shown again, with nothing changed.
    """

    service = None

    def get_actionable_objects(self):
        # Objects outside the user's scope are not listed (not even as "no
        # permission", which would name them) and never acted on.
        objects, extra = super().get_actionable_objects()
        ids = [o.pk for o in objects + extra.get("items_with_no_access", [])]
        scope = set(
            policy_for(self.model)
            .instances_user_has_permission_for(self.request.user, "view")
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if not scope:
            raise Http404
        extra["items_with_no_access"] = [
            o for o in extra.get("items_with_no_access", []) if o.pk in scope
        ]
        return [o for o in objects if o.pk in scope], extra

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        return context

    def form_valid(self, form):
        try:
            with dispatch.reporting(self.request):
                return super().form_valid(form)
        except MentoringError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.next_url)
