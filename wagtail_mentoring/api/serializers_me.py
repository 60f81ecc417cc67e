"""What the employee's actions of the API show and accept beyond the basics of
``serializers.py``: meetings and goals edited, a relationship's course, journey
steps, mentor requests, the profile and space membership.

As in ``serializers.py``, input serializers check types and shapes only; the
services decide.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from wagtail_mentoring.api.base import StrictSerializer
from wagtail_mentoring.api.serializers import (
    TEXT_MAX,
    JourneySerializer,
    PersonField,
    ProfileSerializer,
)
from wagtail_mentoring.community.models import PostReport, SpaceMembership
from wagtail_mentoring.engagement.models import GoalStatus, MentorRequest
from wagtail_mentoring.journeys.models import QuizAttempt, StepStatus
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.forms import ProfileForm

# --- Read -------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    """One step of a journey as the member sees it (the overview's row)."""

    id = serializers.CharField(source="state.step.id")
    title = serializers.CharField(source="state.step.value.title")
    summary = serializers.CharField(source="state.step.value.summary")
    minutes = serializers.IntegerField(source="state.step.value.minutes")
    audience = serializers.CharField(source="state.step.value.audience")
    completion = serializers.CharField(source="state.step.value.completion")
    for_me = serializers.BooleanField()
    my_status = serializers.ChoiceField(choices=StepStatus.choices)
    pair_status = serializers.ChoiceField(choices=StepStatus.choices)
    url = serializers.CharField()


class StepListSerializer(serializers.Serializer):
    journey = JourneySerializer()
    relationship = serializers.IntegerField()
    steps_done = serializers.IntegerField()
    steps_total = serializers.IntegerField()
    percent = serializers.IntegerField()
    my_percent = serializers.IntegerField()
    steps = StepSerializer(many=True)


class MyJourneySerializer(serializers.Serializer):
    """A journey I follow in one of my relationships, with our progress."""

    relationship = serializers.IntegerField(source="relationship_id")
    program_title = serializers.CharField()
    journey = JourneySerializer()
    percent = serializers.IntegerField()
    my_percent = serializers.IntegerField()
    waiting_for = serializers.ListField(child=serializers.CharField())


class StepProgressSerializer(serializers.Serializer):
    step = serializers.CharField(source="step_id")
    status = serializers.ChoiceField(choices=StepStatus.choices)
    checked_items = serializers.ListField(child=serializers.CharField())
    completed_at = serializers.DateTimeField(allow_null=True)


class MentorRequestSerializer(serializers.ModelSerializer):
    program = serializers.IntegerField(source="program_id", read_only=True)
    program_title = serializers.CharField(source="program.title", read_only=True)
    application = serializers.IntegerField(
        source="mentee_enrollment_id", read_only=True
    )
    mentee = PersonField(source="mentee_enrollment.user", read_only=True)
    mentor = PersonField(source="mentor_enrollment.user", read_only=True)
    relationship = serializers.IntegerField(
        source="relationship_id", read_only=True, allow_null=True
    )

    class Meta:
        model = MentorRequest
        fields = [
            "id",
            "program",
            "program_title",
            "application",
            "mentee",
            "mentor",
            "rank",
            "note",
            "status",
            "created_at",
            "sent_at",
            "expires_at",
            "decided_at",
            "decline_reason",
            "relationship",
        ]


class SuggestionSerializer(serializers.Serializer):
    """A mentor *Find a mentor* suggests: ask them with their ``mentor`` id."""

    mentor = serializers.IntegerField(source="enrollment.pk")
    person = PersonField(source="user")
    title = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    percent = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    remaining = serializers.IntegerField()

    def get_title(self, suggestion) -> str:
        return getattr(suggestion.profile, "title", "") or ""

    def get_department(self, suggestion) -> str:
        return getattr(suggestion.profile, "department", "") or ""


class SuggestionListSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    can_ask = serializers.BooleanField()
    remaining_requests = serializers.IntegerField()
    blocked = serializers.ListField(child=serializers.CharField())
    suggestions = SuggestionSerializer(many=True)


class MembershipSerializer(serializers.ModelSerializer):
    space = serializers.IntegerField(source="space_id", read_only=True)

    class Meta:
        model = SpaceMembership
        fields = ["space", "status", "role"]


class QuizAttemptSerializer(serializers.ModelSerializer):
    """My latest answers to a quiz block, graded; ``tries`` counts them all."""

    step = serializers.CharField(source="step_id", read_only=True)
    block = serializers.CharField(source="block_id", read_only=True)

    class Meta:
        model = QuizAttempt
        fields = ["step", "block", "answers", "score", "passed", "tries"]


class PostReportSerializer(serializers.ModelSerializer):
    post = serializers.IntegerField(source="post_id", read_only=True)

    class Meta:
        model = PostReport
        fields = ["id", "post", "reason", "status", "created_at"]


class HelpfulSerializer(serializers.Serializer):
    post = serializers.IntegerField()
    helpful = serializers.BooleanField(help_text="Whether I now find it helpful.")
    count = serializers.IntegerField(help_text="How many people find it helpful.")


class AnswerSerializer(serializers.Serializer):
    thread = serializers.IntegerField(source="pk")
    answered_post = serializers.IntegerField(source="answered_post_id", allow_null=True)


# --- Input ------------------------------------------------------------------


class LogMeetingInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        required=False, min_value=5, max_value=480, default=45
    )
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class NotesInput(StrictSerializer):
    notes = serializers.CharField(allow_blank=True, max_length=20000)


class GoalUpdateInput(StrictSerializer):
    """Every field optional: what is left out keeps its value."""

    title = serializers.CharField(required=False, max_length=200)
    target_date = serializers.DateField(required=False)
    measure = serializers.CharField(required=False, allow_blank=True, max_length=300)
    why = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    status = serializers.ChoiceField(choices=GoalStatus.choices, required=False)


class ReasonInput(StrictSerializer):
    # A blank reason is the service's to refuse, in its words.
    reason = serializers.CharField(max_length=1000, trim_whitespace=False)


class ExtendInput(StrictSerializer):
    weeks = serializers.IntegerField(min_value=1, max_value=520)


class ChecklistInput(StrictSerializer):
    block = serializers.CharField(max_length=64)
    items = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=200
    )


class ReflectionInput(StrictSerializer):
    block = serializers.CharField(max_length=64)
    text = serializers.CharField(max_length=10000)


class QuizInput(StrictSerializer):
    """The chosen choice ids of each question, by question id."""

    block = serializers.CharField(max_length=64)
    answers = serializers.DictField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=64), max_length=50
        )
    )

    def validate_answers(self, value):
        if len(value) > 100:
            raise serializers.ValidationError(_("Too many questions."))
        return value


class StepGoalInput(StrictSerializer):
    block = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    target_date = serializers.DateField()
    measure = serializers.CharField(required=False, allow_blank=True, max_length=300)
    why = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class PostBodyInput(StrictSerializer):
    # A blank or too long post is the service's to refuse, in its words.
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=20000
    )


class AnswerInput(StrictSerializer):
    unmark = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Take the mark back instead of setting it.",
    )


class SendRequestInput(StrictSerializer):
    application = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    mentor = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class DeclineInput(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ProfileInput(StrictSerializer):
    """The fields the profile form of the application page lets people change.

    Skills, wanted skills and interests are names from the site's taxonomy.
    """

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    level = serializers.IntegerField(required=False, min_value=0, max_value=100)
    department = serializers.CharField(required=False, allow_blank=True, max_length=200)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    timezone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=50
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )
    skills_wanted = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )
    interests = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=200
    )
    availability = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, max_length=50
    )
    goals = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class MyProfileSerializer(ProfileSerializer):
    """My own profile, with what the application page's form edits."""

    availability = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = EmployeeProfile
        # What the form edits, read back: a field added there shows here too.
        fields = ProfileForm.Meta.fields
