"""Our pages under load, next to the host's own home page.

Seeds the example intranet on PostgreSQL with 10,000 employees and 3,000
relationships (the demo company of ``seed_demo``, grown with ``bulk_create``;
pairs without history get 12 meetings and 4 goals), serves it with gunicorn
(DEBUG off) and drives it with locust, headless:
signed-in employees walk My mentoring, a relationship, a journey step, Find a
mentor, a program page and a community space; admins walk the matching
proposals listing and the program's matching panel; everyone also reads the
site's plain home page, the anchor.
Prints per page p50/p95/p99, throughput and errors, then p95 over the anchor's.

    pip install -e .[bench,postgres]
    python benchmarks/load.py                          # 50 users, 60 s
    python benchmarks/load.py --users 50 --duration 120 --workers 3
    python benchmarks/load.py --queries                # SQL per page, no server
    python benchmarks/load.py --reseed                 # drop and seed again

The database (``DATABASE_URL``, default ``wm_load`` on 127.0.0.1) is kept: the
next runs only migrate it. Uses the example site's own settings.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "example_site"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wm_load"
EMPLOYEES = 10_000
RELATIONSHIPS = 3_000
ANCHOR = "home (anchor)"
# The admin screens' second anchor: Wagtail's own report of locked pages, an
# admin listing with nothing in it (the admin's chrome, menus and permissions).
ADMIN_ANCHOR = "empty admin (anchor)"
ADMIN_PAGES = ("proposals", "matching panel")
CHUNK = 2_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument(
        "--wait", default="5,15", help="think time between requests, seconds"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--people", type=int, default=200, help="signed-in people")
    parser.add_argument("--queries", action="store_true", help="only SQL per page")
    parser.add_argument("--reseed", action="store_true")
    # The locust next to this Python first: a venv's scripts need not be on PATH.
    beside = Path(sys.executable).with_name("locust")
    parser.add_argument(
        "--locust",
        default=str(beside) if beside.exists() else shutil.which("locust") or "locust",
    )
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database.")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "intranet.settings"
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks eager, in the web process
    sys.path[:0] = [str(ROOT), str(SITE)]
    _ensure_database(url, drop=args.reseed)

    import django

    django.setup()
    _seed()
    plan = _plan(args.people)
    counts = _queries(plan)
    load = os.getloadavg()
    print(
        "\nPer request, in this process (warm; medians over 10 visitors × 3; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}):"
    )
    print(
        f"  {'page':<20} {'queries':>7} {'(most)':>6} {'CPU ms':>7} {'÷ anchor':>8} "
        f"{'÷ admin':>8}"
    )
    for page, (n, cpu, most) in counts.items():
        admin = (
            f"{cpu / counts[ADMIN_ANCHOR][1]:>7.1f}×"
            if page in ADMIN_PAGES or page == ADMIN_ANCHOR
            else ""
        )
        print(
            f"  {page:<20} {n:>7} {most:>6} {cpu:>7.1f} "
            f"{cpu / counts[ANCHOR][1]:>7.1f}× {admin}"
        )
    if args.queries:
        return
    _run(plan, args)


def _ensure_database(url: str, drop: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _seed() -> None:
    from django.core.management import call_command

    from intranet.home.models import HomePage
    from wagtail_mentoring.people.models import EmployeeProfile
    from wagtail_mentoring.programs.models import Relationship

    call_command("migrate", verbosity=0)
    if not HomePage.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", verbosity=0)
        print(f"seed_demo: {time.perf_counter() - started:.0f} s")
    have = EmployeeProfile.objects.count(), Relationship.objects.count()
    if have[0] < EMPLOYEES or have[1] < RELATIONSHIPS:
        started = time.perf_counter()
        _grow(EMPLOYEES - have[0], RELATIONSHIPS - have[1])
        print(f"grown to 10,000 employees: {time.perf_counter() - started:.0f} s")
    quiet = Relationship.objects.filter(meetings__isnull=True)
    if quiet.exists():
        _history(list(quiet.values_list("pk", flat=True)))
    from wagtail_mentoring.engagement.models import Goal, Meeting

    print(
        f"database: {EmployeeProfile.objects.count():,} employees, "
        f"{Relationship.objects.count():,} relationships, "
        f"{Meeting.objects.count():,} meetings, {Goal.objects.count():,} goals"
    )


def _grow(employees: int, relationships: int) -> None:
    """More employees and pairs on top of the demo company, in bulk: the demo's
    password, profiles with skills, and active pairs in the demo's programs
    (their mentors also join the self-select programs' pools)."""

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from wagtail_mentoring.people.models import EmployeeProfile, Interest, Skill
    from wagtail_mentoring.programs.models import (
        Enrollment,
        EnrollmentStatus,
        ProgramKind,
        ProgramPage,
        Relationship,
        RelationshipMember,
        RelationshipStatus,
    )

    rng = random.Random(21)
    User = get_user_model()
    password = User.objects.exclude(password__startswith="!").first().password
    field_names = {f.name for f in User._meta.get_fields()}
    # Pairs of a mentor and a mentee: one-to-one and reverse programs. (Peer
    # programs pair members, group ones form circles, flash ones book hours,
    # sponsorship has sponsors: mentor/mentee rows there would be no real data.)
    programs = list(
        ProgramPage.objects.live()
        .filter(kind__in=[ProgramKind.ONE_TO_ONE, ProgramKind.REVERSE])
        .order_by("path")
    )
    skills, interests = list(Skill.objects.all()), list(Interest.objects.all())
    now, today = timezone.now(), timezone.localdate()
    zones = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London"]

    def user(i):
        login = f"load{i:05d}"
        fields = {User.USERNAME_FIELD: login}
        if "email" in field_names:
            fields["email"] = f"{login}@acme.example"
        if "first_name" in field_names:
            fields.update(first_name=f"Load{i}", last_name="Tester")
        return User(**fields, password=password, is_active=True)

    with transaction.atomic():
        users = []
        for start in range(0, employees, CHUNK):
            users += User.objects.bulk_create(
                [user(i) for i in range(start, min(employees, start + CHUNK))]
            )
        profiles = EmployeeProfile.objects.bulk_create(
            [
                EmployeeProfile(
                    user=u,
                    level=1 + i % 7,
                    title="Engineer",
                    department=["Engineering", "Sales", "Finance", "People"][i % 4],
                    timezone=zones[i % len(zones)],
                    languages=["en"],
                    availability=["mon_am", "wed_pm"],
                    open_to_mentoring=i % 7 >= 3,
                )
                for i, u in enumerate(users)
            ],
            batch_size=CHUNK,
        )
        Through = EmployeeProfile.skills.through
        Through.objects.bulk_create(
            [
                Through(employeeprofile=p, skill=s)
                for p in profiles
                for s in rng.sample(skills, k=min(4, len(skills)))
            ],
            batch_size=CHUNK * 4,
        )
        Wanted = EmployeeProfile.skills_wanted.through
        Wanted.objects.bulk_create(
            [
                Wanted(employeeprofile=p, skill=s)
                for p in profiles
                for s in rng.sample(skills, k=min(3, len(skills)))
            ],
            batch_size=CHUNK * 4,
        )
        Interests = EmployeeProfile.interests.through
        Interests.objects.bulk_create(
            [
                Interests(employeeprofile=p, interest=s)
                for p in profiles
                for s in rng.sample(interests, k=min(2, len(interests)))
            ],
            batch_size=CHUNK * 4,
        )
        # The first 2 × relationships new people pair up (mentee, mentor); the
        # rest of the mentors wait in the pools with room.
        pairs = max(0, min(relationships, len(users) // 2))
        decided = now - timedelta(days=90)
        enrollments = Enrollment.objects.bulk_create(
            [
                Enrollment(
                    user=u,
                    program=programs[(i // 2) % len(programs)],
                    role="mentee" if i % 2 == 0 else "mentor",
                    capacity=None if i % 2 == 0 else 2,
                    status=EnrollmentStatus.APPROVED,
                    decided_at=decided,
                    created_at=decided,
                )
                for i, u in enumerate(users)
            ],
            batch_size=CHUNK,
        )
        made = Relationship.objects.bulk_create(
            [
                Relationship(
                    program=programs[p % len(programs)],
                    status=RelationshipStatus.ACTIVE,
                    started_on=today - timedelta(days=rng.randint(10, 120)),
                    ends_on=today + timedelta(days=rng.randint(30, 200)),
                    created_at=decided,
                )
                for p in range(pairs)
            ],
            batch_size=CHUNK,
        )
        RelationshipMember.objects.bulk_create(
            [
                RelationshipMember(
                    relationship=made[i // 2],
                    user=users[i],
                    role=enrollments[i].role,
                    enrollment=enrollments[i],
                )
                for i in range(2 * pairs)
            ],
            batch_size=CHUNK,
        )
    # Fresh planner statistics, as autovacuum gives a live site: with the
    # counts of before the bulk insert PostgreSQL joins whole tables.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _history(relationship_pks: list[int]) -> None:
    """A half-year of history for pairs that have none: a meeting every two
    weeks (the last two to come) and four goals, one achieved."""

    from django.db import connection, transaction
    from django.utils import timezone

    from wagtail_mentoring.engagement.models import (
        Goal,
        GoalStatus,
        Meeting,
        MeetingStatus,
    )
    from wagtail_mentoring.programs.models import RelationshipMember

    now, today = timezone.now(), timezone.localdate()
    mentee = dict(
        RelationshipMember.objects.filter(
            relationship_id__in=relationship_pks, role="mentee"
        ).values_list("relationship_id", "user_id")
    )
    with transaction.atomic():
        Meeting.objects.bulk_create(
            [
                Meeting(
                    relationship_id=pk,
                    title="Catch-up",
                    starts_at=now + timedelta(weeks=2 * (i - 10), hours=pk % 48),
                    status=MeetingStatus.HELD if i < 10 else MeetingStatus.SCHEDULED,
                    created_by_id=mentee.get(pk),
                )
                for pk in relationship_pks
                for i in range(12)
            ],
            batch_size=CHUNK * 2,
        )
        Goal.objects.bulk_create(
            [
                Goal(
                    relationship_id=pk,
                    owner_id=mentee.get(pk),
                    title=f"Goal {i + 1}",
                    target_date=today + timedelta(days=30 * i),
                    status=GoalStatus.ACHIEVED if i == 0 else GoalStatus.OPEN,
                )
                for pk in relationship_pks
                for i in range(4)
            ],
            batch_size=CHUNK * 2,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _plan(people: int) -> dict:
    """Per page, who may see it (a signed-in session) and their URL of it."""

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from wagtail_mentoring.community.models import CommunitySpacePage
    from wagtail_mentoring.engagement.mentor_requests import SELF_SELECT_MODES
    from wagtail_mentoring.journeys.models import LearningJourneyPage
    from wagtail_mentoring.programs.models import (
        Enrollment,
        EnrollmentStatus,
        ProgramPage,
        RelationshipMember,
        RelationshipStatus,
    )

    rng = random.Random(5)
    sessions: dict[int, str] = {}

    def session(user) -> str:
        if user.pk not in sessions:
            store = SessionStore()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.set_expiry(timedelta(days=1))
            store.create()
            sessions[user.pk] = store.session_key
        return sessions[user.pk]

    members = list(
        RelationshipMember.objects.filter(
            relationship__status=RelationshipStatus.ACTIVE,
            role="mentee",
            user__is_active=True,
            relationship__program__live=True,
        ).select_related("user", "relationship__program")
    )
    members = rng.sample(members, k=min(people, len(members)))
    pages: dict[str, list[dict]] = {
        ANCHOR: [],
        "my mentoring": [],
        "relationship": [],
        "journey step": [],
        "find a mentor": [],
        "program page": [],
        "community space": [],
        ADMIN_ANCHOR: [],
        "proposals": [],
        "matching panel": [],
    }
    program_urls = {p.pk: p.url for p in ProgramPage.objects.live()}
    for member in members:
        s = session(member.user)
        pages[ANCHOR].append({"session": s, "url": "/"})
        pages["my mentoring"].append(
            {"session": s, "url": reverse("wagtail_mentoring:my_mentoring")}
        )
        pages["relationship"].append(
            {
                "session": s,
                "url": reverse(
                    "wagtail_mentoring:relationship", args=[member.relationship_id]
                ),
            }
        )
        pages["program page"].append(
            {"session": s, "url": program_urls[member.relationship.program_id]}
        )
    journeys = [j for j in LearningJourneyPage.objects.live() if j.journey_steps]
    for journey in journeys:
        followers = members_of_journey(journey, members)
        for member in followers:
            step = rng.choice(journey.journey_steps)
            url = journey.url + journey.reverse_subpage("step", args=[step.id])
            pages["journey step"].append({"session": session(member.user), "url": url})
    seekers = list(
        Enrollment.objects.filter(
            role="mentee",
            status=EnrollmentStatus.APPROVED,
            program__matching_mode__in=SELF_SELECT_MODES,
            program__live=True,
            user__is_active=True,
        ).select_related("user")
    )
    for enrollment in rng.sample(seekers, k=min(people, len(seekers))):
        pages["find a mentor"].append(
            {
                "session": session(enrollment.user),
                "url": reverse("wagtail_mentoring:find_mentor", args=[enrollment.pk]),
            }
        )
    spaces = list(CommunitySpacePage.objects.live())
    for member in members:
        space = rng.choice(spaces)
        pages["community space"].append(
            {"session": session(member.user), "url": space.url}
        )
    User = get_user_model()
    admins = list(User.objects.filter(is_superuser=True, is_active=True))
    panel = _panel_program()
    for admin in admins:
        pages[ADMIN_ANCHOR].append(
            {
                "session": session(admin),
                "url": reverse("wagtailadmin_reports:locked_pages"),
            }
        )
        for page, name in [("proposals", "proposals"), ("matching panel", "panel")]:
            pages[page].append(
                {
                    "session": session(admin),
                    "url": reverse(f"wm_matching:{name}", args=[panel]),
                }
            )
    empty = [page for page, visits in pages.items() if not visits]
    if empty:
        sys.exit(f"No one to walk: {', '.join(empty)}")
    return {"pages": pages}


def members_of_journey(journey, members) -> list:
    from wagtail_mentoring.journeys import selectors

    return [m for m in members if selectors.following_pairs(journey, m.user)]


def _panel_program() -> int:
    """The program whose matching run has the most proposals."""

    from django.db.models import Count

    from wagtail_mentoring.matching.models import MatchingRun

    run = (
        MatchingRun.objects.annotate(n=Count("proposals")).order_by("-n", "-pk").first()
    )
    return run.program_id


def _queries(
    plan: dict, repeat: int = 3, visitors: int = 10
) -> dict[str, tuple[int, float]]:
    """SQL queries and CPU milliseconds of a request per page, in this process:
    for each of the page's first ``visitors`` visits a warming request, then
    ``repeat`` timed ones; the medians over the visitors. One visitor is not the
    page: a mentee who may not ask for a mentor is shown no suggestions, a peer
    program's members are scored another way. Fails on anything but a 200, so a
    broken plan never reaches the load run. CPU time does not count waiting for
    PostgreSQL, nor for other work on a shared machine."""

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for page, visits in plan["pages"].items():
        queries, times = [], []
        for visit in visits[:visitors]:
            client = Client()
            client.cookies["sessionid"] = visit["session"]
            client.get(visit["url"])
            with CaptureQueriesContext(connection) as captured:
                response = client.get(visit["url"])
            if response.status_code != 200:
                sys.exit(f"{page}: {visit['url']} answered {response.status_code}")
            queries.append(len(captured))  # the next request empties Django's log
            for _ in range(repeat):
                started = time.process_time()
                client.get(visit["url"])
                times.append(time.process_time() - started)
        counts[page] = (
            round(statistics.median(queries)),
            statistics.median(times) * 1000,
            max(queries),
        )
    return counts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(plan: dict, args) -> None:
    port = args.port or _free_port()
    host = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="wm-load-"))
    (workdir / "plan.json").write_text(json.dumps(plan))
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(ROOT), str(SITE), os.environ.get("PYTHONPATH", "")]
        ),
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "intranet.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--worker-class=gthread",
            f"--threads={args.threads}",
            "--log-level=warning",
            # Every request's path and time in µs, to find what makes a tail.
            f"--access-logfile={workdir / 'access.log'}",
            '--access-logformat=%(t)s %(D)s %(s)s "%(r)s"',
            f"--chdir={SITE}",
        ],
        env=env,
    )
    try:
        _wait_for(port)
        _warm(host, plan, args.workers * args.threads)
        load_before = os.getloadavg()
        cpu_before = _cpu_seconds(server.pid)
        subprocess.run(
            [
                args.locust,
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={args.spawn_rate}",
                f"--run-time={args.duration}s",
                f"--host={host}",
                f"--csv={workdir / 'run'}",
                "--only-summary",
                # Steady state at the number of users: not the burst of every
                # user's first request while they spawn.
                "--reset-stats",
                "--loglevel=WARNING",
            ],
            env=dict(
                env, WM_LOAD_PLAN=str(workdir / "plan.json"), WM_LOAD_WAIT=args.wait
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "locust.log").open("w"),
        )
        cpu = _cpu_seconds(server.pid) - cpu_before
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    _report(workdir / "run_stats.csv", args, cpu, load_before, load_after)


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def _warm(host: str, plan: dict, times: int) -> None:
    """A few requests per page so each worker has loaded its templates."""

    import urllib.request

    for visits in plan["pages"].values():
        for visit in visits[:times]:
            request = urllib.request.Request(
                host + visit["url"], headers={"Cookie": f"sessionid={visit['session']}"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of gunicorn's master and its workers."""

    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _report(stats: Path, args, cpu: float, before, after) -> None:
    rows = {row["Name"]: row for row in csv.DictReader(stats.open())}
    anchor = float(rows[ANCHOR]["95%"])
    admin_anchor = float(rows[ADMIN_ANCHOR]["95%"]) if ADMIN_ANCHOR in rows else 0
    print(
        f"\n{args.users} users (think time {args.wait} s), {args.duration} s, "
        f"gunicorn {args.workers} workers × {args.threads} threads, DEBUG off, "
        f"PostgreSQL; load average {before[0]:.1f} before, {after[0]:.1f} after; "
        f"server CPU {cpu:.0f} s over {os.cpu_count()} cores"
    )
    header = (
        f"{'page':<18} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'req/s':>6} {'p95/anchor':>10} {'p95/admin':>9}"
    )
    print(header)
    print("-" * len(header))
    failures = 0
    for name, row in rows.items():
        if name == "Aggregated":
            continue
        failures += int(row["Failure Count"])
        ratio = float(row["95%"]) / anchor if anchor else float("nan")
        admin = ""
        if admin_anchor and (name in ADMIN_PAGES or name == ADMIN_ANCHOR):
            admin = f"{float(row['95%']) / admin_anchor:>8.2f}×"
        print(
            f"{name:<18} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} "
            f"{float(row['Requests/s']):>6.1f} {ratio:>9.2f}× {admin}"
        )
    total = rows["Aggregated"]
    print(
        f"{'all':<18} {total['Request Count']:>8} {total['Failure Count']:>6} "
        f"{total['50%']:>7} {total['95%']:>7} {total['99%']:>7} "
        f"{float(total['Requests/s']):>6.1f}"
    )
    if failures:
        failures_csv = stats.with_name("run_failures.csv")
        print(f"\n{failures} errors:\n" + failures_csv.read_text())


if __name__ == "__main__":
    main()
