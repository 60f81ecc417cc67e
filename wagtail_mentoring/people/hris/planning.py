"""HRIS import, the dry run: what a file would create, change and deactivate.

Two passes: people first, then managers, so the order of the file does not
matter and a manager cycle is refused before anything is written. People are
keyed by their employee id, so importing the same file again changes nothing;
a person seen for the first time is matched to a host account by email or
sign-in name (``HrisMapping.match_users_by``). Every database read is done per
batch (``BATCH_SIZE`` people), so the number of queries grows with the number
of batches, never with the number of people.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from wagtail_mentoring.people.hris import parsing
from wagtail_mentoring.people.hris.models import (
    HrisMapping,
    UserMatchKey,
)
from wagtail_mentoring.people.models import LANGUAGE_CHOICES, EmployeeProfile, Skill
from wagtail_mentoring.people.users import display_name

BATCH_SIZE = 1000
#: How many created/changed people and row errors a dry run lists.
LISTED = 2000
PROFILE_FIELDS = ("title", "department", "location", "timezone", "level")
_LIMITS = {"employee_id": 64, "title": 150, "department": 100, "location": 100}
_TRUE = {"1", "true", "yes", "y", "active", "a", "t"}
_FALSE = {"0", "false", "no", "n", "inactive", "terminated", "i", "f", "d"}
_SPLIT = re.compile(r"[,;|]")


@dataclass
class Person:
    """One valid row of the file."""

    line: int
    employee_id: str
    values: dict
    user: object = None  # the matched host user, None for one to create
    profile: EmployeeProfile | None = None
    changes: list[str] = field(default_factory=list)
    new_profile: bool = False
    manager_id: str = ""


@dataclass
class Plan:
    """What applying a file would do; nothing is written to make it."""

    rows: int = 0
    encoding: str = ""
    people: list[Person] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    deactivate: list = field(default_factory=list)  # users
    new_skills: set[str] = field(default_factory=set)

    @property
    def created(self) -> list[Person]:
        return [p for p in self.people if p.new_profile]

    @property
    def changed(self) -> list[Person]:
        return [p for p in self.people if p.changes and not p.new_profile]

    def summary(self) -> dict:
        """JSON the dry-run page shows (lists capped at ``LISTED``)."""

        def people(items):
            return [
                {
                    "line": p.line,
                    "employee_id": p.employee_id,
                    "name": _name_of(p),
                    "fields": p.changes,
                    "new_user": p.user is None,
                }
                for p in items[:LISTED]
            ]

        created, changed = self.created, self.changed
        return {
            "rows": self.rows,
            "encoding": self.encoding,
            "counts": {
                "created": len(created),
                "new_users": sum(1 for p in created if p.user is None),
                "changed": len(changed),
                "unchanged": len(self.people) - len(created) - len(changed),
                "deactivated": len(self.deactivate),
                "skipped": len(self.skipped),
                "errors": len(self.errors),
            },
            "created": people(created),
            "changed": people(changed),
            "deactivated": [
                {"user": str(u.pk), "name": display_name(u)}
                for u in self.deactivate[:LISTED]
            ],
            "skipped": [list(s) for s in self.skipped[:LISTED]],
            "errors": [list(e) for e in self.errors[:LISTED]],
            "new_skills": sorted(self.new_skills)[:LISTED],
        }


def _name_of(person: Person) -> str:
    v = person.values
    name = " ".join(x for x in (v.get("first_name"), v.get("last_name")) if x)
    return name or v.get("full_name") or person.employee_id


def user_fields() -> set[str]:
    return {f.name for f in get_user_model()._meta.get_fields()}


def _key_field(mapping: HrisMapping) -> str:
    User = get_user_model()
    if mapping.match_users_by == UserMatchKey.EMAIL:
        return User.get_email_field_name()
    return User.USERNAME_FIELD


# --- pass 0: each row on its own ---------------------------------------------


class _RowError(Exception):
    pass


def _language_codes() -> dict[str, str]:
    codes = {}
    for code, label in LANGUAGE_CHOICES:
        codes[code.lower()] = code
        codes[str(label).lower()] = code
    return codes


def _clean_row(values: dict, zones: set[str], languages: dict[str, str]) -> dict:
    clean, problems = {}, []
    for name, value in values.items():
        try:
            _clean_value(clean, name, value.strip(), zones, languages)
        except _RowError as error:
            problems.append(str(error))
    if problems:
        raise _RowError("; ".join(problems))
    return clean


def _clean_value(clean, name, value, zones, languages) -> None:
    if name in _LIMITS and len(value) > _LIMITS[name]:
        raise _RowError(
            _("%(field)s is longer than %(n)d characters.")
            % {"field": name, "n": _LIMITS[name]}
        )
    if name == "level":
        if not value:
            clean[name] = None
            return
        try:
            level = int(float(value))
        except ValueError:
            raise _RowError(
                _("level “%(value)s” is not a whole number.") % {"value": value}
            )
        if not 1 <= level <= 20:
            raise _RowError(_("level must be from 1 to 20."))
        clean[name] = level
    elif name == "timezone":
        if value and value not in zones:
            raise _RowError(
                _("“%(value)s” is not a known time zone.") % {"value": value}
            )
        clean[name] = value
    elif name == "languages":
        codes = []
        for part in filter(None, (p.strip() for p in _SPLIT.split(value))):
            code = languages.get(part.lower())
            if code is None:
                raise _RowError(
                    _("“%(value)s” is not a known language.") % {"value": part}
                )
            codes.append(code)
        clean[name] = sorted(set(codes))
    elif name == "skills":
        clean[name] = sorted(
            {p.strip()[:100] for p in _SPLIT.split(value) if p.strip()}
        )
    elif name == "active":
        if not value:
            clean[name] = None
        elif value.lower() in _TRUE:
            clean[name] = True
        elif value.lower() in _FALSE:
            clean[name] = False
        else:
            raise _RowError(
                _("active “%(value)s” is neither yes nor no.") % {"value": value}
            )
    else:
        clean[name] = value


# --- pass 1: people -----------------------------------------------------------


def batches(items, size=None):
    size = size or BATCH_SIZE
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_people(plan: Plan, mapping: HrisMapping) -> None:
    User = get_user_model()
    key = _key_field(mapping)
    key_is_email = mapping.match_users_by == UserMatchKey.EMAIL
    claimed: dict = {}  # user pk → line that claimed it
    kept = []
    for batch in batches(plan.people):
        by_id = {
            p.employee_id: p
            for p in EmployeeProfile.objects.filter(
                employee_id__in=[p.employee_id for p in batch]
            ).select_related("user")
        }
        unmatched = [p for p in batch if p.employee_id not in by_id]
        keys = {}
        for person in unmatched:
            value = person.values.get(mapping.match_users_by, "")
            if value:
                keys[value.lower() if key_is_email else value] = person
        users = {}
        if keys:
            query = User.objects.select_related("mentoring_profile")
            if key_is_email:
                query = query.annotate(_wm_key=Lower(key)).filter(
                    _wm_key__in=list(keys)
                )
            else:
                query = query.filter(**{f"{key}__in": list(keys)})
            for user in query:
                value = getattr(user, key) or ""
                users[value.lower() if key_is_email else value] = user
        for person in batch:
            profile = by_id.get(person.employee_id)
            if profile is not None:
                person.profile, person.user = profile, profile.user
            else:
                value = person.values.get(mapping.match_users_by, "")
                user = users.get(value.lower() if key_is_email else value)
                if user is not None:
                    profile = getattr(user, "mentoring_profile", None)
                    if profile is not None and profile.employee_id not in (
                        None,
                        "",
                        person.employee_id,
                    ):
                        plan.errors.append(
                            (
                                person.line,
                                person.employee_id,
                                _("the account %(key)s belongs to employee id %(id)s.")
                                % {"key": value, "id": profile.employee_id},
                            )
                        )
                        continue
                    person.user, person.profile = user, profile
                elif not value:
                    plan.errors.append(
                        (
                            person.line,
                            person.employee_id,
                            _("no %(key)s to find the person's account by.")
                            % {"key": mapping.get_match_users_by_display().lower()},
                        )
                    )
                    continue
                elif not mapping.create_users:
                    plan.skipped.append(
                        (
                            person.line,
                            person.employee_id,
                            _(
                                "no account with %(key)s %(value)s "
                                "(creating accounts is off)."
                            )
                            % {
                                "key": mapping.get_match_users_by_display().lower(),
                                "value": value,
                            },
                        )
                    )
                    continue
            if person.user is not None:
                other = claimed.setdefault(person.user.pk, person.line)
                if other != person.line:
                    plan.errors.append(
                        (
                            person.line,
                            person.employee_id,
                            _("the same account as line %(line)d.") % {"line": other},
                        )
                    )
                    continue
            kept.append(person)
    plan.people = kept


def _skill_ids(profiles: list[EmployeeProfile]) -> dict[int, set[str]]:
    through = EmployeeProfile.skills.through
    names: dict[int, set[str]] = {p.pk: set() for p in profiles}
    for profile_id, name in through.objects.filter(
        employeeprofile_id__in=list(names)
    ).values_list("employeeprofile_id", "skill__name"):
        names[profile_id].add(name.lower())
    return names


def _diff(plan: Plan) -> None:
    names = user_fields()
    known_skills = {n.lower() for n in Skill.objects.values_list("name", flat=True)}
    for batch in batches(plan.people):
        existing = [p.profile for p in batch if p.profile is not None]
        skills = _skill_ids(existing) if existing else {}
        for person in batch:
            v, profile, changes = person.values, person.profile, []
            if profile is None:
                person.new_profile = True
                changes.append("profile")
            for name in PROFILE_FIELDS:
                if name not in v:
                    continue
                if profile is None:
                    if v[name] not in ("", None):
                        changes.append(name)
                elif getattr(profile, name) != v[name]:
                    changes.append(name)
            if profile is None or profile.employee_id != person.employee_id:
                changes.append("employee_id")
            if (
                "languages" in v
                and sorted(getattr(profile, "languages", None) or [])
                != (v["languages"])
            ):
                changes.append("languages")
            if "skills" in v:
                wanted = {s.lower() for s in v["skills"]}
                plan.new_skills |= {
                    s for s in v["skills"] if s.lower() not in known_skills
                }
                have = skills.get(profile.pk, set()) if profile is not None else set()
                if wanted != have:
                    changes.append("skills")
            if person.user is not None:
                for name in name_fields(v, names):
                    if (getattr(person.user, name) or "") != user_value(v, name):
                        changes.append(name)
            person.changes = changes


def name_fields(values: dict, names: set[str]) -> list[str]:
    fields = []
    for name in ("first_name", "last_name"):
        if name in names and (name in values or "full_name" in values):
            fields.append(name)
    return fields


def user_value(values: dict, name: str) -> str:
    if "first_name" in values or "last_name" in values:
        return values.get(name, "")[:150]
    first, _sep, last = (values.get("full_name") or "").rpartition(" ")
    if not first:
        first, last = last, ""
    return (first if name == "first_name" else last)[:150]


# --- pass 2: managers ---------------------------------------------------------


def _managers(plan: Plan, mapping: HrisMapping) -> None:
    if "manager" not in mapping.columns or not mapping.columns.get("manager"):
        return
    in_file = {p.employee_id: p for p in plan.people}
    # The org chart as the database has it, for people the file does not list:
    # a cycle can run through them.
    graph: dict[str, str] = {}
    known: dict[str, object] = {}
    for employee_id, user_id, manager_id in EmployeeProfile.objects.exclude(
        employee_id=None
    ).values_list("employee_id", "user_id", "manager__mentoring_profile__employee_id"):
        known[employee_id] = user_id
        if manager_id:
            graph[employee_id] = manager_id
    bad = set()
    for person in plan.people:
        wanted = person.values.get("manager", "")
        if wanted == person.employee_id:
            plan.errors.append(
                (
                    person.line,
                    person.employee_id,
                    _("a person cannot manage themselves."),
                )
            )
            bad.add(person.employee_id)
            continue
        if wanted and wanted not in in_file and wanted not in known:
            plan.errors.append(
                (
                    person.line,
                    person.employee_id,
                    _("manager %(id)s is neither in the file nor known here.")
                    % {"id": wanted},
                )
            )
            bad.add(person.employee_id)
            continue
        graph.pop(person.employee_id, None)
        if wanted:
            graph[person.employee_id] = wanted
    for person in plan.people:
        if person.employee_id in bad:
            continue
        seen, node = [person.employee_id], graph.get(person.employee_id)
        while node is not None and node not in seen and len(seen) < 10_000:
            seen.append(node)
            node = graph.get(node)
        if node == person.employee_id:
            plan.errors.append(
                (
                    person.line,
                    person.employee_id,
                    _("manager cycle: %(chain)s.")
                    % {"chain": " → ".join(seen + [node])},
                )
            )
            bad.add(person.employee_id)
    plan.people = [p for p in plan.people if p.employee_id not in bad]
    current = {p.employee_id: p.profile.manager_id for p in plan.people if p.profile}
    for person in plan.people:
        wanted = person.values.get("manager", "")
        person.manager_id = wanted
        target = in_file.get(wanted)
        manager_pk = (
            (target.user.pk if target.user else None) if target else known.get(wanted)
        )
        if not wanted:
            if current.get(person.employee_id) is not None:
                person.changes.append("manager")
        elif target is not None and target.user is None:
            person.changes.append("manager")  # an account this import creates
        elif manager_pk is None:
            plan.skipped.append(
                (person.line, person.employee_id, _("the manager has no account here."))
            )
        elif current.get(person.employee_id) != manager_pk:
            person.changes.append("manager")


def _deactivations(plan: Plan, mapping: HrisMapping, listed: set[str], by) -> None:
    User = get_user_model()
    ids = [
        p.user.pk
        for p in plan.people
        if p.user is not None and p.values.get("active") is False and p.user.is_active
    ]
    if mapping.deactivate_missing:
        ids += [
            user_id
            for user_id, employee_id in EmployeeProfile.objects.filter(
                user__is_active=True
            )
            .exclude(employee_id=None)
            .values_list("user_id", "employee_id")
            if employee_id not in listed
        ]
    users = []
    for batch in batches(list(dict.fromkeys(ids))):
        for user in User.objects.filter(pk__in=batch, is_active=True):
            # Trust: an import never locks out the person running it, nor a
            # superuser (who may be the only one able to undo it).
            if user.is_superuser or (by is not None and user.pk == by.pk):
                plan.skipped.append(
                    (
                        0,
                        "",
                        _("%(name)s is not deactivated by an import.")
                        % {"name": display_name(user)},
                    )
                )
                continue
            users.append(user)
    plan.deactivate = users


# --- the plan ----------------------------------------------------------------


def plan_import(mapping: HrisMapping, content: bytes, by=None) -> Plan:
    """What importing ``content`` with ``mapping`` would change (a dry run)."""
    parsed = parsing.parse(content, mapping.columns, mapping.header_rows)
    plan = Plan(rows=len(parsed.rows), encoding=parsed.encoding)
    zones = zoneinfo.available_timezones()
    languages = _language_codes()
    seen: dict[str, int] = {}
    listed: set[str] = set()
    for line, values in parsed.rows:
        employee_id = (values.get("employee_id") or "").strip()
        if not employee_id:
            plan.errors.append((line, "", _("no employee id.")))
            continue
        listed.add(employee_id)
        if employee_id in seen:
            plan.errors.append(
                (
                    line,
                    employee_id,
                    _("employee id also on line %(line)d.")
                    % {"line": seen[employee_id]},
                )
            )
            continue
        seen[employee_id] = line
        try:
            clean = _clean_row(values, zones, languages)
        except _RowError as error:
            plan.errors.append((line, employee_id, str(error)))
            continue
        plan.people.append(Person(line, employee_id, clean))
    duplicates = {e for _l, e, _m in plan.errors if e and e in seen}
    plan.people = [p for p in plan.people if p.employee_id not in duplicates]
    _match_people(plan, mapping)
    _diff(plan)
    _managers(plan, mapping)
    _deactivations(plan, mapping, listed, by)
    plan.errors.sort()
    return plan
