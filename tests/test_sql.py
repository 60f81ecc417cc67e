"""Queries compiled once give the rows Django's compiler gives, or are left to it.

Every expected list here comes from evaluating the same queryset the usual
way, in the same test, on the same rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship
from wagtail_mentoring.sql import compiled_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiles(monkeypatch):
    """How many times Django's compiler turns a query into SQL."""
    calls = []
    as_sql = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        calls.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    return calls


@pytest.fixture
def applications(hub, program, other_program):
    """Three people's applications over two programs, a month apart."""
    now = timezone.now()
    people = [make_user(f"applicant{i}") for i in range(3)]
    for i, person in enumerate(people):
        for j, p in enumerate([program, other_program][: i + 1]):
            e = make_enrollment(person, p, role="mentee" if j == 0 else "mentor")
            Enrollment.objects.filter(pk=e.pk).update(
                created_at=now - timedelta(days=30 * (i + j))
            )
    return people


def _applications(user_key, since):
    """Applications of one person since a time, with their programs, a
    count and a correlated subquery on the same person."""
    return (
        Enrollment.objects.filter(user=user_key, created_at__gte=since)
        .select_related("program")
        .annotate(
            same_person=Count("user__mentoring_enrollments"),
            mentors_too=Exists(
                Enrollment.objects.filter(user=OuterRef("user"), role="mentor")
            ),
        )
        .order_by("-created_at", "pk")
    )


def _rows(rows):
    return [
        (e.pk, e.program.title, e.same_person, e.mentors_too, e.created_at)
        for e in rows
    ]


def test_a_kept_query_gives_djangos_rows_for_every_value(
    applications, compiles, django_assert_num_queries
):
    kept = compiled_once(_applications)
    now = timezone.now()
    for person in [*applications, *applications]:
        for since in (now - timedelta(days=45), now - timedelta(days=400)):
            expected = _rows(_applications(person.pk, since))
            assert _rows(kept(person.pk, since)) == expected
    assert len(kept.kept()) == 1

    compiles.clear()
    with django_assert_num_queries(1):
        [row] = kept(applications[0].pk, now - timedelta(days=1))
        assert row.program.title  # selected with it, no query of its own
    assert compiles == []  # the kept SQL ran; Django compiled nothing


def test_in_lists_are_kept_per_length(applications, program, other_program):
    @compiled_once
    def by_keys(keys, *, role):
        return Enrollment.objects.filter(program__in=keys, role=role).order_by("pk")

    def expected(keys, role):
        return list(
            Enrollment.objects.filter(program__in=keys, role=role).order_by("pk")
        )

    for keys in [(program.pk,), (other_program.pk,), (program.pk, other_program.pk)]:
        for role in ("mentee", "mentor"):
            assert by_keys(keys, role=role) == expected(keys, role)
    # two lengths × two roles: the keyword shapes the query like the length
    assert len(by_keys.kept()) == 4


def test_prefetches_come_as_the_queryset_would_bring_them(
    hub, program, django_assert_num_queries
):
    members = []
    for i in range(2):
        mentor, mentee = make_user(f"mentor{i}"), make_user(f"mentee{i}")
        members.append((mentor, mentee))
        r = Relationship.objects.create(program=program, status="active")
        r.members.create(user=mentor, role="mentor")
        r.members.create(user=mentee, role="mentee")

    def build(user_key):
        return (
            Relationship.objects.filter(members__user=user_key)
            .prefetch_related(Prefetch("members", to_attr="people"))
            .order_by("pk")
        )

    kept = compiled_once(build)
    for person in [person for pair in members for person in pair] * 2:
        expected = [[m.user_id for m in r.people] for r in build(person.pk)]
        with django_assert_num_queries(2):  # the rows, then their members
            rows = kept(person.pk)
            assert [[m.user_id for m in r.people] for r in rows] == expected
    assert kept.kept()


def test_a_value_worked_out_from_an_argument_is_left_to_django(applications, compiles):
    def build(user_key, now):
        return Enrollment.objects.filter(
            user=user_key, created_at__gte=now - timedelta(days=45)
        ).order_by("pk")

    kept = compiled_once(build)
    now = timezone.now()
    for person in applications * 2:
        assert kept(person.pk, now) == list(build(person.pk, now))
    assert kept.kept() == []
    # after three tries it stops compiling twice: once a call, as Django does
    compiles.clear()
    kept(applications[0].pk, now)
    assert len(compiles) == 1


def test_a_query_that_changes_shape_with_its_values_is_left_to_django(
    applications, program, other_program
):
    def build(program_key):
        # the kind of query the contract forbids: it branches on a value
        if program_key > 0:
            return Enrollment.objects.filter(program=program_key).order_by("pk")
        return Enrollment.objects.none()

    kept = compiled_once(build)
    for p in (program, other_program, program):
        assert kept(p.pk) == list(build(p.pk))
    assert kept.kept() == []


def test_a_value_outside_the_parameters_is_left_to_django(applications):
    # a LIMIT is written into the SQL, not passed: the contract asks for a
    # keyword argument; as a positional one it must still answer right
    def build(n):
        return Enrollment.objects.order_by("pk")[:n]

    kept = compiled_once(build)
    for n in (1, 2, 3, 1):
        assert kept(n) == list(build(n))
    assert kept.kept() == []


def test_each_time_zone_has_its_own_sql(hub, program):
    # Between 23:00 and 01:00 UTC on 1 March, the date depends on the zone.
    person = make_user()
    e = make_enrollment(person, program)
    late = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    Enrollment.objects.filter(pk=e.pk).update(created_at=late)

    @compiled_once
    def on_day(user_key, day):
        return Enrollment.objects.filter(user=user_key, created_at__date=day)

    for zone, day in [
        ("UTC", date(2026, 3, 1)),
        ("America/New_York", date(2026, 2, 28)),
    ]:
        with timezone.override(zone):
            assert on_day(person.pk, day) == [e]
            other = day - timedelta(days=1)
            assert on_day(person.pk, other) == []
    assert len(on_day.kept()) == 2


def test_a_query_without_local_dates_keeps_one_sql_for_every_zone(applications):
    kept = compiled_once(_applications)
    since = timezone.now() - timedelta(days=400)
    for zone in ("UTC", "Europe/Berlin", "Asia/Kolkata"):
        with timezone.override(zone):
            assert _rows(kept(applications[2].pk, since)) == _rows(
                _applications(applications[2].pk, since)
            )
    assert len(kept.kept()) == 1


def test_a_function_keeps_a_bounded_number_of_shapes(applications):
    kept = compiled_once(
        lambda keys: Enrollment.objects.filter(pk__in=keys).order_by("pk")
    )
    pks = list(Enrollment.objects.order_by("pk").values_list("pk", flat=True))
    for n in range(1, 80):
        keys = tuple(pks[:1] + list(range(10**6, 10**6 + n - 1)))
        assert [e.pk for e in kept(keys)] == pks[:1]
    assert len(kept.kept()) == 64


@pytest.mark.parametrize("value", [None, True, 1.5, ["a"]])
def test_only_plain_values_are_taken(value):
    kept = compiled_once(lambda v: ProgramPage.objects.filter(title=v))
    with pytest.raises(TypeError, match="compiled_once takes"):
        kept(value)


def test_a_model_instance_is_refused(employee):
    kept = compiled_once(lambda user: Enrollment.objects.filter(user=user))
    with pytest.raises(TypeError, match="not User|not EmailUser|not "):
        kept(employee)


def test_an_empty_in_list_reads_nothing(applications, django_assert_num_queries):
    kept = compiled_once(
        lambda keys: Enrollment.objects.filter(Q(program__in=keys)).order_by("pk")
    )
    with django_assert_num_queries(0):
        assert kept(()) == []
