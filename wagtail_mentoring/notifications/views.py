"""Notification settings and one-click unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wagtail_mentoring.notifications import services
from wagtail_mentoring.notifications.forms import NotificationPreferencesForm
from wagtail_mentoring.notifications.models import Category
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.views import login_redirect, render_page


@require_http_methods(["GET", "POST"])
def notification_settings(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    prefs = services.preferences_for(request.user)
    form = NotificationPreferencesForm(request.POST or None, instance=prefs)
    if request.method == "POST" and form.is_valid():
        services.update_preferences(request.user, by=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("wagtail_mentoring:notification_settings")
    return render_page(
        request,
        "wagtail_mentoring/notifications/settings.html",
        {"form": form, "timezone": user_timezone(request.user)},
    )


# Mail clients POST here without a session or CSRF token (RFC 8058); the signed
# token is the proof. GET only shows the button: link scanners follow links.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        if request.method == "POST":
            user, categories = services.unsubscribe(token)
            done = True
        else:
            user, categories = services.describe_token(token)
            done = False
    except signing.BadSignature:
        return HttpResponse(
            _("This unsubscribe link is not valid."),
            status=404,
            content_type="text/plain",
        )
    return render_page(
        request,
        "wagtail_mentoring/notifications/unsubscribe.html",
        {
            "done": done,
            "categories": [Category(c).label for c in categories],
            "signed_in_as_them": request.user.is_authenticated
            and request.user.pk == user.pk,
        },
    )
