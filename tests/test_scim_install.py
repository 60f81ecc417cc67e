"""Installing SCIM: what ``manage.py check`` says, and a site without it."""

from __future__ import annotations

import subprocess
import sys

from django.core.checks import run_checks
from django.test import override_settings
from django.urls import include, path
from wagtail import urls as wagtail_urls

from tests.test_lti_install import _env


def _ids():
    return sorted(
        m.id for m in run_checks() if m.id.startswith("wagtail_mentoring_scim")
    )


class WithoutScimUrls:
    urlpatterns = [
        path("mentoring/", include("wagtail_mentoring.urls")),
        path("lti/", include("wagtail_mentoring.contrib.lti.urls")),
        path("", include(wagtail_urls)),
    ]


def test_the_example_intranet_passes():
    assert _ids() == []


@override_settings(ROOT_URLCONF=WithoutScimUrls)
def test_urls_not_included_is_an_error():
    assert _ids() == ["wagtail_mentoring_scim.E003"]


def test_a_site_without_the_sub_app_has_no_scim_urls_and_imports_nothing(tmp_path):
    (tmp_path / "host_urls.py").write_text(
        "from django.urls import include, path\n"
        "from wagtail import urls as wagtail_urls\n"
        'urlpatterns = [path("mentoring/", include("wagtail_mentoring.urls")),\n'
        '    path("", include(wagtail_urls))]\n'
    )
    (tmp_path / "host_settings.py").write_text(
        "from tests.settings import *  # noqa\n"
        "INSTALLED_APPS = [a for a in INSTALLED_APPS\n"
        '    if a not in ("lti_tool", "wagtail_mentoring.contrib.lti",\n'
        '                 "wagtail_mentoring.contrib.scim")]\n'
        'ROOT_URLCONF = "host_urls"\n'
    )
    env = _env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    probe = (
        "import sys, django; django.setup()\n"
        "from django.urls import get_resolver, resolve\n"
        "r = get_resolver(); r.url_patterns\n"
        "print(sorted(r.namespace_dict))\n"
        "try:\n    print(resolve('/scim/v2/Users').url_name)\n"
        "except Exception:\n    print('none')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('scim2', "
        "'wagtail_mentoring.contrib'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    namespaces, url_name, imported = result.stdout.splitlines()[:3]
    assert "wagtail_mentoring" in namespaces
    assert "scim" not in namespaces
    assert url_name == "none"
    assert imported == "[]"
