"""Mentor suggestions for self-select programs.

Candidates are the program's approved, active mentors with a place left; the
matching engine scores and explains them. Exposure is then limited so that a
popular mentor is not shown to every mentee at once: each remaining place is
shown to at most ``SUGGESTION_EXPOSURE_PER_PLACE`` mentees holding a live
request to that mentor, and scores are damped by how much of that budget is
already used, with a per-mentee, per-week tie-break so equally good mentors
rotate between mentees.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import LIVE_REQUEST_STATUSES, MentorRequest
from wagtail_mentoring.matching.engine import MatchingError, match
from wagtail_mentoring.matching.pools import Pool, build_problem, default_config
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    RelationshipMember,
    Role,
)

PARTNER_ROLE = {Role.MENTEE: Role.MENTOR, Role.SPONSEE: Role.SPONSOR}
logger = logging.getLogger(__name__)


@dataclass
class Suggestion:
    enrollment: Enrollment
    remaining: int
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    load: int = 0

    @property
    def user(self):
        return self.enrollment.user

    @property
    def profile(self):
        return getattr(self.enrollment.user, "mentoring_profile", None)

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


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
    if role is None:
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


@dataclass
class MentorSearch:
    """What *Find a mentor* shows: the suggestions, or why there are none."""

    suggestions: list[Suggestion]
    #: mentors with a place this mentee may ask for, before the program's rules
    with_room: int = 0
    #: when every one of them fails a rule: rule code → how many it rules out
    blocked_by: dict[str, int] = field(default_factory=dict)

    @property
    def nobody_has_room(self) -> bool:
        return not self.suggestions and not self.with_room

    @property
    def nobody_passes_rules(self) -> bool:
        return not self.suggestions and bool(self.with_room)


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


def reason_text(reason) -> str:
    """A translatable sentence for an engine reason (code + params)."""

    params = reason.params or {}
    names = ", ".join(str(n) for n in params.get("names", []))
    code = reason.code
    if code == "shared_skills" and names:
        return _("Can help with %(names)s") % {"names": names}
    if code == "shared_goals" and names:
        return _("Shares your interests: %(names)s") % {"names": names}
    if code == "shared_languages" and names:
        return _("Speaks %(names)s") % {"names": names}
    if code == "availability" and params.get("count"):
        n = int(params["count"])
        return ngettext(
            "%(n)d shared free time slot", "%(n)d shared free time slots", n
        ) % {"n": n}
    if code == "shared_interests" and params.get("terms"):
        return _("You both mention %(terms)s") % {"terms": ", ".join(params["terms"])}
    if code == "seniority_gap" and "levels" in params:
        n = abs(int(params["levels"]))
        return ngettext("%(n)d career level apart", "%(n)d career levels apart", n) % {
            "n": n
        }
    return reason.text


#: What a rule means for the mentee reading *Find a mentor*, and what they can do.
RULE_ADVICE = {
    "reporting_line": _lazy("they are in your reporting line"),
    "same_manager": _lazy("they report to the same manager as you"),
    "seniority": _lazy("they are not senior enough for this program"),
    "department": _lazy("the program pairs people by department"),
    "time_zone": _lazy("their time zone is too far from yours"),
    "language": _lazy("they speak none of the languages on your profile"),
    "below_min_score": _lazy("they are not a close enough match yet"),
    "previous_partner": _lazy("you were paired with them before"),
    "opted_out": _lazy("the pairing was ruled out"),
    "rejected": _lazy("the pairing was ruled out"),
}


def blocked_text(blocked: dict[str, int]) -> list[str]:
    """``{"language": 3}`` → ["3 mentors: they speak none of the languages…"]."""
    return [
        ngettext("%(n)d mentor: %(why)s", "%(n)d mentors: %(why)s", n)
        % {"n": n, "why": RULE_ADVICE.get(rule, rule)}
        for rule, n in sorted(blocked.items(), key=lambda item: -item[1])
        if n and rule in RULE_ADVICE
    ]


def search_mentors(enrollment: Enrollment, limit: int = 10) -> MentorSearch:
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


def suggest_mentors(enrollment: Enrollment, limit: int = 10) -> list[Suggestion]:
    """Ranked mentor suggestions for a mentee (or sponsee) enrollment."""
    return search_mentors(enrollment, limit).suggestions
