"""*Notification wording*: program admins word each kind of notification for
their programs; admins of every program (HR) word the site-wide default.

Scopes come from the permission policies (``permissions.py``): a program the
user does not administer is "not found", and so is the site-wide wording for
anyone who does not administer every program. Saving and resetting go through
``programs.wording``; *Preview* renders the form as it stands with sample
values and saves nothing.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.models import NotificationWording
from wagtail_mentoring.notifications.wording import (
    KINDS,
    PLACEHOLDERS,
    check_wording,
    render_wording,
    sample_values,
)
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_all_programs,
    administers_any_program,
    policy_for,
)
from wagtail_mentoring.programs.wording import (
    current_wording,
    reset_wording,
    save_wording,
)

#: The URL name of the site-wide scope (programs are named by their id).
ALL_PROGRAMS = "all"


def _scope(user, scope: str):
    """``(program or None, title)`` of a scope ``user`` may edit, else 404."""
    if scope == ALL_PROGRAMS:
        if not administers_all_programs(user):
            raise Http404
        return None, _("All programs (default)")
    if not scope.isdigit():
        raise Http404
    program = administered_programs(user).filter(pk=int(scope)).first()
    if program is None:
        raise Http404
    return program, program.title


def _kinds(program):
    return [k for k in KINDS.values() if program is None or k.per_program]


class WordingMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not administers_any_program(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WordingIndexView(WordingMixin, TemplateView):
    template_name = "wagtail_mentoring/programs/admin/wording_index.html"
    page_title = gettext_lazy("Notification wording")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        changed: dict = {}
        wordings = policy_for(NotificationWording).instances_user_has_permission_for(
            user, "view"
        )
        for program_id in wordings.values_list("program_id", flat=True):
            changed[program_id] = changed.get(program_id, 0) + 1
        scopes = []
        if administers_all_programs(user):
            scopes.append(
                {
                    "slug": ALL_PROGRAMS,
                    "title": _("All programs (default)"),
                    "changed": changed.get(None, 0),
                }
            )
        for program in administered_programs(user).order_by("title"):
            scopes.append(
                {
                    "slug": str(program.pk),
                    "title": program.title,
                    "changed": changed.get(program.pk, 0),
                }
            )
        context["scopes"] = scopes
        return context


class WordingScopeView(WordingMixin, TemplateView):
    template_name = "wagtail_mentoring/programs/admin/wording_scope.html"

    def get(self, request, scope):
        self.program, self.scope_title = _scope(request.user, scope)
        self.scope = scope
        return super().get(request)

    @property
    def page_title(self):
        return _("Notification wording: %(scope)s") % {"scope": self.scope_title}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wm_wording:index"), "label": _("Notification wording")},
            {"url": "", "label": self.scope_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        own = dict(
            NotificationWording.objects.filter(program=self.program).values_list(
                "kind", "updated_at"
            )
        )
        context["kinds"] = [
            {"kind": kind, "changed": own.get(kind.key)}
            for kind in _kinds(self.program)
        ]
        context["scope"] = self.scope
        return context


class WordingForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Plain text. Blank lines start paragraphs; web addresses become links."
        ),
    )


class WordingEditView(WordingMixin, TemplateView):
    template_name = "wagtail_mentoring/programs/admin/wording_edit.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope = kwargs["scope"]
        self.key = kwargs["kind"]

    def _load(self):
        self.program, self.scope_title = _scope(self.request.user, self.scope)
        self.kind = KINDS.get(self.key)
        if self.kind is None or self.kind not in _kinds(self.program):
            raise Http404
        self.wording = current_wording(self.program, self.key)

    @property
    def page_title(self):
        return f"{self.kind.label} — {self.scope_title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wm_wording:index"), "label": _("Notification wording")},
            {
                "url": reverse("wm_wording:scope", args=[self.scope]),
                "label": self.scope_title,
            },
            {"url": "", "label": self.kind.label},
        ]

    def _initial(self) -> dict:
        found = self.wording
        if found is None and self.program is not None:
            found = current_wording(None, self.key)
        if found is not None:
            return {"subject": found.subject, "body": found.body}
        return {"subject": self.kind.subject, "body": self.kind.body}

    def get(self, request, *args, **kwargs):
        self._load()
        form = WordingForm(initial=self._initial())
        return self.render_to_response(
            self.get_context_data(form=form, preview=self._preview(**self._initial()))
        )

    def post(self, request, *args, **kwargs):
        self._load()
        form = WordingForm(request.POST)
        preview = None
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            try:
                if request.POST.get("action") == "preview":
                    check_wording(self.key, subject, body)
                    preview = self._preview(subject, body)
                else:
                    save_wording(
                        self.program,
                        self.key,
                        subject=subject,
                        body=body,
                        by=request.user,
                    )
                    messages.success(
                        request,
                        _("Saved: “%(kind)s” for %(scope)s.")
                        % {"kind": self.kind.label, "scope": self.scope_title},
                    )
                    return redirect("wm_wording:scope", self.scope)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            except MentoringError as error:
                form.add_error(None, " ".join(error.messages))
        return self.render_to_response(
            self.get_context_data(form=form, preview=preview)
        )

    def _preview(self, subject: str, body: str) -> dict:
        words = render_wording(subject, body, sample_values(self.key))
        # Built from escaped text only (render_wording escapes everything).
        words["inner_html"] = mark_safe(words["inner_html"])  # noqa: S308
        return words

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            kind=self.kind,
            scope=self.scope,
            wording=self.wording,
            placeholders=[
                {
                    "name": name,
                    "braced": f"{{{name}}}",
                    "help": PLACEHOLDERS[name].help,
                    "sample": PLACEHOLDERS[name].sample,
                }
                for name in self.kind.placeholders
            ],
        )
        return context


@require_POST
def reset(request, scope: str, kind: str):
    if not administers_any_program(request.user):
        raise PermissionDenied
    program, title = _scope(request.user, scope)
    if kind not in KINDS or KINDS[kind] not in _kinds(program):
        raise Http404
    try:
        removed = reset_wording(program, kind, by=request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if removed:
            messages.success(
                request,
                _("“%(kind)s” for %(scope)s is back to the default.")
                % {"kind": KINDS[kind].label, "scope": title},
            )
    return redirect("wm_wording:scope", scope)


class WordingViewSet(MentoringViewSet):
    name = "wording"
    icon = "mail"
    menu_label = gettext_lazy("Notification wording")
    menu_order = 290

    def get_urlpatterns(self):
        return [
            path("", WordingIndexView.as_view(), name="index"),
            path("<str:scope>/", WordingScopeView.as_view(), name="scope"),
            path("<str:scope>/<slug:kind>/", WordingEditView.as_view(), name="edit"),
            path("<str:scope>/<slug:kind>/reset/", reset, name="reset"),
        ]

    @cached_property
    def menu_item_class(self):
        class WordingMenuItem(MenuItem):
            def is_shown(self, request):
                return administers_any_program(request.user)

        return WordingMenuItem
