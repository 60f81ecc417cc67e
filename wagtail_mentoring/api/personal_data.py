"""What the API holds about a person: the access tokens they created."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.api.models import PersonalAccessToken
from wagtail_mentoring.personal_data import DELETE, PersonalData, when


class ApiData(PersonalData):
    sections = {"api_tokens": _("API tokens")}
    user_fields = {"PersonalAccessToken.user": DELETE}

    def export(self, user):
        # Never the secret: only its visible prefix (the digest is not the token).
        return {
            "api_tokens": [
                {
                    "name": token.name,
                    "prefix": token.prefix,
                    "scope": token.scope,
                    "created": when(token.created_at),
                    "expires": when(token.expires_at),
                    "last_used": when(token.last_used_at),
                    "revoked": when(token.revoked_at),
                }
                for token in PersonalAccessToken.objects.filter(user=user).order_by(
                    "created_at", "pk"
                )
            ]
        }

    def erase(self, user):
        PersonalAccessToken.objects.filter(user=user).delete()


personal_data = ApiData()
