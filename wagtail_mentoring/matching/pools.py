"""Database rows → the engine's :class:`MatchingProblem` (and back).

The only module that knows both the Django models and the pure engine. The
matching panel (runs) and self-select suggestions both build their problem here,
so the two can never disagree about who is in the pool or what a rule means.
"""

from __future__ import annotations

import hashlib
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.matching.engine import (
    MatchingConfig,
    MatchingProblem,
    Vocabularies,
    multi_hot,
)
from wagtail_mentoring.people.models import (
    AVAILABILITY_SLOTS,
    EmployeeProfile,
    Interest,
    SelfIdentification,
    Skill,
)
from wagtail_mentoring.programs.models import (
    OPEN_RELATIONSHIP_STATUSES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    RelationshipMember,
    Role,
    open_places,
    places_taken,
)

#: Group id the engine sees for people who did not self-identify (or not consent).
UNDISCLOSED_GROUP = 0


def program_roles(program: ProgramPage) -> tuple[str, str]:
    """(receiving role, giving role) of a program: who is matched to whom."""
    if program.kind == ProgramKind.SPONSORSHIP:
        return Role.SPONSEE, Role.SPONSOR
    if program.kind == ProgramKind.PEER:
        return Role.MEMBER, Role.MEMBER  # members are matched with each other
    return Role.MENTEE, Role.MENTOR


def is_peer(program: ProgramPage) -> bool:
    """Whether members are paired with each other (a general graph, not two sides)."""
    return program.kind == ProgramKind.PEER


def default_config(program: ProgramPage, **overrides) -> MatchingConfig:
    """Engine settings for a program: kind-specific defaults, then ``overrides``."""
    config = MatchingConfig(solver=mentoring_settings.MATCHING_SOLVER)
    if program.kind == ProgramKind.REVERSE:
        config.reverse = True
    if program.kind == ProgramKind.PEER:
        config.min_seniority = None
    for name, value in overrides.items():
        if not hasattr(config, name):
            raise ValueError(f"unknown matching setting {name!r}")
        setattr(config, name, value)
    return config


@dataclass
class Pool:
    """Who a program can match now, in the engine's positions.

    ``mentees[i]``/``mentors[j]`` are approved enrollments of active people;
    ``mentee_slots[i]`` how many more mentors mentee i needs,
    ``mentor_remaining[j]`` how many more mentees mentor j can take.
    ``matched`` are receivers who need no one more; ``excluded`` the enrollments
    left out, with the reason code (``inactive``, ``pending``, ``withdrawn``,
    ``declined``, ``full``).
    """

    program: ProgramPage
    mentees: list[Enrollment] = field(default_factory=list)
    mentors: list[Enrollment] = field(default_factory=list)
    mentee_slots: list[int] = field(default_factory=list)
    mentor_remaining: list[int] = field(default_factory=list)
    matched: list[Enrollment] = field(default_factory=list)
    excluded: list[tuple[Enrollment, str]] = field(default_factory=list)

    def mentee_position(self) -> dict[object, int]:
        return {e.user_id: i for i, e in enumerate(self.mentees)}

    def mentor_position(self) -> dict[object, int]:
        return {e.user_id: j for j, e in enumerate(self.mentors)}


def load_pool(
    program: ProgramPage, *, reserved: dict | None = None, cohort=None
) -> Pool:
    """The program's pool; ``reserved`` maps user id → slots already promised
    (approved proposals not yet published) so they are not offered twice.
    With ``cohort``, only that cohort's applications are in it."""
    receiving, giving = program_roles(program)
    reserved = reserved or {}
    enrollments = (
        Enrollment.objects.filter(program=program, role__in=[receiving, giving])
        .select_related("user")
        .order_by("pk")
    )
    if cohort is not None:
        enrollments = enrollments.filter(cohort=cohort)
    # A circle's facilitator holds a place per mentee in the circle.
    open_counts: dict[tuple, int] = defaultdict(int, places_taken(program))
    pool = Pool(program)
    for enrollment in enrollments:
        if enrollment.status != EnrollmentStatus.APPROVED:
            if enrollment.status == EnrollmentStatus.PENDING:
                pool.excluded.append((enrollment, "pending"))
            elif enrollment.status in (
                EnrollmentStatus.WITHDRAWN,
                EnrollmentStatus.DECLINED,
            ):
                pool.excluded.append((enrollment, enrollment.status))
            continue
        if not enrollment.user.is_active:
            pool.excluded.append((enrollment, "inactive"))
            continue
        taken = open_counts[(enrollment.user_id, enrollment.role)] + reserved.get(
            (enrollment.user_id, enrollment.role), 0
        )
        if enrollment.role == receiving:
            slots = program.mentors_per_mentee - taken
            if slots > 0:
                pool.mentees.append(enrollment)
                pool.mentee_slots.append(slots)
                if receiving == giving:
                    # a peer is on both sides: position i is the same member
                    pool.mentors.append(enrollment)
                    pool.mentor_remaining.append(slots)
            else:
                pool.matched.append(enrollment)
        else:
            remaining = (enrollment.capacity or program.default_mentor_capacity) - taken
            if remaining > 0:
                pool.mentors.append(enrollment)
                pool.mentor_remaining.append(remaining)
            else:
                pool.excluded.append((enrollment, "full"))
    return pool


def pool_version(program: ProgramPage, *, reserved: dict | None = None) -> str:
    """A digest of everything :func:`load_pool` reads for ``program`` (without
    a cohort): its enrollments, their people's rows, the places taken and
    ``reserved``. Equal digests mean an equal pool, so a page showing the pool
    may be cached under it: any change to those rows gives another digest, with
    no invalidation to forget. Reads plain values, not model instances, which
    costs a fraction of building the pool itself.
    """
    receiving, giving = program_roles(program)
    # Every stored field of the user row but the secrets and the last sign-in:
    # the display name may be built from any of them on a custom user model.
    user_fields = [
        f"user__{field.attname}"
        for field in get_user_model()._meta.concrete_fields
        if field.name not in ("password", "last_login")
    ]
    enrollments = (
        Enrollment.objects.filter(program=program, role__in=[receiving, giving])
        .order_by("pk")
        .values_list(
            "pk", "user_id", "role", "status", "capacity", "circle_topic", *user_fields
        )
    )
    places = open_places(program).order_by("pk")
    digest = hashlib.sha256()
    digest.update(
        repr(
            (
                program.pk,
                program.kind,
                program.mentors_per_mentee,
                program.default_mentor_capacity,
                sorted((reserved or {}).items()),
            )
        ).encode()
    )
    connection = connections[enrollments.db]
    if connection.vendor == "postgresql":
        # Thousands of rows hashed where they are, not sent and converted to
        # Python first (most of the panel's time on a large program), in one
        # statement. A sum of 64-bit row hashes needs no sort, and a changed
        # row changes it. The inner queries are Django's own SQL, unordered;
        # their values are parameters.
        parts, params = [], []
        for rows in (enrollments, places):
            rows = rows.order_by()
            inner, inner_params = rows.query.get_compiler(using=rows.db).as_sql()
            total = "coalesce(sum(hashtextextended(t::text, 0)), 0) || ':' || count(*)"
            parts.append(f"(SELECT {total} FROM ({inner}) t)")  # noqa: S608
            params.extend(inner_params)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)  # noqa: S608
            digest.update(repr(cursor.fetchone()).encode())
    else:
        for rows in (enrollments, places):
            for row in rows:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def _utc_offset_minutes(name: str, at: datetime) -> int:
    try:
        offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset else 0


class _Codes(dict):
    """Stable small integer codes for labels, in first-seen order.

    With ``fold``, "Sales " and "sales" share a code, and explanations show the
    label as it was first written rather than a folded key.
    """

    def __init__(self, fold: bool = False):
        super().__init__()
        self.fold = fold
        self._shown: list = []

    def code(self, label) -> int:
        key = (
            label.strip().casefold() if self.fold and isinstance(label, str) else label
        )
        if key not in self:
            self[key] = len(self)
            self._shown.append(label.strip() if isinstance(label, str) else label)
        return self[key]

    def labels(self) -> list:
        return list(self._shown)


@dataclass
class ProblemIndex:
    """How engine positions map back to database rows."""

    pool: Pool
    group_labels: dict[int, str] = field(default_factory=dict)


def build_problem(
    pool: Pool,
    *,
    reporting_depth: int = 3,
    group_dimension: str | None = None,
    rejected: list[tuple] = (),
    locked: list[tuple] = (),
    previous: list[tuple] = (),
    priority_users: set = frozenset(),
    priority_weight: float = 1.0,
    at: datetime | None = None,
    paired: list[tuple] = (),
    exclude_previous_partners: bool = True,
) -> tuple[MatchingProblem, ProblemIndex]:
    """Build the engine problem for ``pool``.

    Pair arguments are (receiver user id, giver user id); pairs of people not in
    the pool are ignored. ``group_dimension`` names a self-identification question
    (e.g. ``"gender"``): consenting people's answers become opaque group ids, all
    others :data:`UNDISCLOSED_GROUP`. People in ``priority_users`` get their scores
    multiplied by ``priority_weight`` (e.g. those unmatched last time).
    ``paired`` are pairs already held outside the pool (approved proposals not yet
    published): like previous partners, they are never proposed again.
    ``exclude_previous_partners=False`` lets earlier partners be scored (the
    manual-pair chooser shows them, flagged).
    """
    at = at or timezone.now()
    mentee_users = [e.user_id for e in pool.mentees]
    mentor_users = [e.user_id for e in pool.mentors]
    people = list(dict.fromkeys(mentee_users + mentor_users))
    profiles = _profiles_with_managers(people, reporting_depth)
    in_pool = set(people)
    people += [uid for uid in profiles if uid not in in_pool]
    row = {uid: r for r, uid in enumerate(people)}

    departments, locations, languages = _Codes(fold=True), _Codes(fold=True), _Codes()
    departments.code("")
    skills = {
        pk: i
        for i, pk in enumerate(
            Skill.objects.order_by("pk").values_list("pk", flat=True)
        )
    }
    interests = {
        pk: i
        for i, pk in enumerate(
            Interest.objects.order_by("pk").values_list("pk", flat=True)
        )
    }
    slots = {code: i for i, (code, _label) in enumerate(AVAILABILITY_SLOTS)}
    n_people = len(people)
    level = np.zeros(n_people, np.int64)
    department = np.full(n_people, -1, np.int64)
    # an empty location is "not given", never the same place as another empty one
    location = np.full(n_people, -1, np.int64)
    utc_offset = np.zeros(n_people, np.int64)
    timezone_known = np.zeros(n_people, bool)
    manager = np.full(n_people, -1, np.int64)
    lang_rows, offered, wanted, goal_rows, avail_rows = [], [], [], [], []
    texts = []
    # group programs: a mentor's circle topic, and the words a mentee's fit with
    # a topic is judged on (their goals and bio, the skills they want, their
    # interests); a person on both sides is judged by the topic they gave
    topics = _circle_topics(pool) if pool.program.kind == ProgramKind.GROUP else None
    topic_texts = []
    for uid in people:
        profile = profiles.get(uid)
        r = row[uid]
        if profile is None:
            for rows in (lang_rows, offered, wanted, goal_rows, avail_rows):
                rows.append([])
            texts.append("")
            topic_texts.append(topics.get(uid, "") if topics else "")
            continue
        level[r] = profile.level or 0
        if profile.department.strip():
            department[r] = departments.code(profile.department)
        if profile.location.strip():
            location[r] = locations.code(profile.location)
        if profile.timezone:
            utc_offset[r] = _utc_offset_minutes(profile.timezone, at)
            timezone_known[r] = True
        if profile.manager_id in row:
            manager[r] = row[profile.manager_id]
        lang_rows.append([languages.code(code) for code in profile.languages])
        offered.append([skills[s.pk] for s in profile.skills.all()])
        wanted.append([skills[s.pk] for s in profile.skills_wanted.all()])
        goal_rows.append([interests[i.pk] for i in profile.interests.all()])
        avail_rows.append([slots[s] for s in profile.availability if s in slots])
        texts.append(f"{profile.goals} {profile.bio}".strip())
        if topics is not None:
            topic_texts.append(
                topics.get(uid)
                or " ".join(
                    [profile.goals, profile.bio]
                    + [s.name for s in profile.skills_wanted.all()]
                    + [i.name for i in profile.interests.all()]
                ).strip()
            )

    mentee_pos = {uid: i for i, uid in enumerate(mentee_users)}
    mentor_pos = {uid: j for j, uid in enumerate(mentor_users)}

    def positions(pairs) -> list[list[int]]:
        return [
            [mentee_pos[a], mentor_pos[b]]
            for a, b in pairs
            if a in mentee_pos and b in mentor_pos
        ]

    previous_partners = positions(
        (_previous_partners(pool) if exclude_previous_partners else []) + list(paired)
    )
    group = np.zeros(len(mentee_users), np.int64)
    index = ProblemIndex(pool)
    if group_dimension:
        labels = _Codes()
        labels.code(None)  # UNDISCLOSED_GROUP
        answers = dict(
            SelfIdentification.objects.filter(user_id__in=mentee_users).values_list(
                "user_id", "answers"
            )
        )
        for i, uid in enumerate(mentee_users):
            value = (answers.get(uid) or {}).get(group_dimension)
            group[i] = labels.code(value) if value else UNDISCLOSED_GROUP
        index.group_labels = {code: label for label, code in labels.items()}
    priority = None
    if priority_users and priority_weight != 1.0:
        priority = np.array(
            [priority_weight if uid in priority_users else 1.0 for uid in mentee_users]
        )

    problem = MatchingProblem(
        person_ids=np.arange(n_people, dtype=np.int64),
        level=level,
        department=department,
        location=location,
        utc_offset=utc_offset,
        timezone_known=timezone_known,
        manager=manager,
        languages=multi_hot(lang_rows, max(1, len(languages))),
        skills_offered=multi_hot(offered, max(1, len(skills))),
        skills_wanted=multi_hot(wanted, max(1, len(skills))),
        goals=multi_hot(goal_rows, max(1, len(interests))),
        availability=multi_hot(avail_rows, len(slots)),
        interests_text=texts,
        topic_text=topic_texts if topics is not None else None,
        mentees=np.array([row[u] for u in mentee_users], np.int64),
        mentors=np.array([row[u] for u in mentor_users], np.int64),
        mentor_capacity=np.array(pool.mentor_remaining, np.int64),
        mentee_capacity=np.array(pool.mentee_slots, np.int64) if pool.mentees else 1,
        group=group,
        previous_partners=previous_partners,
        rejected=positions(rejected),
        locked=positions(locked),
        previous_proposals=positions(previous),
        priority=priority,
        labels=Vocabularies(
            skills=_names(Skill, skills),
            goals=_names(Interest, interests),
            languages=languages.labels(),
            departments=departments.labels(),
            locations=locations.labels(),
            availability=[str(label) for _code, label in AVAILABILITY_SLOTS],
        ),
    )
    return problem, index


def _circle_topics(pool: Pool) -> dict:
    """Mentor user id → the topic of the circle they lead: their open circle's
    (an admin may have changed it since), else the one their application gave."""
    topics = {e.user_id: e.circle_topic.strip() for e in pool.mentors}
    _receiving, giving = program_roles(pool.program)
    circles = (
        RelationshipMember.objects.filter(
            relationship__program=pool.program,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
            role=giving,
            user_id__in=list(topics),
        )
        .exclude(relationship__topic="")
        .order_by("relationship_id")
        .values_list("user_id", "relationship__topic")
    )
    for user_id, topic in circles:
        topics[user_id] = topic.strip()
    return {uid: topic for uid, topic in topics.items() if topic}


def _names(model, codes: dict) -> list[str]:
    names = dict(model.objects.values_list("pk", "name"))
    return [names[pk] for pk in codes]


def _profiles_with_managers(user_ids: list, depth: int) -> dict:
    """Profiles of ``user_ids`` and of their managers up to ``depth`` levels.

    Managers outside the pool still need rows: the reporting-line rule walks the
    chain through them. One query per level, so a handful in total.
    """
    profiles: dict = {}
    wanted = set(user_ids)
    for _level in range(depth + 1):
        wanted -= set(profiles)
        if not wanted:
            break
        batch = EmployeeProfile.objects.filter(user_id__in=wanted).prefetch_related(
            "skills", "skills_wanted", "interests"
        )
        for profile in batch:
            profiles[profile.user_id] = profile
        wanted = {p.manager_id for p in batch if p.manager_id}
    return profiles


def _previous_partners(pool: Pool) -> list[tuple]:
    """(receiver, giver) user pairs already matched in this program, whether the
    relationship is still open (a second mentor must be someone else) or ended
    (a rematch must be someone new)."""
    receiving, giving = program_roles(pool.program)
    members = RelationshipMember.objects.filter(
        relationship__program=pool.program, role__in=[receiving, giving]
    )
    by_relationship: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for relationship_id, user_id, role in members.values_list(
        "relationship_id", "user_id", "role"
    ):
        by_relationship[relationship_id][role].append(user_id)
    return [
        (a, b)
        for roles in by_relationship.values()
        for a in roles[receiving]
        for b in roles[giving]
    ]
