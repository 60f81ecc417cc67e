"""The form a participant answers a survey with: one field per question."""

from __future__ import annotations

from django import forms

QUESTION_PREFIX = "q_"


class SurveyAnswerForm(forms.Form):
    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        for block_id, block in survey.question_blocks():
            self.fields[QUESTION_PREFIX + block_id] = block.block.form_field(
                block.value
            )

    def answers(self) -> dict:
        return {
            name[len(QUESTION_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(QUESTION_PREFIX) and value not in ("", [], None)
        }
