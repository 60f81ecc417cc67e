"""``manage.py check`` in a fresh `wagtail start` project names what is missing.

The host gets the README's install lines, less one app, and no Celery app of its
own; ``check`` must fail naming the app and the README, and pass once it is added.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_fresh_host import _readme_install_lines

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ROUTABLE_PAGE = "wagtail.contrib.routable_page"


def _env():
    # Only this checkout's package on the path: none of our test settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL")
    }
    env["PYTHONPATH"] = str(ROOT)
    return env


def _manage(site: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=site,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def host(tmp_path):
    """A `wagtail start` site with the README's lines, except routable_page."""
    site = tmp_path / "host"
    site.mkdir()
    subprocess.run(
        [sys.executable, "-c", "from wagtail.bin.wagtail import main; main()"]
        + ["start", "acme", str(site)],
        cwd=tmp_path,
        env=_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    settings_block, url_line = _readme_install_lines()
    assert ROUTABLE_PAGE in settings_block
    without = "\n".join(
        line for line in settings_block.splitlines() if ROUTABLE_PAGE not in line
    )
    settings = site / "acme" / "settings" / "base.py"
    settings.write_text(settings.read_text() + "\n" + without + "\n")
    urls = site / "acme" / "urls.py"
    urls.write_text(
        urls.read_text().replace(
            '    path("", include(wagtail_urls)),',
            f'    {url_line}\n    path("", include(wagtail_urls)),',
            1,
        )
    )
    return site


def test_check_names_the_missing_app_and_the_task_mode(host):
    result = _manage(host, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stderr
    assert f"(wagtail_mentoring.E001) '{ROUTABLE_PAGE}' is not in INSTALLED_APPS" in (
        report
    )
    assert "docs/install.md" in report
    # A `wagtail start` site has no LOGIN_URL: /accounts/login/ would be a 404.
    assert "(wagtail_mentoring.W001) LOGIN_URL '/accounts/login/'" in report

    settings = host / "acme" / "settings" / "base.py"
    settings.write_text(
        settings.read_text() + f'\nINSTALLED_APPS += ["{ROUTABLE_PAGE}"]\n'
        'WAGTAIL_MENTORING["TASKS"] = "celery"\n'
    )
    result = _manage(host, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "wagtail_mentoring.E001" not in result.stderr
    assert '(wagtail_mentoring.E007) WAGTAIL_MENTORING["TASKS"] is "celery"' in (
        result.stderr
    )

    settings.write_text(
        settings.read_text().replace('WAGTAIL_MENTORING["TASKS"] = "celery"', "")
        + 'LOGIN_URL = "wagtailadmin_login"\n'
    )
    result = _manage(host, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
