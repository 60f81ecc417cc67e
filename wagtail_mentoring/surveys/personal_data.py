"""What surveys hold about a person: who was asked, and the answers they gave
to surveys that were not anonymous. Anonymous answers are nobody's: nothing
links them to a person, so they are neither exported nor erased."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.personal_data import DETACH, PersonalData
from wagtail_mentoring.surveys.models import SurveyInvitation, SurveyResponse


class SurveysData(PersonalData):
    erase_order = 40
    sections = {
        "survey_invitations": _("Surveys you were asked"),
        "survey_answers": _("Your answers to surveys that were not anonymous"),
    }
    # Both still count in the program's figures: the link goes; the answers
    # of a named response are the person's words, blanked.
    user_fields = {
        "SurveyInvitation.user": DETACH,
        "SurveyResponse.respondent": DETACH,
    }

    def export(self, user):
        invitations = SurveyInvitation.objects.filter(user=user).select_related(
            "survey__program"
        )
        responses = SurveyResponse.objects.filter(respondent=user).select_related(
            "survey__program"
        )
        return {
            "survey_invitations": [
                {
                    "program": i.survey.program.title,
                    "survey": i.survey.title,
                    "sent_at": i.sent_at.isoformat(),
                    "answered": i.completed,
                }
                for i in invitations.order_by("sent_at", "pk")
            ],
            "survey_answers": [_answers(r) for r in responses],
        }

    def records(self, user):
        return {}

    def erase(self, user):
        SurveyInvitation.objects.filter(user=user).update(user=None)
        SurveyResponse.objects.filter(respondent=user).update(
            respondent=None, answers={}
        )


def _answers(response: SurveyResponse) -> dict:
    labels = {
        block_id: block.value["label"]
        for block_id, block in response.survey.question_blocks()
    }
    return {
        "program": response.survey.program.title,
        "survey": response.survey.title,
        "submitted_on": response.submitted_on.isoformat(),
        "answers": [
            {"question": labels.get(block_id, block_id), "answer": answer}
            for block_id, answer in response.answers.items()
        ],
    }


personal_data = SurveysData()
