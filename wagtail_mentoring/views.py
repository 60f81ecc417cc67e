"""Helpers every front-end view uses."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import viewer_time_zone


def base_context() -> dict:
    return frontend_context()


def render_page(request, template: str, context: dict, status: int = 200):
    """Render a front-end page; every time on it reads in the viewer's zone."""
    with viewer_time_zone(request):
        return render(request, template, {**base_context(), **context}, status=status)


def login_redirect(request):
    """Send anonymous users to the host's ``LOGIN_URL``, then back here."""
    return redirect_to_login(request.get_full_path())
