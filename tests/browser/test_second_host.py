"""A second host, unlike the example intranet, walked through in a browser.

After Wagtail's bakery demo: a fresh ``wagtail start`` project with its own base
template that shows messages itself (tests/second_host/), its own ``LOGIN_URL``,
no Celery app, and a strict Content-Security-Policy from django-csp. The built
wheel is installed with the README's lines; then an employee applies, an admin
approves, runs matching, approves a pair and publishes, and the mentee marks a
journey step done. Every page: no server error, no CSP violation the package
causes, messages shown once, and no serious or critical axe finding on the
front end.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_fresh_host import (
    _readme_install_lines,
    _run,
    _same_versions_as_here,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HERE = Path(__file__).resolve().parent
SECOND_HOST = HERE.parent / "second_host"
PASSWORD = "pw-second-host"  # noqa: S105 (a throwaway host's users)
HOST_SETTINGS = """
# The second host's own choices.
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
LOGIN_URL = "/sign-in/"
WAGTAIL_MENTORING = {"BASE_TEMPLATE": "bakery/base.html", "CONTENT_CLASS": "page-width"}
"""
SIGN_IN_URL = (
    '    path("sign-in/", auth_views.LoginView.as_view('
    'template_name="bakery/login.html")),\n'
)


def _host_env() -> dict:
    # As tests.test_fresh_host._run: none of our test environment leaks in.
    return {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV")
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def second_host(wheel, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("second-host")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp)
    python = str(venv / "bin" / "python")
    constraints = _same_versions_as_here(tmp / "constraints.txt")
    _run(
        [python, "-m", "pip", "install", "-q", "-c", str(constraints)]
        + [str(wheel), "django-csp"],
        cwd=tmp,
    )
    site = tmp / "bakery"
    site.mkdir()
    _run([str(venv / "bin" / "wagtail"), "start", "bakery", str(site)], cwd=tmp)
    shutil.copytree(
        SECOND_HOST / "templates", site / "bakery" / "templates", dirs_exist_ok=True
    )
    shutil.copytree(
        SECOND_HOST / "static", site / "bakery" / "static", dirs_exist_ok=True
    )
    settings_block, url_line = _readme_install_lines()
    base = site / "bakery" / "settings" / "base.py"
    base.write_text(base.read_text() + settings_block + HOST_SETTINGS)
    assert "CELERY" not in base.read_text()
    urls = site / "bakery" / "urls.py"
    text = urls.read_text().replace(
        '    path("", include(wagtail_urls)),',
        f"    {url_line}\n{SIGN_IN_URL}" + '    path("", include(wagtail_urls)),',
        1,
    )
    urls.write_text("from django.contrib.auth import views as auth_views\n" + text)

    manage = [python, "manage.py"]
    _run([*manage, "migrate", "--noinput"], cwd=site)
    setup = (SECOND_HOST / "setup_host.py").read_text()
    output = _run([*manage, "shell"], cwd=site, input=setup)
    program_url = re.search(r"PROGRAM \d+ (\S+)", output).group(1)
    program_pk = int(re.search(r"PROGRAM (\d+)", output).group(1))

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and project)
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=site,
        env=_host_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base_url + "/", timeout=2)  # noqa: S310
                break
            except OSError:
                assert server.poll() is None, "the host's server stopped"
                time.sleep(0.5)
        yield {"url": base_url, "program_url": program_url, "program_pk": program_pk}
    finally:
        server.terminate()
        server.wait(timeout=30)


class Watch:
    """Server errors and CSP violations seen by the browser, per page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.violations: list[dict] = []
        self.refused: list[str] = []
        page.on(
            "response",
            lambda r: r.status >= 500 and self.errors.append(f"{r.status} {r.url}"),
        )
        page.on(
            "console",
            lambda m: (
                "Refused to" in m.text and self.refused.append(f"{page.url}: {m.text}")
            ),
        )
        page.context.expose_binding(
            "wmCspViolation", lambda source, v: self.violations.append(v)
        )
        page.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.wmCspViolation({page: location.pathname,"
            " directive: e.violatedDirective, blocked: e.blockedURI,"
            " source: e.sourceFile, sample: e.sample}));"
        )

    def ours(self) -> list[dict]:
        # Front-end pages are the package's (in the host's frame); on admin
        # pages, what the package's own static files or screens cause.
        return [
            v
            for v in self.violations
            if not v["page"].startswith("/admin/")
            or "wagtail_mentoring" in (v["source"] or "") + (v["blocked"] or "")
        ]


def _screenshot(page, name: str) -> None:
    # WM_SECOND_HOST_SCREENSHOTS=docs refreshes the install guide's pictures.
    folder = os.environ.get("WM_SECOND_HOST_SCREENSHOTS")
    if not folder:
        return
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=Path(folder) / f"{name}-{scheme}.png")
    page.emulate_media(color_scheme="light")


def _sign_in_at_host(page, host, username):
    page.goto(f"{host['url']}{host['program_url']}")
    page.get_by_role("link", name="Sign in to apply").click()
    assert page.url.startswith(f"{host['url']}/sign-in/?next="), page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_second_host_walk(page, second_host, axe_check):
    host = second_host
    watch = Watch(page)
    page.set_default_timeout(20_000)

    # An employee signs in at the host's own sign-in page and applies.
    _sign_in_at_host(page, host, "erin")
    expect(page.get_by_role("heading", name=re.compile("^Apply to"))).to_be_visible()
    content = page.locator("div.wm").first
    assert content.get_attribute("class").split() == ["wm", "page-width"]
    axe_check(page)
    page.get_by_label("Mentee").check()
    page.get_by_label("Why do you want to join?").fill("To learn sourdough.")
    page.get_by_label("Career level").fill("2")
    page.get_by_label("Department").fill("Kitchen")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    # The default rule pairs only people who share a language: the list has them.
    page.get_by_label("Languages").select_option(["en"])
    page.get_by_role("button", name="Submit application").click()
    thanks = page.get_by_text(re.compile("^Thank you, your application"))
    expect(thanks).to_have_count(1)
    _screenshot(page, "look-second-host")
    expect(page.locator(".bakery-message--success")).to_have_count(1)
    assert page.locator(".wm-messages").count() == 0
    axe_check(page)
    # The host's dark theme, with the colours it hands to the package.
    page.emulate_media(color_scheme="dark")
    axe_check(page)
    page.emulate_media(color_scheme="light")

    # The admin approves the application, runs matching, approves, publishes.
    admin = page.context.browser.new_context()
    apage = admin.new_page()
    apage.set_default_timeout(20_000)
    admin_watch = Watch(apage)
    apage.goto(f"{host['url']}/admin/login/")
    apage.locator("input[name=username]").fill("boss")
    apage.locator("input[name=password]").fill(PASSWORD)
    apage.get_by_role("button", name="Sign in").click()
    apage.goto(f"{host['url']}/admin/mentoring/applications/")
    apage.get_by_role("link", name="Approve").first.click()
    apage.get_by_role("button", name=re.compile("^Yes")).click()
    expect(apage.locator(".messages")).to_contain_text("1")
    panel = f"{host['url']}/admin/mentoring/matching/{host['program_pk']}/"
    apage.goto(panel)
    apage.get_by_role("button", name=re.compile("^(Re-)?[Rr]un matching")).click()
    expect(apage.get_by_text("Matching finished.")).to_be_visible()
    apage.goto(panel + "proposals/?status=proposed")
    rows = apage.locator("#listing-results table.listing > tbody > tr")
    rows.first.get_by_role("button", name=re.compile("^Approve ")).click()
    expect(apage.locator(".messages")).to_contain_text("Approved")
    apage.goto(panel)
    apage.get_by_role("link", name=re.compile(r"^Publish \d+ approved pair")).click()
    apage.get_by_role("button", name="Publish and send emails").click()
    expect(apage.get_by_text(re.compile(r"\d+ pairs? published"))).to_be_visible()
    admin.close()

    # The mentee marks the journey's step done.
    page.goto(f"{host['url']}/programs/first-steps/steps/step-hello/")
    axe_check(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Step completed.")).to_have_count(1)
    axe_check(page)

    assert watch.errors == [] and admin_watch.errors == []
    assert watch.refused == [], watch.refused
    assert watch.ours() == [] and admin_watch.ours() == [], (
        watch.violations + admin_watch.violations
    )

    # The watch does see a violation when a page has one (an inline style).
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.wait_for_timeout(500)
    assert [v["directive"] for v in watch.ours()] == ["style-src-attr"], (
        watch.violations
    )
