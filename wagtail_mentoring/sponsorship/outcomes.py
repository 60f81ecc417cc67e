"""Career outcomes: entered by HR or imported from a CSV file, all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import policy_for, require
from wagtail_mentoring.programs.models import (
    ProgramKind,
    Relationship,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sponsorship.models import (
    CareerOutcome,
    CareerOutcomeKind,
    CareerOutcomeSource,
)

#: Columns of the import file; ``employee`` is the user's sign-in identifier.
CSV_COLUMNS = ["employee", "outcome", "date", "title", "from_level", "to_level"]
MAX_IMPORT_ROWS = 10_000

#: A career outcome was recorded or imported (``outcome``, ``by``), inside its
#: transaction.
outcome_recorded = Signal()


def sponsorship_on(employee_id, day: date) -> Relationship | None:
    """The sponsorship ``employee`` was a sponsee in on ``day``, if any."""
    members = RelationshipMember.objects.filter(
        user_id=employee_id,
        role=Role.SPONSEE,
        relationship__program__kind=ProgramKind.SPONSORSHIP,
        relationship__started_on__lte=day,
    ).select_related("relationship")
    for member in members.order_by("-relationship__started_on", "-pk"):
        relationship = member.relationship
        ended = relationship.ended_at
        if ended is None or timezone.localdate(ended) >= day:
            return relationship
    return None


def _validate(employee, kind: str, occurred_on: date, from_level, to_level) -> None:
    if kind not in CareerOutcomeKind.values:
        raise MentoringError(
            _("Unknown outcome %(kind)s (use one of: %(kinds)s).")
            % {"kind": kind, "kinds": ", ".join(CareerOutcomeKind.values)},
            code="kind",
        )
    if occurred_on > timezone.localdate():
        raise MentoringError(
            _("The date %(date)s is in the future.") % {"date": occurred_on},
            code="date",
        )
    for level in (from_level, to_level):
        if level is not None and not 1 <= level <= 20:
            raise MentoringError(
                _("Levels are whole numbers from 1 to 20."), code="level"
            )
    if (
        kind == CareerOutcomeKind.PROMOTION
        and from_level is not None
        and to_level is not None
        and to_level <= from_level
    ):
        raise MentoringError(
            _("A promotion goes to a higher level than before."), code="level"
        )
    if CareerOutcome.objects.filter(
        employee=employee, kind=kind, occurred_on=occurred_on
    ).exists():
        raise MentoringError(
            _("%(name)s already has a %(kind)s on %(date)s.")
            % {
                "name": display_name(employee),
                "kind": CareerOutcomeKind(kind).label.lower(),
                "date": occurred_on,
            },
            code="duplicate",
        )


def _default_from_level(employee, kind: str, from_level):
    if from_level is None and kind == CareerOutcomeKind.PROMOTION:
        profile = getattr(employee, "mentoring_profile", None)
        return profile.level if profile else None
    return from_level


def _check_hr(by, action: str) -> None:
    require(
        policy_for(CareerOutcome).user_has_permission(by, action),
        _("Recording career outcomes takes the Career outcome permission."),
    )


def record_outcome(
    employee,
    by,
    *,
    kind: str,
    occurred_on: date,
    title: str = "",
    from_level: int | None = None,
    to_level: int | None = None,
) -> CareerOutcome:
    """HR records a career step; it is linked to the sponsorship of that day."""
    _check_hr(by, "add")
    from_level = _default_from_level(employee, kind, from_level)
    _validate(employee, kind, occurred_on, from_level, to_level)
    with transaction.atomic():
        outcome = CareerOutcome.objects.create(
            employee=employee,
            kind=kind,
            occurred_on=occurred_on,
            title=title.strip(),
            from_level=from_level,
            to_level=to_level,
            relationship=sponsorship_on(employee.pk, occurred_on),
            recorded_by=by,
        )
        audit.record(
            outcome, "wagtail_mentoring.sponsorship.outcome.record", user=by, kind=kind
        )
        outcome_recorded.send(sender=CareerOutcome, outcome=outcome, by=by)
    return outcome


def update_outcome(outcome: CareerOutcome, by, **fields) -> CareerOutcome:
    """Correct a recorded outcome (same rules as recording it)."""
    _check_hr(by, "change")
    with transaction.atomic():
        current = CareerOutcome.objects.select_for_update().get(pk=outcome.pk)
        for name, value in fields.items():
            setattr(current, name, value)
        others = CareerOutcome.objects.exclude(pk=current.pk)
        if others.filter(
            employee=current.employee_id,
            kind=current.kind,
            occurred_on=current.occurred_on,
        ).exists():
            raise MentoringError(
                _("This employee already has that outcome on that day."),
                code="duplicate",
            )
        if current.occurred_on > timezone.localdate():
            raise MentoringError(_("The date is in the future."), code="date")
        current.relationship = sponsorship_on(current.employee_id, current.occurred_on)
        current.save()
        audit.record(
            current,
            "wagtail_mentoring.sponsorship.outcome.record",
            user=by,
            kind=current.kind,
            corrected=True,
        )
    return current


@dataclass
class _Row:
    line: int
    employee: object
    kind: str
    occurred_on: date
    title: str
    from_level: int | None
    to_level: int | None


def _parse_level(value: str, column: str, line: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise MentoringError(
            _("Row %(line)d: %(column)s must be a whole number, not “%(value)s”.")
            % {"line": line, "column": column, "value": value},
            code="row",
        )


def import_outcomes(file_or_text, by) -> list[CareerOutcome]:
    """Import career outcomes from CSV; any bad row refuses the whole file.

    Columns: ``employee`` (sign-in identifier), ``outcome`` (promotion,
    new_role, lateral_move, stretch_completed), ``date`` (YYYY-MM-DD), and the
    optional ``title``, ``from_level``, ``to_level``. Errors name the file's
    line numbers (the header is line 1).
    """
    _check_hr(by, "add")
    text = file_or_text
    if hasattr(file_or_text, "read"):
        text = file_or_text.read()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MentoringError(
                _("The file is not UTF-8 encoded text."), code="encoding"
            )
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("employee", "outcome", "date") if c not in header]
    if missing:
        raise MentoringError(
            _("The file's first line must name the columns; missing: %(cols)s.")
            % {"cols": ", ".join(missing)},
            code="header",
        )
    reader.fieldnames = header
    User = get_user_model()
    raw = list(reader)
    if len(raw) > MAX_IMPORT_ROWS:
        raise MentoringError(
            _("Import at most %(n)d rows at a time.") % {"n": MAX_IMPORT_ROWS},
            code="too_many",
        )
    if not raw:
        raise MentoringError(_("The file has no rows."), code="empty")
    identifiers = {(r.get("employee") or "").strip() for r in raw}
    users = {
        u.get_username(): u
        for u in User.objects.filter(
            **{f"{User.USERNAME_FIELD}__in": identifiers}, is_active=True
        ).select_related("mentoring_profile")
    }
    rows: list[_Row] = []
    errors: list[str] = []
    seen: set[tuple] = set()
    for index, record in enumerate(raw, start=2):
        try:
            identifier = (record.get("employee") or "").strip()
            employee = users.get(identifier)
            if employee is None:
                raise MentoringError(
                    _("no active employee “%(id)s”.") % {"id": identifier}
                )
            try:
                occurred_on = date.fromisoformat((record.get("date") or "").strip())
            except ValueError:
                raise MentoringError(
                    _("date “%(value)s” is not YYYY-MM-DD.")
                    % {"value": record.get("date") or ""}
                )
            kind = (record.get("outcome") or "").strip()
            from_level = _parse_level(record.get("from_level"), "from_level", index)
            to_level = _parse_level(record.get("to_level"), "to_level", index)
            from_level = _default_from_level(employee, kind, from_level)
            _validate(employee, kind, occurred_on, from_level, to_level)
            key = (employee.pk, kind, occurred_on)
            if key in seen:
                raise MentoringError(_("the same outcome appears twice in the file."))
            seen.add(key)
        except MentoringError as error:
            message = " ".join(error.messages)
            if not message.startswith(_("Row")):
                message = _("Row %(line)d: %(message)s") % {
                    "line": index,
                    "message": message,
                }
            errors.append(message)
            continue
        rows.append(
            _Row(
                index,
                employee,
                kind,
                occurred_on,
                (record.get("title") or "").strip(),
                from_level,
                to_level,
            )
        )
    if errors:
        raise MentoringError(
            _("Nothing was imported. %(errors)s") % {"errors": " ".join(errors[:20])},
            code="rows",
        )
    with transaction.atomic():
        created = []
        for row in rows:
            outcome = CareerOutcome.objects.create(
                employee=row.employee,
                kind=row.kind,
                occurred_on=row.occurred_on,
                title=row.title,
                from_level=row.from_level,
                to_level=row.to_level,
                relationship=sponsorship_on(row.employee.pk, row.occurred_on),
                source=CareerOutcomeSource.IMPORT,
                recorded_by=by,
            )
            audit.record(
                outcome,
                "wagtail_mentoring.sponsorship.outcome.record",
                user=by,
                kind=row.kind,
                imported=True,
            )
            outcome_recorded.send(sender=CareerOutcome, outcome=outcome, by=by)
            created.append(outcome)
    return created
