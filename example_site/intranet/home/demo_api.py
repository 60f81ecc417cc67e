"""Demo data of the REST API: a personal access token of the demo admin, so
that the API can be tried at once (``seed_demo`` prints it, once).

Seeding again revokes the previous demo token and creates a new one.
"""

from __future__ import annotations

from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.models import PersonalAccessToken

NAME = "Demo script"


def seed_api(admin) -> str:
    for old in PersonalAccessToken.objects.filter(
        user=admin, name=NAME, revoked_at__isnull=True
    ):
        tokens.revoke_token(old, admin)
    new = tokens.create_token(admin, admin, name=NAME, scope="api:admin", days=30)
    return (
        f" API token of {admin.get_username()} (api:admin, 30 days; shown once): "
        f"{new.secret} — try curl -H 'Authorization: Bearer {new.secret}' "
        "http://localhost:8000/api/mentoring/v1/admin/applications/"
    )
