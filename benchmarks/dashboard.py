"""The roll-up dashboard of a large company, on PostgreSQL.

Generates 100,000 employees, 200 programs, 50,000 relationships and 1,000,000
meetings (plus feedback, goals and messages), then renders the dashboard of HR
(every program, the last 12 months) through the admin view, and prints its time
(median of several renders), its SQL queries and the data size. The baseline,
measured in the same run, is the same headline figures computed the way a
per-pair loop would: every relationship with its meetings loaded into Python.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_bench
    python benchmarks/dashboard.py
    python benchmarks/dashboard.py --scale 0.1 --repeat 3
    python benchmarks/dashboard.py --no-baseline
    python benchmarks/dashboard.py --keep   # generate once, reuse the next runs

Uses the test settings on a throw-away test database (``test_<name>``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

EMPLOYEES = 100_000
PROGRAMS = 200
RELATIONSHIPS = 50_000
MEETINGS = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the test database and its data, and reuse them next time",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # serialize=False: copying a million meetings into a string (for tests
    # that roll back by reloading it) would take longer than everything else.
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False
    )
    try:
        started = time.perf_counter()
        if args.keep and _populated():
            _identify()  # databases kept before the split by group was read
            clients, sizes = _clients(), _sizes()
            print("reused: " + ", ".join(f"{n:,} {w}" for w, n in sizes.items()))
        else:
            clients, sizes = _populate(args.scale)
            print(
                f"generated in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{n:,} {what}" for what, n in sizes.items())
            )
        _refreshes()
        print(
            f"{'dashboard, all programs, 12 months':44}{'median ms':>10}"
            f"{'CPU ms':>8}{'queries':>9}"
        )
        measured = {}
        for label, client in clients.items():
            measured[label] = _measure(client, args.repeat)
            ours = measured[label]
            print(f"{label:44}{ours[0]:>10.0f}{ours[1]:>8.0f}{ours[2]:>9}")
        # HR's view: the one compared with the live figures and the baseline.
        ours = measured[next(iter(clients))]
        # The KPIs by group, computed when a steward asks for them.
        asked = _measure(clients[next(iter(clients))], args.repeat, "&groups=1")
        print(
            f"{'HR, asking for the KPIs by group':44}"
            f"{asked[0]:>10.0f}{asked[1]:>8.0f}{asked[2]:>9}"
        )
        with _live():
            live = _measure(clients[next(iter(clients))], args.repeat)
        print(
            f"{'HR, without the summary (every figure live)':44}"
            f"{live[0]:>10.0f}{live[1]:>8.0f}{live[2]:>9}"
        )
        print(f"summary vs live: {live[0] / ours[0]:.1f}x")
        if not args.no_baseline:
            base = _baseline(args.repeat)
            print(
                f"{'baseline: per-pair loop in Python':44}{base:>10.0f}{'':>8}{'':>9}"
            )
            print(f"ratio: {base / ours[0]:.1f}x")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(name, verbosity=0)


def _refreshes() -> None:
    """The summary's first refresh (every day) and an incremental one (a day
    changed, as a meeting marked held would): their times and the summary's
    size."""
    from datetime import UTC, datetime

    from wagtail_mentoring.analytics import summary
    from wagtail_mentoring.analytics.models import ActivityDay, ActivitySummaryState

    ActivitySummaryState.objects.all().delete()
    start = time.perf_counter()
    days = summary.refresh()
    full = (time.perf_counter() - start) * 1000
    summary.mark_stale(datetime.now(UTC) - timedelta(days=40))
    start = time.perf_counter()
    changed = summary.refresh()
    incremental = (time.perf_counter() - start) * 1000
    print(
        f"summary: {ActivityDay.objects.count():,} rows (program × UTC day); "
        f"first refresh {full:.0f} ms ({days} days), "
        f"incremental {incremental:.0f} ms ({changed} day)"
    )


@contextmanager
def _live():
    """The dashboard as without the summary (its first visit before a refresh)."""
    from unittest import mock

    with (
        mock.patch("wagtail_mentoring.analytics.summary.state", return_value=None),
        mock.patch("wagtail_mentoring.analytics.summary.due", return_value=False),
    ):
        yield


class _Queries:
    """Every query of a render, on whichever connection ran it: the dashboard
    reads through a second connection, in a worker thread, on PostgreSQL."""

    def __init__(self):
        self.found: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            with self.lock:
                self.found.append((time.perf_counter() - start, sql))

    @contextmanager
    def everywhere(self):
        from django.db import connection
        from django.db.backends.signals import connection_created

        def attach(sender, connection, **kwargs):
            connection.execute_wrappers.append(self)

        connection_created.connect(attach)
        try:
            with connection.execute_wrapper(self):
                yield self
        finally:
            connection_created.disconnect(attach)


def _measure(client, repeat, extra="") -> tuple[float, float, int]:
    """Median wall-clock and CPU time of this process (ms, every thread), and
    queries."""
    url = "/admin/mentoring/dashboard/?period=365" + extra
    client.get(url)  # warm caches
    times, cpu, queries = [], [], 0
    for _ in range(repeat):
        with _Queries().everywhere() as recorded:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(recorded.found)
    if os.environ.get("WM_BENCH_SLOWEST"):
        total = sum(seconds for seconds, _sql in recorded.found) * 1000
        print(f"time in SQL (both connections): {total:.0f} ms of {times[-1]:.0f} ms")
        for seconds, sql in sorted(recorded.found, reverse=True)[:12]:
            print(f"{seconds * 1000:8.0f} ms  {sql[:150]}")
    return statistics.median(times), statistics.median(cpu), queries


def _baseline(repeat) -> float:
    """Active pairs, meetings held and days since the last meeting, by loading
    every relationship of the period with its meetings."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from wagtail_mentoring.analytics import kpis
    from wagtail_mentoring.engagement.models import Meeting
    from wagtail_mentoring.programs.models import Relationship

    period = kpis.Period.last_days(365)
    times = []
    for _ in range(min(repeat, 2)):
        start = time.perf_counter()
        active = held = 0
        quiet = [0] * 5
        relationships = Relationship.objects.prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.filter(status="held"))
        ).iterator(chunk_size=2000)
        for relationship in relationships:
            if relationship.created_at >= period.until or (
                relationship.ended_at and relationship.ended_at < period.since
            ):
                continue
            active += 1
            starts = [m.starts_at for m in relationship.meetings.all()]
            held += sum(period.since <= s < period.until for s in starts)
            if relationship.is_open and starts:
                days = (timezone.now() - max(starts)).days
                quiet[min(days // 15, 4)] += 1
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _populate(scale: float):
    """The company, in bulk: ORM for people and pages, SQL for the big tables."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from tests.factories import make_hub, make_user
    from wagtail_mentoring.engagement import meeting_marks
    from wagtail_mentoring.engagement.models import Feedback, Goal, Meeting, Message
    from wagtail_mentoring.programs.models import (
        Enrollment,
        ProgramPage,
        Relationship,
        RelationshipMember,
    )

    employees = int(EMPLOYEES * scale)
    programs = max(int(PROGRAMS * scale), 2)
    relationships = int(RELATIONSHIPS * scale)
    meetings = int(MEETINGS * scale)

    make_user("hr", superuser=True)
    hub = make_hub()
    now = timezone.now()
    group = Group.objects.create(name="HR")
    program_ids = []
    for n in range(programs):
        page = hub.add_child(
            instance=ProgramPage(
                title=f"Program {n:03}",
                slug=f"program-{n:03}",
                enrollment_opens_at=now - timedelta(days=400),
                enrollment_closes_at=now + timedelta(days=30),
                admin_group=group,
            )
        )
        program_ids.append(page.pk)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user_table = User._meta.db_table
    field = User.USERNAME_FIELD
    pk_type = User._meta.pk.get_internal_type()
    with connection.cursor() as cursor:
        if pk_type == "UUIDField":
            cursor.execute(
                f"INSERT INTO {user_table} (id, {field}, password, is_active, "
                "is_superuser, is_staff, date_joined) SELECT gen_random_uuid(), "
                "'e' || g || '@example.com', '!', true, false, false, now() "
                "FROM generate_series(1, %s) g",
                [employees],
            )
        else:
            cursor.execute(
                f"INSERT INTO {user_table} ({field}, password, is_active, "
                "is_superuser, is_staff, date_joined, first_name, last_name, email) "
                "SELECT 'e' || g, '!', true, false, false, now(), '', '', '' "
                "FROM generate_series(1, %s) g",
                [employees],
            )
        cursor.execute(
            f"CREATE TEMP TABLE staff AS SELECT id, row_number() OVER (ORDER BY id) n "
            f"FROM {user_table} WHERE {field} LIKE 'e%%'"
        )
        cursor.execute("CREATE TEMP TABLE programs (n int, id int)")
        cursor.executemany(
            "INSERT INTO programs VALUES (%s, %s)", list(enumerate(program_ids))
        )
        enrollment = Enrollment._meta.db_table
        relationship = Relationship._meta.db_table
        # Mentors are the first 20 %, the mentees the next people; one
        # application each, spread over the programs and the last 13 months.
        _insert(
            cursor,
            Enrollment,
            {
                "user": "s.id",
                "program": "p.id",
                "role": "CASE WHEN s.n <= {mentors} THEN 'mentor' ELSE 'mentee' END",
                "status": "CASE WHEN s.n %% 10 = 0 THEN 'pending' ELSE 'approved' END",
                "capacity": "3",
                "created_at": "now() - (s.n %% 395) * interval '1 day'",
            },
            "FROM staff s JOIN programs p ON p.n = s.n %% {programs} "
            "WHERE s.n <= {applicants}",
            mentors=employees // 5,
            programs=programs,
            applicants=employees // 5 + relationships * 6 // 5,
        )
        _insert(
            cursor,
            Relationship,
            {
                "program": "p.id",
                "status": "CASE WHEN g %% 9 = 0 THEN 'ended_early' "
                "WHEN g %% 4 = 0 THEN 'completed' ELSE 'active' END",
                "started_on": "(now() - (g %% 380) * interval '1 day')::date",
                "ended_at": "CASE WHEN g %% 9 = 0 OR g %% 4 = 0 "
                "THEN now() - (g %% 30) * interval '1 day' END",
                "end_reason": "CASE WHEN g %% 9 = 0 THEN 'Not a match' ELSE '' END",
                "created_at": "now() - (g %% 380) * interval '1 day'",
            },
            "FROM generate_series(1, {n}) g JOIN programs p ON p.n = g %% {programs}",
            n=relationships,
            programs=programs,
        )
        cursor.execute(
            f"CREATE TEMP TABLE rel AS SELECT id, row_number() OVER (ORDER BY id) n, "
            f"program_id, created_at FROM {relationship}"
        )
        # The n-th relationship pairs the n-th mentee with a mentor.
        for role, join in [
            ("mentee", "s.n = {mentors} + r.n"),
            ("mentor", "s.n = 1 + r.n %% {mentors}"),
        ]:
            # Each member is linked to their application, as the service does.
            _insert(
                cursor,
                RelationshipMember,
                {
                    "relationship": "r.id",
                    "user": "s.id",
                    "role": f"'{role}'",
                    "enrollment": f"(SELECT e.id FROM {enrollment} e "
                    "WHERE e.user_id = s.id LIMIT 1)",
                },
                f"FROM rel r JOIN staff s ON {join}",
                mentors=employees // 5,
            )
        _insert(
            cursor,
            Meeting,
            {
                "relationship": "r.id",
                "uid": "gen_random_uuid()",
                "starts_at": "r.created_at + k * interval '18 days'",
                "status": "CASE WHEN r.created_at + k * interval '18 days' < now() "
                "THEN 'held' ELSE 'scheduled' END",
            },
            "FROM rel r CROSS JOIN generate_series(1, {per}) k",
            per=max(meetings // max(relationships, 1), 1),
        )
        _insert(
            cursor,
            Feedback,
            {
                "relationship": "r.id",
                "rating": "1 + r.n %% 5",
                "created_at": "r.created_at + k * interval '20 days'",
            },
            "FROM rel r CROSS JOIN generate_series(1, 4) k",
        )
        _insert(
            cursor,
            Goal,
            {
                "relationship": "r.id",
                "owner": "s.id",
                "target_date": "now()::date",
                "status": "CASE WHEN r.n %% 3 = 0 THEN 'achieved' ELSE 'open' END",
                "created_at": "r.created_at + interval '10 days'",
            },
            "FROM rel r JOIN staff s ON s.n = {mentors} + r.n WHERE r.n %% 5 < 3",
            mentors=employees // 5,
        )
        _insert(
            cursor,
            Message,
            {
                "relationship": "r.id",
                "author": "s.id",
                "created_at": "r.created_at + k * interval '9 days'",
            },
            "FROM rel r JOIN staff s ON s.n = {mentors} + r.n "
            "CROSS JOIN generate_series(1, 4) k",
            mentors=employees // 5,
        )
    _identify()
    # Inserted in SQL, past the signals that keep each relationship's first
    # and last held meeting.
    meeting_marks.recount(Relationship.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from django.contrib.auth.models import Permission

    # The lead's permission must exist before the user is made (a kept database).
    assert Permission.objects.filter(codename="administer_all_programs").exists()
    make_user(
        "lead", admin_access=True, perms=["wagtail_mentoring.administer_all_programs"]
    )
    return _clients(), _sizes()


def _identify() -> None:
    """Consented self-identification of 60 % of the employees (gender and
    ethnicity), so that the dashboard's splits by group have groups to read."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from wagtail_mentoring.people.models import SelfIdentification

    if SelfIdentification.objects.exists():
        return
    User = get_user_model()
    with connection.cursor() as cursor:
        _insert(
            cursor,
            SelfIdentification,
            {
                "user": "u.id",
                "consented_at": "now()",
                "answers": "jsonb_build_object("
                "'gender', (ARRAY['woman', 'man', 'non_binary'])[1 + u.n %% 3], "
                "'ethnicity', (ARRAY['asian', 'black', 'hispanic_latino', 'white'])"
                "[1 + u.n %% 4])",
            },
            "FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM {users} "
            "WHERE {field} LIKE 'e%%') u WHERE u.n %% 10 < 6",
            users=User._meta.db_table,
            field=User.USERNAME_FIELD,
        )
        cursor.execute("ANALYZE")


def _populated() -> bool:
    from wagtail_mentoring.engagement.models import Meeting

    return Meeting.objects.exists()


def _sizes() -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from wagtail_mentoring.engagement.models import Feedback, Meeting, Message
    from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship

    sizes = {}
    with connection.cursor() as cursor:
        for what, model in [
            ("employees", get_user_model()),
            ("programs", ProgramPage),
            ("applications", Enrollment),
            ("relationships", Relationship),
            ("meetings", Meeting),
            ("feedback", Feedback),
            ("messages", Message),
        ]:
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            sizes[what] = cursor.fetchone()[0]
    return sizes


def _clients() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    field = User.USERNAME_FIELD
    clients = {}
    for label, login in [
        ("HR (every program, the split by group too)", "hr"),
        ("admin of every program (no split by group)", "lead"),
    ]:
        user = User.objects.get(**{f"{field}__startswith": login})
        clients[label] = Client()
        clients[label].force_login(user)
    return clients


def _insert(cursor, model, expressions: dict, source: str, **params) -> None:
    """INSERT … SELECT of ``model`` rows: SQL ``expressions`` for the named
    fields, each other column its Django default (the database has none)."""
    from django.db import connection

    columns, selects, values = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in expressions:
            continue
        columns.append(field.column)
        if field.name in expressions:
            selects.append(expressions[field.name].format(**params))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            selects.append("now()")
        elif field.null and not field.has_default():
            selects.append("NULL")
        else:
            selects.append("%s")
            values.append(field.get_db_prep_save(field.get_default(), connection))
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} {source.format(**params)}",
        values,
    )


if __name__ == "__main__":
    main()
