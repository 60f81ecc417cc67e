"""The previous *Find a mentor* algorithm, kept as the oracle of the fast one.

Every candidate is loaded as a model instance, a full ``MatchingProblem`` is
built from all of them by the matching panel's glue (``pools.build_problem``),
and ``match()`` scores and explains every pair before the ten shown are picked.
Tests check that :func:`wagtail_mentoring.matching.suggestions.search_mentors`
returns the same suggestions in the same order; ``benchmarks/suggestions.py``
times both. Not part of the package.
"""

from __future__ import annotations

import hashlib
import logging

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import LIVE_REQUEST_STATUSES, MentorRequest
from wagtail_mentoring.matching.engine import MatchingError, match
from wagtail_mentoring.matching.pools import Pool, build_problem, default_config
from wagtail_mentoring.matching.suggestions import (
    MentorSearch,
    Suggestion,
    reason_text,
)
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    OPEN_RELATIONSHIP_STATUSES,
    PARTNER_ROLE,
    Enrollment,
    EnrollmentStatus,
    RelationshipMember,
    Role,
)

logger = logging.getLogger(__name__)


def _count(queryset, field_name: str):
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values(field_name)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def candidate_mentors(enrollment: Enrollment):
    """Approved, active mentors of the program with a place left, annotated
    with ``taken`` (open relationships) and ``load`` (mentees asking now)."""
    role = PARTNER_ROLE.get(Role(enrollment.role))
    if role not in GIVING_ROLES:
        return Enrollment.objects.none()
    program = enrollment.program
    taken = RelationshipMember.objects.filter(
        user_id=OuterRef("user_id"),
        role=role,
        relationship__program_id=program.pk,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
    )
    load = MentorRequest.objects.filter(
        mentor_enrollment_id=OuterRef("pk"), status__in=LIVE_REQUEST_STATUSES
    )
    # Current and earlier partners in this program: a rematch means someone new.
    already_with = RelationshipMember.objects.filter(
        relationship__program_id=program.pk,
        relationship__members__user_id=enrollment.user_id,
    ).values("user_id")
    return (
        Enrollment.objects.filter(
            program=program,
            role=role,
            status=EnrollmentStatus.APPROVED,
            user__is_active=True,
        )
        .exclude(user_id=enrollment.user_id)
        .exclude(user_id__in=already_with)
        .select_related("user", "user__mentoring_profile", "program")
        .annotate(
            taken=_count(taken, "user_id"), load=_count(load, "mentor_enrollment_id")
        )
        .filter(~Q(capacity__lte=0))
    )


def _rotation(enrollment: Enrollment, mentor: Enrollment) -> float:
    """A stable 0–1 tie-break per mentee, mentor and ISO week."""
    week = timezone.localdate().isocalendar()[:2]
    digest = hashlib.sha256(f"{enrollment.pk}:{mentor.pk}:{week}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _available(enrollment: Enrollment) -> list[Suggestion]:
    per_place = max(1, int(mentoring_settings.SUGGESTION_EXPOSURE_PER_PLACE))
    result = []
    for mentor in candidate_mentors(enrollment):
        capacity = mentor.capacity or mentor.program.default_mentor_capacity
        remaining = capacity - mentor.taken
        if remaining <= 0:
            continue
        if mentor.load >= remaining * per_place:
            continue  # enough mentees are waiting on this mentor already
        result.append(Suggestion(mentor, remaining=remaining, load=mentor.load))
    return result


def _score(
    enrollment: Enrollment, suggestions: list[Suggestion], blocked: dict | None = None
) -> list[Suggestion]:
    """Score and explain each candidate with the matching engine, dropping the
    ones its hard rules forbid (reporting line, earlier partner, level gap,
    no shared language, below the minimum score…).

    The problem is built by the same glue as the matching panel's runs
    (``matching.problem``), with this mentee wanting every candidate: the
    engine matches as many pairs as the rules allow first, so every allowed
    candidate comes back with its score and reasons.
    """

    program = enrollment.program
    pool = Pool(
        program,
        mentees=[enrollment],
        mentors=[s.enrollment for s in suggestions],
        mentee_slots=[len(suggestions)],
        mentor_remaining=[1] * len(suggestions),
    )
    problem, _index = build_problem(pool)
    config = default_config(program)
    # One mentee against a handful of mentors: no pruning needed.
    config.top_k = max(config.top_k, len(suggestions))
    try:
        result = match(problem, config)
    except MatchingError:
        # Suggesting someone the rules might forbid is worse than suggesting
        # no one; the page then says no mentor is available right now.
        logger.exception("matching engine refused the suggestion problem")
        return []
    if blocked is not None and not len(result.pairs):
        for item in result.unmatched:
            for reason in item.reasons:
                for rule, n in (reason.params.get("counts") or {}).items():
                    if n:
                        blocked[rule] = blocked.get(rule, 0) + int(n)
    kept = []
    for (_mentee, j), explanation in zip(
        result.pairs.tolist(), result.explanations, strict=True
    ):
        suggestion = suggestions[j]
        suggestion.score = float(explanation.score)
        suggestion.reasons = [reason_text(r) for r in explanation.reasons]
        kept.append(suggestion)
    return kept


def search_mentors_baseline(enrollment: Enrollment, limit: int = 10) -> MentorSearch:
    """Ranked mentor suggestions for a mentee (or sponsee) enrollment, and, when
    there are none, whether nobody has room or nobody passes the rules."""
    available = _available(enrollment)
    if not available:
        return MentorSearch([])
    blocked: dict[str, int] = {}
    suggestions = _score(enrollment, list(available), blocked)
    per_place = max(1, int(mentoring_settings.SUGGESTION_EXPOSURE_PER_PLACE))

    def key(s: Suggestion):
        base = s.score if s.score is not None else 0.0
        # Damp popular mentors by the share of their exposure budget in use.
        damped = base * (1 - 0.5 * s.load / (s.remaining * per_place))
        return (-round(damped, 2), -s.remaining, _rotation(enrollment, s.enrollment))

    suggestions.sort(key=key)
    return MentorSearch(
        suggestions[:limit],
        with_room=len(available),
        blocked_by={} if suggestions else blocked,
    )
