"""The mentor side of *Find a mentor*: built once per program, cached per process.

A program's approved mentors, their managers up to three levels (the reporting
line rule walks that far) and everything the engine compares — levels,
departments, places, languages, skills, interests, availability, the words of
their bio and goals — as numpy arrays (:class:`MentorTable`). Building it reads
every mentor's profile and tags (five queries, about a second at 20,000
mentors); a search then only reads what changes from one request to the next
(places taken, live requests, who is active) and the mentee.

**What invalidates it.** Each search first runs one aggregate query
(:func:`fingerprint`): the count, newest id and newest ``updated_at`` of the
program's enrollments in the giving role, the count and newest ``updated_at``
of all participant profiles, and the count and newest id of skills and
interests. Any saved change to an enrollment (status, capacity) or a profile
(level, department, manager, languages, text…), a new or deleted profile,
skill or interest, changes it, and the table is rebuilt at once, in every
process — unless only profiles the table does not read were edited, which
one more query tells (:func:`_only_others_changed`). Adding or removing a
profile's skills or interests touches the profile's ``updated_at``
(:mod:`wagtail_mentoring.people.signals`). Writes that bypass ``save()`` and
the ``m2m_changed`` signal (``QuerySet.update()``, raw SQL) must set
``updated_at`` themselves. Places taken, live requests and
whether a user is active are read on every search, never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.db.models import F, Func, Q, Subquery

from wagtail_mentoring.matching.engine import multi_hot
from wagtail_mentoring.matching.engine.suggest import (
    People,
    TextIndex,
    text_counts,
    text_index,
    tokens_of,
)
from wagtail_mentoring.people.models import (
    AVAILABILITY_SLOTS,
    EmployeeProfile,
    Interest,
    Skill,
)
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus
from wagtail_mentoring.sql import compiled_once

#: Manager levels loaded above each mentor (as the matching panel's runs do).
CHAIN_DEPTH = 3
#: Programs whose tables one process keeps (least recently used goes first).
KEEP = 8
SLOTS = {code: i for i, (code, _label) in enumerate(AVAILABILITY_SLOTS)}
PROFILE_FIELDS = (
    "pk",
    "user_id",
    "level",
    "department",
    "location",
    "timezone",
    "manager_id",
    "languages",
    "availability",
    "goals",
    "bio",
)


def _fold(label: str) -> str:
    return label.strip().casefold()


class Codes(dict):
    """Label → small integer code, in first-seen order."""

    def code(self, key) -> int:
        if key not in self:
            self[key] = len(self)
        return self[key]


@dataclass
class MentorTable:
    """People (mentors, then their managers) and the program's mentor enrollments.

    ``people`` rows follow ``user_ids``; ``ancestors[r, d]`` is the row of the
    (d+1)-th manager above row r (-1 past the top or where a manager has no
    profile). ``above[r, d]`` is that manager's code in ``person_code`` even
    without a profile (-1 past the top): the reporting line reaches a mentee
    or candidate who has no profile, but goes no further. Enrollments are in
    the order the page lists candidates (newest first): ``enrollment_pk``,
    ``enrollment_row`` (their person row), ``capacity`` (0 = the program's
    default).
    """

    user_ids: list
    row_of: dict
    people: People
    ancestors: np.ndarray
    above: np.ndarray
    person_code: dict
    timezone_code: np.ndarray
    zones: list[str]
    department_label: list[str]  # per person, as written (stripped)
    language_codes: Codes
    department_codes: Codes
    location_codes: Codes
    skill_codes: dict  # pk → code, in pk order (as runs code them)
    interest_codes: dict
    text: TextIndex
    words: sp.csc_matrix  # people × vocabulary, 1 where a person wrote a word
    word_col: dict
    tokens: list[list[str]]
    enrollment_pk: np.ndarray
    pk_order: np.ndarray  # argsort of enrollment_pk
    enrollment_row: np.ndarray
    capacity: np.ndarray
    dim: int


def _value(fn: str, name: str):
    return Func(F(name), function=fn)


def _scalar(queryset, fn: str, name: str):
    return Subquery(queryset.order_by().values(v=_value(fn, name))[:1])


#: Where :func:`fingerprint` holds the newest ``updated_at`` of all profiles.
PROFILES_CHANGED = 4


def fingerprint(program, role) -> tuple:
    """One aggregate query whose answer changes whenever the table would."""
    return _fingerprint(program.pk, str(role))[0]


@compiled_once
def _fingerprint(program_key, role):
    enrollments = Enrollment.objects.filter(program_id=program_key, role=role)
    profiles = EmployeeProfile.objects.all()
    return enrollments.order_by().values_list(
        _value("COUNT", "pk"),
        _value("MAX", "pk"),
        _value("MAX", "updated_at"),
        _scalar(profiles, "COUNT", "pk"),
        _scalar(profiles, "MAX", "updated_at"),
        _scalar(Skill.objects.all(), "COUNT", "pk"),
        _scalar(Skill.objects.all(), "MAX", "pk"),
        _scalar(Interest.objects.all(), "COUNT", "pk"),
        _scalar(Interest.objects.all(), "MAX", "pk"),
    )


def _only_others_changed(program, role, held: tuple, now: tuple) -> bool:
    """Whether the profiles edited since ``held`` are none the table reads.

    The table reads the program's people in ``role`` and the managers above
    them; an edit by anyone else (a mentee's bio, most of the company) moves
    the company-wide newest ``updated_at`` but must not cost a rebuild. Every
    profile that is someone's manager counts, which is a superset of the
    chains and needs no walk. Only when nothing but that one figure moved: a
    new or deleted profile (a deleted manager's reports lose theirs by a bulk
    ``SET NULL``) still rebuilds.
    """
    others = [i for i in range(len(now)) if i != PROFILES_CHANGED]
    if held[PROFILES_CHANGED] is None or any(held[i] != now[i] for i in others):
        return False
    in_role = Enrollment.objects.filter(program_id=program.pk, role=role)
    managers = EmployeeProfile.objects.filter(manager__isnull=False)
    return not (
        EmployeeProfile.objects.filter(updated_at__gt=held[PROFILES_CHANGED])
        .filter(
            Q(user_id__in=in_role.values("user_id"))
            | Q(user_id__in=managers.values("manager_id"))
        )
        .exists()
    )


_tables: OrderedDict = OrderedDict()
_lock = threading.Lock()


def mentor_table(program, role, dim: int) -> MentorTable:
    """The program's table for ``role``, rebuilt when :func:`fingerprint` moved."""
    key = (program.pk, str(role), dim)
    fp = fingerprint(program, role)
    with _lock:
        held = _tables.get(key)
        if held is not None and held[0] == fp:
            _tables.move_to_end(key)
            return held[1]
    if held is not None and _only_others_changed(program, role, held[0], fp):
        table = held[1]
    else:
        table = build_table(program, role, dim)
    with _lock:
        _tables[key] = (fp, table)
        _tables.move_to_end(key)
        while len(_tables) > KEEP:
            _tables.popitem(last=False)
    return table


def clear() -> None:
    """Forget every table (tests)."""
    with _lock:
        _tables.clear()


def build_table(program, role, dim: int) -> MentorTable:
    """Read the program's approved mentors and their managers into arrays."""
    enrollments = (
        Enrollment.objects.filter(
            program_id=program.pk, role=role, status=EnrollmentStatus.APPROVED
        )
        .filter(~Q(capacity__lte=0))
        .order_by("-created_at", "-pk")
    )
    enrollment_rows = list(enrollments.values_list("pk", "user_id", "capacity"))
    # managers level by level, as subqueries: one query for every profile
    level = enrollments.values("user_id")
    levels = [Q(user_id__in=level)]
    for _depth in range(CHAIN_DEPTH):
        level = EmployeeProfile.objects.filter(user_id__in=level).values("manager_id")
        levels.append(Q(user_id__in=level))
    wanted = Q()
    for q in levels:
        wanted |= q
    profiles = EmployeeProfile.objects.filter(wanted).order_by()
    by_user = {p[1]: p for p in profiles.values_list(*PROFILE_FIELDS)}
    tags = {}
    for name, column in (
        ("skills", "skill_id"),
        ("skills_wanted", "skill_id"),
        ("interests", "interest_id"),
    ):
        through = getattr(EmployeeProfile, name).through
        held: dict = {}
        for pid, tag in through.objects.filter(
            employeeprofile_id__in=profiles.values("pk")
        ).values_list("employeeprofile_id", column):
            held.setdefault(pid, []).append(tag)
        tags[name] = held
    skill_codes = {
        pk: i
        for i, pk in enumerate(
            Skill.objects.order_by("pk").values_list("pk", flat=True)
        )
    }
    interest_codes = {
        pk: i
        for i, pk in enumerate(
            Interest.objects.order_by("pk").values_list("pk", flat=True)
        )
    }

    user_ids = list(dict.fromkeys(u for _pk, u, _cap in enrollment_rows))
    in_table = set(user_ids)
    user_ids += [u for u in by_user if u not in in_table]
    row_of = {u: r for r, u in enumerate(user_ids)}
    n = len(user_ids)
    level_a = np.zeros(n, np.int64)
    department = np.full(n, -1, np.int64)
    location = np.full(n, -1, np.int64)
    tz_code = np.full(n, -1, np.int64)
    manager = np.full(n, -1, np.int64)
    person_code = dict(row_of)
    manager_code = np.full(n, -1, np.int64)
    departments, locations, languages, zones = Codes(), Codes(), Codes(), Codes()
    dep_label = [""] * n
    lang_rows, offered, wanted_rows, goal_rows, avail_rows, tokens = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    for r, uid in enumerate(user_ids):
        p = by_user.get(uid)
        if p is None:
            for rows in (lang_rows, offered, wanted_rows, goal_rows, avail_rows):
                rows.append([])
            tokens.append([])
            continue
        (pid, _u, lv, dep, loc, tz, mgr, langs, avail, goals, bio) = p
        level_a[r] = lv or 0
        if dep.strip():
            department[r] = departments.code(_fold(dep))
            dep_label[r] = dep.strip()
        if loc.strip():
            location[r] = locations.code(_fold(loc))
        if tz:
            tz_code[r] = zones.code(tz)
        if mgr in by_user:
            manager[r] = row_of[mgr]
        if mgr is not None:
            manager_code[r] = person_code.setdefault(mgr, len(person_code))
        lang_rows.append([languages.code(c) for c in langs or ()])
        offered.append([skill_codes[s] for s in tags["skills"].get(pid, ())])
        wanted_rows.append([skill_codes[s] for s in tags["skills_wanted"].get(pid, ())])
        goal_rows.append([interest_codes[i] for i in tags["interests"].get(pid, ())])
        avail_rows.append([SLOTS[s] for s in avail or () if s in SLOTS])
        tokens.append(tokens_of(f"{goals} {bio}".strip()))
    ancestors = np.full((n, CHAIN_DEPTH), -1, np.int64)
    cur = np.arange(n)
    for d in range(CHAIN_DEPTH):
        cur = np.where(cur >= 0, manager[np.maximum(cur, 0)], -1)
        ancestors[:, d] = cur
    above = np.full((n, CHAIN_DEPTH), -1, np.int64)
    above[:, 0] = manager_code
    for d in range(1, CHAIN_DEPTH):
        prev = ancestors[:, d - 1]
        above[:, d] = np.where(prev >= 0, manager_code[np.maximum(prev, 0)], -1)
    tf = text_counts(tokens, dim)
    vocab: dict[str, int] = {}
    w_rows, w_cols = [], []
    for r, words in enumerate(tokens):
        for w in set(words):
            w_rows.append(r)
            w_cols.append(vocab.setdefault(w, len(vocab)))
    words = sp.csc_matrix(
        (np.ones(len(w_rows), np.float32), (w_rows, w_cols)),
        shape=(n, max(1, len(vocab))),
    )
    people = People(
        level=level_a,
        department=department,
        location=location,
        utc_offset=np.zeros(n, np.int64),
        timezone_known=tz_code >= 0,
        languages=multi_hot(lang_rows, max(1, len(languages))),
        skills_offered=multi_hot(offered, max(1, len(skill_codes))),
        skills_wanted=multi_hot(wanted_rows, max(1, len(skill_codes))),
        goals=multi_hot(goal_rows, max(1, len(interest_codes))),
        availability=multi_hot(avail_rows, len(SLOTS)),
        text_tf=tf,
    )
    return MentorTable(
        user_ids=user_ids,
        row_of=row_of,
        people=people,
        ancestors=ancestors,
        above=above,
        person_code=person_code,
        timezone_code=tz_code,
        zones=list(zones),
        department_label=dep_label,
        language_codes=languages,
        department_codes=departments,
        location_codes=locations,
        skill_codes=skill_codes,
        interest_codes=interest_codes,
        text=text_index(tf),
        words=words,
        word_col=vocab,
        tokens=tokens,
        enrollment_pk=np.array([e[0] for e in enrollment_rows], np.int64),
        pk_order=np.argsort(
            np.array([e[0] for e in enrollment_rows], np.int64), kind="stable"
        ),
        enrollment_row=np.array([row_of[e[1]] for e in enrollment_rows], np.int64),
        capacity=np.array([e[2] or 0 for e in enrollment_rows], np.int64),
        dim=dim,
    )
