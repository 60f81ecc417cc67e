"""A community space at company scale: its thread list and a long thread.

Builds a space with 5,000 members, 20,000 posts in 400 threads, and one thread
of 500 replies (``--scale 0.1`` for a tenth of everything), then renders, in
process, the space's page (its thread list), the first and last page of the
long thread, and a search in the space. Prints the median time and the SQL
query count of each, next to the same pages of a small space (2 threads of 2
replies) measured in the same run: equal counts mean the pages cost a constant
number of queries, whatever the size.

    python benchmarks/community.py               # full size
    python benchmarks/community.py --scale 0.1   # a quick run

Uses the test settings on a throw-away in-memory SQLite database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "example_site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


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
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        members = max(10, int(5000 * args.scale))
        posts = max(50, int(20000 * args.scale))
        replies = max(10, int(500 * args.scale))
        start = time.perf_counter()
        large, small, reader = _populate(members, posts, replies)
        built = time.perf_counter() - start
        from django.test import Client

        client = Client()
        client.force_login(reader)
        rows = []
        for label, urls in _pages(large, small, replies).items():
            big = _measure(client, urls[0], args.repeat, CaptureQueriesContext)
            tiny = _measure(client, urls[1], args.repeat, CaptureQueriesContext)
            rows.append((label, big, tiny))
    finally:
        connection.creation.destroy_test_db(":memory:", verbosity=0)

    print(
        f"space with {members:,} members, {posts:,} posts, a thread of "
        f"{replies:,} replies (built in {built:.0f} s)"
    )
    print(f"{'':34}{'large ms':>10}{'queries':>9}{'small ms':>10}{'queries':>9}")
    for label, (big_ms, big_q), (tiny_ms, tiny_q) in rows:
        print(f"{label:34}{big_ms:>10.1f}{big_q:>9}{tiny_ms:>10.1f}{tiny_q:>9}")
    constant = all(big[1] == tiny[1] for _, big, tiny in rows[:3])
    print(
        "query counts of the thread list and the thread pages are "
        + ("the same at both sizes" if constant else "NOT constant")
    )


def _pages(large, small, replies) -> dict:
    from django.urls import reverse

    def thread_url(space, thread, page=None):
        url = reverse("wagtail_mentoring:community_thread", args=[space.pk, thread.pk])
        return f"{url}?page={page}" if page else url

    def search_url(space):
        return reverse("wagtail_mentoring:community_search", args=[space.pk]) + (
            "?q=goal"
        )

    last = replies // 25 + 1
    return {
        "space page (thread list)": (large.url, small.url),
        "long thread, first page": (
            thread_url(large, large.long_thread),
            thread_url(small, small.long_thread),
        ),
        "long thread, last page": (
            thread_url(large, large.long_thread, last),
            thread_url(small, small.long_thread, 1),
        ),
        "search in the space": (search_url(large), search_url(small)),
    }


def _measure(client, url, repeat, capture) -> tuple[float, int]:
    from django.db import connection

    response = client.get(url)  # warm caches (content types, templates)
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(repeat):
        with capture(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def _users(n: int, prefix: str) -> list:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    password = make_password("bench")
    field = User.USERNAME_FIELD
    names = {f.name for f in User._meta.get_fields()}

    def fields(i):
        value = f"{prefix}{i}"
        if field == "email":
            value += "@example.com"
        extra = {"first_name": f"Person{i}", "last_name": "Bench"}
        return {
            field: value,
            "password": password,
            **{k: v for k, v in extra.items() if k in names},
        }

    User.objects.bulk_create(User(**fields(i)) for i in range(n))
    return list(User.objects.filter(**{f"{field}__startswith": prefix}))


def _space(hub, title, members, posts, replies):
    from django.utils import timezone
    from wagtail.search.backends import get_search_backend

    from tests.community_helpers import make_space
    from wagtail_mentoring.community import text
    from wagtail_mentoring.community.models import Post, SpaceMembership, Thread

    space = make_space(hub, title=title)
    SpaceMembership.objects.bulk_create(
        SpaceMembership(space=space, user=u, status="active") for u in members
    )
    now = timezone.now()
    # The long thread, and the rest of the posts spread over threads of 50.
    threads = max(1, (posts - replies - 1) // 50)
    made = Thread.objects.bulk_create(
        Thread(
            space=space,
            title=f"Topic {i}: setting goals with a new mentor",
            author=members[i % len(members)],
            created_at=now - timedelta(hours=i),
            last_activity_at=now - timedelta(hours=i),
        )
        for i in range(threads + 1)
    )
    long_thread = made[0]
    body = "Agree on **one goal** per quarter and review it every meeting."
    html = text.render(body)

    def post(thread, i):
        return Post(
            thread=thread,
            space=space,
            author=members[i % len(members)],
            body=body,
            body_html=html,
            created_at=now - timedelta(minutes=i),
        )

    batch = [post(long_thread, i) for i in range(replies + 1)]
    rest = posts - len(batch)
    for i in range(rest):
        batch.append(post(made[1 + i % threads], i))
        if len(batch) >= 5000:
            Post.objects.bulk_create(batch)
            batch = []
    Post.objects.bulk_create(batch)
    backend = get_search_backend()
    backend.add_bulk(Post, list(Post.objects.filter(space=space)))
    space.long_thread = long_thread
    return space


def _populate(members: int, posts: int, replies: int):
    from django.core.management import call_command

    from tests.community_helpers import add_member
    from tests.factories import make_hub, make_user

    call_command("migrate", verbosity=0)
    hub = make_hub()
    people = _users(members, "bench")
    large = _space(hub, "Large Space", people, posts, replies)
    small = _space(hub, "Small Space", people[:3], 5, 2)
    reader = make_user("bench-reader")
    add_member(large, reader)
    add_member(small, reader)
    return large, small, reader


if __name__ == "__main__":
    main()
