"""What the API shows (read serializers) and accepts (input serializers).

Input serializers only check types and shapes; every business rule is the
service's, and its refusal comes back in the error shape of ``base.py``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wagtail_mentoring.api.base import StrictSerializer
from wagtail_mentoring.community.models import CommunitySpacePage, Post, Thread
from wagtail_mentoring.engagement.models import (
    Feedback,
    FeedbackVisibility,
    Goal,
    Meeting,
    Message,
)
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
    Relationship,
    RelationshipMember,
    Role,
)

TEXT_MAX = 5000


@extend_schema_field(
    {
        "type": "object",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        "required": ["id", "name"],
    }
)
class PersonField(serializers.Field):
    """A person as others see them: an id and a display name, never an email."""

    def to_representation(self, user):
        return {"id": str(user.pk), "name": display_name(user)}


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorSerializer(serializers.Serializer):
    """Every refusal of the API (see ``base.py``)."""

    error = ErrorDetailSerializer()


# --- Read -------------------------------------------------------------------


class ProgramSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    open_now = serializers.SerializerMethodField()

    class Meta:
        model = ProgramPage
        fields = [
            "id",
            "title",
            "slug",
            "url",
            "kind",
            "summary",
            "matching_mode",
            "roles",
            "open_now",
            "enrollment_opens_at",
            "enrollment_closes_at",
            "starts_on",
            "duration_weeks",
            "cadence",
            "requires_approval",
        ]

    def get_url(self, program) -> str:
        return program.get_url() or ""

    def get_open_now(self, program) -> bool:
        return program.is_open()


class ProfileSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    skills = serializers.SerializerMethodField()
    skills_wanted = serializers.SerializerMethodField()
    interests = serializers.SerializerMethodField()
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    # A person without a profile yet gets an unsaved one (reading never
    # writes), which has no skills to list.
    def get_skills(self, profile) -> list[str]:
        return [x.name for x in profile.skills.all()] if profile.pk else []

    def get_skills_wanted(self, profile) -> list[str]:
        return [x.name for x in profile.skills_wanted.all()] if profile.pk else []

    def get_interests(self, profile) -> list[str]:
        return [x.name for x in profile.interests.all()] if profile.pk else []

    class Meta:
        model = EmployeeProfile
        fields = [
            "name",
            "title",
            "level",
            "department",
            "location",
            "timezone",
            "languages",
            "skills",
            "skills_wanted",
            "interests",
            "bio",
            "goals",
            "open_to_mentoring",
        ]

    def get_name(self, profile) -> str:
        return display_name(profile.user)


class ApplicationSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", read_only=True)
    program_title = serializers.CharField(source="program.title", read_only=True)
    can_withdraw = serializers.BooleanField(read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "program",
            "program_title",
            "role",
            "status",
            "capacity",
            "motivation",
            "answers",
            "created_at",
            "decided_at",
            "decision_note",
            "can_withdraw",
        ]


class AdminApplicationSerializer(ApplicationSerializer):
    applicant = PersonField(source="user", read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "applicant"]


class MemberSerializer(serializers.ModelSerializer):
    person = PersonField(source="user", read_only=True)

    class Meta:
        model = RelationshipMember
        fields = ["person", "role"]


class RelationshipSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", read_only=True)
    program_title = serializers.CharField(source="program.title", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Relationship
        fields = [
            "id",
            "program",
            "program_title",
            "status",
            "started_on",
            "ends_on",
            "ended_at",
            "members",
        ]


class MeetingSerializer(serializers.ModelSerializer):
    created_by = PersonField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "starts_at",
            "duration_minutes",
            "timezone",
            "location",
            "agenda",
            "notes",
            "status",
            "created_by",
            "cancelled_at",
        ]


class GoalSerializer(serializers.ModelSerializer):
    owner = PersonField(read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "title",
            "measure",
            "why",
            "target_date",
            "progress",
            "status",
            "shared",
            "owner",
            "created_at",
        ]


class MessageSerializer(serializers.ModelSerializer):
    author = PersonField(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "body", "created_at"]


class FeedbackSerializer(serializers.ModelSerializer):
    author = PersonField(read_only=True)
    meeting = serializers.IntegerField(
        source="meeting_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Feedback
        fields = [
            "id",
            "kind",
            "meeting",
            "rating",
            "comment",
            "visibility",
            "author",
            "created_at",
        ]


class JourneySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = LearningJourneyPage
        fields = ["id", "title", "slug", "url", "summary"]

    def get_url(self, journey) -> str:
        return journey.get_url() or ""


class JourneyProgressSerializer(serializers.Serializer):
    journey = JourneySerializer(read_only=True)
    percent = serializers.IntegerField(read_only=True)
    my_percent = serializers.IntegerField(read_only=True)
    waiting_for = serializers.ListField(child=serializers.CharField(), read_only=True)


class SpaceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    can_read = serializers.SerializerMethodField()

    class Meta:
        model = CommunitySpacePage
        fields = ["id", "title", "slug", "url", "summary", "membership_policy"]
        fields += ["archived", "can_read"]

    def get_url(self, space) -> str:
        return space.get_url() or ""

    def get_can_read(self, space) -> bool:
        return space.pk in self.context.get("readable", ())


class ThreadSerializer(serializers.ModelSerializer):
    author = PersonField(read_only=True)
    post_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "author",
            "created_at",
            "last_activity_at",
            "pinned",
            "locked",
            "is_question",
            "post_count",
        ]


class PostSerializer(serializers.ModelSerializer):
    author = PersonField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "author", "body", "body_html", "created_at", "edited_at"]
        fields += ["hidden"]


class RunSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", read_only=True)

    class Meta:
        model = MatchingRun
        fields = [
            "id",
            "program",
            "status",
            "stage",
            "fresh",
            "stats",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ProposalSerializer(serializers.ModelSerializer):
    mentee = PersonField(source="mentee.user", read_only=True)
    mentor = PersonField(source="mentor.user", read_only=True)
    run = serializers.IntegerField(source="run_id", read_only=True, allow_null=True)
    relationship = serializers.IntegerField(
        source="relationship_id", read_only=True, allow_null=True
    )

    class Meta:
        model = MatchProposal
        fields = [
            "id",
            "run",
            "mentee",
            "mentor",
            "score",
            "factors",
            "reasons",
            "status",
            "origin",
            "breaks_rules",
            "is_new",
            "decided_at",
            "relationship",
        ]


class OutcomeSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.DictField())


class ProgramReportSerializer(serializers.Serializer):
    """One program's headline figures over the period (the dashboard's table)."""

    program = serializers.IntegerField(source="program_id")
    title = serializers.CharField()
    applied = serializers.IntegerField()
    active = serializers.IntegerField()
    meetings_held = serializers.IntegerField()
    ended_early = serializers.IntegerField()
    rating_mean = serializers.FloatField(allow_null=True)
    meetings_per_pair = serializers.FloatField(allow_null=True)


class ReportInput(StrictSerializer):
    days = serializers.IntegerField(
        required=False, min_value=1, max_value=3660, default=30
    )


# --- Input ------------------------------------------------------------------


class ApplyInput(StrictSerializer):
    program = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    role = serializers.ChoiceField(choices=Role.choices)
    motivation = serializers.CharField(
        required=False, allow_blank=True, max_length=4000
    )
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=100)
    # checked by the page's form: mentors of group programs only, 200 characters
    circle_topic = serializers.CharField(required=False, allow_blank=True)
    answers = serializers.DictField(required=False)


class ScheduleMeetingInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        required=False, min_value=5, max_value=480, default=45
    )
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    agenda = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX
    )


class FeedbackInput(StrictSerializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    visibility = serializers.ChoiceField(
        choices=FeedbackVisibility.choices,
        required=False,
        default=FeedbackVisibility.PARTNER,
    )


class GoalInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    target_date = serializers.DateField()
    measure = serializers.CharField(required=False, allow_blank=True, max_length=300)
    why = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    shared = serializers.BooleanField(required=False, default=False)


class CheckInInput(StrictSerializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class MessageInput(StrictSerializer):
    body = serializers.CharField(max_length=TEXT_MAX)


class ThreadInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    is_question = serializers.BooleanField(required=False, default=False)


class ReplyInput(StrictSerializer):
    body = serializers.CharField(max_length=20000)


class DecideApplicationInput(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[("approve", _("approve")), ("decline", _("decline"))]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class StartRunInput(StrictSerializer):
    fresh = serializers.BooleanField(required=False, default=False)


class DecideProposalInput(StrictSerializer):
    action = serializers.ChoiceField(
        choices=[
            ("approve", _("approve")),
            ("lock", _("lock")),
            ("reject", _("reject")),
            ("reopen", _("reopen")),
        ]
    )


class PublishInput(StrictSerializer):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX
    )
