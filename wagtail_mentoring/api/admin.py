"""The admin's *API tokens* screen: a person lists, creates and revokes their
own personal access tokens. A new token is shown once, on the page that
created it; the database keeps only its digest."""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from wagtail_mentoring.admin_base import MentoringViewSet
from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.models import PersonalAccessToken, TokenScope
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import administers_any_program


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What uses it, e.g. “Team dashboard”."),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"))
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [
            (value, label)
            for value, label in TokenScope.choices
            if tokens.may_hold(user, value)
        ]


class TokenView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wm_api_tokens:index"), "label": _("API tokens")},
            {"url": "", "label": self.get_page_title()},
        ]


class TokenIndexView(TokenView):
    template_name = "wagtail_mentoring/api/admin/index.html"
    page_title = gettext_lazy("API tokens")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=PersonalAccessToken.objects.filter(user=self.request.user),
            **kwargs,
        )


class TokenCreateView(TokenView):
    template_name = "wagtail_mentoring/api/admin/create.html"
    page_title = gettext_lazy("New API token")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=TokenForm(user=request.user))
        )

    def post(self, request, *args, **kwargs):
        form = TokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                new = tokens.create_token(
                    request.user,
                    request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    days=form.cleaned_data["days"],
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                # Shown on this response only: never stored, never redirected to.
                response = self.render_to_response(
                    self.get_context_data(new=new, form=None)
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TokenRevokeView(TokenView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = PersonalAccessToken.objects.filter(user=request.user, pk=pk).first()
        if token is None:
            raise Http404
        tokens.revoke_token(token, request.user)
        messages.success(
            request, _("The token %(name)s was revoked.") % {"name": token}
        )
        return redirect("wm_api_tokens:index")


class TokenViewSet(MentoringViewSet):
    """Every admin user may keep tokens (the account menu leads here); the
    Mentoring menu lists the screen only to those with mentoring work or tokens,
    so an editor with no part in mentoring does not get the menu for it."""

    name = "api_tokens"
    icon = "key"
    menu_label = gettext_lazy("API tokens")

    @cached_property
    def menu_item_class(self):
        class TokenMenuItem(MenuItem):
            def is_shown(self, request):
                user = request.user
                return (
                    administers_any_program(user)
                    or PersonalAccessToken.objects.filter(user=user).exists()
                )

        return TokenMenuItem

    def get_urlpatterns(self):
        return [
            path("", TokenIndexView.as_view(), name="index"),
            path("new/", TokenCreateView.as_view(), name="add"),
            path("<int:pk>/revoke/", TokenRevokeView.as_view(), name="revoke"),
        ]
