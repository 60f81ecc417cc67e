"""Installing the LTI tool: what ``manage.py check`` says, and a site without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import include, path
from wagtail import urls as wagtail_urls

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "wagtail_mentoring_lti."


def _ids():
    return sorted(
        m.id for m in run_checks() if m.id.startswith("wagtail_mentoring_lti")
    )


class WithoutLtiUrls:
    urlpatterns = [
        path("mentoring/", include("wagtail_mentoring.urls")),
        path("", include(wagtail_urls)),
    ]


@override_settings(DEBUG=True)
def test_the_example_intranet_passes():
    assert _ids() == []


@override_settings(ROOT_URLCONF=WithoutLtiUrls, DEBUG=True)
def test_urls_not_included_is_an_error():
    assert _ids() == ["wagtail_mentoring_lti.E003"]


@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}},
    DEBUG=True,
)
def test_a_dummy_cache_is_an_error():
    assert _ids() == ["wagtail_mentoring_lti.E004"]


@override_settings(DEBUG=False)
def test_a_per_process_cache_in_production_is_a_warning():
    assert _ids() == ["wagtail_mentoring_lti.W001"]


def _env(tmp_path):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "host_settings",
        "PYTHONPATH": os.pathsep.join(
            map(str, [tmp_path, ROOT, ROOT / "example_site"])
        ),
    }


def _check_in_process(tmp_path, settings_body: str):
    # INSTALLED_APPS cannot change inside this process: a host of its own.
    (tmp_path / "host_settings.py").write_text(
        "from tests.settings import *  # noqa\n" + settings_body
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_django_lti_installed_check_names_it(tmp_path):
    result = _check_in_process(
        tmp_path, 'INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "lti_tool"]\n'
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert '(wagtail_mentoring_lti.E001) "lti_tool" (django-lti) is not in' in (
        result.stderr
    )


def test_a_site_without_the_sub_app_has_no_lti_urls_and_imports_nothing(tmp_path):
    (tmp_path / "host_urls.py").write_text(
        "from django.urls import include, path\n"
        "from wagtail import urls as wagtail_urls\n"
        'urlpatterns = [path("mentoring/", include("wagtail_mentoring.urls")),\n'
        '    path("", include(wagtail_urls))]\n'
    )
    host = (
        "INSTALLED_APPS = [a for a in INSTALLED_APPS\n"
        '    if a not in ("lti_tool", "wagtail_mentoring.contrib.lti",\n'
        '                 "wagtail_mentoring.contrib.scim")]\n'
        'ROOT_URLCONF = "host_urls"\n'
    )
    result = _check_in_process(tmp_path, host)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = (
        "import sys, django; django.setup()\n"
        "from django.urls import get_resolver\n"
        "from wagtail.admin import urls\n"
        "r = get_resolver(); r.url_patterns\n"
        "print(sorted(r.namespace_dict))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('lti_tool', "
        "'pylti1p3', 'wagtail_mentoring.contrib'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    namespaces, imported = result.stdout.splitlines()[:2]
    assert "wagtail_mentoring" in namespaces
    assert "lti" not in namespaces
    assert imported == "[]"


@pytest.mark.django_db
def test_the_demo_registers_a_sample_platform_and_prints_its_config():
    from io import StringIO

    from django.core.management import call_command
    from lti_tool.models import LtiRegistration

    from intranet.home.demo_lti import ISSUER, seed_lti

    seed_lti()
    seed_lti()
    registration = LtiRegistration.objects.get()
    assert registration.issuer == ISSUER
    assert registration.deployments.get().is_active
    out = StringIO()
    call_command("mentoring_lti", "show-config", stdout=out)
    assert "Public JWKS URL: http://testserver/lti/jwks/" in out.getvalue()
    assert f"Issuer: {ISSUER}" in out.getvalue()
