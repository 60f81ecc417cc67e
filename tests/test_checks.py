"""``manage.py check`` names whatever the README asks of a host and is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from celery import _state as celery_state
from django.core.checks import run_checks
from django.test import override_settings
from django.urls import include, path
from wagtail import urls as wagtail_urls

from intranet.celery import app as intranet_app

ROOT = Path(__file__).resolve().parents[1]


def _messages():
    return [m for m in run_checks() if m.id.startswith("wagtail_mentoring.")]


def _ids():
    return sorted(m.id for m in _messages())


class MentoringFirst:
    """A host URL conf in the README's order."""

    urlpatterns = [
        path("mentoring/", include("wagtail_mentoring.urls")),
        path("", include(wagtail_urls)),
    ]


class MentoringAfterWagtail:
    urlpatterns = [
        path("", include(wagtail_urls)),
        path("mentoring/", include("wagtail_mentoring.urls")),
    ]


class WithoutMentoring:
    urlpatterns = [path("", include(wagtail_urls))]


class WithoutCatchAll:
    urlpatterns = [path("mentoring/", include("wagtail_mentoring.urls"))]


def _templates(**sources):
    """TEMPLATES whose templates are ``sources`` ({name: source}) plus the
    apps' own (the admin and our pages need theirs)."""
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        ("django.template.loaders.locmem.Loader", sources),
                        "django.template.loaders.app_directories.Loader",
                    ]
                },
            }
        ]
    )


def _mentoring(**values):
    return override_settings(WAGTAIL_MENTORING=values)


@pytest.fixture
def no_project_app(monkeypatch):
    """Celery's state in a project that created no Celery app."""
    monkeypatch.setattr(celery_state._tls, "current_app", None)
    monkeypatch.setattr(celery_state, "default_app", None)


def test_the_example_intranet_passes():
    assert _messages() == []


# --- Apps ---------------------------------------------------------------------


def test_each_missing_app_is_an_error_and_only_the_ones_used(tmp_path):
    # INSTALLED_APPS cannot change inside this process (Wagtail's apps set up
    # once), so a host without them runs ``check`` in its own process.
    missing = ["wagtail.contrib.routable_page", "wagtail.embeds"]
    (tmp_path / "host_settings.py").write_text(
        "from tests.settings import *  # noqa\n"
        f"INSTALLED_APPS = [a for a in INSTALLED_APPS if a not in {missing!r}]\n"
        # Without the REST API, Django REST framework is not required.
        'INSTALLED_APPS.remove("rest_framework")\n'
        'ROOT_URLCONF = "host_urls"\n'
    )
    (tmp_path / "host_urls.py").write_text(
        "from intranet.urls import urlpatterns as site\n"
        'urlpatterns = [p for p in site if str(p.pattern) != "api/mentoring/v1/"]\n'
    )
    result = _check_host(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    ours = [line for line in result.stderr.splitlines() if "wagtail_mentoring." in line]
    assert len(ours) == 2, result.stderr
    for app, line in zip(missing, ours, strict=True):
        assert line.startswith(f"?: (wagtail_mentoring.E001) '{app}' is not in")
    assert result.stderr.count('HINT: Add "wagtail.contrib.routable_page"') == 1
    assert "rest_framework" not in result.stderr


def _check_host(tmp_path):
    """``manage.py check`` of the host whose settings are in ``tmp_path``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "host_settings",
        "PYTHONPATH": os.pathsep.join(
            map(str, [tmp_path, ROOT, ROOT / "example_site"])
        ),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_host_mounting_the_api_without_its_apps_is_told(tmp_path):
    (tmp_path / "host_settings.py").write_text(
        "from tests.settings import *  # noqa\n"
        'INSTALLED_APPS.remove("drf_spectacular_sidecar")\n'
    )
    result = _check_host(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    ours = [line for line in result.stderr.splitlines() if "wagtail_mentoring." in line]
    assert len(ours) == 1, result.stderr
    assert ours[0].startswith(
        "?: (wagtail_mentoring.E008) 'drf_spectacular_sidecar' is not in"
    )


# --- URLs ---------------------------------------------------------------------


@override_settings(ROOT_URLCONF=MentoringFirst)
def test_the_readme_url_order_passes():
    assert _ids() == ["wagtail_mentoring.W001"]  # this URL conf has no login page


@override_settings(ROOT_URLCONF=WithoutMentoring)
def test_missing_url_include_is_an_error():
    messages = {m.id: m for m in _messages()}
    error = messages["wagtail_mentoring.E002"]
    assert "not included" in error.msg
    assert 'include("wagtail_mentoring.urls")' in error.hint
    assert "before the wagtail_urls include" in error.hint


@override_settings(ROOT_URLCONF=MentoringAfterWagtail)
def test_url_include_after_wagtail_urls_is_an_error():
    messages = {m.id: m for m in _messages()}
    error = messages["wagtail_mentoring.E003"]
    assert error.msg.startswith("/mentoring/ is served by wagtail_serve")


# --- LOGIN_URL ------------------------------------------------------------------


@override_settings(ROOT_URLCONF=MentoringFirst)
def test_login_url_caught_by_wagtail_pages_is_a_warning():
    # Bakerydemo's case: no LOGIN_URL, and Wagtail serves /accounts/login/.
    (warning,) = _messages()
    assert warning.id == "wagtail_mentoring.W001"
    assert "LOGIN_URL '/accounts/login/'" in warning.msg
    assert "Wagtail's page catch-all" in warning.msg
    assert "Users and sign-in" in warning.hint


@override_settings(ROOT_URLCONF=WithoutCatchAll, LOGIN_URL="/sign-in/")
def test_login_url_matching_nothing_is_a_warning():
    (warning,) = _messages()
    assert warning.id == "wagtail_mentoring.W001"
    assert "'/sign-in/' matches no URL pattern" in warning.msg


@pytest.mark.parametrize(
    "login_url",
    ["login", "/accounts/login/", "https://sso.example.com/login?app=intranet"],
)
def test_a_login_view_a_url_name_or_an_sso_url_passes(login_url):
    with override_settings(LOGIN_URL=login_url):
        assert _messages() == []


# --- BASE_TEMPLATE --------------------------------------------------------------


def test_a_missing_base_template_is_an_error():
    with _mentoring(BASE_TEMPLATE="site/nowhere.html"):
        (error,) = _messages()
    assert error.id == "wagtail_mentoring.E004"
    assert "'site/nowhere.html' cannot be loaded" in error.msg
    assert "TemplateDoesNotExist" in error.msg


def test_a_base_template_with_a_syntax_error_is_an_error():
    with (
        _templates(**{"site.html": "{% block content %}"}),
        _mentoring(BASE_TEMPLATE="site.html"),
    ):
        (error,) = _messages()
    assert error.id == "wagtail_mentoring.E004"
    assert "TemplateSyntaxError" in error.msg


def test_a_base_template_without_a_content_block_is_an_error():
    source = "<main>{% block main %}{% endblock %}</main>"
    with _templates(**{"site.html": source}), _mentoring(BASE_TEMPLATE="site.html"):
        (error,) = _messages()
    assert error.id == "wagtail_mentoring.E005"
    assert "'site.html' has no {% block content %}" in error.msg
    assert 'WAGTAIL_MENTORING["BASE_TEMPLATE"]' in error.hint


@pytest.mark.parametrize(
    "sources",
    [
        # The block itself, nested in another block.
        {
            "site.html": "{% block body %}<main>{% block content %}{% endblock %}"
            "</main>{% endblock %}"
        },
        # Defined two templates up the {% extends %} chain.
        {
            "root.html": "<main>{% block content %}{% endblock %}</main>",
            "layout.html": '{% extends "root.html" %}{% block title %}x{% endblock %}',
            "site.html": '{% extends "layout.html" %}',
        },
    ],
    ids=["nested", "inherited"],
)
def test_a_content_block_anywhere_in_the_chain_passes(sources):
    with _templates(**sources), _mentoring(BASE_TEMPLATE="site.html"):
        assert _messages() == []


def test_an_inherited_chain_without_content_is_an_error():
    sources = {
        "root.html": "<main>{% block main %}{% endblock %}</main>",
        "site.html": '{% extends "root.html" %}{% block main %}x{% endblock %}',
    }
    with _templates(**sources), _mentoring(BASE_TEMPLATE="site.html"):
        assert _ids() == ["wagtail_mentoring.E005"]


# --- Tasks ----------------------------------------------------------------------


def test_an_unknown_task_mode_is_an_error():
    with _mentoring(TASKS="sometimes"):
        (error,) = _messages()
    assert error.id == "wagtail_mentoring.E006"
    assert "'sometimes'" in error.msg
    assert '"auto"' in error.hint and '"immediate"' in error.hint


def test_celery_mode_without_a_project_app_is_an_error(no_project_app):
    with _mentoring(TASKS="celery"):
        (error,) = _messages()
    assert error.id == "wagtail_mentoring.E007"
    assert "celery.py" in error.hint


def test_auto_without_a_project_app_passes(no_project_app):
    assert _messages() == []


def test_a_project_app_without_a_broker_is_a_warning(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    bare = Celery("acme", set_as_current=False)  # no broker configured
    monkeypatch.setattr(celery_state._tls, "current_app", bare)
    (warning,) = _messages()
    assert warning.id == "wagtail_mentoring.W003"
    assert "tasks go to amqp://guest:**@localhost:5672//" in warning.msg
    assert "CELERY_BROKER_URL" in warning.hint


def test_an_eager_project_app_needs_no_broker(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    assert intranet_app.conf.task_always_eager
    assert _messages() == []


# --- Setting names --------------------------------------------------------------


def test_a_misspelt_setting_is_a_warning():
    with _mentoring(BASE_TEMPLTE="base.html", PAGE_SIZE=10, COLOUR="teal"):
        warnings = _messages()
    assert [w.id for w in warnings] == ["wagtail_mentoring.W002"] * 2
    assert warnings[0].msg == (
        'WAGTAIL_MENTORING has an unknown key "BASE_TEMPLTE"; it is ignored. '
        'Did you mean "BASE_TEMPLATE"?'
    )
    assert warnings[1].msg == (
        'WAGTAIL_MENTORING has an unknown key "COLOUR"; it is ignored.'
    )
