"""Django glue: turn profiles and enrollments into a matching-engine problem.

The engine (``matching/engine/``) knows nothing about Django; this module reads
the rows it needs in a fixed number of queries and builds a
:class:`~wagtail_mentoring.matching.engine.MatchingProblem` whose people are
the given users plus their managers (up to the reporting-line depth, so that
the "not in my reporting line" rule can see the org chart).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from django.utils import timezone

from wagtail_mentoring.people.models import (
    AVAILABILITY_SLOTS,
    EmployeeProfile,
    Interest,
    Skill,
)
from wagtail_mentoring.programs.models import (
    ProgramKind,
    Relationship,
    RelationshipMember,
)


def utc_offset_minutes(name: str, at: datetime | None = None) -> int:
    if not name:
        return 0
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    offset = (at or timezone.now()).astimezone(zone).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


class _Codes:
    """Stable small-integer codes for strings, with the labels kept in order."""

    def __init__(self):
        self.index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        return self.index.setdefault(value or "", len(self.index))

    @property
    def labels(self) -> list[str]:
        return list(self.index)


def config_for(program):
    """The engine settings of ``program`` (defaults plus the program's kind)."""
    from wagtail_mentoring.matching.engine import MatchingConfig

    config = MatchingConfig()
    if program.kind == ProgramKind.REVERSE:
        config.reverse = True
        config.min_seniority = 1
    elif program.kind == ProgramKind.PEER:
        config.min_seniority = None
    return config


def _profiles(user_ids: Sequence, depth: int) -> dict:
    """Profiles of ``user_ids`` and of their managers, ``depth`` levels up."""
    profiles: dict = {}
    wanted = set(user_ids)
    for _level in range(depth + 1):
        missing = wanted - set(profiles)
        if not missing:
            break
        batch = (
            EmployeeProfile.objects.filter(user_id__in=missing)
            .prefetch_related("skills", "skills_wanted", "interests")
            .select_related("user")
        )
        for profile in batch:
            profiles[profile.user_id] = profile
        wanted = {p.manager_id for p in profiles.values() if p.manager_id} | wanted
    return profiles


def build_problem(mentee_enrollments, mentor_enrollments, *, capacities=None):
    """An engine problem for these mentee and mentor enrollments (one program).

    ``capacities`` (one per mentor) default to the mentors' capacities.
    Earlier partners of the same program are excluded (``previous_partners``).
    Returns ``(problem, config)``.
    """
    from wagtail_mentoring.matching.engine import MatchingProblem, Vocabularies
    from wagtail_mentoring.matching.engine.problem import multi_hot

    mentee_enrollments = list(mentee_enrollments)
    mentor_enrollments = list(mentor_enrollments)
    program = (mentee_enrollments or mentor_enrollments)[0].program
    config = config_for(program)
    side_users = [e.user_id for e in mentee_enrollments + mentor_enrollments]
    profiles = _profiles(side_users, config.reporting_line_depth)
    people = list(dict.fromkeys(side_users + list(profiles)))
    row = {user_id: i for i, user_id in enumerate(people)}

    skill_rows = list(Skill.objects.order_by("pk").values_list("pk", "name"))
    skills = {pk: i for i, (pk, _name) in enumerate(skill_rows)}
    skill_names = [name for _pk, name in skill_rows]
    goal_rows = list(Interest.objects.order_by("pk").values_list("pk", "name"))
    goals = {pk: i for i, (pk, _name) in enumerate(goal_rows)}
    goal_names = [name for _pk, name in goal_rows]
    slots = {slot: i for i, (slot, _label) in enumerate(AVAILABILITY_SLOTS)}
    languages, departments, locations = _Codes(), _Codes(), _Codes()
    now = timezone.now()

    def of(user_id, attr, default):
        profile = profiles.get(user_id)
        value = getattr(profile, attr, None) if profile else None
        return value if value not in (None, "") else default

    level = [of(u, "level", 0) for u in people]
    department = [departments(of(u, "department", "")) for u in people]
    location = [locations(of(u, "location", "")) for u in people]
    offset = [utc_offset_minutes(of(u, "timezone", ""), now) for u in people]
    manager = [row.get(of(u, "manager_id", None), -1) for u in people]
    language_rows = [[languages(x) for x in of(u, "languages", [])] for u in people]

    def m2m(user_id, name, codes):
        profile = profiles.get(user_id)
        if profile is None:
            return []
        return [codes[x.pk] for x in getattr(profile, name).all() if x.pk in codes]

    problem = MatchingProblem(
        person_ids=np.arange(len(people), dtype=np.int64),
        level=np.asarray(level, np.int64),
        department=np.asarray(department, np.int64),
        location=np.asarray(location, np.int64),
        utc_offset=np.asarray(offset, np.int64),
        manager=np.asarray(manager, np.int64),
        languages=multi_hot(language_rows, max(1, len(languages.index))),
        skills_offered=multi_hot(
            [m2m(u, "skills", skills) for u in people], max(1, len(skills))
        ),
        skills_wanted=multi_hot(
            [m2m(u, "skills_wanted", skills) for u in people], max(1, len(skills))
        ),
        goals=multi_hot(
            [m2m(u, "interests", goals) for u in people], max(1, len(goals))
        ),
        availability=multi_hot(
            [
                [slots[s] for s in of(u, "availability", []) if s in slots]
                for u in people
            ],
            len(slots),
        ),
        interests_text=[
            f"{of(u, 'goals', '')} {of(u, 'bio', '')}".strip() for u in people
        ],
        mentees=np.asarray([row[e.user_id] for e in mentee_enrollments], np.int64),
        mentors=np.asarray([row[e.user_id] for e in mentor_enrollments], np.int64),
        mentor_capacity=np.asarray(
            capacities
            if capacities is not None
            else [
                e.capacity or program.default_mentor_capacity
                for e in mentor_enrollments
            ],
            np.int64,
        ),
        mentee_capacity=program.mentors_per_mentee,
        previous_partners=_previous_partners(
            program, mentee_enrollments, mentor_enrollments
        ),
        labels=Vocabularies(
            skills=skill_names,
            goals=goal_names,
            languages=languages.labels,
            departments=departments.labels,
            locations=locations.labels,
            availability=[str(label) for _slot, label in AVAILABILITY_SLOTS],
        ),
    )
    return problem, config


def _previous_partners(program, mentees, mentors) -> np.ndarray:
    """(mentee position, mentor position) of pairs that already were together
    in this program and ended: not suggested again."""
    mentee_pos = {e.user_id: i for i, e in enumerate(mentees)}
    mentor_pos = {e.user_id: j for j, e in enumerate(mentors)}
    ended = Relationship.objects.filter(program=program).exclude(
        status__in=["pending", "active", "paused"]
    )
    members = RelationshipMember.objects.filter(
        relationship__in=ended, user_id__in=list(mentee_pos) + list(mentor_pos)
    ).values_list("relationship_id", "user_id")
    by_relationship: dict = {}
    for relationship_id, user_id in members:
        by_relationship.setdefault(relationship_id, set()).add(user_id)
    pairs = {
        (mentee_pos[a], mentor_pos[b])
        for users in by_relationship.values()
        for a in users
        for b in users
        if a in mentee_pos and b in mentor_pos and a != b
    }
    return np.asarray(sorted(pairs), np.int64).reshape(-1, 2)
