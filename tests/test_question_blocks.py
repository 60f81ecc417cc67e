"""The survey questions that measure (rating, scale, NPS) each ask for a
number in a row of radio buttons and give back an int the dashboards add up."""

from __future__ import annotations

import pytest
from django import forms

from wagtail_mentoring.blocks.questions import (
    NpsQuestionBlock,
    RatingQuestionBlock,
    ScaleQuestionBlock,
)


def field_of(block, **value):
    return block.form_field(block.to_python({"required": True, **value}))


def test_a_rating_is_one_to_five_as_a_number():
    field = field_of(RatingQuestionBlock(), label="Satisfied?")
    assert [c for c, _label in field.choices] == [1, 2, 3, 4, 5]
    assert field.clean("4") == 4
    assert isinstance(field.widget, forms.RadioSelect)
    assert field.widget.attrs["class"] == "wm-scale"
    assert field.label == "Satisfied?" and field.required
    with pytest.raises(forms.ValidationError):
        field.clean("6")


def test_a_scale_names_its_ends():
    field = field_of(
        ScaleQuestionBlock(),
        label="Confident?",
        minimum=0,
        maximum=3,
        low_label="not at all",
        high_label="fully",
    )
    assert field.choices == [
        (0, "0 (not at all)"),
        (1, "1"),
        (2, "2"),
        (3, "3 (fully)"),
    ]
    assert field.clean("0") == 0
    assert field.widget.attrs["class"] == "wm-scale"


def test_nps_is_zero_to_ten_and_explains_itself_unless_told_otherwise():
    field = field_of(NpsQuestionBlock(), label="Recommend?")
    assert [c for c, _label in field.choices] == list(range(11))
    assert field.clean("10") == 10
    assert "0 = not at all likely" in str(field.help_text)
    assert field.widget.attrs["class"] == "wm-scale"
    field = field_of(NpsQuestionBlock(), label="Recommend?", help_text="Be honest")
    assert field.help_text == "Be honest"
