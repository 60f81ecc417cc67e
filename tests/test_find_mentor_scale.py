"""*Find a mentor* at scale: the fast search gives what the full matching path
gave (same mentors, same order, same scores and reasons, same "why not"), with
a fixed number of queries, and sees every edit at once."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from tests.engagement_helpers import pair, self_select
from tests.factories import deactivate_quietly, make_enrollment, make_user
from tests.suggestions_baseline import search_mentors_baseline
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.matching import pools, suggestion_table, suggestions
from wagtail_mentoring.people.models import EmployeeProfile, Interest, Skill
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = pytest.mark.django_db

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", ""]
DEPARTMENTS = ["Engineering", "engineering ", "Sales", "Finance", "", "Design"]
PLACES = ["Berlin", "berlin", "London", "", "Pune"]
LANGUAGES = [["en"], ["en", "de"], ["de"], ["en", "es", "de"], [], ["es"]]
SLOTS = ["mon_am", "mon_pm", "tue_am", "wed_pm", "thu_am", "fri_pm"]
WORDS = [
    *("kubernetes", "design", "leadership", "speaking", "python", "negotiation"),
    *("finance", "coaching", "architecture", "hiring", "writing", "data"),
    *("platform", "cloud", "budgeting", "product"),
]


def _text(rng, k):
    return " ".join(rng.choice(WORDS) for _ in range(k))


def _world(program, n_mentors: int, seed: int = 3):
    """A self-select program with varied mentors, managers, partners and requests."""
    self_select(program)
    rng = random.Random(seed)
    skills = [Skill.objects.create(name=f"Skill {i}") for i in range(8)]
    interests = [Interest.objects.create(name=f"Interest {i}") for i in range(6)]

    def person(name, **extra):
        profile = {
            "level": rng.randint(1, 9),
            "department": rng.choice(DEPARTMENTS),
            "location": rng.choice(PLACES),
            "timezone": rng.choice(ZONES),
            "languages": rng.choice(LANGUAGES[:4]),
            "availability": rng.sample(SLOTS, k=rng.randint(0, 3)),
            "bio": _text(rng, rng.randint(0, 6)),
            "goals": _text(rng, rng.randint(0, 4)),
        }
        profile.update(extra)
        user = make_user(name, profile=profile)
        p = user.mentoring_profile
        p.skills.set(rng.sample(skills, k=rng.randint(0, 3)))
        p.skills_wanted.set(rng.sample(skills, k=rng.randint(0, 3)))
        p.interests.set(rng.sample(interests, k=rng.randint(0, 3)))
        return user

    me = person("mentee", level=3, languages=["en", "de"], department="Sales")
    me.mentoring_profile.skills_wanted.set(skills[:4])
    me.mentoring_profile.interests.set(interests[:3])
    mine = make_enrollment(me, program, "mentee", status=EnrollmentStatus.APPROVED)
    # managers outside the program: their texts count in the run's tf-idf
    bosses = [person(f"boss{i}") for i in range(3)]
    mentors = []
    for i in range(n_mentors):
        user = person(f"mentor{i}")
        mentors.append(
            make_enrollment(
                user,
                program,
                "mentor",
                status=EnrollmentStatus.APPROVED,
                capacity=rng.choice([None, 1, 2, 3]),
            )
        )
    users = [e.user for e in mentors]
    # org chart: some mentors report to bosses or to each other; the mentee's
    # manager is a mentor, and the mentee manages another
    for i, user in enumerate(users):
        if i % 3 == 0:
            p = user.mentoring_profile
            p.manager = rng.choice(bosses + users[: max(1, i)])
            p.save()
    me.mentoring_profile.manager = users[1]
    me.mentoring_profile.save()
    users[2].mentoring_profile.manager = me
    users[2].mentoring_profile.save()
    bosses[0].mentoring_profile.manager = bosses[1]
    bosses[0].mentoring_profile.save()
    # places taken, an earlier partner, queues on popular mentors, one who left
    pair(program, mentor_user=users[4])
    pair(program, mentee_user=me, mentor_user=users[5])
    for k in range(5):
        asker = make_enrollment(
            make_user(f"asker{k}", profile={"level": 2}),
            program,
            "mentee",
            status=EnrollmentStatus.APPROVED,
        )
        MentorRequest.objects.create(
            program=program,
            mentee_enrollment=asker,
            mentor_enrollment=mentors[6 + k % 3],
            rank=1,
            status="pending",
        )
    deactivate_quietly(users[7])
    return mine, mentors


def _same(enrollment, limit=50):
    ours = suggestions.search_mentors(enrollment, limit=limit)
    theirs = search_mentors_baseline(enrollment, limit=limit)
    assert [
        (s.enrollment.pk, s.score, s.reasons, s.remaining, s.load)
        for s in ours.suggestions
    ] == [
        (s.enrollment.pk, s.score, s.reasons, s.remaining, s.load)
        for s in theirs.suggestions
    ]
    assert (ours.with_room, ours.blocked_by) == (theirs.with_room, theirs.blocked_by)
    return ours


RULES = {
    "defaults": {},
    "strict": {
        "exclude_same_manager": True,
        "department_rule": "different",
        "max_timezone_hours": 4.5,
        "min_score": 0.25,
    },
    "same department, shallow line": {
        "department_rule": "same",
        "reporting_line_depth": 1,
        "require_shared_language": False,
        "min_seniority": None,
    },
    "only skills and words": {"weights": {"skills": 2.0, "interests": 3.0}},
}


@pytest.mark.parametrize("rules", list(RULES))
def test_the_fast_search_gives_what_the_full_matching_path_gave(
    program, monkeypatch, rules
):
    mine, _mentors = _world(program, 40)

    base = pools.default_config
    monkeypatch.setattr(
        suggestions,
        "default_config",
        lambda program: _with(base(program), RULES[rules]),
    )
    monkeypatch.setattr(
        "tests.suggestions_baseline.default_config",
        lambda program: _with(base(program), RULES[rules]),
    )
    result = _same(mine)
    assert len(result.suggestions) >= 3
    # the ten shown are the first ten of the full ranking
    ten = suggestions.search_mentors(mine, limit=10).suggestions
    assert [s.enrollment.pk for s in ten] == [
        s.enrollment.pk for s in result.suggestions[:10]
    ]


def _with(config, settings):
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def test_when_nobody_passes_the_rules_the_counts_match(program):
    mine, mentors = _world(program, 12)
    profile = mine.user.mentoring_profile
    profile.languages = []
    profile.save()
    result = _same(mine)
    assert result.suggestions == [] and result.blocked_by["language"] > 0
    assert result.blocked_by["reporting_line"] == 2  # their manager, their report


def test_a_reverse_program_and_a_mentee_without_a_profile(program):
    program.kind = "reverse"
    mine, _mentors = _world(program, 15)
    _same(mine)
    EmployeeProfile.objects.filter(user=mine.user).delete()
    _same(mine)


def test_every_edit_is_seen_at_once(program):
    mine, mentors = _world(program, 15)
    first = _same(mine)
    outsider = next(
        e for e in mentors if e.pk not in {s.enrollment.pk for s in first.suggestions}
    )
    # a skill added to a mentor's profile (no save of the profile row)
    for skill in Skill.objects.all():
        outsider.user.mentoring_profile.skills.add(skill)
    _same(mine)
    # the reverse side: a skill given to a profile from the skill
    skill = Skill.objects.first()
    skill.offered_by.add(mentors[3].user.mentoring_profile)
    _same(mine)
    skill.offered_by.clear()
    _same(mine)
    # a profile edit, a capacity change, a new mentor, a manager's new words
    profile = mentors[8].user.mentoring_profile
    profile.level = 9
    profile.save()
    _same(mine)
    mentors[9].capacity = 0
    mentors[9].save()
    _same(mine)
    make_enrollment(
        make_user("late", profile={"level": 7, "languages": ["en"]}),
        program,
        "mentor",
        status=EnrollmentStatus.APPROVED,
    )
    _same(mine)
    boss = EmployeeProfile.objects.get(user__in=[mentors[0].user]).manager
    if boss is not None:
        p = boss.mentoring_profile
        p.bio = "kubernetes kubernetes platform"
        p.save()
        _same(mine)
    # a skill deleted outright (its profile rows go by cascade, no m2m signal)
    Skill.objects.filter(name="Skill 0").delete()
    _same(mine)
    # someone leaves the company (a bulk update: nothing is saved one by one)
    deactivate_quietly(mentors[10].user)
    _same(mine)


def test_only_edits_the_table_reads_rebuild_it(program, monkeypatch):
    mine, mentors = _world(program, 12)
    builds = []
    build = suggestion_table.build_table
    monkeypatch.setattr(
        suggestion_table,
        "build_table",
        lambda *args: builds.append(args) or build(*args),
    )
    _same(mine)
    assert len(builds) == 1
    # another mentee, outside the table: no rebuild, the same answer
    asker = MentorRequest.objects.first().mentee_enrollment.user.mentoring_profile
    asker.bio = "kubernetes kubernetes kubernetes"
    asker.save()
    _same(mine)
    assert len(builds) == 1
    # a mentor's words, and a manager's above the mentors: rebuilt
    profile = mentors[4].user.mentoring_profile
    profile.bio = "negotiation budgeting"
    profile.save()
    _same(mine)
    assert len(builds) == 2
    managers = EmployeeProfile.objects.exclude(manager=None).values("manager_id")
    boss = (
        EmployeeProfile.objects.filter(user_id__in=managers)
        .exclude(user__in=[e.user for e in mentors] + [mine.user])
        .first()
    )
    boss.bio = "platform cloud"
    boss.save()
    _same(mine)
    assert len(builds) == 3
    # someone new who is no mentor: a new profile still rebuilds
    make_user("newcomer", profile={"level": 2})
    _same(mine)
    assert len(builds) == 4


def test_a_skills_change_moves_the_fingerprint(program):
    mine, mentors = _world(program, 12)
    before = suggestion_table.fingerprint(program, "mentor")
    mentors[0].user.mentoring_profile.interests.clear()
    mentors[0].user.mentoring_profile.interests.add(Interest.objects.last())
    after = suggestion_table.fingerprint(program, "mentor")
    assert before != after


@pytest.mark.parametrize("n_mentors", [12, 60])
def test_a_search_and_the_page_take_a_fixed_number_of_queries(
    client, program, n_mentors, django_assert_max_num_queries
):
    mine, _mentors = _world(program, n_mentors)
    program.mentors_per_mentee = 2  # the mentee has one and may ask for another
    program.save()
    suggestions.search_mentors(mine)  # the table is built once per program
    # the table's fingerprint, what changed since with the mentee's tags (one
    # query), the mentee's profile, the mentors shown, the words of their reasons
    with django_assert_max_num_queries(5):
        found = suggestions.search_mentors(mine)
    assert found.suggestions
    client.force_login(mine.user)
    url = reverse("wagtail_mentoring:find_mentor", args=[mine.pk])
    client.get(url)
    with django_assert_max_num_queries(17):
        body = client.get(url).content.decode()
    assert found.suggestions[0].enrollment.user.first_name in body
