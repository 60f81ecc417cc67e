"""Demo data of the LTI tool: a sample Open edX platform registered with the intranet.

*Settings › LTI platforms* in the admin then lists it and its deployment, and
``manage.py mentoring_lti show-config`` prints what a course author pastes into
Studio. The platform's URLs point at a sandbox host (nothing is contacted until a
launch arrives from it). Idempotent: registering it again changes nothing.
"""

from __future__ import annotations

from django.apps import apps

ISSUER = "https://openedx.example.com"
CLIENT_ID = "intranet-mentoring"
DEPLOYMENT_ID = "1"


def seed_lti() -> None:
    if not apps.is_installed("wagtail_mentoring.contrib.lti"):
        return
    from lti_tool.models import LtiDeployment, LtiRegistration

    from wagtail_mentoring.contrib.lti.keys import ensure_key

    registration, _ = LtiRegistration.objects.update_or_create(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        defaults={
            "name": "Open edX (sandbox)",
            "auth_url": f"{ISSUER}/api/lti_consumer/v1/launch/",
            "token_url": f"{ISSUER}/api/lti_consumer/v1/token/demo",
            "keyset_url": f"{ISSUER}/api/lti_consumer/v1/public_keysets/demo",
            "is_active": True,
        },
    )
    LtiDeployment.objects.update_or_create(
        registration=registration,
        deployment_id=DEPLOYMENT_ID,
        defaults={"is_active": True},
    )
    ensure_key()
