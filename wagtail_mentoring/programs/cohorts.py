"""Cohorts: the intakes of a program ("Spring 2027").

A program runs in cohorts once it has one. Then every application belongs to a
cohort: :func:`current_cohort` picks it on apply, program admins move people
with :func:`move_to_cohort`. Each business action here is one transaction that
authorizes its actor (``by``), writes the audit log, and announces itself with
the ``programs.signals`` the domains above react to (the cohort's space).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import require_program_admin
from wagtail_mentoring.programs import signals
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    ProgramPage,
)

NAME_MAX_LENGTH = Cohort._meta.get_field("name").max_length


def current_cohort(program: ProgramPage, today=None) -> Cohort | None:
    """The cohort a new application joins: the next one to start (today
    included), or, when all have started, the latest. ``None`` when the program
    does not run in cohorts."""
    today = today or timezone.localdate()
    cohorts = Cohort.objects.filter(program=program)
    upcoming = cohorts.filter(starts_on__gte=today).order_by("starts_on", "pk").first()
    if upcoming is not None:
        return upcoming
    return cohorts.order_by("-starts_on", "-pk").first()


def participants_changed(enrollments: Iterable[Enrollment]) -> None:
    """Announce that the people of these enrollments may have joined or left
    their cohorts (call inside the transaction that changed them)."""
    rows = [e for e in enrollments if e.cohort_id]
    if rows:
        signals.cohort_participants_changed.send(
            Cohort,
            cohort_ids=sorted({e.cohort_id for e in rows}),
            user_ids=sorted({e.user_id for e in rows if e.user_id}, key=str),
        )


def _clean(program, name: str, starts_on, journey, *, exclude=None) -> str:
    name = (name or "").strip()
    if not name:
        raise MentoringError(_("Please give the cohort a name."), code="name")
    if len(name) > NAME_MAX_LENGTH:
        raise MentoringError(
            _("A cohort's name has at most %(n)d characters.") % {"n": NAME_MAX_LENGTH},
            code="name",
        )
    if not isinstance(starts_on, datetime.date):
        raise MentoringError(
            _("Please give the date the cohort starts."), code="starts_on"
        )
    taken = Cohort.objects.filter(program=program, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise MentoringError(
            _("%(program)s already has a cohort named %(name)s.")
            % {"program": program.title, "name": name},
            code="duplicate",
        )
    if journey is not None and not journey.live:
        raise MentoringError(
            _("The cohort's journey must be published."), code="journey"
        )
    return name


def create_cohort(
    program: ProgramPage, by, *, name: str, starts_on, journey=None
) -> Cohort:
    """A program admin opens a cohort of ``program``.

    The program's first cohort takes in the live applications made before the
    program ran in cohorts, so that every application belongs to one.
    """
    require_program_admin(by, program)
    name = _clean(program, name, starts_on, journey)
    with transaction.atomic():
        cohort = Cohort.objects.create(
            program=program,
            name=name,
            starts_on=starts_on,
            journey=journey,
            created_by=by,
        )
        earlier = list(
            Enrollment.objects.select_for_update()
            .filter(program=program, cohort__isnull=True)
            .live()
        )
        for enrollment in earlier:
            enrollment.cohort = cohort
        Enrollment.objects.bulk_update(earlier, ["cohort"])
        audit.record(
            cohort,
            "wagtail_mentoring.cohort.create",
            user=by,
            joined=len(earlier),
        )
        signals.cohort_created.send(Cohort, cohort=cohort, by=by)
        participants_changed(earlier)
    return cohort


def update_cohort(cohort: Cohort, by, *, name: str, starts_on, journey=None) -> Cohort:
    """A program admin renames a cohort, moves its start or changes its journey."""
    require_program_admin(by, cohort.program)
    name = _clean(cohort.program, name, starts_on, journey, exclude=cohort)
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        cohort.name = name
        cohort.starts_on = starts_on
        cohort.journey = journey
        cohort.save()
        audit.record(cohort, "wagtail_mentoring.cohort.change", user=by)
    return cohort


def move_to_cohort(
    enrollments: Iterable[Enrollment], cohort: Cohort, by
) -> list[Enrollment]:
    """A program admin moves applications into ``cohort``, all or nothing.

    Only applications of the cohort's own program can move, and only live
    ones (a declined or withdrawn application has left).
    """
    ids = [e.pk for e in enrollments]
    if not ids:
        raise MentoringError(_("Choose the applications to move."), code="empty")
    require_program_admin(by, cohort.program)
    with transaction.atomic():
        rows = list(
            Enrollment.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("program")
            .order_by("pk")
        )
        if any(e.program_id != cohort.program_id for e in rows):
            raise MentoringError(
                _("Only applications to %(program)s can join its cohorts.")
                % {"program": cohort.program.title},
                code="other_program",
            )
        gone = [
            e
            for e in rows
            if e.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.APPROVED)
        ]
        if gone:
            raise MentoringError(
                _("%(n)d of these applications were declined or withdrawn.")
                % {"n": len(gone)},
                code="not_live",
            )
        before = [
            Enrollment(pk=e.pk, user_id=e.user_id, cohort_id=e.cohort_id) for e in rows
        ]
        for enrollment in rows:
            previous = enrollment.cohort_id
            enrollment.cohort = cohort
            audit.record(
                enrollment,
                "wagtail_mentoring.cohort.move",
                user=by,
                previous=previous,
                cohort=cohort.pk,
            )
        Enrollment.objects.bulk_update(rows, ["cohort", "updated_at"])
        participants_changed(before + rows)
    return rows
