"""Journeys and my progress: the journeys I follow, a journey's steps with my
and my pair's status, and the actions of the step page (complete a step, tick
a checklist, write a reflection, answer a quiz, set a goal), through the
journey services.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.http import Http404
from rest_framework.response import Response

from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, ListBase, documented
from wagtail_mentoring.api.views import ERRORS, RelationshipMixin
from wagtail_mentoring.journeys import progress
from wagtail_mentoring.journeys import selectors as journey_selectors
from wagtail_mentoring.journeys import services as journeys
from wagtail_mentoring.journeys.models import LearningJourneyPage, StepProgress
from wagtail_mentoring.permissions import passes_privacy
from wagtail_mentoring.programs.models import GIVING_ROLES, RelationshipMember
from wagtail_mentoring.programs.selectors import with_privacy


def _follows_a_journey() -> Q:
    giving = Q(role__in=GIVING_ROLES)
    program = "relationship__program__"
    return (
        giving
        & (
            Q(**{f"{program}mentor_journey__isnull": False})
            | Q(**{f"{program}journey__isnull": False})
        )
    ) | (
        ~giving
        & (
            Q(**{f"{program}mentee_journey__isnull": False})
            | Q(**{f"{program}journey__isnull": False})
        )
    )


class MyJourney:
    """One journey I follow in one relationship (a row of ``me/journeys/``)."""

    def __init__(self, membership, card):
        self.relationship_id = membership.relationship_id
        self.program_title = membership.relationship.program.title
        self.journey = card.journey
        self.percent = card.percent
        self.my_percent = card.my_percent
        self.waiting_for = card.waiting_for


class MyJourneyList(ListBase):
    """The journeys I follow, one row per relationship, with the pair's and my
    progress (what My mentoring's journey cards show)."""

    queryset = RelationshipMember.objects.none()  # the schema's model
    serializer_class = sm.MyJourneySerializer

    def get_queryset(self):
        return (
            RelationshipMember.objects.filter(
                _follows_a_journey(),
                user=self.request.user,
                relationship__status__in=journey_selectors.VISIBLE_STATUSES,
            )
            .select_related(
                "relationship__program__journey",
                "relationship__program__mentor_journey",
                "relationship__program__mentee_journey",
            )
            .prefetch_related(
                "relationship__journey_progress",
                Prefetch(
                    "relationship__members",
                    queryset=RelationshipMember.objects.select_related("user"),
                ),
            )
            .order_by("-relationship__created_at", "-pk")
        )

    def paginate_queryset(self, queryset):
        # Rows are counted after the cards are made: a journey unpublished, or
        # in a private section this person may not see, is no row. A person
        # takes part in a handful of relationships.
        rows = []
        for membership in queryset:
            mine = progress.journey_id_for_role(
                membership.relationship.program, membership.role
            )
            cards = journey_selectors.journey_cards(
                membership.relationship, self.request.user, self.request
            )
            rows += [MyJourney(membership, c) for c in cards if c.journey.pk == mine]
        return super().paginate_queryset(rows)


class JourneyMixin(RelationshipMixin):
    """The relationship's journey of the URL that I follow, or 404."""

    def membership(self) -> RelationshipMember:
        relationship = self.relationship()
        member = next(
            m for m in relationship.members.all() if m.user_id == self.request.user.pk
        )
        journey_id = progress.journey_id_for_role(relationship.program, member.role)
        if journey_id != self.kwargs["journey_id"]:
            raise Http404
        return member

    def journey(self) -> LearningJourneyPage:
        if not hasattr(self, "_journey"):
            self.membership()
            journey = (
                with_privacy(LearningJourneyPage.objects.live())
                .filter(pk=self.kwargs["journey_id"])
                .first()
            )
            # as the step pages: not in a private section the member cannot see
            if journey is None or not passes_privacy(self.request, journey):
                raise Http404
            self._journey = journey
        return self._journey

    def step_id(self) -> str:
        step = self.journey().get_step(self.kwargs["step_id"])
        if step is None:
            raise Http404
        return step.id


class StepRow:
    def __init__(self, state, member, url):
        self.state = state
        self.for_me = progress.step_applies(state.step, member)
        self.my_status = state.status_for(member.user_id)
        self.pair_status = state.status
        self.url = url


class JourneySteps(JourneyMixin, APIBase):
    """The journey's steps with my status and the pair's (the overview page)."""

    @documented(responses={200: sm.StepListSerializer, **ERRORS})
    def get(self, request, pk: int, journey_id: int):
        member = self.membership()
        journey = self.journey()
        relationship = self.relationship()
        states = journey_selectors.pair_states(relationship, journey)
        done, total, _current = progress.summary(states)
        mine = progress.member_part(states, member)
        base = journey.url or ""
        steps = [
            StepRow(
                state,
                member,
                base + journey.reverse_subpage("step", args=[state.step.id])
                if base
                else "",
            )
            for state in states
        ]
        data = {
            "journey": journey,
            "relationship": relationship.pk,
            "steps_done": done,
            "steps_total": total,
            "percent": round(100 * done / total) if total else 0,
            "my_percent": mine.percent,
            "steps": steps,
        }
        return Response(sm.StepListSerializer(data).data)


def _progress(row: StepProgress):
    return Response(sm.StepProgressSerializer(row).data)


class CompleteStep(JourneyMixin, APIBase):
    """Tick a step off; refused until the step's rule is met."""

    @documented(request=None, responses={200: sm.StepProgressSerializer, **ERRORS})
    def post(self, request, pk: int, journey_id: int, step_id: str):
        step = self.step_id()
        row = journeys.complete_step(
            self.relationship(), request.user, self.journey(), step
        )
        return _progress(row)


class TickChecklist(JourneyMixin, APIBase):
    """Which items of a checklist block of the step I have ticked (all of
    them: items left out are unticked)."""

    @documented(
        request=sm.ChecklistInput, responses={200: sm.StepProgressSerializer, **ERRORS}
    )
    def post(self, request, pk: int, journey_id: int, step_id: str):
        step = self.step_id()
        data = self.input(sm.ChecklistInput)
        row = journeys.tick_checklist(
            self.relationship(),
            request.user,
            self.journey(),
            step,
            data["block"],
            data["items"],
        )
        return _progress(row)


class SaveReflection(JourneyMixin, APIBase):
    """My answer to a reflection block of the step."""

    @documented(
        request=sm.ReflectionInput,
        responses={200: sm.StepProgressSerializer, **ERRORS},
    )
    def post(self, request, pk: int, journey_id: int, step_id: str):
        step = self.step_id()
        data = self.input(sm.ReflectionInput)
        relationship, journey = self.relationship(), self.journey()
        journeys.save_reflection(
            relationship, request.user, journey, step, data["block"], data["text"]
        )
        row = StepProgress.objects.get(
            relationship=relationship, user=request.user, step_id=step
        )
        return _progress(row)


class SubmitQuiz(JourneyMixin, APIBase):
    """My answers to a quiz block of the step, graded; I may try until I pass."""

    @documented(
        request=sm.QuizInput, responses={200: sm.QuizAttemptSerializer, **ERRORS}
    )
    def post(self, request, pk: int, journey_id: int, step_id: str):
        step = self.step_id()
        data = self.input(sm.QuizInput)
        attempt = journeys.submit_quiz(
            self.relationship(),
            request.user,
            self.journey(),
            step,
            data["block"],
            data["answers"],
        )
        return Response(sm.QuizAttemptSerializer(attempt).data)


class SetStepGoal(JourneyMixin, APIBase):
    """The goal a goal-setting block of the step asks for (one per step); it
    joins the relationship's goals."""

    @documented(request=sm.StepGoalInput, responses={201: s.GoalSerializer, **ERRORS})
    def post(self, request, pk: int, journey_id: int, step_id: str):
        step = self.step_id()
        data = self.input(sm.StepGoalInput)
        goal = journeys.set_step_goal(
            self.relationship(),
            request.user,
            self.journey(),
            step,
            data["block"],
            title=data["title"],
            target_date=data["target_date"],
            measure=data.get("measure", ""),
            why=data.get("why", ""),
        )
        return Response(s.GoalSerializer(goal).data, status=201)
