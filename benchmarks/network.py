"""Build the organisational network map of a large company, in-process.

100,000 employees in 200 departments, 50,000 relationships (by default), on
the database of ``DATABASE_URL`` (PostgreSQL is what this is meant for; without
it, an in-memory SQLite). Prints the time (median of several builds) and the
number of SQL queries of the map as shipped (two aggregated queries), next to
a baseline measured in the same run: the same numbers counted in Python over
every relationship and its members (joined, so not one query per row).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_bench \
        python benchmarks/network.py
    python benchmarks/network.py --scale 0.05     # 5,000 employees, 2,500 pairs
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

EMPLOYEES = 100_000
DEPARTMENTS = 200
RELATIONSHIPS = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        employees = max(50, int(EMPLOYEES * args.scale))
        pairs = max(20, int(RELATIONSHIPS * args.scale))
        departments = max(5, int(DEPARTMENTS * min(1.0, args.scale * 4)))
        start = time.perf_counter()
        _populate(employees, departments, pairs)
        if connection.vendor == "postgresql":
            # Autovacuum would have analysed the tables of a live company.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {employees:,} employees, {departments} "
            f"departments, {pairs:,} relationships "
            f"(seeded in {time.perf_counter() - start:.0f} s)"
        )
        from wagtail_mentoring.analytics import network

        ours = _measure(
            lambda: network.build_map(), args.repeat, CaptureQueriesContext, connection
        )
        base = _measure(_baseline, args.repeat, CaptureQueriesContext, connection)
        check = network.build_map()
        print(
            f"map: {len(check.nodes)} groups, {check.connections:,} connections, "
            f"{check.cross_share_text} across departments"
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)

    print(f"{'':34}{'median ms':>10}{'queries':>9}")
    print(f"{'ours (GROUP BY in the database)':34}{ours[0]:>10.1f}{ours[1]:>9}")
    print(f"{'baseline (counted in Python)':34}{base[0]:>10.1f}{base[1]:>9}")
    print(f"ratio: {base[0] / ours[0]:.2f}x time")


def _baseline():
    """What the map would cost counting in Python: every counted relationship
    with its members and their departments, then a Counter."""
    from wagtail_mentoring.analytics.network import NETWORK_STATUSES
    from wagtail_mentoring.programs.models import RelationshipMember

    members = RelationshipMember.objects.filter(
        relationship__status__in=NETWORK_STATUSES, user__is_active=True
    ).values_list("relationship_id", "user__mentoring_profile__department")
    by_relationship: dict = {}
    for relationship_id, department in members.iterator(chunk_size=5000):
        by_relationship.setdefault(relationship_id, []).append(department or "")
    pairs = Counter()
    for departments in by_relationship.values():
        for i, a in enumerate(departments):
            for b in departments[i + 1 :]:
                pairs[tuple(sorted((a, b)))] += 1
    return pairs


def _measure(build, repeat, capture, connection) -> tuple[float, int]:
    build()  # warm caches
    times, queries = [], 0
    for _ in range(repeat):
        with capture(connection) as ctx:
            start = time.perf_counter()
            build()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    if os.environ.get("WM_BENCH_SQL"):
        for query in ctx.captured_queries:
            print(query["time"], query["sql"][:2000])
    return statistics.median(times), queries


def _department(i: int, departments: int) -> int:
    # Repeatable and skewed: a few big departments, many small ones.
    spread = (i * 2654435761 % 1_000_003) / 1_000_003
    return min(departments - 1, int(departments * spread * spread))


def _populate(employees: int, departments: int, pairs: int) -> None:
    """Employees without passwords (bulk), profiles, and relationships between
    random-looking (but repeatable) pairs, a third of them completed."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from tests.factories import make_hub, make_program
    from wagtail_mentoring.people.models import EmployeeProfile
    from wagtail_mentoring.programs.models import Relationship, RelationshipMember

    call_command("migrate", verbosity=0)
    program = make_program(make_hub(), title="Benchmark Mentoring")
    User = get_user_model()
    field = User.USERNAME_FIELD
    suffix = "@example.com" if field == "email" else ""
    users = User.objects.bulk_create(
        (
            User(**{field: f"emp{i}{suffix}"}, password="!", is_active=True)
            for i in range(employees)
        ),
        batch_size=5000,
    )
    # Department sizes vary: a few big ones, many small.
    EmployeeProfile.objects.bulk_create(
        (
            EmployeeProfile(
                user=user,
                level=1 + i % 8,
                department=f"Department {_department(i, departments):03d}",
                location=f"Site {i % 17}",
                timezone="UTC",
            )
            for i, user in enumerate(users)
        ),
        batch_size=5000,
    )
    today = timezone.localdate()
    relationships = Relationship.objects.bulk_create(
        (
            Relationship(
                program=program,
                status="completed" if i % 3 == 0 else "active",
                started_on=today.replace(day=1).replace(month=1 + i % 12),
            )
            for i in range(pairs)
        ),
        batch_size=5000,
    )
    RelationshipMember.objects.bulk_create(
        (
            RelationshipMember(
                relationship=relationship,
                user=users[(i * 7919 + side * 104729) % employees],
                role=("mentor", "mentee")[side],
            )
            for i, relationship in enumerate(relationships)
            for side in (0, 1)
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )


if __name__ == "__main__":
    main()
