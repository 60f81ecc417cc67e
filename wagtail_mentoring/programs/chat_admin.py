"""Admin of the Slack and Teams connections: list, connect, change, remove,
*Send test*, and each connection's delivery status. Every write goes through
``chat_connections``; the policy scopes every view (another program's
connection is "not found")."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from wagtail_mentoring.admin_base import (
    MentoringModelViewSet,
    ServiceFormMixin,
    StatusColumn,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.models import (
    ChatConnection,
    ChatTopic,
    DeliveryStatus,
)
from wagtail_mentoring.permissions import (
    administered_programs,
    administers_all_programs,
    policy_for,
)
from wagtail_mentoring.programs import chat_connections as services

#: Deliveries shown on a connection's page (newest first).
RECENT_DELIVERIES = 20


class ChatConnectionForm(WagtailAdminModelForm):
    topics = forms.MultipleChoiceField(
        label=_("What it carries"),
        choices=ChatTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Program-level posts only: nothing about one person is ever posted "
            "to a shared channel."
        ),
    )
    # Not a model field of the form: the saved secret is never sent back to
    # the browser, and an empty field on edit keeps it.
    secret = forms.CharField(
        label=_("Webhook URL or bot token"),
        max_length=1000,
        widget=forms.PasswordInput(render_value=False),
    )

    class Meta:
        model = ChatConnection
        fields = ["name", "kind", "program", "topics", "slack_channel", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        program = self.fields["program"]
        if user is not None:
            program.queryset = administered_programs(user).order_by("title")
            program.required = not administers_all_programs(user)
        program.empty_label = _("Site-wide (every program)")
        self.fields["kind"].help_text = _(
            "Slack: an incoming webhook URL (https://hooks.slack.com/…) or a bot "
            "token (xoxb-…) with a channel. Teams: the URL of a Workflows or "
            "connector webhook."
        )
        if self.instance.pk:
            # Another kind needs another secret, another program other admins.
            self.fields["kind"].disabled = True
            program.disabled = True
            secret = self.fields["secret"]
            secret.required = False
            secret.help_text = _("Saved: %(masked)s. Leave empty to keep it.") % {
                "masked": self.instance.masked_secret
            }


class ChatConnectionCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.create_chat_connection(
            self.request.user, **self.form.cleaned_data
        )


class ChatConnectionEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        data.pop("kind", None)
        data.pop("program", None)
        return services.update_chat_connection(
            ChatConnection.objects.get(pk=self.object.pk), self.request.user, **data
        )


class ChatConnectionDeleteView(generic.DeleteView):
    def delete_action(self):
        services.delete_chat_connection(self.object, self.request.user)


class ScopeColumn(Column):
    def get_value(self, instance):
        return instance.program.title if instance.program else _("Site-wide")


class LastPostColumn(Column):
    """Whether the last post went through, and the error when it did not."""

    cell_template_name = "wagtail_mentoring/notifications/admin/last_post_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        success, failure = instance.last_success_at, instance.last_failure_at
        context["failing"] = bool(failure and (not success or failure > success))
        context["connection"] = instance
        return context


class ChatConnectionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            policy_for(ChatConnection)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related("program")
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(TitleColumn)(
                "name",
                label=_("Name"),
                get_url=self.get_inspect_url,
                sort_key="name",
            ),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            ScopeColumn("program", label=_("Program")),
            StatusColumn(
                "active",
                label=_("Status"),
                accessor=lambda c: _("Active") if c.active else _("Off"),
                primary=lambda c: c.active,
            ),
            LastPostColumn("last_post", label=_("Last post")),
        ]


class ChatConnectionInspectView(generic.InspectView):
    template_name = "wagtail_mentoring/notifications/admin/connection_inspect.html"

    def get_program_display_value(self):
        return self.object.program.title if self.object.program else _("Site-wide")

    def get_topics_display_value(self):
        labels = dict(ChatTopic.choices)
        return (
            ", ".join(str(labels[t]) for t in self.object.topics if t in labels) or "—"
        )

    def get_secret_display_value(self):
        return self.object.masked_secret

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deliveries"] = self.object.deliveries.order_by("-created_at", "-pk")[
            :RECENT_DELIVERIES
        ]
        context["can_test"] = policy_for(
            ChatConnection
        ).user_has_permission_for_instance(self.request.user, "change", self.object)
        context["failed"] = DeliveryStatus.FAILED
        return context


class SendTestView(View):
    """POST: post a test message now and say how it went."""

    http_method_names = ["post"]

    def post(self, request, pk):
        connection = get_object_or_404(
            policy_for(ChatConnection).instances_user_has_permission_for(
                request.user, "change"
            ),
            pk=pk,
        )
        try:
            delivery = services.send_test_message(connection, request.user)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if delivery.status == DeliveryStatus.SENT:
                messages.success(request, _("The test message was posted."))
            else:
                messages.error(
                    request,
                    _("The test message was not posted: %(error)s")
                    % {"error": delivery.last_error or delivery.get_status_display()},
                )
        return redirect("wm_chat_connections:inspect", connection.pk)


class ChatConnectionViewSet(MentoringModelViewSet):
    model = ChatConnection
    name = "chat_connections"
    icon = "comment"
    menu_label = _("Slack and Teams")
    index_view_class = ChatConnectionIndexView
    add_view_class = ChatConnectionCreateView
    edit_view_class = ChatConnectionEditView
    delete_view_class = ChatConnectionDeleteView
    inspect_view_class = ChatConnectionInspectView
    inspect_view_enabled = True
    form_fields = ChatConnectionForm.Meta.fields
    inspect_view_fields = [
        "name",
        "kind",
        "program",
        "topics",
        "secret",
        "slack_channel",
        "active",
        "last_success_at",
        "last_failure_at",
        "last_error",
    ]

    def get_form_class(self, for_update=False):
        return ChatConnectionForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("test/<int:pk>/", SendTestView.as_view(), name="send_test")
        ]
