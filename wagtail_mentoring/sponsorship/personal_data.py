"""What sponsorship holds about a person: their readiness evidence, the
nominations they received or gave, commitments and advocacy of their
sponsorships, opportunity nominations and their career outcomes."""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.personal_data import (
    CLEAR,
    DELETE,
    DETACH,
    REMOVED,
    PersonalData,
    when,
)
from wagtail_mentoring.programs.models import Enrollment
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    Nomination,
    NominationSource,
    Opportunity,
    OpportunityNomination,
    ReadinessEvidence,
    SponsorshipCommitment,
)


class SponsorshipData(PersonalData):
    erase_order = 10
    sections = {
        "readiness_evidence": _("Readiness evidence"),
        "nominations_received": _("Nominations received"),
        "nominations_given": _("Nominations given"),
        "sponsorship_commitments": _("Sponsorship commitments"),
        "advocacy_received": _("Advocacy received"),
        "advocacy_given": _("Advocacy given"),
        "opportunity_nominations_received": _("Put forward for opportunities"),
        "opportunity_nominations_given": _("Put others forward for opportunities"),
        "career_outcomes": _("Career outcomes"),
    }
    user_fields = {
        "ReadinessEvidence.owner": DELETE,
        "Nomination.nominee": DETACH,
        "Nomination.nominated_by": CLEAR,
        "SponsorshipCommitment.created_by": CLEAR,
        "AdvocacyAction.sponsor": DETACH,
        "AdvocacyAction.sponsee": DETACH,
        "Opportunity.posted_by": CLEAR,
        "OpportunityNomination.nominee": DETACH,
        "OpportunityNomination.nominated_by": CLEAR,
        "OpportunityNomination.decided_by": CLEAR,
        "CareerOutcome.employee": DETACH,
        "CareerOutcome.recorded_by": CLEAR,
    }

    def export(self, user):
        evidence = ReadinessEvidence.objects.filter(owner=user).order_by(
            "created_at", "pk"
        )
        received = (
            Nomination.objects.filter(nominee=user)
            .select_related("program", "enrollment")
            .prefetch_related("evidence")
            .order_by("created_at", "pk")
        )
        given = (
            Nomination.objects.filter(nominated_by=user)
            .exclude(nominee=user)
            .select_related("program", "nominee")
            .order_by("created_at", "pk")
        )
        commitments = SponsorshipCommitment.objects.filter(
            relationship__members__user=user
        ).order_by("period_start", "pk")
        advocacy_received = (
            AdvocacyAction.objects.filter(sponsee=user)
            .visible_to_sponsee()
            .select_related("sponsor")
            .order_by("occurred_on", "pk")
        )
        advocacy_given = (
            AdvocacyAction.objects.filter(sponsor=user)
            .select_related("sponsee")
            .order_by("occurred_on", "pk")
        )
        # Confidential nominations are hidden from the nominee (as on their
        # dashboard); their sponsor exports them.
        put_forward = (
            OpportunityNomination.objects.filter(nominee=user, confidential=False)
            .select_related("opportunity", "nominated_by")
            .order_by("created_at", "pk")
        )
        put_others_forward = (
            OpportunityNomination.objects.filter(nominated_by=user)
            .select_related("opportunity", "nominee")
            .order_by("created_at", "pk")
        )
        outcomes = CareerOutcome.objects.filter(employee=user).order_by(
            "occurred_on", "pk"
        )
        return {
            "readiness_evidence": [
                {
                    "id": e.pk,
                    "achievement": e.achievement,
                    "metric": e.metric,
                    "link": e.link,
                    "endorsed_by": e.endorsed_by,
                    "achieved_on": when(e.achieved_on),
                    "added_at": when(e.created_at),
                }
                for e in evidence
            ],
            "nominations_received": [_received(n) for n in received],
            "nominations_given": [
                {
                    "program": n.program.title,
                    "nominee": display_name(n.nominee),
                    "reason": n.reason,
                    "nominated_at": when(n.created_at),
                }
                for n in given
            ],
            "sponsorship_commitments": [
                {
                    "relationship": c.relationship_id,
                    "commitment": c.statement,
                    "advocacy_goals": c.advocacy_goals,
                    "from": when(c.period_start),
                    "review_on": when(c.review_date),
                    "sponsor_acknowledged_at": when(c.sponsor_acknowledged_at),
                    "sponsee_acknowledged_at": when(c.sponsee_acknowledged_at),
                }
                for c in commitments
            ],
            "advocacy_received": [
                _advocacy(a, sponsor=display_name(a.sponsor)) for a in advocacy_received
            ],
            "advocacy_given": [
                _advocacy(
                    a, sponsee=display_name(a.sponsee), confidential=a.confidential
                )
                for a in advocacy_given
            ],
            "opportunity_nominations_received": [
                {
                    "opportunity": n.opportunity.title,
                    "nominated_by": display_name(n.nominated_by),
                    "status": n.status,
                    "decision_reason": n.decision_reason,
                    "nominated_at": when(n.created_at),
                    "decided_at": when(n.decided_at),
                }
                for n in put_forward
            ],
            "opportunity_nominations_given": [
                {
                    "opportunity": n.opportunity.title,
                    "nominee": display_name(n.nominee),
                    "note": n.note,
                    "confidential": n.confidential,
                    "status": n.status,
                    "nominated_at": when(n.created_at),
                }
                for n in put_others_forward
            ],
            "career_outcomes": [
                {
                    "kind": o.kind,
                    "occurred_on": when(o.occurred_on),
                    "title": o.title,
                    "from_level": o.from_level,
                    "to_level": o.to_level,
                    "sponsorship": o.relationship_id,
                    "source": o.source,
                }
                for o in outcomes
            ],
        }

    def records(self, user):
        return {
            ReadinessEvidence: _pks(ReadinessEvidence.objects.filter(owner=user)),
            Nomination: _pks(
                Nomination.objects.filter(Q(nominee=user) | Q(nominated_by=user))
            ),
            # The applications their nominations made for others.
            Enrollment: _pks(Enrollment.objects.filter(nomination__nominated_by=user)),
            SponsorshipCommitment: _pks(
                SponsorshipCommitment.objects.filter(relationship__members__user=user)
            ),
            AdvocacyAction: _pks(
                AdvocacyAction.objects.filter(Q(sponsor=user) | Q(sponsee=user))
            ),
            OpportunityNomination: _pks(
                OpportunityNomination.objects.filter(
                    Q(nominee=user) | Q(nominated_by=user)
                )
            ),
            CareerOutcome: _pks(CareerOutcome.objects.filter(employee=user)),
        }

    def erase(self, user):
        # Nominations and advocacy that cited it lose the link with it.
        ReadinessEvidence.objects.filter(owner=user).delete()
        # Others' evidence names its endorser in free text: not once it is them.
        name = display_name(user)
        if name:
            # The whole name, not a part of another one ("Al" is not "Alice"):
            # the database finds the rows, the word boundary is checked here
            # because PostgreSQL and SQLite spell it differently.
            whole = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            named = [
                pk
                for pk, text in ReadinessEvidence.objects.filter(
                    endorsed_by__icontains=name
                ).values_list("pk", "endorsed_by")
                if whole.search(text)
            ]
            ReadinessEvidence.objects.filter(pk__in=named).update(endorsed_by="")
        Nomination.objects.filter(nominee=user).update(nominee=None, reason="")
        # Their reason was also the nominee's application's motivation.
        Enrollment.objects.filter(nomination__nominated_by=user).exclude(
            user=user
        ).update(motivation="")
        Nomination.objects.filter(nominated_by=user).update(
            nominated_by=None, reason=""
        )
        # A commitment is the sponsor's words to the sponsee: it goes with either.
        SponsorshipCommitment.objects.filter(relationship__members__user=user).update(
            statement=str(REMOVED), advocacy_goals=""
        )
        SponsorshipCommitment.objects.filter(created_by=user).update(created_by=None)
        for side in ("sponsor", "sponsee"):
            AdvocacyAction.objects.filter(**{side: user}).update(
                **{side: None}, description="", outcome=""
            )
        OpportunityNomination.objects.filter(nominee=user).update(
            nominee=None, note="", decision_reason=""
        )
        OpportunityNomination.objects.filter(nominated_by=user).update(
            nominated_by=None, note=""
        )
        OpportunityNomination.objects.filter(decided_by=user).update(decided_by=None)
        CareerOutcome.objects.filter(employee=user).update(employee=None, title="")
        CareerOutcome.objects.filter(recorded_by=user).update(recorded_by=None)
        Opportunity.objects.filter(posted_by=user).update(posted_by=None)


def _pks(queryset):
    return queryset.values_list("pk", flat=True)


def _received(nomination: Nomination) -> dict:
    own = nomination.source == NominationSource.SELF
    return {
        "program": nomination.program.title,
        "nominated_as": nomination.source,
        "status": nomination.enrollment.status,
        "nominated_at": when(nomination.created_at),
        # The nominator's reasons are for the program's admins, unless the
        # person nominated themselves.
        "reason": nomination.reason if own else None,
        "evidence": sorted(e.pk for e in nomination.evidence.all()),
    }


def _advocacy(action: AdvocacyAction, **people) -> dict:
    return {
        "relationship": action.relationship_id,
        "kind": action.kind,
        "occurred_on": when(action.occurred_on),
        "audience": action.audience,
        "what": action.description,
        "outcome": action.outcome,
        **people,
    }


personal_data = SponsorshipData()
