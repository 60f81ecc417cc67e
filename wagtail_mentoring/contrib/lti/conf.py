"""Settings of the LTI tool: ``WAGTAIL_MENTORING_LTI = {...}`` (every key optional)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Link a course account to the intranet account with the same email address
    # when the platform sends the email claim. Off: the learner signs in once.
    "LINK_BY_EMAIL": False,
    # Create an intranet account for a course member nobody can link. Off: a
    # launch never creates accounts unless the company decides so.
    "CREATE_USERS": False,
    # Seconds an OIDC login may take before its launch arrives.
    "STATE_TTL": 600,
    # Days a replaced signing key stays in the JWKS (platforms cache keys).
    "KEY_GRACE_DAYS": 7,
}


def lti_setting(name: str):
    return {**DEFAULTS, **getattr(settings, "WAGTAIL_MENTORING_LTI", {})}[name]
