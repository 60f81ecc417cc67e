"""The employee's side of the API: the same services and selectors as the pages.

Every object lookup goes through the selector the page uses (someone else's
relationship is "not found", as on the site); every write is the service the
page's form calls, so a refusal has the same words.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers as drf
from rest_framework import status
from rest_framework.response import Response

from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api.base import APIBase, DetailBase, ListBase, documented
from wagtail_mentoring.api.filters import (
    ApplicationFilter,
    GoalFilter,
    MeetingFilter,
    ProgramFilter,
    RelationshipFilter,
)
from wagtail_mentoring.community import selectors as community_selectors
from wagtail_mentoring.community import services as community
from wagtail_mentoring.community.models import CommunitySpacePage, Post, Thread
from wagtail_mentoring.engagement import selectors as engagement_selectors
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import Feedback, Goal, Meeting, Message
from wagtail_mentoring.journeys import selectors as journey_selectors
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.people.services import profile_of
from wagtail_mentoring.permissions import can_read_space
from wagtail_mentoring.programs import selectors as program_selectors
from wagtail_mentoring.programs import services as programs
from wagtail_mentoring.programs.forms import QUESTION_PREFIX, ApplicationForm
from wagtail_mentoring.programs.models import (
    Enrollment,
    ProgramPage,
    Relationship,
    RelationshipMember,
)

ERROR = OpenApiResponse(
    s.ErrorSerializer, description="The error shape (see the API guide)."
)
ERRORS = {400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 413: ERROR}


def _programs():
    return program_selectors.public(ProgramPage.objects.live()).order_by("path")


# --- Programs and journeys ------------------------------------------------------


class ProgramList(ListBase):
    """Published programs: what the intranet's program pages show everyone."""

    queryset = ProgramPage.objects.none()  # the schema's model

    serializer_class = s.ProgramSerializer
    filterset_class = ProgramFilter

    def get_queryset(self):
        return _programs()


class ProgramDetail(DetailBase):
    queryset = ProgramPage.objects.none()  # the schema's model
    serializer_class = s.ProgramSerializer

    def get_queryset(self):
        return _programs()


class JourneyList(ListBase):
    """Published learning journeys."""

    queryset = LearningJourneyPage.objects.none()  # the schema's model

    serializer_class = s.JourneySerializer

    def get_queryset(self):
        return program_selectors.public(LearningJourneyPage.objects.live()).order_by(
            "path"
        )


# --- Me ------------------------------------------------------------------------


class Me(APIBase):
    @documented(responses={200: s.ProfileSerializer, **ERRORS})
    def get(self, request):
        profile = profile_of(request.user)
        return Response(s.ProfileSerializer(profile).data)


class ApplicationList(ListBase):
    """My applications; POST applies, as the program page's form does."""

    queryset = Enrollment.objects.none()  # the schema's model

    serializer_class = s.ApplicationSerializer
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return program_selectors.my_enrollments(self.request.user)

    @documented(
        request=s.ApplyInput, responses={201: s.ApplicationSerializer, **ERRORS}
    )
    def post(self, request):
        data = self.input(s.ApplyInput)
        program = get_object_or_404(_programs(), pk=data["program"]).specific
        # The program's own questions are checked by the page's form, so that
        # an answer the page refuses is refused here too.
        fields = {
            "role": data["role"],
            "motivation": data.get("motivation", ""),
            **{QUESTION_PREFIX + k: v for k, v in data.get("answers", {}).items()},
        }
        if "capacity" in data:
            fields["capacity"] = data["capacity"]
        if "circle_topic" in data:
            fields["circle_topic"] = data["circle_topic"]
        form = ApplicationForm(fields, program=program)
        if not form.is_valid():
            raise drf.ValidationError(
                {
                    (k[len(QUESTION_PREFIX) :] if k.startswith(QUESTION_PREFIX) else k)
                    or "non_field_errors": v
                    for k, v in form.errors.items()
                }
            )
        enrollment = programs.apply_to_program(
            request.user,
            program,
            form.cleaned_data["role"],
            answers=form.answers(),
            motivation=form.cleaned_data["motivation"],
            capacity=form.cleaned_data.get("capacity"),
            circle_topic=form.cleaned_data.get("circle_topic", ""),
        )
        enrollment = self.get_queryset().get(pk=enrollment.pk)
        return Response(
            s.ApplicationSerializer(enrollment).data, status=status.HTTP_201_CREATED
        )


class ApplicationDetail(DetailBase):
    queryset = Enrollment.objects.none()  # the schema's model
    serializer_class = s.ApplicationSerializer

    def get_queryset(self):
        return program_selectors.my_enrollments(self.request.user)


class WithdrawApplication(APIBase):
    @documented(request=None, responses={200: s.ApplicationSerializer, **ERRORS})
    def post(self, request, pk: int):
        enrollment = get_object_or_404(
            Enrollment.objects.filter(user=request.user), pk=pk
        )
        programs.withdraw_application(enrollment, request.user)
        enrollment = program_selectors.my_enrollments(request.user).get(pk=pk)
        return Response(s.ApplicationSerializer(enrollment).data)


# --- My relationships -----------------------------------------------------------


def _members():
    return Prefetch(
        "members",
        queryset=RelationshipMember.objects.select_related("user").order_by(
            "role", "pk"
        ),
    )


class RelationshipList(ListBase):
    """Relationships I am a member of (pairs and circles)."""

    queryset = Relationship.objects.none()  # the schema's model

    serializer_class = s.RelationshipSerializer
    filterset_class = RelationshipFilter

    def get_queryset(self):
        return (
            Relationship.objects.filter(members__user=self.request.user)
            .select_related("program")
            .prefetch_related(_members())
            .distinct()
            .order_by("-created_at", "-pk")
        )


class RelationshipMixin:
    """The relationship of the URL, as the pages find it: mine, or 404."""

    def relationship(self) -> Relationship:
        if not hasattr(self, "_relationship"):
            self._relationship = engagement_selectors.member_relationship(
                self.request.user, self.kwargs["pk"]
            )
        return self._relationship


class RelationshipDetail(RelationshipMixin, APIBase):
    @documented(responses={200: s.RelationshipSerializer, **ERRORS})
    def get(self, request, pk: int):
        return Response(s.RelationshipSerializer(self.relationship()).data)


class MeetingList(RelationshipMixin, ListBase):
    """The pair's meetings; POST schedules one (everyone gets an invite)."""

    queryset = Meeting.objects.none()  # the schema's model

    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self):
        return engagement_selectors.meetings_of(
            self.relationship(), self.request.user
        ).select_related("created_by")

    @documented(
        request=s.ScheduleMeetingInput, responses={201: s.MeetingSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(s.ScheduleMeetingInput)
        meeting = engagement.schedule_meeting(
            relationship,
            request.user,
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            timezone_name=data.get("timezone", ""),
            location=data.get("location", ""),
            agenda=data.get("agenda", ""),
        )
        return Response(s.MeetingSerializer(meeting).data, status=201)


class MeetingMixin(RelationshipMixin):
    def meeting(self) -> Meeting:
        return get_object_or_404(
            Meeting.objects.select_related("created_by"),
            pk=self.kwargs["meeting_pk"],
            relationship=self.relationship(),
        )


class MeetingDetail(MeetingMixin, APIBase):
    @documented(responses={200: s.MeetingSerializer, **ERRORS})
    def get(self, request, pk: int, meeting_pk: int):
        return Response(s.MeetingSerializer(self.meeting()).data)


class CancelMeeting(MeetingMixin, APIBase):
    @documented(request=None, responses={200: s.MeetingSerializer, **ERRORS})
    def post(self, request, pk: int, meeting_pk: int):
        meeting = engagement.cancel_meeting(self.meeting(), request.user)
        return Response(s.MeetingSerializer(meeting).data)


class MeetingFeedback(MeetingMixin, APIBase):
    @documented(
        request=s.FeedbackInput, responses={201: s.FeedbackSerializer, **ERRORS}
    )
    def post(self, request, pk: int, meeting_pk: int):
        meeting = self.meeting()
        data = self.input(s.FeedbackInput)
        feedback = engagement.give_feedback(
            self.relationship(),
            request.user,
            rating=data["rating"],
            comment=data.get("comment", ""),
            visibility=data["visibility"],
            meeting=meeting,
        )
        return Response(s.FeedbackSerializer(feedback).data, status=201)


class FeedbackList(RelationshipMixin, ListBase):
    """Feedback I may read (mine, and what my partner shared); POST gives the
    final feedback on the relationship once it is open."""

    queryset = Feedback.objects.none()  # the schema's model

    serializer_class = s.FeedbackSerializer

    def get_queryset(self):
        return engagement_selectors.visible_feedback(
            self.relationship(), self.request.user
        ).order_by("-created_at", "-pk")

    @documented(
        request=s.FeedbackInput, responses={201: s.FeedbackSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(s.FeedbackInput)
        feedback = engagement.give_feedback(
            relationship,
            request.user,
            rating=data["rating"],
            comment=data.get("comment", ""),
            visibility=data["visibility"],
        )
        return Response(s.FeedbackSerializer(feedback).data, status=201)


class GoalList(RelationshipMixin, ListBase):
    """The pair's goals; POST sets one."""

    queryset = Goal.objects.none()  # the schema's model

    serializer_class = s.GoalSerializer
    filterset_class = GoalFilter

    def get_queryset(self):
        return engagement_selectors.goals_of(self.relationship())

    @documented(request=s.GoalInput, responses={201: s.GoalSerializer, **ERRORS})
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(s.GoalInput)
        goal = engagement.create_goal(
            relationship,
            request.user,
            title=data["title"],
            target_date=data["target_date"],
            measure=data.get("measure", ""),
            why=data.get("why", ""),
            shared=data["shared"],
        )
        return Response(s.GoalSerializer(goal).data, status=201)


class GoalCheckIn(RelationshipMixin, APIBase):
    @documented(request=s.CheckInInput, responses={200: s.GoalSerializer, **ERRORS})
    def post(self, request, pk: int, goal_pk: int):
        goal = get_object_or_404(
            engagement_selectors.goals_of(self.relationship()), pk=goal_pk
        )
        data = self.input(s.CheckInInput)
        engagement.check_in_goal(
            goal, request.user, progress=data["progress"], note=data.get("note", "")
        )
        goal = engagement_selectors.goals_of(self.relationship()).get(pk=goal_pk)
        return Response(s.GoalSerializer(goal).data)


class MessageList(RelationshipMixin, ListBase):
    """The pair's thread, oldest first; POST writes to it."""

    queryset = Message.objects.none()  # the schema's model

    serializer_class = s.MessageSerializer

    def get_queryset(self):
        return engagement_selectors.thread(self.relationship())

    @documented(request=s.MessageInput, responses={201: s.MessageSerializer, **ERRORS})
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(s.MessageInput)
        message = engagement.send_message(relationship, request.user, body=data["body"])
        return Response(s.MessageSerializer(message).data, status=201)


class RelationshipJourneys(RelationshipMixin, APIBase):
    """The pair's learning journeys with the pair's and my progress."""

    @documented(responses={200: s.JourneyProgressSerializer(many=True), **ERRORS})
    def get(self, request, pk: int):
        relationship = journey_selectors.with_journeys(
            Relationship.objects.filter(pk=self.relationship().pk)
        ).get()
        cards = journey_selectors.journey_cards(relationship, request.user, request)
        return Response(s.JourneyProgressSerializer(cards, many=True).data)


# --- Community ------------------------------------------------------------------


class SpaceList(ListBase):
    """Published community spaces, with whether I may read their discussions."""

    queryset = CommunitySpacePage.objects.none()  # the schema's model

    serializer_class = s.SpaceSerializer

    def get_queryset(self):
        return (
            program_selectors.public(CommunitySpacePage.objects.live())
            .select_related("program")
            .order_by("path")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        spaces = getattr(self, "_page_objects", None) or []
        context["readable"] = {
            space.pk for space in spaces if can_read_space(self.request.user, space)
        }
        return context

    def paginate_queryset(self, queryset):
        self._page_objects = super().paginate_queryset(queryset)
        return self._page_objects


class SpaceMixin:
    def space(self):
        if not hasattr(self, "_space"):
            self._space = community_selectors.readable_space(
                self.request, self.kwargs["space_id"]
            )
        return self._space


class ThreadList(SpaceMixin, ListBase):
    """A space's discussions (its readers only); POST starts one."""

    queryset = Thread.objects.none()  # the schema's model

    serializer_class = s.ThreadSerializer

    def get_queryset(self):
        return community_selectors.threads(self.space(), self.request.user)

    @documented(request=s.ThreadInput, responses={201: s.ThreadSerializer, **ERRORS})
    def post(self, request, space_id: int):
        space = self.space()
        data = self.input(s.ThreadInput)
        thread = community.start_thread(
            space,
            request.user,
            data["title"],
            data["body"],
            is_question=data["is_question"],
        )
        thread = self.get_queryset().get(pk=thread.pk)
        return Response(s.ThreadSerializer(thread).data, status=201)


class PostList(SpaceMixin, ListBase):
    """A discussion's posts (hidden ones for moderators only); POST replies."""

    queryset = Post.objects.none()  # the schema's model

    serializer_class = s.PostSerializer

    def thread(self):
        return community_selectors.thread_of(
            self.space(), self.request.user, self.kwargs["thread_id"]
        )

    def get_queryset(self):
        return community_selectors.posts(self.thread(), self.request.user)

    @documented(request=s.ReplyInput, responses={201: s.PostSerializer, **ERRORS})
    def post(self, request, space_id: int, thread_id: int):
        thread = self.thread()
        data = self.input(s.ReplyInput)
        post = community.reply(thread, request.user, data["body"])
        return Response(s.PostSerializer(post).data, status=201)
