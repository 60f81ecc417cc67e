"""Wagtail admin of webhooks: endpoints, the delivery log, redelivery."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from wagtail_mentoring import dispatch
from wagtail_mentoring.admin_base import (
    MentoringModelViewSet,
    ServiceFormMixin,
    StatusColumn,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.webhooks import services, targets
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)


class WebhookEndpointForm(WagtailAdminModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https address on the internet (no private addresses)."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            targets.check(url)  # again at every delivery
        except MentoringError as error:
            raise ValidationError(error.messages)
        return url


class EndpointCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.save_endpoint(self.form.save(commit=False), self.request.user)


class EndpointEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        return services.save_endpoint(self.form.save(commit=False), self.request.user)


class EndpointIndexView(generic.IndexView):
    @cached_property
    def columns(self):
        return [
            TitleColumn("name", label=_("Name"), get_url=self.get_edit_url),
            Column("url", label=_("URL")),
            Column("enabled", label=_("Enabled")),
            Column("consecutive_failures", label=_("Failures in a row")),
            Column("disabled_reason", label=_("Why disabled")),
        ]


class EndpointViewSet(MentoringModelViewSet):
    model = WebhookEndpoint
    name = "webhooks"
    icon = "link-external"
    menu_label = _("Webhook endpoints")
    menu_order = 900
    index_view_class = EndpointIndexView
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    form_fields = WebhookEndpointForm.Meta.fields
    inspect_view_enabled = True
    # The signing secret, for whoever configures the receiver.
    inspect_view_fields = [
        "name",
        "url",
        "events",
        "enabled",
        "secret",
        "consecutive_failures",
        "disabled_reason",
    ]

    def get_form_class(self, for_update=False):
        return WebhookEndpointForm


class DeliveryFilterSet(WagtailFilterSet):
    endpoint = django_filters.ModelChoiceFilter(
        label=_("Endpoint"), queryset=WebhookEndpoint.objects.all()
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DeliveryStatus.choices
    )

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "status", "event_type"]


class DeliveryIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("endpoint")

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "event_type",
                label=_("Event"),
                accessor="get_event_type_display",
                get_url=lambda d: reverse("wm_webhook_deliveries:inspect", args=[d.pk]),
            ),
            Column("endpoint", label=_("Endpoint")),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda d: d.status == DeliveryStatus.SUCCEEDED,
            ),
            Column("attempts", label=_("Attempts")),
            DateColumn("created_at", label=_("Created")),
            DateColumn("next_attempt_at", label=_("Next attempt")),
        ]


class DeliveryInspectView(generic.InspectView):
    template_name = "wagtail_mentoring/webhooks/delivery_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        context["can_redeliver"] = self.request.user.has_perm(services.CHANGE_ENDPOINTS)
        return context


class RedeliverView(View):
    """POST only: send the event again, with the same ``webhook-id``."""

    def post(self, request, pk):
        if not request.user.has_perm(services.CHANGE_ENDPOINTS):
            raise PermissionDenied
        delivery = get_object_or_404(WebhookDelivery, pk=pk)
        try:
            with dispatch.reporting(request):
                services.redeliver(delivery, request.user)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The event is being sent again."))
        return redirect("wm_webhook_deliveries:inspect", pk)


class DeliveryViewSet(MentoringModelViewSet):
    model = WebhookDelivery
    name = "webhook_deliveries"
    icon = "list-ul"
    menu_label = _("Webhook deliveries")
    menu_order = 910
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    filterset_class = DeliveryFilterSet
    form_fields = ["status"]  # never edited: the policy allows only "view"

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/redeliver/", RedeliverView.as_view(), name="redeliver")
        ]
