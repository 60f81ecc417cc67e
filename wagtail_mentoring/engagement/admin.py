"""Wagtail admin: Relationships (activity metadata only) and Mentor requests.

Program admins see how a pair is doing (meeting counts and dates, goal
completion, message counts, feedback meant for them) but never meeting notes,
goal details or message content: those belong to the pair.
"""

from __future__ import annotations

import django_filters
from django.contrib.admin.utils import quote
from django.db.models import Avg, Count, Max, Min, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import ListingButton

from wagtail_mentoring.admin_base import (
    CalendarDateColumn,
    MentoringModelViewSet,
    StatusColumn,
)
from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.circle_admin import manage_circle
from wagtail_mentoring.engagement.models import (
    FeedbackVisibility,
    GoalStatus,
    MeetingStatus,
    MentorRequest,
    MentorRequestStatus,
    Message,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name, name_search_fields
from wagtail_mentoring.permissions import (
    administered_programs,
    can_administer,
    policy_for,
)
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.sql import counted


def _programs(request):
    user = getattr(request, "user", None)
    if user is None:
        return ProgramPage.objects.none()
    return administered_programs(user).order_by("title")


class RelationshipFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=_programs, empty_label=_("All programs")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RelationshipStatus.choices
    )

    class Meta:
        model = Relationship
        fields = ["program", "status"]


def with_activity(queryset, now=None):
    """Annotate relationships with activity metadata, in one query."""
    now = now or timezone.now()
    live = ~Q(meetings__status=MeetingStatus.CANCELLED)
    return queryset.annotate(
        meetings_held=Count(
            "meetings", filter=live & Q(meetings__starts_at__lte=now), distinct=True
        ),
        meetings_upcoming=Count(
            "meetings", filter=live & Q(meetings__starts_at__gt=now), distinct=True
        ),
        last_meeting_at=Max(
            "meetings__starts_at", filter=live & Q(meetings__starts_at__lte=now)
        ),
        next_meeting_at=Min(
            "meetings__starts_at", filter=live & Q(meetings__starts_at__gt=now)
        ),
        goals_total=Count("goals", distinct=True),
        goals_achieved=Count(
            "goals", filter=Q(goals__status=GoalStatus.ACHIEVED), distinct=True
        ),
        messages_count=counted(
            Message.objects.filter(relationship=OuterRef("pk")), "relationship"
        ),
    )


def _members_text(relationship) -> str:
    return " & ".join(
        f"{display_name(m.user)} ({m.get_role_display()})"
        for m in relationship.members.all()
    )


class MembersColumn(TitleColumn):
    def get_value(self, instance):
        return " & ".join(display_name(m.user) for m in instance.members.all())


class GoalsColumn(Column):
    def get_value(self, instance):
        if not instance.goals_total:
            return "—"
        return _("%(done)d of %(total)d achieved") % {
            "done": instance.goals_achieved,
            "total": instance.goals_total,
        }


class CircleColumn(Column):
    """Group programs: the circle's topic and how many people share it."""

    def get_value(self, instance):
        if not instance.is_circle:
            return "—"
        count = len(instance.members.all())
        size = ngettext("%(n)d member", "%(n)d members", count) % {"n": count}
        return f"{instance.topic} · {size}" if instance.topic else size


STATUS_PRIMARY = {RelationshipStatus.ACTIVE}


class RelationshipIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        queryset = policy_for(Relationship).instances_user_has_permission_for(
            self.request.user, "view"
        )
        return with_activity(
            queryset.select_related("program").prefetch_related(
                Prefetch(
                    "members",
                    queryset=RelationshipMember.objects.select_related("user").order_by(
                        "role", "pk"
                    ),
                )
            )
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column_class(MembersColumn)(
                "members",
                label=_("Members"),
                width="24%",
                get_url=self.get_inspect_url,
                get_title_id=lambda obj: f"relationship_{quote(obj.pk)}_title",
            ),
            Column("program", label=_("Program"), accessor="program.title"),
            CircleColumn("circle", label=_("Circle")),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda obj: obj.status in STATUS_PRIMARY,
                sort_key="status",
            ),
            CalendarDateColumn("ends_on", label=_("Planned end"), sort_key="ends_on"),
            Column("meetings_held", label=_("Meetings held"), sort_key="meetings_held"),
            CalendarDateColumn(
                "last_meeting_at",
                label=_("Last meeting"),
                sort_key="last_meeting_at",
            ),
            CalendarDateColumn(
                "next_meeting_at",
                label=_("Next meeting"),
                sort_key="next_meeting_at",
            ),
            GoalsColumn("goals", label=_("Goals")),
            Column("messages_count", label=_("Messages")),
        ]


class RelationshipInspectView(generic.InspectView):
    def get_base_queryset(self):
        return policy_for(Relationship).instances_user_has_permission_for(
            self.request.user, "view"
        )

    def get_object(self, queryset=None):
        # Relationships of other programs are "not found", not "forbidden".
        return get_object_or_404(
            with_activity(
                self.get_base_queryset().select_related(
                    "program", "rematch_requested_by"
                )
            ),
            pk=self.pk,
        )

    def get_field_label(self, field_name, field):
        labels = {
            "member_list": _("Members"),
            "meetings": _("Meetings"),
            "goal_completion": _("Goals"),
            "message_activity": _("Messages"),
            "admin_feedback": _("Feedback for program admins"),
        }
        if field_name in labels:
            return labels[field_name]
        return super().get_field_label(field_name, field)

    def get_member_list_display_value(self):
        text = _members_text(self.object)
        if self.object.is_circle and self.object.is_open:
            return format_html(
                '{} <a class="button button-small button-secondary" href="{}">{}</a>',
                text,
                reverse("wm_relationships:circle", args=[self.object.pk]),
                _("Manage the circle"),
            )
        return text

    def get_program_display_value(self):
        return self.object.program.title

    def get_rematch_requested_by_display_value(self):
        user = self.object.rematch_requested_by
        return display_name(user) if user else "—"

    def get_meetings_display_value(self):
        obj = self.object
        parts = [
            _("%(n)d held") % {"n": obj.meetings_held},
            _("%(n)d upcoming") % {"n": obj.meetings_upcoming},
        ]
        if obj.last_meeting_at:
            parts.append(
                _("last on %(date)s")
                % {"date": timezone.localtime(obj.last_meeting_at).date()}
            )
        if obj.next_meeting_at:
            parts.append(
                _("next on %(date)s")
                % {"date": timezone.localtime(obj.next_meeting_at).date()}
            )
        return ", ".join(str(p) for p in parts)

    def get_goal_completion_display_value(self):
        stats = self.object.goals.aggregate(
            total=Count("pk"),
            achieved=Count("pk", filter=Q(status=GoalStatus.ACHIEVED)),
            dropped=Count("pk", filter=Q(status=GoalStatus.DROPPED)),
            progress=Avg("progress", filter=~Q(status=GoalStatus.DROPPED)),
            check_ins=Count("check_ins"),
        )
        if not stats["total"]:
            return "—"
        return _(
            "%(achieved)d of %(total)d achieved, %(dropped)d dropped; "
            "average progress %(progress)d%%; %(check_ins)d check-ins"
        ) % {**stats, "progress": round(stats["progress"] or 0)}

    def get_message_activity_display_value(self):
        # Counts only: the content belongs to the pair.
        return _("%(n)d messages") % {"n": self.object.messages_count or 0}

    def get_admin_feedback_display_value(self):
        items = self.object.feedback.filter(
            visibility=FeedbackVisibility.ADMINS
        ).select_related("author")
        rows = [
            (
                display_name(f.author),
                f.get_kind_display(),
                f.rating,
                f.comment or "—",
            )
            for f in items
        ]
        if not rows:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><strong>{}</strong>, {}: {}/5 — {}</li>", rows),
        )


class RelationshipViewSet(MentoringModelViewSet):
    model = Relationship
    name = "relationships"
    icon = "group"
    menu_label = _("Relationships")
    menu_order = 210
    add_to_admin_menu = False
    index_view_class = RelationshipIndexView
    inspect_view_class = RelationshipInspectView
    inspect_view_enabled = True
    filterset_class = RelationshipFilterSet
    form_fields = ["status"]
    list_per_page = 50
    inspect_view_fields = [
        "member_list",
        "program",
        "status",
        "started_on",
        "ends_on",
        "ended_at",
        "end_reason",
        "extensions_used",
        "rematch_requested_by",
        "meetings",
        "goal_completion",
        "message_activity",
        "admin_feedback",
    ]
    list_export = [
        "pk",
        "program.title",
        "get_status_display",
        "started_on",
        "ends_on",
        "meetings_held",
        "meetings_upcoming",
        "last_meeting_at",
        "next_meeting_at",
        "goals_total",
        "goals_achieved",
        "messages_count",
    ]
    export_filename = "relationships"

    @cached_property
    def search_fields(self):
        return name_search_fields("members__user__") + ["program__title"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("circle/<int:pk>/", manage_circle, name="circle")
        ]


# Mentor requests ------------------------------------------------------------


class RequestFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=_programs, empty_label=_("All programs")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MentorRequestStatus.choices
    )

    class Meta:
        model = MentorRequest
        fields = ["program", "status"]


def _get(instance, path):
    for part in path.split("."):
        instance = getattr(instance, part)
    return instance


class UserColumn(Column):
    def get_value(self, instance):
        return display_name(_get(instance, self.accessor))


class UserTitleColumn(TitleColumn):
    def get_value(self, instance):
        return display_name(_get(instance, self.accessor))


class MentorRequestIndexView(generic.IndexView):
    default_ordering = "-created_at"

    def get_base_queryset(self):
        return (
            policy_for(MentorRequest)
            .instances_user_has_permission_for(self.request.user, "view")
            .select_related(
                "program", "mentee_enrollment__user", "mentor_enrollment__user"
            )
        )

    @cached_property
    def columns(self):
        return [
            # The title column carries the row's buttons (accept on behalf).
            self._get_title_column_class(UserTitleColumn)(
                "mentee",
                label=_("Mentee"),
                accessor="mentee_enrollment.user",
                get_title_id=lambda obj: f"request_{quote(obj.pk)}_title",
            ),
            UserColumn("mentor", label=_("Mentor"), accessor="mentor_enrollment.user"),
            Column("program", label=_("Program"), accessor="program.title"),
            Column("rank", label=_("Choice"), sort_key="rank"),
            StatusColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda obj: obj.status == MentorRequestStatus.ACCEPTED,
                sort_key="status",
            ),
            DateColumn("sent_at", label=_("Sent"), sort_key="sent_at"),
            CalendarDateColumn("expires_at", label=_("Expires"), sort_key="expires_at"),
        ]

    def get_list_buttons(self, instance):
        if instance.status != MentorRequestStatus.PENDING:
            return []
        return [
            ListingButton(
                _("Accept for the mentor"),
                url=reverse("wm_mentor_requests:accept", args=[instance.pk]),
                icon_name="check",
                priority=10,
            )
        ]


def accept_on_behalf(request, pk: int):
    """Confirm, then accept a pending request on the mentor's behalf."""
    mentor_request = get_object_or_404(
        MentorRequest.objects.select_related(
            "program", "mentee_enrollment__user", "mentor_enrollment__user"
        ),
        pk=pk,
    )
    if not can_administer(request.user, mentor_request.program):
        raise Http404
    index = reverse("wm_mentor_requests:index")
    if request.method == "POST":
        try:
            services.accept_request(mentor_request, request.user)
        except MentoringError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(mentee)s is now matched with %(mentor)s.")
                % {
                    "mentee": display_name(mentor_request.mentee),
                    "mentor": display_name(mentor_request.mentor),
                },
            )
        return redirect(index)
    return TemplateResponse(
        request,
        "wagtail_mentoring/admin/confirm_accept_request.html",
        {
            "mentor_request": mentor_request,
            "mentee_name": display_name(mentor_request.mentee),
            "mentor_name": display_name(mentor_request.mentor),
            "index_url": index,
        },
    )


class MentorRequestViewSet(MentoringModelViewSet):
    model = MentorRequest
    name = "mentor_requests"
    icon = "mail"
    menu_label = _("Mentor requests")
    menu_order = 220
    add_to_admin_menu = False
    index_view_class = MentorRequestIndexView
    filterset_class = RequestFilterSet
    form_fields = ["note"]
    list_per_page = 50

    @cached_property
    def search_fields(self):
        return (
            name_search_fields("mentee_enrollment__user__")
            + name_search_fields("mentor_enrollment__user__")
            + ["program__title"]
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("accept/<int:pk>/", accept_on_behalf, name="accept")
        ]
