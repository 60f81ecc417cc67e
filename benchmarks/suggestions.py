"""*Find a mentor* for one mentee against a large self-select program, in-process.

Prints the server time (median of several calls) and the SQL queries of
``search_mentors`` (scores, hard rules, exposure limits and explanations of the
ten suggestions shown) and of the whole page, next to a baseline measured in the
same run: the same search through the matching panel's full path (every
candidate loaded as a row, a problem built from all of them, every pair scored
and explained by ``match()``).

    python benchmarks/suggestions.py                  # 20,000 mentors
    python benchmarks/suggestions.py --mentors 2000 --repeat 9
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wm_bench \
        python benchmarks/suggestions.py

Uses the test settings; SQLite in memory unless ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata"]
LANGUAGES = [["en"], ["en", "de"], ["en", "es"], ["de"], ["en", "hi"]]
SLOTS = ["mon_am", "mon_pm", "tue_am", "wed_pm", "thu_am", "fri_pm"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        enrollment, client, url = _populate(args.mentors)
        from tests.suggestions_baseline import search_mentors_baseline
        from wagtail_mentoring.matching import suggestion_table, suggestions

        def ours():
            return suggestions.search_mentors(enrollment, limit=10)

        def cold():
            suggestion_table.clear()
            return ours()

        def elsewhere():
            # the mentee edits their own profile, which no mentor's row reads
            profile = enrollment.user.mentoring_profile
            profile.bio = f"{profile.bio} ."[-200:]
            profile.save(update_fields=["bio", "updated_at"])
            return ours()

        def page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        ours_ms, ours_q, result = _measure(ours, args.repeat, CaptureQueriesContext)
        page_ms, page_q, _ = _measure(page, args.repeat, CaptureQueriesContext)
        cold_ms, cold_q, _ = _measure(cold, 3, CaptureQueriesContext)
        other_ms, other_q, _ = _measure(elsewhere, args.repeat, CaptureQueriesContext)
        base_ms, base_q, base = _measure(
            lambda: search_mentors_baseline(enrollment, limit=10),
            max(1, args.repeat // 3),
            CaptureQueriesContext,
            warm=False,
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    same = [(s.enrollment.pk, s.score, s.reasons) for s in result.suggestions] == [
        (s.enrollment.pk, s.score, s.reasons) for s in base.suggestions
    ]
    print(
        f"Find a mentor: 1 mentee, {args.mentors:,} mentors "
        f"({connection.vendor}, {os.cpu_count()} cores)"
    )
    print(f"{'':34}{'median ms':>10}{'CPU ms':>9}{'queries':>9}")
    for label, (wall, cpu), queries in (
        ("search_mentors (ours)", ours_ms, ours_q),
        ("the whole page (ours)", page_ms, page_q),
        ("after an edit (table rebuilt)", cold_ms, cold_q),
        ("save of an unread profile + search", other_ms, other_q),
        ("baseline: full problem + match()", base_ms, base_q),
    ):
        print(f"{label:34}{wall:>10.1f}{cpu:>9.1f}{queries:>9}")
    print(
        f"ratio: {base_ms[0] / ours_ms[0]:.0f}x; same ten suggestions, scores and "
        f"reasons in order: {same}; load average {os.getloadavg()[0]:.1f}"
    )


def _measure(call, repeat, capture, warm=True):
    from django.db import connection

    if warm:
        call()  # warm caches (content types, templates, the mentor table)
    times, cpu, queries = [], [], 0
    for _ in range(repeat):
        with capture(connection) as ctx:
            start, start_cpu = time.perf_counter(), time.process_time()
            result = call()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries = len(ctx.captured_queries)
    # CPU time of this process: on a shared machine, wall time also counts
    # the waits for a core
    return (statistics.median(times), statistics.median(cpu)), queries, result


def _populate(n: int):
    """A self-select program with n mentors, one mentee, a few live requests."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from tests.factories import make_hub, make_program, make_user
    from wagtail_mentoring.engagement.models import MentorRequest
    from wagtail_mentoring.people.models import EmployeeProfile, Interest, Skill
    from wagtail_mentoring.programs.models import Enrollment

    rng = random.Random(7)
    call_command("migrate", verbosity=0)
    program = make_program(
        make_hub(), title="Find-a-mentor benchmark", matching_mode="self_select"
    )
    skills = Skill.objects.bulk_create(Skill(name=f"Skill {i}") for i in range(60))
    interests = Interest.objects.bulk_create(
        Interest(name=f"Interest {i}") for i in range(30)
    )
    User = get_user_model()
    field = User.USERNAME_FIELD
    users = User.objects.bulk_create(
        User(**{field: f"mentor{i}@bench.example" if field == "email" else f"m{i}"})
        for i in range(n)
    )
    names = [u.get_username() for u in users]
    users = list(User.objects.filter(**{f"{field}__in": names}))
    profiles = EmployeeProfile.objects.bulk_create(
        EmployeeProfile(
            user=user,
            level=rng.randint(3, 9),
            department=f"Dept {rng.randint(0, 40)}",
            location=f"Site {rng.randint(0, 12)}",
            title="Engineer",
            timezone=rng.choice(ZONES),
            languages=rng.choice(LANGUAGES),
            availability=rng.sample(SLOTS, k=3),
            bio="Platform engineering, mentoring new leads, public speaking.",
        )
        for user in users
    )
    profiles = list(EmployeeProfile.objects.filter(user__in=users))
    through = EmployeeProfile.skills.through
    through.objects.bulk_create(
        through(employeeprofile_id=p.pk, skill_id=s.pk)
        for p in profiles
        for s in rng.sample(skills, k=4)
    )
    through = EmployeeProfile.interests.through
    through.objects.bulk_create(
        through(employeeprofile_id=p.pk, interest_id=i.pk)
        for p in profiles
        for i in rng.sample(interests, k=3)
    )
    mentors = Enrollment.objects.bulk_create(
        Enrollment(
            user=u,
            program=program,
            role="mentor",
            status="approved",
            capacity=rng.randint(1, 4),
        )
        for u in users
    )
    mentee_user = make_user(
        "bench-mentee",
        profile={
            "level": 3,
            "department": "Dept 1",
            "timezone": "Europe/Berlin",
            "languages": ["en"],
            "availability": ["mon_am", "tue_am"],
            "goals": "Grow into a lead role; public speaking.",
        },
    )
    mentee_user.mentoring_profile.skills_wanted.set(skills[:5])
    mentee_user.mentoring_profile.interests.set(interests[:4])
    enrollment = Enrollment.objects.create(
        user=mentee_user, program=program, role="mentee", status="approved"
    )
    # Other mentees' live requests, so exposure limits have work to do.
    askers = [make_user(f"bench-asker{i}", profile={"level": 2}) for i in range(20)]
    for i, asker in enumerate(askers):
        asked = Enrollment.objects.create(
            user=asker, program=program, role="mentee", status="approved"
        )
        MentorRequest.objects.create(
            program=program,
            mentee_enrollment=asked,
            mentor_enrollment=mentors[i % 5],
            rank=1,
            status="pending",
        )
    client = Client()
    client.force_login(mentee_user)
    url = reverse("wagtail_mentoring:find_mentor", args=[enrollment.pk])
    return enrollment, client, url


if __name__ == "__main__":
    main()
