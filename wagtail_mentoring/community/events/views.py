"""Front-end views of space events: the list, the event, RSVP, the organiser's
forms and the .ics download. Thin: services decide, rules say who sees what."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wagtail_mentoring.community import selectors as community_selectors
from wagtail_mentoring.community.events import calendar, rules, selectors, services
from wagtail_mentoring.community.events.forms import EventForm
from wagtail_mentoring.community.events.models import RSVPStatus, SpaceEvent
from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.permissions import passes_privacy
from wagtail_mentoring.programs.selectors import with_privacy
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/community/events/"


def _space(request, space_pk: int) -> CommunitySpacePage:
    # A closed space's events do not exist for people outside it (404).
    space = community_selectors.live_space(request, space_pk)
    if not rules.can_view(space, request.user):
        raise Http404
    return space


def _event(request, pk: int) -> SpaceEvent:
    event = get_object_or_404(
        with_privacy(SpaceEvent.objects, "space__path").select_related(
            "space", "created_by"
        ),
        pk=pk,
        space__live=True,
    )
    event.space.view_restricted = event.view_restricted
    if not (
        passes_privacy(request, event.space)
        and rules.can_view(event.space, request.user)
    ):
        raise Http404
    return event


def _signed_in(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


def _error(form, error: MentoringError) -> None:
    form.add_error(None, error.messages[0] if error.messages else str(error))


@require_GET
@_signed_in
def space_events(request, space_pk: int):
    """The space's upcoming events (and the last few that took place)."""
    space = _space(request, space_pk)
    upcoming = list(selectors.upcoming(space))
    past = list(selectors.past(space))
    answers = selectors.answers_of(request.user, upcoming + past)
    for event in upcoming + past:
        event.my_answer = answers.get(event.pk)
    return render_page(
        request,
        T + "list.html",
        {
            "space": space,
            "upcoming": upcoming,
            "past": past,
            "can_manage": rules.can_manage_events(space, request.user),
            "viewer_tz": timezone.get_current_timezone(),
        },
    )


@require_GET
@_signed_in
def space_event(request, pk: int):
    """One event: when, where, places, who is going (members), the answer."""
    event = _event(request, pk)
    space = event.space
    member = rules.is_member(space, request.user)
    can_manage = rules.can_manage_events(space, request.user)
    sees_names = rules.sees_names(space, request.user)
    answer = event.rsvps.filter(user=request.user).values_list("status", flat=True)
    answer = answer.first()
    going = list(selectors.going_people(event)) if sees_names else []
    counts = selectors.with_counts(SpaceEvent.objects.filter(pk=event.pk)).values(
        "going_count", "waiting_count"
    )[0]
    now = timezone.now()
    open_for_answers = (
        not event.is_cancelled and event.starts_at > now and not space.archived
    )
    full = event.capacity is not None and counts["going_count"] >= event.capacity
    return render_page(
        request,
        T + "detail.html",
        {
            "space": space,
            "event": event,
            "answer": answer,
            "member": member,
            "can_manage": can_manage and open_for_answers,
            "going": going,
            "going_count": counts["going_count"],
            "waiting_count": counts["waiting_count"],
            "places_left": (
                max(event.capacity - counts["going_count"], 0)
                if event.capacity is not None
                else None
            ),
            "full": full,
            "open_for_answers": open_for_answers,
            "event_tz": calendar.event_zone(event),
            "viewer_tz": timezone.get_current_timezone(),
        },
    )


@require_POST
@_signed_in
def space_event_rsvp(request, pk: int):
    """Going, waiting list, or no longer going (``action``)."""
    event = _event(request, pk)
    action = request.POST.get("action", "going")
    try:
        if action == "cancel":
            services.cancel_rsvp(event, request.user)
            messages.success(
                request, _("You are no longer going; a cancellation was emailed.")
            )
        else:
            answer = services.rsvp(event, request.user, waitlist=action == "waitlist")
            if answer.status == RSVPStatus.GOING:
                messages.success(
                    request,
                    _("You are going. The invitation is on its way to your inbox."),
                )
            else:
                messages.success(
                    request,
                    _(
                        "You are on the waiting list; if a place frees up, it is "
                        "yours and we email you the invitation."
                    ),
                )
    except MentoringError as error:
        messages.error(request, error.messages[0])
    return redirect("wagtail_mentoring:space_event", event.pk)


@require_GET
@_signed_in
def space_event_ics(request, pk: int):
    """ "Add to calendar": the event in the reader's own time zone."""
    event = _event(request, pk)
    body = calendar.download(event, user_timezone(request.user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _form_page(
    request,
    space,
    form,
    *,
    title,
    submit,
    back,
    intro="",
    danger=False,
    status=200,
):
    return render_page(
        request,
        T + "form.html",
        {
            "space": space,
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit,
            "danger": danger,
            "back_url": back,
        },
        status=status,
    )


def _require_manager(space, user) -> None:
    if not rules.can_manage_events(space, user):
        raise Http404


@_signed_in
def space_event_new(request, space_pk: int):
    space = _space(request, space_pk)
    _require_manager(space, request.user)
    back = reverse("wagtail_mentoring:space_events", args=[space.pk])
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.schedule_event(
                    space, request.user, **form.service_arguments()
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request, _("Event scheduled; the space's members were told.")
                )
                return redirect("wagtail_mentoring:space_event", event.pk)
        status = 400
    else:
        form = EventForm(initial={"timezone": timezone.get_current_timezone_name()})
    return _form_page(
        request,
        space,
        form,
        title=_("Schedule an event in %(space)s") % {"space": space.title},
        submit=_("Schedule and tell the members"),
        back=back,
        status=status,
    )


@_signed_in
def space_event_edit(request, pk: int):
    event = _event(request, pk)
    _require_manager(event.space, request.user)
    back = reverse("wagtail_mentoring:space_event", args=[event.pk])
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, initial={"timezone": event.timezone})
        if form.is_valid():
            try:
                services.edit_event(event, request.user, **form.service_arguments())
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request, _("Event changed; everyone going gets the update.")
                )
                return redirect(back)
        status = 400
    else:
        form = EventForm(initial=EventForm.initial_for(event))
    return _form_page(
        request,
        event.space,
        form,
        title=_("Change “%(title)s”") % {"title": event.title},
        submit=_("Save and send the update"),
        back=back,
        status=status,
    )


@_signed_in
def space_event_cancel(request, pk: int):
    event = _event(request, pk)
    _require_manager(event.space, request.user)
    back = reverse("wagtail_mentoring:space_event", args=[event.pk])
    form = forms.Form(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            services.cancel_event(event, request.user)
        except MentoringError as error:
            _error(form, error)
            status = 400
        else:
            messages.success(
                request, _("Event cancelled; everyone going was sent a cancellation.")
            )
            return redirect(back)
    return _form_page(
        request,
        event.space,
        form,
        title=_("Cancel “%(title)s”?") % {"title": event.title},
        intro=_(
            "Everyone going gets a cancellation that removes it from their "
            "calendar; the waiting list is told too."
        ),
        submit=_("Cancel the event"),
        back=back,
        danger=True,
        status=status,
    )
