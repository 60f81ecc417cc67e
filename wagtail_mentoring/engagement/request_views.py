"""Front-end views of mentor requests (withdraw, accept, decline) and the calendar."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail import hooks

from wagtail_mentoring.engagement import ical, services
from wagtail_mentoring.engagement.forms import OptionalReasonForm
from wagtail_mentoring.engagement.models import (
    CalendarFeed,
    Meeting,
    MentorRequest,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.permissions import can_administer
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/engagement/"


@require_POST
def withdraw_request(request, pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    mentor_request = get_object_or_404(
        MentorRequest.objects.select_related(
            "mentee_enrollment", "mentor_enrollment__user"
        ),
        pk=pk,
        mentee_enrollment__user=request.user,
    )
    try:
        services.withdraw_request(mentor_request, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your request to %(name)s was withdrawn.")
            % {"name": display_name(mentor_request.mentor)},
        )
    return redirect(
        "wagtail_mentoring:find_mentor", mentor_request.mentee_enrollment_id
    )


def _answerable(request, pk: int) -> MentorRequest:
    """A request the user may answer: addressed to them, or in a program they
    administer (accepting on the mentor's behalf). Others: 404."""
    mentor_request = get_object_or_404(
        MentorRequest.objects.select_related(
            "program", "mentee_enrollment__user", "mentor_enrollment__user"
        ),
        pk=pk,
    )
    if mentor_request.mentor_enrollment.user_id == request.user.pk:
        return mentor_request
    if can_administer(request.user, mentor_request.program):
        return mentor_request
    raise Http404


def _after_answer(request, mentor_request):
    if mentor_request.mentor_enrollment.user_id == request.user.pk:
        return redirect("wagtail_mentoring:my_mentoring")
    return redirect(reverse("wm_mentor_requests:index"))


@require_POST
def accept_request(request, pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    mentor_request = _answerable(request, pk)
    try:
        relationship = services.accept_request(mentor_request, request.user)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
        return _after_answer(request, mentor_request)
    own = mentor_request.mentor_enrollment.user_id == request.user.pk
    if not own:
        done = _("Accepted on the mentor's behalf.")
    elif mentor_request.mentor_enrollment.role == "member":
        done = _("Accepted: you and %(name)s are now peer partners.")
    else:
        done = _("Accepted: %(name)s is now your mentee.")
    messages.success(request, done % {"name": display_name(mentor_request.mentee)})
    if mentor_request.mentor_enrollment.user_id == request.user.pk:
        return redirect("wagtail_mentoring:relationship", relationship.pk)
    return _after_answer(request, mentor_request)


def decline_request(request, pk: int):
    if not request.user.is_authenticated:
        return login_redirect(request)
    mentor_request = _answerable(request, pk)
    form = OptionalReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.decline_request(
                    mentor_request, request.user, reason=form.cleaned_data["reason"]
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Declined. %(name)s's request passes to their next choice.")
                    % {"name": display_name(mentor_request.mentee)},
                )
                return _after_answer(request, mentor_request)
        status = 400
    return render_page(
        request,
        T + "form_page.html",
        {
            "form": form,
            "title": _("Decline %(name)s's request")
            % {"name": display_name(mentor_request.mentee)},
            "intro": _(
                "They will be told, and their request passes to their next choice."
            ),
            "submit_label": _("Decline"),
            "danger": True,
            "back_url": reverse("wagtail_mentoring:my_mentoring"),
        },
        status=status,
    )


# Calendar feed -------------------------------------------------------------


def calendar(request):
    """The user's private feed URL, with a button to revoke it."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    if request.method == "POST":
        if request.POST.get("action") == "create":
            services.create_calendar_feed(request.user)
        else:
            services.revoke_calendar_feed(request.user)
            messages.success(
                request, _("A new calendar URL was made; the old one no longer works.")
            )
        return redirect("wagtail_mentoring:calendar")
    feed = services.calendar_feed(request.user)
    context = {"feed": feed}
    if feed is not None:
        url = request.build_absolute_uri(
            reverse("wagtail_mentoring:calendar_feed", args=[feed.token])
        )
        context.update(feed_url=url, webcal_url="webcal://" + url.split("://", 1)[1])
    return render_page(request, T + "calendar.html", context)


@never_cache
def calendar_feed(request, token: str):
    """Mentoring meetings of the token's owner, no sign-in needed (calendar
    apps cannot sign in); an unknown or revoked token is a 404."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    # Cancelled meetings simply leave the feed: clients mirror it as a whole.
    meetings = (
        Meeting.objects.filter(
            relationship__members__user=feed.user,
            starts_at__gte=ical.feed_window_start(),
        )
        .exclude(status="cancelled")
        .select_related("created_by")
        .order_by("starts_at")
    )
    since = ical.feed_window_start()
    others = [
        event
        for contribute in hooks.get_hooks(ical.FEED_HOOK)
        for event in contribute(feed.user, since)
    ]
    body = ical.feed(meetings, _("Mentoring meetings"), others)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentoring.ics"'
    # The URL is a secret: keep it out of shared caches and referrers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
