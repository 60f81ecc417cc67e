"""What a host can get wrong installing SCIM, named by ``manage.py check``."""

from __future__ import annotations

import importlib.util

from django.apps import apps
from django.core.checks import Error, register
from django.urls import NoReverseMatch, reverse

DOCS = "docs/scim.md"


@register()
def check_scim_install(app_configs=None, **kwargs):
    problems = []
    if importlib.util.find_spec("scim2_models") is None:
        problems.append(
            Error(
                "scim2-models is not installed.",
                hint=f"pip install wagtail-mentoring[scim]; {DOCS}.",
                id="wagtail_mentoring_scim.E001",
            )
        )
    if not apps.is_installed("wagtail_mentoring"):
        problems.append(
            Error(
                '"wagtail_mentoring" is not in INSTALLED_APPS.',
                hint="SCIM provisions the package's people.",
                id="wagtail_mentoring_scim.E002",
            )
        )
    try:
        reverse("wagtail_mentoring_scim:users")
    except NoReverseMatch:
        problems.append(
            Error(
                "The SCIM URLs are not included.",
                hint='Add path("scim/v2/", include("wagtail_mentoring.contrib.scim'
                f'.urls")) to the URL conf; {DOCS}.',
                id="wagtail_mentoring_scim.E003",
            )
        )
    return problems
