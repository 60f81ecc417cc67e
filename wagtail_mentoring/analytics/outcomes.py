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
strata used: no numbers. It shows association, not cause: people who choose
to join a program may differ in ways the strata do not capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _

from wagtail_mentoring.analytics.equity import min_group_size
from wagtail_mentoring.analytics.kpis import SEEKER_ROLES, Period, relationships_of
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import RelationshipMember
from wagtail_mentoring.sponsorship.models import CareerOutcome, CareerOutcomeKind
from wagtail_mentoring.sponsorship.reports import (
    PromotionComparison,
    compare_promotions,
    strata,
)


@dataclass
class Outcomes:
    since: object  # T0, the day participants had joined by
    until: object  # the period's last day
    retention: PromotionComparison
    promotion: PromotionComparison
    min_group_size: int


def compare(programs, period: Period, cohort=None) -> Outcomes:
    """Retention and promotions of the participants of ``programs`` (of one of
    their ``cohort``\\ s) against comparable non-participants, for the twelve
    months up to the end of ``period``."""
    until = period.end
    since = until - timedelta(days=365)
    joined = Period(since - timedelta(days=365), since)
    relationships = relationships_of(programs, cohort)
    participants = set(
        RelationshipMember.objects.filter(
            relationship__in=relationships.filter(
                created_at__gte=joined.since, created_at__lt=joined.until
            ),
            role__in=SEEKER_ROLES,
            user__isnull=False,
        ).values_list("user_id", flat=True)
    )
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
    return Outcomes(
        since=since,
        until=until,
        retention=compare_promotions(
            _("Still active twelve months on"),
            participants,
            others,
            retained,
            stratum,
            threshold,
        ),
        promotion=compare_promotions(
            _("Promoted in the twelve months"),
            participants,
            others,
            promoted,
            stratum,
            threshold,
        ),
        min_group_size=threshold,
    )


__all__ = ["Outcomes", "compare"]
