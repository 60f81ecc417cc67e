"""The admin's *Personal data* screen: HR finds a person, exports their data or
erases it (``export_personal_data`` / ``erase_personal_data``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import (
    display_name,
    name_ordering,
    name_search_fields,
    terms_query,
)
from wagtail_mentoring.permissions import (
    can_erase_personal_data,
    can_export_personal_data,
    handles_personal_data,
)
from wagtail_mentoring.privacy.services import (
    erase_personal_data,
    export_personal_data,
    personal_data,
    section_labels,
)
from wagtail_mentoring.privacy.views import json_download

#: Header keys of the export: every other key is a section of data.
HEADER = ("schema", "schema_version", "exported_at", "person")
SEARCH_LIMIT = 50


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or login"), max_length=150)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that this cannot be undone: the person's mentoring data "
            "is deleted, or kept only without their name, for good."
        )
    )


def person_or_404(user_pk: str):
    User = get_user_model()
    try:
        pk = User._meta.pk.to_python(user_pk)
    except ValidationError:
        raise Http404 from None
    person = User._default_manager.filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def section_sizes(data: dict) -> list[tuple[str, int]]:
    """``(section, how many things)`` of an export, for the summary."""
    labels = section_labels()
    sizes = []
    for key, value in data.items():
        if key in HEADER:
            continue
        if isinstance(value, list):
            count = len(value)
        elif isinstance(value, dict) and all(
            isinstance(v, list) for v in value.values()
        ):
            count = sum(len(v) for v in value.values())
        elif isinstance(value, dict) and "exists" in value:
            count = int(bool(value["exists"]))
        else:
            count = int(value is not None)
        sizes.append((labels.get(key, key), count))
    return sizes


class PrivacyView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "lock"

    def dispatch(self, request, *args, **kwargs):
        if not handles_personal_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wm_privacy:index"), "label": _("Personal data")},
            {"url": "", "label": self.get_page_title()},
        ]


class PeopleView(PrivacyView):
    """Find the person a request is about."""

    template_name = "wagtail_mentoring/privacy/admin/index.html"
    page_title = gettext_lazy("Personal data")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET or None)
        people = None
        if form.is_bound and form.is_valid():
            words = form.cleaned_data["q"].split()
            query = get_user_model()._default_manager.filter(
                terms_query(" ".join(words), name_search_fields())
            )
            people = list(query.order_by(*name_ordering())[:SEARCH_LIMIT])
        return self.render_to_response(
            self.get_context_data(form=form, people=people, limit=SEARCH_LIMIT)
        )


class PersonView(PrivacyView):
    """What the package holds about one person, and the two actions."""

    template_name = "wagtail_mentoring/privacy/admin/person.html"

    @cached_property
    def person(self):
        return person_or_404(self.kwargs["user_pk"])

    def get_page_title(self):
        return display_name(self.person)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(
                person=self.person,
                sections=section_sizes(personal_data(self.person)),
                can_export=can_export_personal_data(request.user, self.person),
                can_erase=can_erase_personal_data(request.user),
            )
        )


class ExportView(PersonView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            data = export_personal_data(self.person, request.user)
        except MentoringError:
            raise PermissionDenied from None
        stamp = timezone.localdate().isoformat()
        return json_download(
            data, f"mentoring-data-person-{self.person.pk}-{stamp}.json"
        )


class EraseView(PersonView):
    template_name = "wagtail_mentoring/privacy/admin/erase.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_erase_personal_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Erase %(name)s's mentoring data") % {
            "name": display_name(self.person)
        }

    def get(self, request, *args, **kwargs):
        return self._render(EraseForm())

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self._render(form)
        name = display_name(self.person)
        erase_personal_data(self.person, request.user)
        messages.success(
            request,
            _("%(name)s's mentoring data was erased.") % {"name": name},
        )
        return redirect("wm_privacy:person", self.person.pk)

    def _render(self, form):
        return self.render_to_response(
            self.get_context_data(
                person=self.person,
                form=form,
                sections=section_sizes(personal_data(self.person)),
            )
        )


class PrivacyViewSet(MentoringViewSet):
    name = "privacy"
    icon = "lock"
    menu_label = gettext_lazy("Personal data")

    def get_urlpatterns(self):
        return [
            path("", PeopleView.as_view(), name="index"),
            path("<str:user_pk>/", PersonView.as_view(), name="person"),
            path("<str:user_pk>/export/", ExportView.as_view(), name="export"),
            path("<str:user_pk>/erase/", EraseView.as_view(), name="erase"),
        ]

    @cached_property
    def menu_item_class(self):
        class PrivacyMenuItem(MenuItem):
            def is_shown(self, request):
                return handles_personal_data(request.user)

        return PrivacyMenuItem
