"""Outcomes of participants against comparable non-participants: retention
(still active twelve months later) and promotions, with the stratified
comparison of the sponsorship equity report.

Who is compared, for a period ending on day *E* and ``T0 = E − 365 days``:

- *participants*: the seekers (mentees, sponsees, peer members) of the
  relationships of the chosen programs (and cohort) that started in the year up
  to ``T0`` — they have had at least twelve months since;
- *comparable non-participants*: everyone else with an employee profile who
  was never a member of a relationship of those programs, in the same stratum
  (level at ``T0`` and department band): the comparable rate weights each
  stratum's rate by the number of participants in it (direct standardisation,
  :func:`~wagtail_mentoring.sponsorship.reports.compare_promotions`);
- *retained*: the account is still active today (hosts deactivate leavers, as
  the SSO and SCIM syncs do); *promoted*: a promotion recorded between ``T0``
  and ``E``.

Fewer than ``MIN_GROUP_SIZE`` participants or comparable people in the
strata used: no numbers.

The same comparison is split by the month participants joined in (each month's
participants against the same comparable people) and, for people-data
stewards only, by consented self-identified group. Both splits hide a
group or month smaller than ``MIN_GROUP_SIZE`` and, when only one is hidden,
the next-smallest too (``analytics/equity.py``'s complementary rule), so no
hidden one can be worked out from the overall row.

It shows association, not cause: people who choose
to join a program may differ in ways the strata do not capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wagtail_mentoring.analytics.equity import (
    consented_groups,
    group_label,
    min_group_size,
    suppress,
)
from wagtail_mentoring.analytics.kpis import (
    SEEKER_ROLES,
    Period,
    month_starts,
    relationships_of,
)
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import RelationshipMember
from wagtail_mentoring.sponsorship.models import CareerOutcome, CareerOutcomeKind
from wagtail_mentoring.sponsorship.reports import (
    PromotionComparison,
    compare_promotions,
    strata,
)


@dataclass
class Split:
    """Retention and promotions of one month's or one group's participants
    (``hidden``: too few, or hidden so that another cannot be worked out)."""

    label: str
    retention: PromotionComparison
    promotion: PromotionComparison
    hidden: bool = False


@dataclass
class Outcomes:
    since: object  # T0, the day participants had joined by
    until: object  # the period's last day
    retention: PromotionComparison
    promotion: PromotionComparison
    min_group_size: int
    by_month: list[Split] = field(default_factory=list)
    #: ``[(dimension label, [Split])]``; only when asked for (stewards).
    by_group: list[tuple[str, list[Split]]] = field(default_factory=list)


def compare(programs, period: Period, cohort=None, *, by_group=False) -> Outcomes:
    """Retention and promotions of the participants of ``programs`` (of one of
    their ``cohort``\\ s) against comparable non-participants, for the twelve
    months up to the end of ``period``; split by the month they joined in and,
    with ``by_group``, by consented group."""
    until = period.end
    since = until - timedelta(days=365)
    joined = Period(since - timedelta(days=365), since)
    relationships = relationships_of(programs, cohort)
    joined_on = {}
    for user_id, started in (
        RelationshipMember.objects.filter(
            relationship__in=relationships.filter(
                created_at__gte=joined.since, created_at__lt=joined.until
            ),
            role__in=SEEKER_ROLES,
            user__isnull=False,
        )
        .order_by("relationship__created_at")
        .values_list("user_id", "relationship__created_at")
    ):
        # A person's first relationship of the year decides their month.
        joined_on.setdefault(user_id, timezone.localdate(started).replace(day=1))
    participants = set(joined_on)
    members = RelationshipMember.objects.filter(
        relationship__program_id__in=programs.values("pk"), user__isnull=False
    ).values("user_id")
    profiles = EmployeeProfile.objects.values_list("user_id", "user__is_active")
    everyone, retained = set(), set()
    for user_id, active in profiles.iterator(chunk_size=5000):
        everyone.add(user_id)
        if active:
            retained.add(user_id)
    participants &= everyone
    others = everyone - participants - set(members.values_list("user_id", flat=True))
    stratum = strata(participants | others, since, until)
    promoted = set(
        CareerOutcome.objects.filter(
            kind=CareerOutcomeKind.PROMOTION,
            occurred_on__gt=since,
            occurred_on__lte=until,
        ).values_list("employee_id", flat=True)
    )
    threshold = min_group_size()

    def both(label, people) -> tuple[PromotionComparison, PromotionComparison]:
        return (
            compare_promotions(label, people, others, retained, stratum, threshold),
            compare_promotions(label, people, others, promoted, stratum, threshold),
        )

    retention, promotion = both("", participants)
    retention.label = _("Still active twelve months on")
    promotion.label = _("Promoted in the twelve months")
    months = {}
    for month in month_starts(13, since):  # the joining year spans 13 months
        months[month] = {u for u, first in joined_on.items() if first == month}
    result = Outcomes(
        since=since,
        until=until,
        retention=retention,
        promotion=promotion,
        min_group_size=threshold,
        by_month=_splits(
            {date_format(m, "M Y"): ids for m, ids in months.items() if ids},
            both,
            threshold,
        ),
    )
    if by_group:
        for dim, groups in consented_groups(participants).items():
            result.by_group.append(
                (
                    dim.replace("_", " ").capitalize(),
                    _splits(
                        {group_label(v): ids for v, ids in groups.items() if ids},
                        both,
                        threshold,
                    ),
                )
            )
    return result


def _splits(groups: dict[str, set], both, threshold: int) -> list[Split]:
    """One :class:`Split` per group of participants, with equity's suppression
    decided on the groups' sizes (an empty group is shown: it has nobody)."""
    hidden = suppress({label: len(ids) for label, ids in groups.items()}, threshold)
    rows = []
    for label, ids in groups.items():
        if label in hidden:
            rows.append(
                Split(
                    label,
                    PromotionComparison(label=label, suppressed=True),
                    PromotionComparison(label=label, suppressed=True),
                    hidden=True,
                )
            )
        else:
            rows.append(Split(label, *both(label, ids)))
    return rows


__all__ = ["Outcomes", "Split", "compare"]
