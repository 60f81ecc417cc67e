"""What matching holds about a person: the pairs proposed for their
applications (scores and reasons), and who ran or decided matching."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.matching.models import (
    MatchingRun,
    MatchProposal,
    ProgramMatchingSettings,
)
from wagtail_mentoring.matching.reasons import reasons_text
from wagtail_mentoring.personal_data import CLEAR, PersonalData, when


class MatchingData(PersonalData):
    erase_order = 10
    sections = {"match_proposals": _("Match proposals")}
    user_fields = {
        "MatchingRun.created_by": CLEAR,
        "ProgramMatchingSettings.updated_by": CLEAR,
        "MatchProposal.decided_by": CLEAR,
    }

    def export(self, user):
        proposals = (
            _involving(user)
            .select_related("program", "mentee", "mentor")
            .order_by("created_at", "pk")
        )
        return {
            # The other person of a proposal that was never published is an
            # admin's deliberation about them, not the person's data.
            "match_proposals": [
                {
                    "program": p.program.title,
                    "as": (p.mentee if p.mentee.user_id == user.pk else p.mentor).role,
                    "score": p.score,
                    "factors": p.factors,
                    "reasons": reasons_text(p.reasons),
                    "status": p.status,
                    "origin": p.origin,
                    "proposed_at": when(p.created_at),
                    "decided_at": when(p.decided_at),
                    "message_sent": p.publish_message,
                }
                for p in proposals
            ]
        }

    def records(self, user):
        return {MatchProposal: _involving(user).values_list("pk", flat=True)}

    def erase(self, user):
        # An admin's words about the pair, and the message sent to it.
        _involving(user).update(justification="", publish_message="")
        MatchProposal.objects.filter(decided_by=user).update(decided_by=None)
        MatchingRun.objects.filter(created_by=user).update(created_by=None)
        ProgramMatchingSettings.objects.filter(updated_by=user).update(updated_by=None)


def _involving(user):
    return MatchProposal.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))


personal_data = MatchingData()
