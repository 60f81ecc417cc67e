"""Read-side queries of the programs domain, shared by views, admin and API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import PageViewRestriction

from wagtail_mentoring.programs.models import (
    GIVING_ROLES,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    Role,
)
from wagtail_mentoring.sql import compiled_once


def _restricted(path: str = "path") -> Exists:
    """Whether a view restriction applies to the page at ``path`` (an outer
    column): one on a page whose tree path starts it, the page or above."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef(path), 1, Length("page__path"))
        )
    )


def public(pages):
    """``pages`` outside every private section, as Wagtail's ``public()``,
    in the same query: Wagtail reads all view restrictions first, in a query
    of their own, and writes one condition per restricted section."""
    return pages.exclude(_restricted())


def with_privacy(pages, path: str = "path"):
    """``pages`` (or rows whose page is at ``path``) with ``view_restricted``:
    whether the intranet's *Privacy* settings apply to them, read in the same
    query, so that :func:`~wagtail_mentoring.permissions.passes_privacy` reads
    restrictions only where there are some."""
    return pages.annotate(view_restricted=_restricted(path))


def hub_programs(hub, user) -> list[ProgramPage]:
    """Published programs under ``hub``, with ``open_now`` and ``my_enrollments``."""
    programs = list(
        public(ProgramPage.objects.child_of(hub).live()).specific().order_by("path")
    )
    mine: dict[int, list[Enrollment]] = {}
    if user.is_authenticated:
        for enrollment in Enrollment.objects.filter(
            user=user, program__in=programs
        ).live():
            mine.setdefault(enrollment.program_id, []).append(enrollment)
    now = timezone.now()
    for program in programs:
        program.open_now = program.is_open(now)
        program.my_enrollments = mine.get(program.pk, [])
    return programs


def attach_programs(objects, related=(), known=None) -> dict:
    """Give each of ``objects`` (anything with a ``program`` foreign key) its
    program page, with the program's ``related`` pages; returns the programs by
    key. Those not in ``known`` (an earlier call's answer, with the same
    ``related``) are read in one query.

    A program page is some 60 columns (its own and Wagtail's ``Page``): joined
    into each of a page's lists, building every query costs more than reading
    the few programs a person takes part in once.
    """
    objects = list(objects)
    programs = dict(known or {})
    missing = {o.program_id for o in objects} - programs.keys()
    if missing:
        programs.update(
            (p.pk, p) for p in _programs(tuple(sorted(missing)), related=tuple(related))
        )
    for o in objects:
        o.program = programs[o.program_id]
    return programs


@compiled_once
def _programs(keys, *, related):
    # no ordering: compiling Wagtail's tree order over every column of the
    # page cost more than the rest of the query
    return ProgramPage.objects.select_related(*related).filter(pk__in=keys).order_by()


def my_enrollments(user):
    """``user``'s applications (``user`` may be a key), the newest first."""
    return (
        Enrollment.objects.filter(user=user)
        .with_matched()
        .select_related("program")
        .order_by("-created_at", "-pk")
    )


def my_enrollments_head(user, limit: int) -> list[Enrollment]:
    """The first ``limit`` of :func:`my_enrollments`, without their programs,
    from SQL compiled once."""
    return _enrollments_head(user.pk, limit=limit)


@compiled_once
def _enrollments_head(user_key, *, limit):
    return my_enrollments(user_key).select_related(None)[:limit]


def circles_of(program: ProgramPage):
    """The program's open circles with their members (facilitator first) and
    the facilitator's application, in a fixed number of queries."""
    return (
        Relationship.objects.open()
        .filter(program=program)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=RelationshipMember.objects.select_related(
                    "user", "user__mentoring_profile", "enrollment"
                ).order_by("role", "pk"),
            )
        )
        .order_by("topic", "pk")
    )


def board_circles(program: ProgramPage, user):
    """The circles a group program's page can show ``user``: those open to
    join and their own. A company's program may run hundreds of closed
    circles; the page never reads them."""
    shown = Q(open_to_join=True)
    if user.is_authenticated:
        shown |= Q(
            pk__in=RelationshipMember.objects.filter(user=user).values("relationship")
        )
    return circles_of(program).filter(shown)


def circle_board(program: ProgramPage, user) -> dict:
    """What a group program's page shows about circles: the open circles with
    seats left, the viewer's own circle, and whether they may join one."""
    if program.kind != ProgramKind.GROUP:
        return {}
    circles = list(board_circles(program, user))
    mine = None
    if user.is_authenticated:
        mine = next(
            (c for c in circles if any(m.user_id == user.pk for m in c.members.all())),
            None,
        )
    may_join = (
        user.is_authenticated
        and mine is None
        and Enrollment.objects.filter(
            program=program,
            user=user,
            role=Role.MENTEE,
            status=EnrollmentStatus.APPROVED,
        ).exists()
    )
    return {
        "open_circles": [
            c
            for c in circles
            if c.open_to_join
            and c.seats_left > 0
            and any(m.role in GIVING_ROLES for m in c.members.all())
        ],
        "my_circle": mine,
        "may_join_circle": may_join,
    }
