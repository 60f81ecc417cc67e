"""What journeys hold about a person: their step progress, reflections and
quiz attempts."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.journeys.models import (
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.personal_data import DELETE, PersonalData, when


class JourneysData(PersonalData):
    erase_order = 20
    sections = {
        "journey_steps": _("Journey steps"),
        "reflections": _("Reflections"),
        "quiz_attempts": _("Quiz attempts"),
    }
    user_fields = {
        # A pair's shared steps have no member and stay with the pair.
        "StepProgress.user": DELETE,
        "ReflectionAnswer.user": DELETE,
        "QuizAttempt.user": DELETE,
    }

    def export(self, user):
        steps = (
            StepProgress.objects.filter(user=user)
            .select_related("journey")
            .order_by("started_at", "pk")
        )
        reflections = (
            ReflectionAnswer.objects.filter(user=user)
            .select_related("journey")
            .order_by("created_at", "pk")
        )
        quizzes = (
            QuizAttempt.objects.filter(user=user)
            .select_related("journey")
            .order_by("updated_at", "pk")
        )
        return {
            "journey_steps": [
                {
                    "relationship": s.relationship_id,
                    "journey": s.journey.title,
                    "step": s.step_title,
                    "status": s.status,
                    "started_at": when(s.started_at),
                    "completed_at": when(s.completed_at),
                    "checked_items": list(s.checked_items),
                }
                for s in steps
            ],
            "reflections": [
                {
                    "relationship": r.relationship_id,
                    "journey": r.journey.title,
                    "question": r.question,
                    "answer": r.text,
                    "shared_with_pair": r.shared_with_pair,
                    "created_at": when(r.created_at),
                    "updated_at": when(r.updated_at),
                }
                for r in reflections
            ],
            "quiz_attempts": [
                {
                    "relationship": q.relationship_id,
                    "journey": q.journey.title,
                    "answers": q.answers,
                    "score": q.score,
                    "passed": q.passed,
                    "tries": q.tries,
                    "updated_at": when(q.updated_at),
                }
                for q in quizzes
            ],
        }

    def records(self, user):
        return {
            # The pair's shared steps too: their history names who completed them.
            StepProgress: StepProgress.objects.filter(
                Q(user=user) | Q(user=None, relationship__members__user=user)
            ).values_list("pk", flat=True),
            ReflectionAnswer: ReflectionAnswer.objects.filter(user=user).values_list(
                "pk", flat=True
            ),
            QuizAttempt: QuizAttempt.objects.filter(user=user).values_list(
                "pk", flat=True
            ),
        }

    def erase(self, user):
        for model in (StepProgress, ReflectionAnswer, QuizAttempt):
            model.objects.filter(user=user).delete()


personal_data = JourneysData()
