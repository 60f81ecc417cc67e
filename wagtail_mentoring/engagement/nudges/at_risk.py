"""Which pairs are at risk, and why: one scoring rule, in one selector.

The rule (documented in docs/notifications.md). Only *active* pairs are
scored; each reason that applies adds its points:

=====================  ======  ====================================================
reason                 points  when
=====================  ======  ====================================================
no meeting             3       no meeting held for the program's *nudge quiet pairs
                               after* days (``nudge_after_days``), none planned;
                               +1 once it is twice that long
low feedback ratings   2       the feedback the program admins may read
                               (*Only for the program admins*) averages
                               ``LOW_RATING`` or less
unanswered message     1       the thread's last message is ``UNANSWERED_DAYS``
                               old, with no reply and no meeting since
stalled journey        1       (from the journeys domain, through the
                               ``AT_RISK_SIGNALS`` hook) no journey progress for
                               ``nudge_after_days`` days
=====================  ======  ====================================================

A pair with any reason is at risk; the list is ordered by score, then by how
long the pair has not met. Pairs are scored a batch (``BATCH_SIZE``) at a
time, each batch in a fixed number of queries, and only the pairs at risk are
kept (with their members), so a company of any size fits in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, OuterRef, QuerySet, Subquery, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from wagtail_mentoring.engagement.models import Feedback, FeedbackVisibility, Message
from wagtail_mentoring.engagement.nudges.selectors import (
    BATCH_SIZE,
    attach_programs,
    in_batches,
    members_prefetch,
    quiet_days,
    with_meeting_dates,
)
from wagtail_mentoring.programs.models import RelationshipStatus

#: Hook: ``fn(relationships: list[Relationship], now) -> {pk: Reason}`` adds a
#: reason from a domain above engagement (journeys adds *stalled journey*).
AT_RISK_SIGNALS = "wagtail_mentoring_at_risk_signals"

LOW_RATING = 2.5
UNANSWERED_DAYS = 7

NO_MEETING = "no_meeting"
LOW_RATINGS = "low_ratings"
UNANSWERED = "unanswered_message"
STALLED_JOURNEY = "stalled_journey"


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    text: str


@dataclass
class PairAtRisk:
    relationship: object
    quiet_days: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(reason.points for reason in self.reasons)


def _annotated(relationships: QuerySet, now: datetime) -> QuerySet:
    admin_ratings = (
        Feedback.objects.filter(
            relationship=OuterRef("pk"), visibility=FeedbackVisibility.ADMINS
        )
        .order_by()
        .values("relationship")
        .annotate(avg=Avg("rating"))
        .values("avg")
    )
    last_message = Message.objects.filter(relationship=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return with_meeting_dates(relationships, now).annotate(
        admin_rating=Subquery(admin_ratings[:1]),
        last_message_at=Subquery(last_message.values("created_at")[:1]),
    )


def pairs_at_risk(
    relationships: QuerySet, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> list:
    """The :class:`PairAtRisk` among ``relationships`` (already scoped to what
    the viewer may see), most at risk first, with their members loaded."""
    now = now or timezone.now()
    scored = _annotated(relationships.filter(status=RelationshipStatus.ACTIVE), now)
    found = []
    programs: dict = {}
    for pairs in in_batches(scored, batch_size):
        attach_programs(pairs, programs)
        at_risk = _score(pairs, now)
        prefetch_related_objects(
            [item.relationship for item in at_risk], members_prefetch()
        )
        found += at_risk
    found.sort(key=lambda p: (-p.score, -p.quiet_days, p.relationship.pk))
    return found


def _score(pairs: list, now: datetime) -> list:
    extra: dict = {}
    for signal in hooks.get_hooks(AT_RISK_SIGNALS):
        for pk, reason in signal(pairs, now).items():
            extra.setdefault(pk, []).append(reason)
    found = []
    for relationship in pairs:
        limit = relationship.program.nudge_after_days
        days = quiet_days(relationship, now)
        item = PairAtRisk(relationship, days)
        if limit and days >= limit:
            item.reasons.append(
                Reason(
                    NO_MEETING,
                    4 if days >= 2 * limit else 3,
                    _("No meeting for %(days)d days") % {"days": days},
                )
            )
        if (
            relationship.admin_rating is not None
            and relationship.admin_rating <= LOW_RATING
        ):
            item.reasons.append(Reason(LOW_RATINGS, 2, _("Low feedback ratings")))
        last_message = relationship.last_message_at
        if (
            last_message
            and now - last_message >= timedelta(days=UNANSWERED_DAYS)
            and not (relationship.last_met and relationship.last_met > last_message)
        ):
            item.reasons.append(
                Reason(
                    UNANSWERED,
                    1,
                    _("A message unanswered for %(days)d days")
                    % {"days": (now - last_message).days},
                )
            )
        item.reasons += extra.get(relationship.pk, [])
        if item.reasons:
            found.append(item)
    return found
