"""Playwright driving Debian's chromium against the example intranet.

``playwright install`` cannot download browsers here, so we launch the system
``chromium`` with the flags a closed network needs.
"""

from __future__ import annotations

import os
import shutil

import pytest

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
