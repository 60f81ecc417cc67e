"""HRIS import of a whole company on PostgreSQL: dry run, apply, re-import.

Creates the company's host accounts (100,000 by default) with ``bulk_create``,
writes a BambooHR-style CSV of them (managers in a tree, listed after the
people they manage, skills and languages), then measures on the same file:

- baseline: reading the CSV with the standard library's ``csv`` module;
- the dry run (``services.upload``: parse, match, diff, managers, leavers);
- applying it (every profile created, managers set);
- the nightly re-import of the same file (dry run + apply: nothing changes).

Prints per step the wall and CPU time, the CPU ratio to the baseline, the SQL
queries, the queries per 1,000-person batch and the peak memory: the process's
resident high-water mark, or the step's traced Python peak with
``HRIS_BENCH_TRACEMALLOC=1`` (several times slower).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_hris_bench \\
        python benchmarks/hris.py                  # 100,000 people
    DATABASE_URL=... python benchmarks/hris.py --rows 5000

The database named in DATABASE_URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

PEOPLE = 100_000
DEPARTMENTS = ["Engineering", "Sales", "Finance", "People", "Design", "Support"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Europe/London"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=PEOPLE, help="people in the file (100,000)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own.")
    _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people = max(10, args.rows)
    started = time.perf_counter()
    content, steward = _company(people, random.Random(args.seed))
    print(
        f"company: {people:,} accounts, file {len(content) / 1048576:.1f} MB "
        f"(generated in {time.perf_counter() - started:.0f} s)"
    )
    from wagtail_mentoring.people.hris import planning, services
    from wagtail_mentoring.people.hris.models import HrisMapping
    from wagtail_mentoring.people.hris.presets import BAMBOOHR, preset_columns

    header_rows, columns = preset_columns(BAMBOOHR)
    mapping = HrisMapping.objects.create(
        name="BambooHR", preset=BAMBOOHR, header_rows=header_rows, columns=columns
    )
    batches = -(-people // planning.BATCH_SIZE)

    baseline = _measure(
        lambda: sum(1 for _ in csv.reader(io.StringIO(content.decode())))
    )
    rows = [("baseline: csv.reader over the file", baseline)]
    record = None

    def dry_run():
        nonlocal record
        record = services.upload(mapping, content, "people.csv", steward)
        return record.summary["counts"]

    rows.append(("dry run (first import)", _measure(dry_run)))
    rows.append(
        (
            "apply (first import)",
            _measure(lambda: services.apply_import(record, steward)),
        )
    )
    rows.append(("dry run (same file again)", _measure(dry_run)))
    rows.append(
        (
            "apply (same file again)",
            _measure(lambda: services.apply_import(record, steward)),
        )
    )

    base = baseline["cpu"] or 1e-3
    heading = f"{'step':<36}{'wall':>9}{'CPU':>9}{'× base':>8}{'queries':>9}"
    print(f"{heading}{'/batch':>8}{'peak MB':>9}  result")
    for name, m in rows:
        print(
            f"{name:<36}{m['seconds']:>8.2f}s{m['cpu']:>8.2f}s"
            f"{m['cpu'] / base:>8.0f}{m['queries']:>9}{m['queries'] / batches:>8.1f}"
            f"{m['peak'] / 1048576:>9.0f}  {m['result']}"
        )
    print(
        f"({batches} batches of {planning.BATCH_SIZE:,} people; × base is CPU "
        "time over the baseline's; peak MB is "
        + (
            "traced Python memory)"
            if os.environ.get("HRIS_BENCH_TRACEMALLOC")
            else "the process's resident high-water mark after the step)"
        )
    )


def _measure(step) -> dict:
    from django.db import connection

    count = [0]
    slow = []

    def counter(execute, sql, params, many, context):
        count[0] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slow.append((time.perf_counter() - started, sql[:70]))

    # tracemalloc slows this allocation-heavy code several times over, so
    # it is opt-in; the default peak is the process's resident high-water
    # mark (ru_maxrss, kB on Linux), which only rises.
    traced = bool(os.environ.get("HRIS_BENCH_TRACEMALLOC"))
    if traced:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(counter):
        if os.environ.get("HRIS_BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(step)
            pstats.Stats(profile).sort_stats("tottime").print_stats(8)
        else:
            result = step()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if os.environ.get("HRIS_BENCH_SLOWEST"):
        for took, sql in sorted(slow, reverse=True)[:3]:
            print(f"    {took:.2f}s {sql}")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "queries": count[0],
        "peak": peak,
        "result": result,
    }


def _company(people: int, rng: random.Random):
    from django.contrib.auth import get_user_model

    from tests.factories import make_user

    User = get_user_model()
    steward = make_user(
        "steward",
        perms=["wagtailadmin.access_admin", "wagtail_mentoring.change_employeeprofile"],
    )
    email = User.get_email_field_name()
    users = []
    for i in range(people):
        fields = {email: f"person{i}@example.com"}
        if email != User.USERNAME_FIELD:
            fields[User.USERNAME_FIELD] = f"person{i}"
        user = User(**fields)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=5000)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Employee #", "First Name", "Last Name", "Work Email", "Job Title",
                     "Department", "Location", "Time Zone", "Job Level",
                     "Supervisor EID", "Languages", "Skills", "Status"])  # fmt: skip
    for i in range(people):
        # A tree: everyone's manager has a smaller number; listed in reverse,
        # so a manager comes after the people they manage.
        manager = f"E{rng.randrange(i)}" if i else ""
        writer.writerow([f"E{i}", f"First{i}", f"Last{i}", f"person{i}@example.com",
                         "Engineer", rng.choice(DEPARTMENTS), "Berlin",
                         rng.choice(ZONES), rng.randint(1, 9), manager,
                         rng.choice(["en", "en;de", "fr"]),
                         rng.choice(["Python", "Python;SQL", "Negotiation"]),
                         "Active"])  # fmt: skip
    lines = out.getvalue().splitlines()
    content = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    return content.encode(), steward


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


if __name__ == "__main__":
    main()
