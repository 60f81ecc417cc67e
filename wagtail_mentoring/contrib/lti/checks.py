"""What a host can get wrong installing the LTI tool, named by ``manage.py check``."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register
from django.urls import NoReverseMatch, reverse

DOCS = "docs/lti.md"


@register()
def check_lti_install(app_configs=None, **kwargs):
    problems = []
    if not apps.is_installed("lti_tool"):
        problems.append(
            Error(
                '"lti_tool" (django-lti) is not in INSTALLED_APPS.',
                hint=f'Add "lti_tool" before "wagtail_mentoring.contrib.lti"; {DOCS}.',
                id="wagtail_mentoring_lti.E001",
            )
        )
    if not apps.is_installed("wagtail_mentoring"):
        problems.append(
            Error(
                '"wagtail_mentoring" is not in INSTALLED_APPS.',
                hint="The LTI tool places the package's pages in a course.",
                id="wagtail_mentoring_lti.E002",
            )
        )
    try:
        if apps.is_installed("lti_tool"):
            reverse("wagtail_mentoring_lti:launch")
    except NoReverseMatch:
        problems.append(
            Error(
                "The LTI tool's URLs are not included.",
                hint='Add path("lti/", include("wagtail_mentoring.contrib.lti.urls")) '
                f"to the URL conf; {DOCS}.",
                id="wagtail_mentoring_lti.E003",
            )
        )
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith("DummyCache"):
        problems.append(
            Error(
                "The default cache is a DummyCache: launches keep their state there.",
                hint=f"Use a shared cache (Redis, database); {DOCS}.",
                id="wagtail_mentoring_lti.E004",
            )
        )
    elif backend.endswith("LocMemCache") and not settings.DEBUG:
        problems.append(
            Warning(
                "The default cache is per process: a launch's state and nonce are "
                "not seen by other web processes.",
                hint=f"With several web processes use a shared cache; {DOCS}.",
                id="wagtail_mentoring_lti.W001",
            )
        )
    if not getattr(settings, "WAGTAILADMIN_BASE_URL", ""):
        problems.append(
            Warning(
                "WAGTAILADMIN_BASE_URL is not set: the printed tool configuration "
                "has no host name.",
                id="wagtail_mentoring_lti.W002",
            )
        )
    return problems
