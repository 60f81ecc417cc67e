"""Take the guides' screenshots of the example intranet's front end.

Run `make demo` (or seed and serve the example site some other way), then
``python docs/screenshots.py [http://127.0.0.1:8000]``. It signs in as the demo's
mentee (see the README's demo logins) with Debian's chromium and writes the
pictures next to this file: *My mentoring* and a program page in the light and
in the dark colour scheme ("Looking native" in install.md); on a phone (390 px
wide) the top of *My mentoring*, its applications, the relationship space and
a journey step; and one picture per program kind for the editors' guide (a
group circle's space, *Find a peer partner*, the flash office hours, a
development track). The pictures of the second host are taken by its browser test
(tests/browser/test_second_host.py, with ``WM_SECOND_HOST_SCREENSHOTS=docs``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
MENTEE = "emp0002"
PASSWORD = "changeme"  # noqa: S105 (the demo's published password)
PHONE = {"width": 390, "height": 844}
PROGRAM = "/mentoring-programs/engineering-mentoring/"
#: The demo's member of the circle and of the peer exchange.
MEMBER = "emp0012"


def main(base_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{base_url}/accounts/login/?next=/mentoring/")
        page.locator("input[name=username]").fill(MENTEE)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base_url}/mentoring/")
        page.screenshot(path=HERE / "my-mentoring.png", full_page=True)
        # A program page of the demo, in both colour schemes.
        page.goto(f"{base_url}{PROGRAM}")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=HERE / f"look-intranet-{scheme}.png")

        phone = browser.new_context(viewport=PHONE, device_scale_factor=2)
        phone.add_cookies(page.context.cookies())
        page = phone.new_page()
        page.goto(f"{base_url}/mentoring/")
        page.screenshot(path=HERE / "phone-my-mentoring.png")
        page.locator(
            "section", has=page.locator("#wm-applications-heading")
        ).screenshot(path=HERE / "phone-applications.png")
        page.locator(".wm-card h3 a").first.click()
        page.screenshot(path=HERE / "phone-relationship.png")
        page.locator(".wm-journey-progress a").first.click()
        page.locator("a[href*='/steps/']").nth(1).click()
        page.screenshot(path=HERE / "phone-journey-step.png")
        program_kinds(browser, base_url)
        browser.close()


def program_kinds(browser, base_url: str) -> None:
    """What a participant sees in each kind that is more than a pair."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{base_url}/accounts/login/?next=/mentoring/")
    page.locator("input[name=username]").fill(MEMBER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/mentoring/")
    # The circle is the member's relationship in the group program.
    page.get_by_role("link", name="Leading Together").first.click()
    page.screenshot(path=HERE / "kind-circle.png")
    page.goto(f"{base_url}/mentoring/")
    page.get_by_role("link", name="Find a peer partner in Peer Coaching").click()
    page.screenshot(path=HERE / "kind-peer.png")
    page.goto(f"{base_url}/mentoring/flash/")
    page.screenshot(path=HERE / "kind-flash.png")
    page.goto(f"{base_url}/mentoring-programs/leadership-track/")
    page.screenshot(path=HERE / "kind-track.png")
    page.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
