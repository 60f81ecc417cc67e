"""Queries compiled once per process and run again with new values.

Django turns a queryset into SQL every time it runs. On the pages an employee
opens most (*My mentoring*, a relationship, *Find a mentor*), building and
compiling the querysets took half of a request's CPU time, more than reading
their rows (docs/testing.md, "Pages under load"). A query whose *shape* never
changes, only the values in it (whose dashboard, which time), can keep its SQL:

.. code-block:: python

    @compiled_once
    def open_goals(user_id, since):
        return Goal.objects.filter(owner_id=user_id, created_at__gte=since)

    open_goals(request.user.pk, now)  # a list of goals

The first call for a database builds the queryset twice, with the real values
and with stand-ins no query holds, and compiles both. It keeps the SQL only
when the two agree but for the places where a stand-in shows, so it knows where
each value goes; later calls skip the queryset and its compiler and run the
kept SQL with the new values, then fill rows, ``select_related`` and
``prefetch_related`` as the queryset would. Anything it cannot place (a value
derived from an argument, such as ``now - timedelta(days=7)``, or a query whose
SQL differs with the values) leaves the query to Django's compiler, every time:
slower, never wrong. :func:`compiled_once`'s ``.kept`` tells tests which did,
:func:`left_to_django` which functions could not keep some shape. A query that
reads local dates (``__date``) names the current time zone in its SQL, so it
keeps one plan per zone; every other query keeps one for all zones.

The contract: ``build`` may use its arguments only as values in the query, and
must not branch on them. Keyword arguments are the exception: they may shape
the query (a ``LIMIT``, the relations to select), and each value of them is
compiled once; they must be hashable. Arguments are ``int``, ``str``,
``UUID``, ``date``, ``datetime`` or a tuple of these (an ``IN`` list: its
length is part of the shape, so each length is compiled once; give a set
sorted, without repeats).
"""

from __future__ import annotations

import copy
import datetime
import functools
import threading
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, IntegerField, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

_SCALARS = (int, str, uuid.UUID, datetime.date)  # datetime is a date

# A plan is abandoned for good after this many calls whose SQL it could not
# place: a query that never keeps should not pay for two compiles every time.
_ATTEMPTS = 3

# Shapes (lengths of IN lists, keyword values, zones) kept per function: a
# query with two IN lists could otherwise keep one plan per pair of lengths.
_SHAPES = 64

_FUNCTIONS: list = []  # every compiled_once function, for left_to_django()


@dataclass(frozen=True)
class _Plan:
    alias: str
    sql: str
    # per parameter: (index of the argument, index in it or None, adapter),
    # or None for a constant of the query
    slots: tuple
    constants: tuple
    compiler: Any  # compiled, without a connection of its own
    queryset: Any  # never evaluated: its model, iterable and prefetches


def compiled_once(build: Callable[..., Any]) -> Callable[..., list]:
    """``build(*args)`` returns a queryset; the wrapped function returns its
    rows as a list, from SQL compiled once per database (see the module)."""
    plans: dict[tuple, _Plan | int] = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def run(*args, **shape) -> list:
        _check(args)
        lengths = tuple(len(a) if isinstance(a, tuple) else -1 for a in args)
        base = (lengths, tuple(sorted(shape.items())))
        zone = timezone.get_current_timezone_name()
        plan = plans.get(base + (zone,)) or plans.get(base)
        if isinstance(plan, _Plan) and plan.queryset.db == plan.alias:
            return _rerun(plan, args)
        queryset = build(*args, **shape)
        tries = plan if isinstance(plan, int) else 0
        if tries >= _ATTEMPTS or len(plans) >= _SHAPES:
            return list(queryset)  # left to Django: it compiles the query
        partial = functools.partial(build, **shape)
        # Most queries read no local dates: one plan serves every time zone.
        # One that does (``__date``) names the zone in its SQL: one plan each.
        found = _plan(partial, args, queryset, _other_zone(zone))
        key = base
        if found is None:
            found, key = _plan(partial, args, queryset), base + (zone,)
        with lock:
            if found is None:
                plans[base] = tries + 1
            else:
                plans[key] = found
        return list(queryset) if found is None else _rerun(found, args)

    run.kept = lambda: [k for k, p in plans.items() if isinstance(p, _Plan)]
    run.left = lambda: [k for k, p in plans.items() if not isinstance(p, _Plan)]
    run.forget = plans.clear
    _FUNCTIONS.append(run)
    return run


def forget_all() -> None:
    """Drop every kept SQL (tests that change the database's settings)."""
    for f in _FUNCTIONS:
        f.forget()


def left_to_django(package: str = "wagtail_mentoring") -> list[str]:
    """The functions of ``package`` that ran but could not keep their SQL for
    some shape: each of those calls is compiled by Django, every time."""
    return [
        f"{f.__module__}.{f.__qualname__}"
        for f in _FUNCTIONS
        if f.__module__.startswith(package) and f.left()
    ]


def counted(rows, by: str):
    """How many of ``rows`` (a queryset filtered on an ``OuterRef``) the outer
    row has, 0 for none, grouped ``by`` the column that refers to it: a
    subquery per row, where ``Count`` over a join would multiply with the
    query's other counts and group the whole query."""
    return Coalesce(
        Subquery(rows.order_by().values(by).annotate(n=Count("pk")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


def _other_zone(zone: str) -> str:
    return "Pacific/Kiritimati" if zone == "UTC" else "UTC"


def _check(args) -> None:
    for a in args:
        values = a if isinstance(a, tuple) else (a,)
        for v in values:
            if isinstance(v, bool) or not isinstance(v, _SCALARS):
                raise TypeError(
                    f"compiled_once takes int, str, UUID, date, datetime or a "
                    f"tuple of them, not {type(v).__name__}"
                )


def _stand_ins(args) -> tuple:
    """A value of the same type for every argument that no query holds."""
    n = iter(range(1, 10_000))

    def one(v):
        i = next(n)
        if isinstance(v, datetime.datetime):
            # 29 February 1904, at a microsecond no clock gives twice
            stand_in = datetime.datetime(1904, 2, 29, 4, 1, 4, 900_000 + i)
            if timezone.is_aware(v):
                stand_in = stand_in.replace(tzinfo=datetime.UTC)
            return stand_in
        if isinstance(v, datetime.date):
            return datetime.date(1904, 2, 29) + datetime.timedelta(days=i)
        if isinstance(v, uuid.UUID):
            return uuid.UUID(int=0x5EED_0000_0000_0000_0000_0000_0000 + i)
        if isinstance(v, int):
            return -(1_904_022_900 + i)
        return f"\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK}{i}"

    return tuple(
        tuple(one(v) for v in a) if isinstance(a, tuple) else one(a) for a in args
    )


def _adapters(connection) -> tuple:
    """How a backend may turn an argument into a parameter: as it is, or as
    its field would adapt it (SQLite writes dates, times and UUIDs as text)."""
    ops = connection.ops
    return (
        lambda v: v,
        ops.adapt_datetimefield_value,
        ops.adapt_datefield_value,
        lambda v: v.hex if isinstance(v, uuid.UUID) else v,
        str,
    )


def _compile(queryset, alias):
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


def _plan(build, args, queryset, probe_zone=None) -> _Plan | None:
    """Where each argument goes in the SQL, or None if that cannot be told.
    ``queryset`` is compiled in the current time zone, the stand-ins in
    ``probe_zone`` if given: a plan then comes only if the zone is not in
    the SQL."""
    alias = queryset.db
    connection = connections[alias]
    stand_ins = _stand_ins(args)
    try:
        compiler, sql, params = _compile(queryset, alias)
        with timezone.override(probe_zone) if probe_zone else nullcontext():
            probe = build(*stand_ins)
            _, probe_sql, probe_params = _compile(probe, alias)
    except Exception:  # noqa: BLE001
        # An empty IN list, or a build the stand-ins upset (a negative
        # slice): the query itself, if it is wrong, fails as Django runs it.
        return None
    if sql != probe_sql or len(params) != len(probe_params):
        return None
    flat = [
        (i, j if isinstance(a, tuple) else None, v)
        for i, a in enumerate(stand_ins)
        for j, v in enumerate(a if isinstance(a, tuple) else (a,))
    ]
    adapters = _adapters(connection)
    slots, constants = [], []
    for real, probed in zip(params, probe_params, strict=True):
        slot = _find(probed, flat, adapters)
        if slot is None:
            if real != probed:
                return None  # a value the plan cannot place: derived, or shape
            constants.append(real)
            slots.append(None)
            continue
        i, j, adapt = slot
        value = args[i] if j is None else args[i][j]
        if not _same(adapt(value), real):
            return None
        constants.append(None)
        slots.append(slot)
    if {s[:2] for s in slots if s} != {f[:2] for f in flat}:
        return None  # an argument that shows nowhere may change the shape
    compiler.connection = None  # each call lends the thread's own
    return _Plan(alias, sql, tuple(slots), tuple(constants), compiler, queryset)


def _find(probed, flat, adapters):
    found = None
    for i, j, stand_in in flat:
        for adapt in adapters:
            try:
                adapted = adapt(stand_in)
            except (TypeError, ValueError, AttributeError):
                continue
            if _same(adapted, probed):
                if found is not None and found[:2] != (i, j):
                    return None  # two arguments look alike: cannot tell
                found = (i, j, adapt)
                break
    return found


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _rerun(plan: _Plan, args) -> list:
    params = [
        constant
        if slot is None
        else slot[2](args[slot[0]] if slot[1] is None else args[slot[0]][slot[1]])
        for slot, constant in zip(plan.slots, plan.constants, strict=True)
    ]
    compiler = copy.copy(plan.compiler)
    compiler.connection = connections[plan.alias]
    compiler.as_sql = lambda *a, **k: (plan.sql, params)
    template = plan.queryset
    # a fresh queryset like the one built, but for the query it runs
    queryset = object.__new__(type(template))
    queryset.__dict__.update(template.__dict__)
    queryset._query = _Kept(template.query, compiler)
    queryset._db = plan.alias
    rows = list(queryset._iterable_class(queryset))
    if template._prefetch_related_lookups:
        prefetch_related_objects(rows, *template._prefetch_related_lookups)
    return rows


class _Kept:
    """A query that answers with its kept compiler; nothing else changes it."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elements=()):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)
