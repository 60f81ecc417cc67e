"""One day of reminders, nudges and digests for a company, on PostgreSQL.

Generates a company (100,000 employees, 50,000 active pairs by default) with
``bulk_create``, then runs every periodic job of ``wagtail_mentoring.tasks``
(``PERIODIC_JOBS``) once, the program admins' at-risk list, and the same jobs
a second time. Prints per job the time, the SQL queries, the peak Python
memory (``tracemalloc``) and the emails recorded, then the data size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_wording_bench \\
        python benchmarks/nudges.py                   # 100,000 employees
    DATABASE_URL=... python benchmarks/nudges.py --scale 0.05   # 5,000

The database named in DATABASE_URL is dropped and created again: use one of
its own. Emails go to Django's dummy backend (rendered, recorded, not sent).

The first run is the catch-up of a day on which the feature meets a company
that never had it: every quiet pair, every due goal and feedback is told.
The second run is every later run of the same day: nothing new to send.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault(
    "WM_TEST_EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend"
)

EMPLOYEES = 100_000
PROGRAMS = 10
CHUNK = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of 100,000 employees (0.01 for a quick run)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--selection-only",
        action="store_true",
        help="replace notify() by a counter: measures what the jobs select "
        "(queries, memory) without rendering or recording any email",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own.")
    _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started

    employees = max(20, int(EMPLOYEES * args.scale)) // 2 * 2
    started = time.perf_counter()
    counts = _generate(employees, random.Random(args.seed))
    generated = time.perf_counter() - started
    print(
        f"company: {employees:,} employees, {employees // 2:,} active pairs, "
        f"{PROGRAMS} programs (migrate {migrated:.0f} s, generate {generated:.0f} s)"
    )
    for name, n in counts.items():
        print(f"  {name:<22}{n:>10,}")
    print()
    if args.selection_only:
        _stub_sending()
        print("selection only: notify() counts the emails it would send (column")
        print("'emails'), renders and records nothing; both runs are the same.")
        print()
    first = _day("first run (catch-up)")
    print()
    second = _day("second run (same day)")
    print()
    _sizes()
    return first, second


def _recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _slash, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _generate(employees: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tests.factories import make_hub, make_program, make_user
    from wagtail_mentoring.engagement.models import (
        Goal,
        GoalStatus,
        Meeting,
        MeetingStatus,
        Message,
    )
    from wagtail_mentoring.notifications.models import NotificationPreferences
    from wagtail_mentoring.people.models import EmployeeProfile
    from wagtail_mentoring.programs.models import (
        Enrollment,
        EnrollmentStatus,
        Relationship,
        RelationshipMember,
        RelationshipStatus,
    )

    now = timezone.now()
    today = timezone.localdate()
    hub = make_hub()
    programs = [
        make_program(hub, title=f"Program {i}", slug=f"bench-{i}")
        for i in range(PROGRAMS)
    ]
    for program in programs:  # each program's admin, for the weekly email
        make_user(
            f"admin-{program.slug}", admin_access=True, groups=[program.admin_group]
        )

    User = get_user_model()
    field_names = {f.name for f in User._meta.get_fields()}

    def user(i):
        fields = {}
        if User.USERNAME_FIELD == "email":
            fields["email"] = f"employee{i}@example.com"
        else:
            fields[User.USERNAME_FIELD] = f"employee{i}"
            if "email" in field_names:
                fields["email"] = f"employee{i}@example.com"
        if "first_name" in field_names:
            fields.update(first_name=f"Employee{i}", last_name="Bench")
        return User(**fields, password="!", is_active=True)

    users = []
    for start in range(0, employees, CHUNK):
        users += User.objects.bulk_create(
            [user(i) for i in range(start, min(employees, start + CHUNK))]
        )
    zones = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London"]
    EmployeeProfile.objects.bulk_create(
        [
            EmployeeProfile(
                user=u,
                level=3 + i % 5,
                department=["Engineering", "Sales", "Finance", "People"][i % 4],
                timezone=zones[i % len(zones)],
                languages=["en"],
            )
            for i, u in enumerate(users)
        ],
        batch_size=CHUNK,
    )
    decided = now - timedelta(days=120)
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                user=u,
                program=programs[(i // 2) % PROGRAMS],
                role="mentee" if i % 2 == 0 else "mentor",
                status=EnrollmentStatus.APPROVED,
                decided_at=decided,
                created_at=decided,
            )
            for i, u in enumerate(users)
        ],
        batch_size=CHUNK,
    )
    pairs = Relationship.objects.bulk_create(
        [
            Relationship(
                program=programs[p % PROGRAMS],
                status=RelationshipStatus.ACTIVE,
                started_on=today - timedelta(days=rng.randint(25, 200)),
                ends_on=today + timedelta(days=rng.randint(30, 300)),
                created_at=now - timedelta(days=200),
            )
            for p in range(employees // 2)
        ],
        batch_size=CHUNK,
    )
    RelationshipMember.objects.bulk_create(
        [
            RelationshipMember(
                relationship=pairs[i // 2],
                user=users[i],
                role=enrollments[i].role,
                enrollment=enrollments[i],
            )
            for i in range(employees)
        ],
        batch_size=CHUNK,
    )

    meetings, goals, messages = [], [], []

    def meeting(relationship, starts_at, status):
        meetings.append(
            Meeting(
                relationship=relationship,
                title="Catch-up",
                starts_at=starts_at,
                duration_minutes=45,
                timezone="Europe/Berlin",
                status=status,
                created_at=starts_at - timedelta(days=7),
            )
        )

    for p, relationship in enumerate(pairs):
        mentee = users[2 * p]
        roll = rng.random()
        # History: two earlier meetings for everyone.
        for back in (60, 90):
            meeting(relationship, now - timedelta(days=back), MeetingStatus.HELD)
        if roll < 0.80:  # meets regularly: last met 8-20 days ago
            days = rng.uniform(8, 20)
            meeting(relationship, now - timedelta(days=days), MeetingStatus.HELD)
        elif roll < 0.85:  # met this week: feedback due
            days = rng.uniform(1.2, 7.5)
            meeting(relationship, now - timedelta(days=days), MeetingStatus.HELD)
        elif roll < 0.88:  # a meeting within the next day: reminders
            hours = rng.uniform(1.5, 23)
            meeting(relationship, now + timedelta(hours=hours), MeetingStatus.SCHEDULED)
        # else: quiet since 60 days (the history): nudged, at risk
        if p % 10 == 0:  # an open goal without check-in for three weeks
            goals.append(
                Goal(
                    relationship=relationship,
                    owner=mentee,
                    title="Lead a design review",
                    target_date=today + timedelta(days=60),
                    status=GoalStatus.OPEN,
                    created_at=now - timedelta(days=21),
                )
            )
        if p % 10 == 5:  # a message left unanswered
            messages.append(
                Message(
                    relationship=relationship,
                    author=mentee,
                    body="Shall we meet next week?",
                    created_at=now - timedelta(days=9),
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=CHUNK)
    Goal.objects.bulk_create(goals, batch_size=CHUNK)
    Message.objects.bulk_create(messages, batch_size=CHUNK)
    # One in ten reads activity and reminders in a daily digest at midnight
    # (so that today's digest is due whenever the benchmark runs).
    NotificationPreferences.objects.bulk_create(
        [
            NotificationPreferences(
                user=u, activity="daily", reminders="daily", digest_hour=0
            )
            for u in users[::10]
        ],
        batch_size=CHUNK,
    )
    return {
        "users": len(users) + PROGRAMS,
        "enrollments": len(enrollments),
        "relationships": len(pairs),
        "relationship members": employees,
        "meetings": len(meetings),
        "goals": len(goals),
        "messages": len(messages),
        "digest readers": len(users[::10]),
    }


_WOULD_SEND = [0]


def _stub_sending() -> None:
    import importlib

    def notify(user, *args, **kwargs):
        if user is not None and user.is_active:
            _WOULD_SEND[0] += 1

    for name in (
        "wagtail_mentoring.engagement.nudges.jobs",
        "wagtail_mentoring.engagement.nudges.services",
        "wagtail_mentoring.engagement.tasks",
        "wagtail_mentoring.journeys.reminders",
        "wagtail_mentoring.sponsorship.reminders",
        "wagtail_mentoring.programs.tasks",
        "wagtail_mentoring.matching.tasks",
    ):
        module = importlib.import_module(name)
        if hasattr(module, "notify"):
            module.notify = notify


class _Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _measure(func):
    from django.db import connection

    from wagtail_mentoring.notifications.models import Delivery

    before = Delivery.objects.count() + _WOULD_SEND[0]
    counter = _Counter()
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        func()
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = Delivery.objects.count() + _WOULD_SEND[0]
    return seconds, counter.n, peak, after - before


def _day(title: str):
    from wagtail_mentoring.engagement.nudges.at_risk import pairs_at_risk
    from wagtail_mentoring.programs.models import Relationship
    from wagtail_mentoring.tasks import PERIODIC_JOBS

    jobs = [(name, task) for name, (task, _schedule) in PERIODIC_JOBS.items()]
    jobs.append(
        (
            "at-risk list (all programs)",
            lambda: pairs_at_risk(Relationship.objects.all()),
        )
    )
    print(title)
    print(f"  {'job':<30}{'seconds':>9}{'queries':>10}{'peak MiB':>10}{'emails':>9}")
    total = [0.0, 0, 0, 0]
    for name, task in jobs:
        seconds, queries, peak, emails = _measure(task)
        total = [
            total[0] + seconds,
            total[1] + queries,
            max(total[2], peak),
            total[3] + emails,
        ]
        print(
            f"  {name:<30}{seconds:>9.2f}{queries:>10,}"
            f"{peak / 2**20:>10.1f}{emails:>9,}"
        )
    print(
        f"  {'total':<30}{total[0]:>9.2f}{total[1]:>10,}"
        f"{total[2] / 2**20:>10.1f}{total[3]:>9,}"
    )
    return total


def _sizes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        (size,) = cursor.fetchone()
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables "
            "WHERE relname LIKE 'wagtail_mentoring_%%' ORDER BY n_live_tup DESC LIMIT 6"
        )
        rows = cursor.fetchall()
    print(f"database size: {size / 2**20:,.0f} MiB; largest tables:")
    for name, n in rows:
        print(f"  {name:<40}{n:>10,}")


if __name__ == "__main__":
    main()
