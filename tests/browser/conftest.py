"""Playwright driving Debian's chromium against the example intranet.

``playwright install`` cannot download browsers here, so we launch the system
``chromium`` with the flags a closed network needs.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, running one request's Django code at a time.

    With SQLite in memory every request thread shares the test's one
    connection. Two requests at once (a form's POST and the beacon Wagtail's
    page editor sends as the page unloads) then interleave their savepoints on
    it: the second finds its savepoint gone ("no such savepoint") and leaves the
    connection inside a transaction that never ends, so no later test's
    on-commit work runs. Connections are still served by threads (a browser
    may hold an idle one open); only the application is taken in turn, the
    response read and closed (``request_finished``) inside the turn.
    """

    _turn = threading.Lock()

    def set_app(self, application):
        def in_turn(environ, start_response):
            with self._turn:
                response = application(environ, start_response)
                try:
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(in_turn)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time():
    threaded, LiveServerThread.server_class = (
        LiveServerThread.server_class,
        OneRequestAtATime,
    )
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(autouse=True)
def _the_connection_ends_each_test_clean():
    """Fail the test that leaves the shared connection inside a transaction,
    rather than the later ones whose on-commit work would never run."""
    yield
    from django.db import connection

    assert not connection.in_atomic_block, "a request left a transaction open"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


# Findings in Wagtail's own admin markup, which a package cannot change: the
# listing's result count is an <h2 role="alert"> (generic/listing_results.html).
WAGTAIL_OWN = {("aria-allowed-role", 'h2[role="alert"]')}


@pytest.fixture
def axe_check():
    """Run axe-core on the current page; fail on any violation, whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        # A click that navigates may return before the new page has loaded.
        page.wait_for_load_state("load")
        # Wagtail's messages fade in: axe would read their colours mid-way.
        # Jump every finite animation to its end rather than wait for it:
        # the admin's notification badge pings for 25 seconds.
        page.evaluate(
            """() => document.getAnimations()
                .filter(a => a.effect?.getComputedTiming().endTime !== Infinity)
                .forEach(a => a.finish())"""
        )
        results = axe.run(page)
        bad = []
        for violation in results.response["violations"]:
            targets = [
                node["target"][0]
                for node in violation["nodes"]
                if (violation["id"], node["target"][0]) not in WAGTAIL_OWN
            ]
            if targets:
                bad.append(
                    f"{violation['id']} ({violation['impact']}): {violation['help']}"
                    f" — {'; '.join(targets[:3])}"
                )
        assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)

    return check


@pytest.fixture
def demo_site(transactional_db):
    """The example intranet seeded with a small deterministic company."""
    from django.core.management import call_command

    call_command("seed_demo", employees=40, verbosity=0)


def sign_in(page, live_server, identifier: str, password: str, next_url: str = "/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Password").fill(password)
    page.locator("input[name=username]").fill(identifier)
    page.get_by_role("button", name="Sign in").click()
