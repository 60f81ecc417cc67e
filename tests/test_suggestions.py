"""Suggestions come from the matching engine: scores, reasons, hard rules."""

import pytest

from tests.engagement_helpers import mentee, mentor, pair, self_select
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


def _find_mentor_page(client, enrollment) -> str:
    from django.urls import reverse

    client.force_login(enrollment.user)
    response = client.get(
        reverse("wagtail_mentoring:find_mentor", args=[enrollment.pk])
    )
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_find_a_mentor_says_when_mentors_have_room_but_fail_the_rules(client, program):
    """Mentors have places; none shares a language and one is the mentee's
    manager: the page says which rules, not that nobody has room."""
    self_select(program)
    me = mentee(program, "lina")
    profile = me.user.mentoring_profile
    boss = mentor(program, "boss", capacity=2, languages=[])
    profile.languages = []
    profile.manager = boss.user
    profile.save()
    mentor(program, "ana", capacity=2)
    mentor(program, "ben", capacity=2)
    body = _find_mentor_page(client, me)
    assert "No mentor has a place" not in body
    assert "admins have been told" not in body
    assert "3 mentors have places, but this program's rules do not let you" in body
    assert "2 mentors: they speak none of the languages on your profile" in body
    assert "1 mentor: they are in your reporting line" in body
    assert "Your profile lists no languages" in body


def test_find_a_mentor_says_when_nobody_has_room(client, program):
    self_select(program)
    me = mentee(program, "lina")
    full = mentor(program, "ana", capacity=1)
    pair(program, mentor_user=full.user)
    body = _find_mentor_page(client, me)
    assert "No mentor has a place right now. Please check back soon." in body
    assert "rules do not let you" not in body
    assert "admins have been told" not in body
