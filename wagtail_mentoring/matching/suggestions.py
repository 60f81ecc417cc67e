"""Mentor suggestions for self-select programs.

Candidates are the program's approved, active mentors with a place left; they
are scored and explained exactly as a matching run of the engine would. Exposure
is then limited so that a popular mentor is not shown to every mentee at once:
each remaining place is shown to at most ``SUGGESTION_EXPOSURE_PER_PLACE``
mentees holding a live request to that mentor, and scores are damped by how
much of that budget is already used, with a per-mentee, per-week tie-break so
equally good mentors rotate between mentees.

At scale (docs/matching.md, "Find a mentor at scale"): the mentor side is a
cached :class:`~wagtail_mentoring.matching.suggestion_table.MentorTable`; one
search reads only what changes per request with a fixed number of queries,
scores the mentee against every candidate at once
(:func:`wagtail_mentoring.matching.engine.suggest.score_one`), picks the ten
shown and explains only those.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, Count, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import LIVE_REQUEST_STATUSES, MentorRequest
from wagtail_mentoring.matching import suggestion_table
from wagtail_mentoring.matching.engine import (
    MatchingError,
    MatchingProblem,
    Vocabularies,
    multi_hot,
)
from wagtail_mentoring.matching.engine.explain import explain_pairs
from wagtail_mentoring.matching.engine.features import SCORE_SCALE
from wagtail_mentoring.matching.engine.suggest import (
    People,
    damped_rank_keys,
    informative_terms,
    interests_reason,
    rule_counts,
    score_one,
    shared_terms,
    text_counts,
    tfidf_rows,
    tokens_of,
)
from wagtail_mentoring.matching.pools import _utc_offset_minutes, default_config
from wagtail_mentoring.matching.suggestion_table import (
    CHAIN_DEPTH,
    SLOTS,
    MentorTable,
)
from wagtail_mentoring.people.models import (
    AVAILABILITY_SLOTS,
    EmployeeProfile,
    Interest,
    Skill,
)
from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    OPEN_RELATIONSHIP_STATUSES,
    PARTNER_ROLE,
    Enrollment,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sql import compiled_once

logger = logging.getLogger(__name__)


@dataclass
class Suggestion:
    enrollment: Enrollment
    remaining: int
    score: float | None = None
    reasons: list[str] = field(default_factory=list)
    load: int = 0

    @property
    def user(self):
        return self.enrollment.user

    @property
    def profile(self):
        return getattr(self.enrollment.user, "mentoring_profile", None)

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


@dataclass
class MentorSearch:
    """What *Find a mentor* shows: the suggestions, or why there are none."""

    suggestions: list[Suggestion]
    #: mentors with a place this mentee may ask for, before the program's rules
    with_room: int = 0
    #: when every one of them fails a rule: rule code → how many it rules out
    blocked_by: dict[str, int] = field(default_factory=dict)

    @property
    def nobody_has_room(self) -> bool:
        return not self.suggestions and not self.with_room

    @property
    def nobody_passes_rules(self) -> bool:
        return not self.suggestions and bool(self.with_room)


def reason_text(reason) -> str:
    """A translatable sentence for an engine reason (code + params)."""

    params = reason.params or {}
    names = ", ".join(str(n) for n in params.get("names", []))
    code = reason.code
    if code == "shared_skills" and names:
        return _("Can help with %(names)s") % {"names": names}
    if code == "shared_goals" and names:
        return _("Shares your interests: %(names)s") % {"names": names}
    if code == "shared_languages" and names:
        return _("Speaks %(names)s") % {"names": names}
    if code == "availability" and params.get("count"):
        n = int(params["count"])
        return ngettext(
            "%(n)d shared free time slot", "%(n)d shared free time slots", n
        ) % {"n": n}
    if code == "shared_interests" and params.get("terms"):
        return _("You both mention %(terms)s") % {"terms": ", ".join(params["terms"])}
    if code == "seniority_gap" and "levels" in params:
        n = abs(int(params["levels"]))
        return ngettext("%(n)d career level apart", "%(n)d career levels apart", n) % {
            "n": n
        }
    return reason.text


#: What a rule means for the mentee reading *Find a mentor*, and what they can do.
RULE_ADVICE = {
    "reporting_line": _lazy("they are in your reporting line"),
    "same_manager": _lazy("they report to the same manager as you"),
    "seniority": _lazy("they are not senior enough for this program"),
    "department": _lazy("the program pairs people by department"),
    "time_zone": _lazy("their time zone is too far from yours"),
    "language": _lazy("they speak none of the languages on your profile"),
    "below_min_score": _lazy("they are not a close enough match yet"),
    "previous_partner": _lazy("you were paired with them before"),
    "opted_out": _lazy("the pairing was ruled out"),
    "rejected": _lazy("the pairing was ruled out"),
}


def blocked_text(blocked: dict[str, int]) -> list[str]:
    """``{"language": 3}`` → ["3 mentors: they speak none of the languages…"]."""
    return [
        ngettext("%(n)d mentor: %(why)s", "%(n)d mentors: %(why)s", n)
        % {"n": n, "why": RULE_ADVICE.get(rule, rule)}
        for rule, n in sorted(blocked.items(), key=lambda item: -item[1])
        if n and rule in RULE_ADVICE
    ]


def _rotation(mentee_pk, mentor_pk, week) -> float:
    """A stable 0–1 tie-break per mentee, mentor and ISO week."""
    digest = hashlib.sha256(f"{mentee_pk}:{mentor_pk}:{week}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _chain_fields(depth: int) -> list[str]:
    fields = list(suggestion_table.PROFILE_FIELDS)
    for d in range(1, depth + 1):
        prefix = "manager__mentoring_profile__" * d
        fields += [
            f"{prefix}{name}" for name in ("user_id", "goals", "bio", "manager_id")
        ]
    return fields


@dataclass
class _Mentee:
    people: People
    tokens: list[str]
    #: managers, nearest first: (user id, words or None without a profile);
    #: the line goes on only above those with a profile
    chain: list[tuple]
    languages: list[str]
    department: str
    location: str
    language_codes: list[int]
    skill_pks: list  # codes beyond the table's vocabulary → pk
    interest_pks: list


@compiled_once
def _mentee_row(user_id):
    return (
        EmployeeProfile.objects.filter(user_id=user_id)
        .order_by()
        .values_list(*_chain_fields(CHAIN_DEPTH))[:1]
    )


def _mentee(user_id, table: MentorTable, at, tags: dict) -> _Mentee:
    """The mentee's features in the table's codes (one query); ``tags``, their
    wanted skills (0) and interests (1), come with :func:`_changing`."""
    found = _mentee_row(user_id) if user_id is not None else []
    row = found[0] if found else None
    n_base = len(suggestion_table.PROFILE_FIELDS)
    if row is None:
        profile = (None, user_id, 0, "", "", "", None, [], [], "", "")
        chain_cells = ()
    else:
        profile, chain_cells = row[:n_base], row[n_base:]
    pid, _u, level, dep, loc, tz, mgr, langs, avail, goals, bio = profile
    chain = []
    manager = mgr
    for d in range(CHAIN_DEPTH):
        if manager is None:
            break
        uid, c_goals, c_bio, above = chain_cells[4 * d : 4 * d + 4]
        if uid is None:
            chain.append((manager, None))
            break
        chain.append((uid, tokens_of(f"{c_goals} {c_bio}".strip())))
        manager = above

    def coded(pks, codes: dict, extra: list) -> list[int]:
        out = []
        for pk in pks:
            if pk not in codes:
                extra.append(pk)
                out.append(len(codes) + len(extra) - 1)
            else:
                out.append(codes[pk])
        return out

    skill_extra: list = []
    interest_extra: list = []
    wanted = coded(tags[0], table.skill_codes, skill_extra)
    goals_c = coded(tags[1], table.interest_codes, interest_extra)
    lang_extra: list = []
    lang_codes = []
    for code in langs or ():
        if code in table.language_codes:
            lang_codes.append(table.language_codes[code])
        else:
            if code not in lang_extra:
                lang_extra.append(code)
            lang_codes.append(len(table.language_codes) + lang_extra.index(code))

    def place(label: str, codes) -> int:
        if not (label or "").strip():
            return -1
        return codes.get(suggestion_table._fold(label), len(codes))

    words = tokens_of(f"{goals} {bio}".strip()) if pid is not None else []
    width = table.people.skills_offered.shape[1]
    people = People(
        level=np.array([level or 0], np.int64),
        department=np.array([place(dep, table.department_codes)], np.int64),
        location=np.array([place(loc, table.location_codes)], np.int64),
        utc_offset=np.array([_utc_offset_minutes(tz, at) if tz else 0], np.int64),
        timezone_known=np.array([bool(tz)]),
        languages=multi_hot(
            [lang_codes], max(1, len(table.language_codes) + len(lang_extra))
        ),
        skills_offered=multi_hot([[]], max(1, width)),
        skills_wanted=multi_hot([wanted], max(1, width + len(skill_extra))),
        goals=multi_hot(
            [goals_c],
            max(1, table.people.goals.shape[1] + len(interest_extra)),
        ),
        availability=multi_hot(
            [[SLOTS[s] for s in avail or () if s in SLOTS]], len(SLOTS)
        ),
        text_tf=text_counts([words], table.dim),
    )
    return _Mentee(
        people,
        words,
        chain,
        [*table.language_codes, *lang_extra],
        dep or "",
        loc or "",
        lang_codes,
        skill_extra,
        interest_extra,
    )


def _changing(enrollment: Enrollment, role) -> tuple[dict, dict, list, set, dict]:
    """What changes between requests, in one query: places taken (by mentor
    user), live requests (by mentor enrollment), who left, the mentee's current
    and earlier partners in the program (a rematch means someone new), and the
    mentee's wanted skills and interests (for :func:`_mentee`).

    Rows are (kind, a user's key, another row's key, count): a user's key may
    be a UUID, so it has a column of its own, typed in every part.
    """
    found: tuple = ({}, {}, [], set(), {0: [], 1: []})
    rows = _changing_rows(enrollment.program_id, enrollment.user_id, str(role))
    for kind, user, row, n in rows:
        if kind == 0:
            found[0][user] = n
        elif kind == 1:
            found[1][row] = n
        elif kind == 2:
            found[2].append(user)
        elif kind == 3:
            found[3].add(user)
        else:
            found[4][kind - 4].append(row)
    return found


@compiled_once
def _changing_rows(program_id, user_id, role):
    no_user = Cast(Value(None), output_field=get_user_model()._meta.pk)
    no_row = Cast(Value(None), output_field=BigIntegerField())

    def part(kind: int, queryset, user=None, row=None, counted=False):
        n = Count("pk") if counted else Value(0, output_field=IntegerField())
        key = user or row
        return (
            queryset.order_by()
            .values(key)
            .annotate(n=n)
            .values_list(
                Value(kind, output_field=IntegerField()),
                F(user) if user else no_user,
                F(row) if row else no_row,
                "n",
            )
        )

    taken = part(
        0,
        RelationshipMember.objects.filter(
            role=role,
            relationship__program_id=program_id,
            relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
        ),
        user="user_id",
        counted=True,
    )
    load = part(
        1,
        MentorRequest.objects.filter(
            mentor_enrollment__program_id=program_id,
            status__in=LIVE_REQUEST_STATUSES,
        ),
        row="mentor_enrollment_id",
        counted=True,
    )
    # people who left: a scan of the user table, cheaper than joining it
    gone = part(2, get_user_model().objects.filter(is_active=False), user="pk")
    partners = part(
        3,
        RelationshipMember.objects.filter(
            relationship__program_id=program_id,
            relationship__members__user_id=user_id,
        ),
        user="user_id",
    )
    tags = [
        part(
            kind,
            getattr(EmployeeProfile, name).through.objects.filter(
                employeeprofile__user_id=user_id
            ),
            row=column,
        )
        for kind, name, column in (
            (4, "skills_wanted", "skill_id"),
            (5, "interests", "interest_id"),
        )
    ]
    return taken.union(load, gone, partners, *tags, all=True)


def search_mentors(enrollment: Enrollment, limit: int = 10) -> MentorSearch:
    """Ranked mentor suggestions for a mentee (or sponsee) enrollment, and, when
    there are none, whether nobody has room or nobody passes the rules.

    A fixed number of queries whatever the size of the program; the mentor side
    comes from :func:`suggestion_table.mentor_table` (see there for what
    rebuilds it)."""
    role = PARTNER_ROLE.get(Role(enrollment.role))
    if role not in GIVING_ROLES:  # peers find each other through search_peers
        return MentorSearch([])
    program = enrollment.program
    config = default_config(program)
    table = suggestion_table.mentor_table(program, role, config.text_dim)
    if not table.enrollment_pk.size:
        return MentorSearch([])
    at = timezone.now()
    per_place = max(1, int(mentoring_settings.SUGGESTION_EXPOSURE_PER_PLACE))

    taken_by_user, load_by_pk, gone, partners, tags = _changing(enrollment, role)
    gone_rows = [table.row_of[u] for u in gone if u in table.row_of]
    mentee = _mentee(enrollment.user_id, table, at, tags)

    n_people = len(table.user_ids)
    taken_row = np.zeros(n_people, np.int64)
    off_row = np.zeros(n_people, bool)
    for uid, n in taken_by_user.items():
        if uid in table.row_of:
            taken_row[table.row_of[uid]] = n
    for uid in (*partners, enrollment.user_id):
        if uid in table.row_of:
            off_row[table.row_of[uid]] = True
    off_row[gone_rows] = True
    e_pk, e_row = table.enrollment_pk, table.enrollment_row
    load = np.zeros(e_pk.size, np.int64)
    if load_by_pk:
        asked = np.fromiter(load_by_pk, np.int64, len(load_by_pk))
        pos = np.searchsorted(e_pk, asked, sorter=table.pk_order)
        pos = table.pk_order[np.minimum(pos, e_pk.size - 1)]
        hit = e_pk[pos] == asked
        load[pos[hit]] = np.fromiter(load_by_pk.values(), np.int64)[hit]
    capacity = np.where(
        table.capacity > 0, table.capacity, program.default_mentor_capacity
    )
    remaining = capacity - taken_row[e_row]
    ok = ~off_row[e_row] & (remaining > 0) & (load < remaining * per_place)
    avail = np.flatnonzero(ok)  # candidate order
    if not avail.size:
        return MentorSearch([])
    rows = e_row[avail]

    # who a matching run would hold as people: the tf-idf population
    mentee_row = table.row_of.get(enrollment.user_id, -1)
    in_run = np.zeros(n_people, bool)
    in_run[rows] = True
    anc = table.ancestors[rows]
    in_run[anc[anc >= 0]] = True
    extras: dict = {}
    if mentee_row >= 0:
        in_run[mentee_row] = True
    else:
        extras[enrollment.user_id] = mentee.tokens
    for uid, words in mentee.chain:
        if words is None:
            continue  # no profile: in the run only if a candidate already
        if uid in table.row_of:
            in_run[table.row_of[uid]] = True
        else:
            extras.setdefault(uid, words)
    population = int(in_run.sum()) + len(extras)
    df = np.bincount(
        table.text.col[in_run[table.text.row]], minlength=table.dim
    ).astype(np.int64)
    if extras:
        df += (text_counts(list(extras.values()), table.dim) > 0).sum(axis=0)

    # pair rules of the org chart, as a run links people: through managers
    # with a profile, up to anyone in the run (the mentee, a candidate)
    pair_rule = np.full(rows.size, -1, np.int64)
    depth = min(config.reporting_line_depth, CHAIN_DEPTH)
    chain_rows = [table.row_of.get(uid, -1) for uid, _w in mentee.chain]
    if depth > 0:
        line = np.isin(rows, [r for r in chain_rows[:depth] if r >= 0])
        me = table.person_code.get(enrollment.user_id, -2)
        line |= (table.above[rows, :depth] == me).any(axis=1)
        pair_rule[line] = 1
    if config.exclude_same_manager and mentee.chain:
        boss, words = mentee.chain[0]
        boss_row = chain_rows[0]
        linked = (
            words is not None
            or boss == enrollment.user_id
            or (boss_row >= 0 and bool(np.isin(boss_row, rows)))
        )
        if linked and boss in table.person_code:
            same = (table.above[rows, 0] == table.person_code[boss]) & (pair_rule < 0)
            pair_rule[same] = 2

    offsets = np.array(
        [_utc_offset_minutes(zone, at) for zone in table.zones] or [0], np.int64
    )
    code = table.timezone_code
    people = replace(
        table.people, utc_offset=np.where(code >= 0, offsets[np.maximum(code, 0)], 0)
    )
    try:
        scored = score_one(
            mentee.people,
            people,
            rows,
            config,
            pair_rule=pair_rule,
            text_df=df,
            text_n=population,
            text=table.text,
        )
    except MatchingError:
        # Suggesting someone the rules might forbid is worse than suggesting
        # no one; the page then says no mentor is available right now.
        logger.exception("matching engine refused the suggestion problem")
        return MentorSearch([], with_room=int(avail.size))
    allowed = np.flatnonzero(scored.score >= 0)
    if not allowed.size:
        return MentorSearch(
            [], with_room=int(avail.size), blocked_by=rule_counts(scored.rule)
        )

    # rank: damped score to the hundredth, places left, this week's rotation
    a_rem = remaining[avail][allowed]
    a_load = load[avail][allowed]
    _damped, hundredths = damped_rank_keys(
        scored.score[allowed], a_load, a_rem, per_place
    )
    key = hundredths * 65536 + a_rem
    if allowed.size > limit > 0:
        cut = np.partition(key, allowed.size - limit)[allowed.size - limit]
        contenders = np.flatnonzero(key >= cut)
    else:
        contenders = np.arange(allowed.size)
    week = timezone.localdate().isocalendar()[:2]
    pks = e_pk[avail][allowed]
    shown = sorted(
        contenders.tolist(),
        key=lambda c: (
            -hundredths[c],
            -a_rem[c],
            _rotation(enrollment.pk, int(pks[c]), week),
            c,
        ),
    )[:limit]
    if not shown:
        return MentorSearch([], with_room=int(avail.size))
    at_shown = allowed[shown]
    reasons = _explain(
        mentee, table, people, rows, at_shown, scored, config, in_run, extras, df
    )
    instances = {
        e.pk: e for e in _with_people(tuple(sorted(int(pks[c]) for c in shown)))
    }
    for instance in instances.values():
        instance.program = program  # the page already loaded, not joined again
    suggestions = [
        Suggestion(
            instances[int(pks[c])],
            remaining=int(a_rem[c]),
            score=float(scored.score[allowed[c]] / SCORE_SCALE),
            reasons=reasons[k],
            load=int(a_load[c]),
        )
        for k, c in enumerate(shown)
    ]
    return MentorSearch(suggestions, with_room=int(avail.size))


@compiled_once
def _with_people(enrollment_keys):
    return (
        Enrollment.objects.select_related("user", "user__mentoring_profile")
        .filter(pk__in=enrollment_keys)
        .order_by()
    )


def _explain(mentee, table, people, rows, at_shown, scored, config, in_run, extras, df):
    """Reasons of the mentors shown, as a matching run words them: a problem of
    the mentee and these mentors only, with the run's codes and labels."""
    sel = rows[at_shown]
    k = sel.size

    def lists(mat, idx) -> list[list[int]]:
        return [mat.indices[mat.indptr[r] : mat.indptr[r + 1]].tolist() for r in idx]

    # languages coded as a run codes them: the mentee's first, in their order
    order = list(dict.fromkeys(mentee.language_codes))
    mentor_langs = lists(table.people.languages, sel)
    for langs in mentor_langs:
        order += [c for c in langs if c not in order]
    recode = {c: i for i, c in enumerate(order)}
    lang_rows = [[recode[c] for c in mentee.language_codes]] + [
        [recode[c] for c in langs] for langs in mentor_langs
    ]
    skill_w = mentee.people.skills_wanted.shape[1]
    goal_w = mentee.people.goals.shape[1]

    def two(left, right_mat, width):
        return multi_hot([left] + lists(right_mat, sel), width)

    skills_wanted = two(
        lists(mentee.people.skills_wanted, [0])[0], table.people.skills_wanted, skill_w
    )
    skills_offered = two([], table.people.skills_offered, skill_w)
    goals = two(lists(mentee.people.goals, [0])[0], table.people.goals, goal_w)
    availability = two(
        lists(mentee.people.availability, [0])[0], table.people.availability, len(SLOTS)
    )
    # labels: departments as first written in the run's order (mentee, then
    # candidates in the order listed), places as the mentee wrote them
    dep = np.concatenate([mentee.people.department, people.department[sel]])
    loc = np.concatenate([mentee.people.location, people.location[sel]])
    dep_labels = [""] * (int(dep.max(initial=-1)) + 1)
    listed = people.department[rows]
    for c in set(dep[1:].tolist()) - {-1}:
        first = int(np.argmax(listed == c))
        dep_labels[c] = table.department_label[rows[first]]
    if dep[0] >= 0:
        dep_labels[dep[0]] = mentee.department.strip()
    loc_labels = [""] * (int(loc.max(initial=-1)) + 1)
    if loc[0] >= 0:
        loc_labels[loc[0]] = mentee.location.strip()
    skill_pk = [*table.skill_codes, *mentee.skill_pks]
    interest_pk = [*table.interest_codes, *mentee.interest_pks]
    wanted_s = {c for r in lists(skills_offered, range(k + 1)) for c in r} | set(
        lists(skills_wanted, [0])[0]
    )
    wanted_g = {c for r in lists(goals, range(k + 1)) for c in r}
    names = _names(skill_pk, wanted_s, interest_pk, wanted_g)
    problem = MatchingProblem(
        person_ids=np.arange(k + 1),
        level=np.concatenate([mentee.people.level, people.level[sel]]),
        department=dep,
        location=loc,
        utc_offset=np.concatenate([mentee.people.utc_offset, people.utc_offset[sel]]),
        timezone_known=np.concatenate(
            [mentee.people.timezone_known, people.timezone_known[sel]]
        ),
        manager=np.full(k + 1, -1),
        languages=multi_hot(lang_rows, max(1, len(order))),
        skills_offered=skills_offered,
        skills_wanted=skills_wanted,
        goals=goals,
        availability=availability,
        mentees=np.array([0]),
        mentors=np.arange(1, k + 1),
        mentor_capacity=np.ones(k, np.int64),
        labels=Vocabularies(
            skills=[names[0].get(pk, "") for pk in skill_pk],
            goals=[names[1].get(pk, "") for pk in interest_pk],
            languages=[mentee.languages[c] for c in order],
            departments=dep_labels,
            locations=loc_labels,
            availability=[str(label) for _code, label in AVAILABILITY_SLOTS],
        ),
    )
    problem.validate()
    population = int(in_run.sum()) + len(extras)
    vectors = np.vstack(
        [
            scored.mentee_vector[None, :],
            tfidf_rows(table.people.text_tf[sel], df, population),
        ]
    )
    pairs = np.column_stack([np.zeros(k, np.int64), np.arange(k)])
    explained = explain_pairs(problem, config, pairs, None, vectors)
    # the interests reason names words few of the run's people wrote
    word_df = {}
    for word in set(mentee.tokens):
        col = table.word_col.get(word)
        n = 0
        if col is not None:
            holders = table.words.indices[
                table.words.indptr[col] : table.words.indptr[col + 1]
            ]
            n = int(in_run[holders].sum())
        word_df[word] = n + sum(word in words for words in extras.values())
    ranked = informative_terms(mentee.tokens, word_df, population)
    out = []
    for e, r in zip(explained, sel.tolist(), strict=True):
        reasons = [
            interests_reason(shared_terms(ranked, set(table.tokens[r])))
            if reason.code == "shared_interests"
            else reason
            for reason in e.reasons
        ]
        out.append([reason_text(reason) for reason in reasons])
    return out


def _names(skill_pk, skill_codes, interest_pk, interest_codes) -> tuple[dict, dict]:
    """Names of the skills and interests an explanation may name: one query."""
    out: tuple[dict, dict] = ({}, {})
    skills = tuple(sorted({int(skill_pk[c]) for c in skill_codes}))
    interests = tuple(sorted({int(interest_pk[c]) for c in interest_codes}))
    if not (skills or interests):
        return out
    for which, pk, name in _names_of(skills, interests):
        out[which][pk] = name
    return out


@compiled_once
def _names_of(skill_keys, interest_keys):
    skills = Skill.objects.filter(pk__in=skill_keys)
    interests = Interest.objects.filter(pk__in=interest_keys)
    kind = IntegerField()
    return (
        skills.order_by()
        .values_list(Value(0, output_field=kind), "pk", "name")
        .union(
            interests.order_by().values_list(Value(1, output_field=kind), "pk", "name"),
            all=True,
        )
    )


def suggest_mentors(enrollment: Enrollment, limit: int = 10) -> list[Suggestion]:
    """Ranked mentor suggestions for a mentee (or sponsee) enrollment."""
    return search_mentors(enrollment, limit).suggestions
