"""Front end of privacy rights: a person downloads their own data and gives
or withdraws consent to the use of their self-identification."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.people.services import set_self_identification
from wagtail_mentoring.privacy.forms import SelfIdentificationForm
from wagtail_mentoring.privacy.services import export_personal_data
from wagtail_mentoring.views import login_redirect, render_page


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


@require_http_methods(["GET", "POST"])
def self_identification(request):
    """The signed-in person's optional demographic answers and their consent
    to aggregate equity reporting (the address names nobody)."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    current = SelfIdentification.objects.filter(user=request.user).first()
    form = SelfIdentificationForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        kept = set_self_identification(
            request.user,
            by=request.user,
            consent=form.cleaned_data["consent"],
            answers=form.answers(),
        )
        if kept is None:
            messages.success(request, _("No answers of yours are kept or used."))
        else:
            messages.success(request, _("Your answers and consent were saved."))
        return redirect("wagtail_mentoring:self_identification")
    return render_page(
        request,
        "wagtail_mentoring/privacy/self_identification.html",
        {"form": form, "consented": current is not None},
    )
