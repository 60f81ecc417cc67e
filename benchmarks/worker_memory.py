"""Memory of a real Celery worker across consecutive matching runs.

Starts ``celery -A intranet worker`` (solo pool, as the services tests do) on
Redis against a PostgreSQL test database holding one program of N mentees and
N/5 mentors, queues K matching runs one after the other through the service
admins use (``matching.services.start_run``), and prints the worker's resident
set after each run (read from ``/proc`` through psutil). A worker that does not
grow holds the same memory after the last run as after the second (the first
run imports and warms caches).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_worker
    python benchmarks/worker_memory.py                  # 20 runs at 1,000 mentees
    python benchmarks/worker_memory.py --runs 5 --mentees 200

Needs Redis at ``CELERY_BROKER_URL`` (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
# Database 14: the services tests use 15.
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")

LOCATIONS = ["Berlin", "Lisbon", "Toronto", "Austin", "Pune"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--mentees", type=int, default=1000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")

    import django

    django.setup()
    import psutil
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests import celery_worker

    setup_test_environment()
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        program, admin = _populate(args.mentees)
        try:
            worker = celery_worker.start(connection.settings_dict)
        except celery_worker.WorkerDidNotStart:
            sys.exit("The Celery worker did not start.")
        try:
            process = psutil.Process(worker.pid)
            rss = []
            started = time.perf_counter()
            for n in range(1, args.runs + 1):
                status = _one_run(program, admin)
                rss.append(process.memory_info().rss / 2**20)
                print(f"run {n:2}: {status:9} worker RSS {rss[-1]:7.1f} MiB")
            second = rss[min(1, len(rss) - 1)]
            took = time.perf_counter() - started
            print(
                f"{args.runs} runs at {args.mentees:,} mentees × "
                f"{args.mentees // 5:,} mentors in {took:.0f} s; "
                f"worker RSS after run 2: {second:.1f} MiB, "
                f"after run {args.runs}: {rss[-1]:.1f} MiB "
                f"({rss[-1] - second:+.1f} MiB; target: no growth)"
            )
        finally:
            celery_worker.stop(worker, timeout=30)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def _populate(mentees: int):
    from tests.factories import make_enrollment, make_hub, make_program, make_user
    from wagtail_mentoring.programs.models import EnrollmentStatus

    rng = random.Random(7)
    admin = make_user("hr", superuser=True)
    program = make_program(make_hub(), title="Engineering Mentoring")

    def profile(level):
        return {
            "level": level,
            "department": rng.choice(["Eng", "Sales", "Ops", "Finance"]),
            "timezone": "UTC",
            "languages": ["en"],
            "location": rng.choice(LOCATIONS),
        }

    for i in range(mentees // 5):
        make_enrollment(
            make_user(f"mentor{i}", profile=profile(rng.randint(5, 8))),
            program,
            "mentor",
            status=EnrollmentStatus.APPROVED,
            capacity=5,
        )
    for i in range(mentees):
        make_enrollment(
            make_user(f"mentee{i}", profile=profile(rng.randint(1, 4))),
            program,
            "mentee",
            status=EnrollmentStatus.APPROVED,
        )
    return program, admin


def _one_run(program, admin) -> str:
    from wagtail_mentoring.matching import services
    from wagtail_mentoring.matching.models import MatchingRun

    run = services.start_run(program, admin, fresh=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = MatchingRun.objects.get(pk=run.pk).status
        if status in ("succeeded", "failed"):
            return status
        time.sleep(0.2)
    return "timed out"


if __name__ == "__main__":
    main()
