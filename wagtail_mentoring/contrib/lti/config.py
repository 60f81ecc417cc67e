"""The tool's configuration as an LMS asks for it."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from lti_tool.models import LtiRegistration

from .keys import ensure_key


def base_url() -> str:
    return getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")


def tool_configuration(registration: LtiRegistration | None = None) -> dict[str, str]:
    """Every value an LMS asks for when a tool is added, as absolute URLs."""
    base = base_url()
    config = {
        "OIDC login initiation URL": base + reverse("wagtail_mentoring_lti:login"),
        "Launch (redirect) URL": base + reverse("wagtail_mentoring_lti:launch"),
        "Deep linking URL": base + reverse("wagtail_mentoring_lti:launch"),
        "Public JWKS URL": base + reverse("wagtail_mentoring_lti:jwks"),
        "Current key id (kid)": str(ensure_key()),
    }
    if registration is not None:
        config["Issuer"] = registration.issuer
        config["Client ID"] = registration.client_id
        config["Deployment IDs"] = ", ".join(
            registration.deployments.values_list("deployment_id", flat=True)
        )
    return config
