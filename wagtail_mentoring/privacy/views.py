"""Front end of privacy rights: a person downloads their own data."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wagtail_mentoring.privacy.services import export_personal_data
from wagtail_mentoring.views import login_redirect


def json_download(data: dict, filename: str) -> HttpResponse:
    """``data`` as a JSON file the browser saves, never caches."""
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def export_my_data(request):
    """*Export my data* on My mentoring: always the signed-in person's own
    (the address names nobody, so nobody else's can be asked for)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    data = export_personal_data(request.user, request.user)
    return json_download(
        data, f"my-mentoring-data-{timezone.localdate().isoformat()}.json"
    )
