"""HRIS import, the services: upload a file, apply its plan, run a saved import.

Applying re-plans from the stored file (``planning.plan_import``), so what is
written is what the dry run showed for those bytes, never re-posted data; writes
go per batch like the reads.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.hris import parsing, planning
from wagtail_mentoring.people.hris.models import (
    HrisImport,
    HrisImportStatus,
    HrisMapping,
)
from wagtail_mentoring.people.hris.planning import (
    PROFILE_FIELDS,
    Person,
    Plan,
    batches,
    name_fields,
    plan_import,
    user_fields,
    user_value,
)
from wagtail_mentoring.people.models import EmployeeProfile, Skill
from wagtail_mentoring.permissions import can_import_people_data, require

# --- apply -------------------------------------------------------------------


def _bulk_update(model, objs: list, fields: list[str]) -> None:
    """``bulk_update`` in batches; on PostgreSQL one ``UPDATE … FROM (VALUES
    …)`` per batch, which a database plans in a moment where Django's
    ``CASE WHEN`` per row and field takes seconds to build for a batch."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=planning.BATCH_SIZE)
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    pk = meta.pk
    casts = [pk.rel_db_type(connection)] + [c.db_type(connection) for c in columns]
    row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    names = ", ".join(quote(c) for c in ["pk", *(c.column for c in columns)])
    assignments = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        for batch in batches(objs):
            params = []
            for obj in batch:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                params += [
                    c.get_db_prep_save(getattr(obj, c.attname), connection)
                    for c in columns
                ]
            # Only quoted model metadata goes into the statement; every value
            # is a parameter.
            sql = (
                f"UPDATE {table} SET {assignments} FROM (VALUES "  # noqa: S608
                + ", ".join([row] * len(batch))
                + f") AS v({names}) WHERE {table}.{quote(pk.column)} = v.{quote('pk')}"
            )
            cursor.execute(sql, params)


def _new_user(person: Person, mapping: HrisMapping):
    User = get_user_model()
    names = user_fields()
    v = person.values
    fields = {}
    email_field = User.get_email_field_name()
    if email_field in names and v.get("email"):
        fields[email_field] = v["email"]
    if User.USERNAME_FIELD not in fields:
        fields[User.USERNAME_FIELD] = (
            v.get("username") or v.get("email") or (person.employee_id)
        )
    for name in name_fields(v, names):
        fields[name] = user_value(v, name)
    user = User(**fields, is_active=v.get("active") is not False)
    user.set_unusable_password()
    return user


def _apply_plan(plan: Plan, mapping: HrisMapping) -> dict:
    now = timezone.now()
    User = get_user_model()
    names = user_fields()
    to_create = [p for p in plan.people if p.user is None]
    created_here = {id(p) for p in to_create}
    for batch in batches(to_create):
        users = [_new_user(p, mapping) for p in batch]
        User.objects.bulk_create(users, batch_size=planning.BATCH_SIZE)
        if any(u.pk is None for u in users):  # a backend without RETURNING
            field = User.USERNAME_FIELD
            by_key = User.objects.in_bulk(
                [getattr(u, field) for u in users], field_name=field
            )
            users = [by_key[getattr(u, field)] for u in users]
        for person, user in zip(batch, users, strict=True):
            person.user = user
    # Profiles.
    new_profiles, changed_profiles, changed_users = [], [], []
    for person in plan.people:
        if not person.changes:
            continue
        profile = person.profile or EmployeeProfile(user=person.user)
        profile.employee_id = person.employee_id
        for name in PROFILE_FIELDS:
            if name in person.values:
                value = person.values[name]
                setattr(
                    profile, name, value if value is not None or name == "level" else ""
                )
        if "languages" in person.values:
            profile.languages = person.values["languages"]
        profile.updated_at = now
        person.profile = profile
        (new_profiles if profile.pk is None else changed_profiles).append(profile)
        if id(person) not in created_here:
            user_changes = [
                n for n in name_fields(person.values, names) if n in person.changes
            ]
            for name in user_changes:
                setattr(person.user, name, user_value(person.values, name))
            if user_changes:
                changed_users.append(person.user)
    EmployeeProfile.objects.bulk_create(new_profiles, batch_size=planning.BATCH_SIZE)
    if any(p.pk is None for p in new_profiles):
        by_user = EmployeeProfile.objects.in_bulk(
            [p.user_id for p in new_profiles], field_name="user"
        )
        for person in plan.people:
            if person.profile is not None and person.profile.pk is None:
                person.profile = by_user[person.user.pk]
    _bulk_update(
        EmployeeProfile,
        changed_profiles,
        ["employee_id", *PROFILE_FIELDS, "languages", "updated_at"],
    )
    changed_names = [n for n in ("first_name", "last_name") if n in names]
    if changed_users and changed_names:
        _bulk_update(User, changed_users, changed_names)
    _apply_skills(plan)
    # Pass 2: managers, now that every account and profile exists.
    by_employee = {p.employee_id: p.user.pk for p in plan.people}
    missing = {p.manager_id for p in plan.people if p.manager_id} - set(by_employee)
    for batch in batches(sorted(missing)):
        by_employee.update(
            EmployeeProfile.objects.filter(employee_id__in=batch).values_list(
                "employee_id", "user_id"
            )
        )
    managed = []
    for person in plan.people:
        if "manager" in person.changes:
            person.profile.manager_id = by_employee.get(person.manager_id)
            managed.append(person.profile)
    _bulk_update(EmployeeProfile, managed, ["manager"])
    # Leavers: through save(), so the account's post_save ends their
    # participation (relationships end early, future meetings cancelled).
    for user in plan.deactivate:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return plan.summary()["counts"]


def _apply_skills(plan: Plan) -> None:
    people = [p for p in plan.people if "skills" in p.changes]
    if not people:
        return
    wanted = {s for p in people for s in p.values["skills"]}
    existing = {s.name.lower(): s.pk for s in Skill.objects.all()}
    new = {s.lower(): s for s in wanted if s.lower() not in existing}
    Skill.objects.bulk_create(
        [Skill(name=name) for name in new.values()],
        batch_size=planning.BATCH_SIZE,
        ignore_conflicts=True,
    )
    if new:
        existing = {s.name.lower(): s.pk for s in Skill.objects.all()}
    through = EmployeeProfile.skills.through
    for batch in batches(people):
        through.objects.filter(
            employeeprofile_id__in=[p.profile.pk for p in batch]
        ).delete()
        through.objects.bulk_create(
            [
                through(employeeprofile_id=p.profile.pk, skill_id=existing[s.lower()])
                for p in batch
                for s in sorted({s.lower(): s for s in p.values["skills"]}.values())
            ],
            batch_size=planning.BATCH_SIZE,
        )


def _require(by) -> None:
    require(
        can_import_people_data(by),
        _("Importing people data takes the permission to change participant profiles."),
    )


def upload(mapping: HrisMapping, content: bytes, file_name: str, by) -> HrisImport:
    """Keep an uploaded file on the server and dry-run it."""
    _require(by)
    parsing.check_size(len(content))
    plan = plan_import(mapping, content, by)
    return HrisImport.objects.create(
        mapping=mapping,
        file_name=Path(file_name).name[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
        summary=plan.summary(),
    )


def apply_import(record: HrisImport, by, *, skip_bad_rows: bool = False) -> dict:
    """Apply the stored file (planned again against today's data): all or
    nothing, unless ``skip_bad_rows``. ``by=None`` is the scheduled import."""
    if by is not None:
        _require(by)
    with transaction.atomic():
        record = HrisImport.objects.select_for_update().get(pk=record.pk)
        if record.status == HrisImportStatus.APPLIED:
            raise MentoringError(_("This file was already applied."), code="applied")
        content = bytes(record.content)
        if hashlib.sha256(content).hexdigest() != record.sha256:
            raise MentoringError(_("The stored file was altered."), code="tampered")
        plan = plan_import(record.mapping, content, by)
        if plan.errors and not skip_bad_rows:
            raise MentoringError(
                _(
                    "Nothing was imported: %(n)d rows have errors. Correct the "
                    "file, or choose to skip bad rows."
                )
                % {"n": len(plan.errors)},
                code="rows",
            )
        counts = _apply_plan(plan, record.mapping)
        record.status = HrisImportStatus.APPLIED
        record.applied_at = timezone.now()
        record.summary = {**plan.summary(), "scheduled": by is None}
        record.save(update_fields=["status", "applied_at", "summary"])
        audit.record(
            record,
            "wagtail_mentoring.hris.apply",
            user=by,
            mapping=record.mapping.name,
            skip_bad_rows=skip_bad_rows,
            **counts,
        )
    return counts


def run_saved_import(mapping: HrisMapping, path, *, skip_bad_rows=False, by=None):
    """The nightly import: upload ``path`` with ``mapping`` and apply it."""
    content = Path(path).read_bytes()
    parsing.check_size(len(content))
    plan = plan_import(mapping, content, by)
    record = HrisImport.objects.create(
        mapping=mapping,
        file_name=Path(path).name[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=by,
        summary={**plan.summary(), "scheduled": by is None},
    )
    try:
        return record, apply_import(record, by, skip_bad_rows=skip_bad_rows)
    except MentoringError:
        record.status = HrisImportStatus.REFUSED
        record.save(update_fields=["status"])
        raise


def run_scheduled_imports(now=None) -> dict:
    """The nightly job: every import in ``HRIS_SCHEDULED_IMPORTS``, each on its
    own (one broken file or mapping does not stop the others), once a day
    from its ``hour`` (site time, 1 by default): cron hosts run the periodic
    jobs every few minutes. Each run is kept in the import history with its
    counts, a refused one too."""
    now = timezone.localtime(now)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    results = {}
    for entry in mentoring_settings.HRIS_SCHEDULED_IMPORTS:
        name, path = entry.get("mapping", ""), entry.get("path", "")
        if now.hour < int(entry.get("hour", 1)):
            continue
        try:
            mapping = HrisMapping.objects.get(name=name)
        except HrisMapping.DoesNotExist:
            results[name] = _("no saved mapping of that name")
            continue
        if mapping.imports.filter(
            file_name=Path(path).name[:255],
            uploaded_by=None,
            uploaded_at__gte=midnight,
            uploaded_at__lt=midnight + datetime.timedelta(days=1),
            summary__scheduled=True,
        ).exists():
            continue  # already ran today
        try:
            _record, counts = run_saved_import(
                mapping, path, skip_bad_rows=bool(entry.get("skip_bad_rows"))
            )
        except OSError as error:
            results[name] = _("cannot read %(path)s: %(error)s") % {
                "path": path,
                "error": error.strerror or error,
            }
        except MentoringError as error:
            results[name] = " ".join(error.messages)
        else:
            results[name] = counts
    return results
