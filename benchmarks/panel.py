"""Render the matching panel's proposals listing for 2,000 proposals, in-process.

Prints the time (median of several renders) and the number of SQL queries of
the listing as shipped, next to a baseline measured in the same run: the same
listing without its joins (``select_related``), i.e. one query per row.

    python benchmarks/panel.py                 # 2,000 proposals
    python benchmarks/panel.py --proposals 500 --repeat 9

Uses the test settings on a throw-away in-memory SQLite database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
    )

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        url, client = _populate(args.proposals)
        ours = _measure(client, url, args.repeat, CaptureQueriesContext, connection)

        from wagtail_mentoring.matching.models import MatchProposalQuerySet

        shipped = MatchProposalQuerySet.for_listing
        MatchProposalQuerySet.for_listing = lambda self: self  # no joins
        try:
            base = _measure(client, url, args.repeat, CaptureQueriesContext, connection)
        finally:
            MatchProposalQuerySet.for_listing = shipped
    finally:
        connection.creation.destroy_test_db(":memory:", verbosity=0)

    print(f"proposals listing, {args.proposals} proposals, 50 rows per page")
    print(f"{'':28}{'median ms':>10}{'queries':>9}")
    print(f"{'ours (joined rows)':28}{ours[0]:>10.1f}{ours[1]:>9}")
    print(f"{'baseline (no select_related)':28}{base[0]:>10.1f}{base[1]:>9}")
    print(f"ratio: {base[0] / ours[0]:.2f}x time, {base[1] / ours[1]:.2f}x queries")


def _measure(client, url, repeat, capture, connection) -> tuple[float, int]:
    client.get(url)  # warm caches (content types, templates)
    times, queries = [], 0
    for _ in range(repeat):
        with capture(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def _populate(n: int):
    """One program, n mentees, n/5 mentors, n proposals in a finished run."""
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from tests.factories import make_hub, make_program, make_user
    from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
    from wagtail_mentoring.people.models import EmployeeProfile
    from wagtail_mentoring.programs.models import Enrollment

    call_command("migrate", verbosity=0)
    program = make_program(make_hub(), title="Benchmark Mentoring")
    admin = make_user("bench-admin", superuser=True)
    users = [make_user(f"bench{i}") for i in range(n + n // 5)]
    EmployeeProfile.objects.bulk_create(
        EmployeeProfile(
            user=user,
            level=3 + (i % 5),
            department=f"Dept {i % 12}",
            title="Engineer",
            timezone="Europe/Berlin",
        )
        for i, user in enumerate(users)
    )
    mentees = Enrollment.objects.bulk_create(
        Enrollment(user=u, program=program, role="mentee", status="approved")
        for u in users[:n]
    )
    mentors = Enrollment.objects.bulk_create(
        Enrollment(
            user=u, program=program, role="mentor", status="approved", capacity=5
        )
        for u in users[n:]
    )
    run = MatchingRun.objects.create(program=program, status="succeeded", params={})
    reasons = [
        {"code": "shared_skills", "params": {"names": ["Python", "Leadership"]}},
        {"code": "seniority_gap", "params": {"levels": 2}},
        {"code": "cross_department", "params": {}},
    ]
    MatchProposal.objects.bulk_create(
        MatchProposal(
            run=run,
            program=program,
            mentee=mentee,
            mentor=mentors[i % len(mentors)],
            score=(i % 100) / 100,
            factors={"skills": 0.3, "seniority": 0.1, "cross_department": 0.05},
            reasons=reasons,
        )
        for i, mentee in enumerate(mentees)
    )
    client = Client()
    client.force_login(admin)
    return reverse("wm_matching:proposals", args=[program.pk]), client


if __name__ == "__main__":
    main()
