"""Suggestions come from the matching engine: scores, reasons, hard rules."""

import pytest

from tests.engagement_helpers import mentee, mentor, self_select
from wagtail_mentoring.matching.suggestions import suggest_mentors
from wagtail_mentoring.people.models import Skill

pytestmark = pytest.mark.django_db


def test_suggestions_are_ranked_explained_and_respect_hard_rules(program):
    self_select(program)
    python = Skill.objects.create(name="Python")
    me = mentee(program, "mona")
    me.user.mentoring_profile.skills_wanted.add(python)
    expert = mentor(program, "ed", capacity=2)
    expert.user.mentoring_profile.skills.add(python)
    other = mentor(program, "olly", capacity=2)
    boss = mentor(program, "bea", capacity=2)
    profile = me.user.mentoring_profile
    profile.manager = boss.user
    profile.save()
    no_common_language = mentor(program, "nico", capacity=2, languages=["de"])

    suggestions = suggest_mentors(me)
    shown = [s.enrollment.pk for s in suggestions]
    assert shown[0] == expert.pk  # shares the skill wanted
    assert other.pk in shown
    assert boss.pk not in shown  # reporting line
    assert no_common_language.pk not in shown  # no shared language
    top = suggestions[0]
    assert 0 < top.score <= 1 and top.percent == round(top.score * 100)
    assert any("Python" in reason for reason in top.reasons)
    assert top.score > suggestions[1].score


def test_find_a_mentor_page_shows_scores_and_reasons(client, program):
    self_select(program)
    python = Skill.objects.create(name="Python")
    me = mentee(program)
    me.user.mentoring_profile.skills_wanted.add(python)
    expert = mentor(program, "ed", capacity=2)
    expert.user.mentoring_profile.skills.add(python)
    client.force_login(me.user)
    from django.urls import reverse

    body = client.get(
        reverse("wagtail_mentoring:find_mentor", args=[me.pk])
    ).content.decode()
    assert "Match " in body and "Can help with Python" in body
