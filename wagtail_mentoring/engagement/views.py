"""Front-end views of a relationship's space: overview, meetings, goals,
messages, feedback, and ending, extending or rematching.

Every view answers 404 for anyone who is not a member, so a guessed URL tells
nothing; program admins see activity in the Wagtail admin instead.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement import ical, selectors, services
from wagtail_mentoring.engagement.agenda import default_agenda
from wagtail_mentoring.engagement.forms import (
    CheckInForm,
    ExtendForm,
    FeedbackForm,
    GoalEditForm,
    GoalForm,
    MeetingForm,
    MessageForm,
    NotesForm,
    PastMeetingForm,
    ReasonForm,
)
from wagtail_mentoring.engagement.models import Goal, Meeting
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/engagement/"


def member_view(view):
    """Sign-in required; ``relationship`` is the member's own, or 404; dates
    render in the viewer's time zone."""

    @wraps(view)
    def wrapper(request, pk: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        relationship = selectors.member_relationship(request.user, pk)
        with timezone.override(user_timezone(request.user)):
            return view(request, relationship, *args, **kwargs)

    return wrapper


def _page(request, relationship, template: str, context: dict, status: int = 200):
    return render_page(
        request,
        T + template,
        {
            "relationship": relationship,
            "partners": selectors.partners(relationship, request.user),
            "viewer_tz": timezone.get_current_timezone(),
            **context,
        },
        status=status,
    )


def _form_page(
    request,
    relationship,
    form,
    *,
    title,
    submit,
    intro="",
    status=200,
    danger=False,
    back=None,
):
    return _page(
        request,
        relationship,
        "form_page.html",
        {
            "form": form,
            "title": title,
            "submit_label": submit,
            "intro": intro,
            "danger": danger,
            "back_url": back
            or reverse("wagtail_mentoring:relationship", args=[relationship.pk]),
        },
        status=status,
    )


def _error(form, error: MentoringError):
    form.add_error(None, error)


@member_view
def relationship(request, relationship):
    """The overview: partners, dates, status, next meeting, goals, journey,
    and the feedback that is due."""
    return _page(
        request,
        relationship,
        "relationship.html",
        {
            "membership": selectors.my_membership(relationship, request.user),
            "next_meeting": selectors.next_meeting(relationship),
            "goals": selectors.goal_rows(relationship.pk),
            "can_extend": relationship.is_open
            and relationship.extensions_used < relationship.program.max_extensions,
            "final_feedback_open": services.final_feedback_is_open(relationship),
            "final_feedback_opens_on": services.final_feedback_opens_on(relationship),
            "final_feedback_given": selectors.gave_final_feedback(
                relationship, request.user
            ),
            "feedback_due": selectors.meetings_awaiting_feedback(
                relationship, request.user
            ),
            "feedback": selectors.feedback_rows(relationship.pk, request.user.pk),
            "active_tab": "overview",
        },
    )


# Meetings ------------------------------------------------------------------


@member_view
def meetings(request, relationship):
    page = Paginator(
        selectors.meetings_of(relationship, request.user), mentoring_settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return _page(
        request,
        relationship,
        "meetings.html",
        {"meetings": page, "now": timezone.now(), "active_tab": "meetings"},
    )


@member_view
def meeting_new(request, relationship):
    if not relationship.is_open:
        raise Http404
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.schedule_meeting(
                    relationship,
                    request.user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    timezone_name=data["timezone"],
                    location=data["location"],
                    agenda=data["agenda"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request,
                    _("Meeting scheduled; invitations were emailed to both of you."),
                )
                return redirect(
                    "wagtail_mentoring:meeting_detail", relationship.pk, meeting.pk
                )
        status = 400
    else:
        form = MeetingForm(
            initial={
                "title": _("Mentoring conversation"),
                "timezone": timezone.get_current_timezone_name(),
                "agenda": default_agenda(relationship),
                "duration_minutes": 45,
            }
        )
        status = 200
    return _form_page(
        request,
        relationship,
        form,
        title=_("Schedule a meeting"),
        submit=_("Schedule and send invitations"),
        status=status,
        back=reverse("wagtail_mentoring:meetings", args=[relationship.pk]),
    )


@member_view
def meeting_log(request, relationship):
    """*Log a meeting we had*: a pair that met without scheduling it here."""
    if not relationship.is_open:
        raise Http404
    if request.method == "POST":
        form = PastMeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.log_past_meeting(
                    relationship,
                    request.user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    timezone_name=data["timezone"],
                    notes=data["notes"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request, _("Meeting logged. How did it go? Your feedback helps.")
                )
                return redirect(
                    "wagtail_mentoring:meeting_feedback", relationship.pk, meeting.pk
                )
        status = 400
    else:
        form = PastMeetingForm(
            initial={
                "title": _("Mentoring conversation"),
                "timezone": timezone.get_current_timezone_name(),
                "duration_minutes": 45,
            }
        )
        status = 200
    return _form_page(
        request,
        relationship,
        form,
        title=_("Log a meeting we had"),
        intro=_(
            "Met without scheduling it here? Record it: it counts as held, and "
            "you can give feedback on it next."
        ),
        submit=_("Log the meeting"),
        status=status,
        back=reverse("wagtail_mentoring:meetings", args=[relationship.pk]),
    )


def _meeting(relationship, meeting_pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("created_by"),
        pk=meeting_pk,
        relationship=relationship,
    )


@member_view
def meeting_detail(request, relationship, meeting_pk: int):
    meeting = _meeting(relationship, meeting_pk)
    notes_form = NotesForm(initial={"notes": meeting.notes})
    status = 200
    if request.method == "POST":
        notes_form = NotesForm(request.POST)
        if notes_form.is_valid():
            try:
                services.save_meeting_notes(
                    meeting, request.user, notes=notes_form.cleaned_data["notes"]
                )
            except MentoringError as error:
                _error(notes_form, error)
            else:
                messages.success(request, _("Notes saved."))
                return redirect(
                    "wagtail_mentoring:meeting_detail", relationship.pk, meeting.pk
                )
        status = 400
    now = timezone.now()
    feedback = list(
        selectors.visible_feedback(relationship, request.user).filter(meeting=meeting)
    )
    return _page(
        request,
        relationship,
        "meeting_detail.html",
        {
            "meeting": meeting,
            "notes_form": notes_form,
            "changeable": relationship.is_open
            and not meeting.is_cancelled
            and meeting.starts_at > now,
            "feedback": feedback,
            "feedback_open": not meeting.is_cancelled
            and meeting.starts_at <= now
            and not any(f.author_id == request.user.pk for f in feedback),
            "meeting_tz": ical.meeting_zone(meeting),
            "active_tab": "meetings",
        },
        status=status,
    )


@member_view
def meeting_edit(request, relationship, meeting_pk: int):
    meeting = _meeting(relationship, meeting_pk)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.reschedule_meeting(
                    meeting,
                    request.user,
                    title=data["title"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    timezone_name=data["timezone"],
                    location=data["location"],
                    agenda=data["agenda"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(
                    request, _("Meeting updated; the invitations were updated.")
                )
                return redirect(
                    "wagtail_mentoring:meeting_detail", relationship.pk, meeting.pk
                )
        status = 400
    else:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting))
        status = 200
    return _form_page(
        request,
        relationship,
        form,
        title=_("Reschedule or edit the meeting"),
        submit=_("Save and update invitations"),
        status=status,
        back=reverse(
            "wagtail_mentoring:meeting_detail", args=[relationship.pk, meeting.pk]
        ),
    )


@member_view
def meeting_cancel(request, relationship, meeting_pk: int):
    meeting = _meeting(relationship, meeting_pk)
    back = reverse(
        "wagtail_mentoring:meeting_detail", args=[relationship.pk, meeting.pk]
    )

    form = forms.Form(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            services.cancel_meeting(meeting, request.user)
        except MentoringError as error:
            _error(form, error)
            status = 400
        else:
            messages.success(
                request, _("Meeting cancelled; both of you were sent a cancellation.")
            )
            return redirect(back)
    return _form_page(
        request,
        relationship,
        form,
        title=_("Cancel “%(title)s”?") % {"title": meeting.title},
        intro=_("Both of you get a cancellation that removes it from your calendars."),
        submit=_("Cancel the meeting"),
        danger=True,
        status=status,
        back=back,
    )


@member_view
def meeting_ics(request, relationship, meeting_pk: int):
    meeting = _meeting(relationship, meeting_pk)
    members = [m.user for m in relationship.members.all()]
    response = HttpResponse(
        ical.invite(meeting, members), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@member_view
def meeting_feedback(request, relationship, meeting_pk: int):
    meeting = _meeting(relationship, meeting_pk)
    back = reverse(
        "wagtail_mentoring:meeting_detail", args=[relationship.pk, meeting.pk]
    )
    return _feedback(request, relationship, meeting, back)


@member_view
def final_feedback(request, relationship):
    if not services.final_feedback_is_open(relationship):
        # Say when it opens before anyone types anything.
        return _page(
            request,
            relationship,
            "feedback_not_open.html",
            {"opens_on": services.final_feedback_opens_on(relationship)},
        )
    return _feedback(
        request,
        relationship,
        None,
        reverse("wagtail_mentoring:relationship", args=[relationship.pk]),
    )


def _feedback(request, relationship, meeting, back):
    status = 200
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.give_feedback(
                    relationship,
                    request.user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                    visibility=form.cleaned_data["visibility"],
                    meeting=meeting,
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect(back)
        status = 400
    title = (
        _("Feedback on “%(title)s”") % {"title": meeting.title}
        if meeting
        else _("Feedback on your mentoring relationship")
    )
    return _form_page(
        request,
        relationship,
        form,
        title=title,
        intro=_("Choose whether your partner sees it or only the program admins do."),
        submit=_("Send feedback"),
        status=status,
        back=back,
    )


# Goals ---------------------------------------------------------------------


def _goal(relationship, goal_pk: int) -> Goal:
    return get_object_or_404(
        Goal.objects.select_related("owner"), pk=goal_pk, relationship=relationship
    )


@member_view
def goal_new(request, relationship):
    form = GoalForm(request.POST or None, circle=relationship.is_circle)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                goal = services.create_goal(
                    relationship,
                    request.user,
                    title=data["title"],
                    target_date=data["target_date"],
                    measure=data["measure"],
                    why=data["why"],
                    shared=data.get("shared", False),
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Goal set."))
                return redirect(
                    "wagtail_mentoring:goal_detail", relationship.pk, goal.pk
                )
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=_("Set a SMART goal"),
        intro=_("Specific, measurable, achievable, relevant and time-bound."),
        submit=_("Set goal"),
        status=status,
    )


@member_view
def goal_detail(request, relationship, goal_pk: int):
    goal = _goal(relationship, goal_pk)
    form = CheckInForm(request.POST or None, initial={"progress": goal.progress})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.check_in_goal(
                    goal,
                    request.user,
                    progress=form.cleaned_data["progress"],
                    note=form.cleaned_data["note"],
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Check-in saved."))
                return redirect(
                    "wagtail_mentoring:goal_detail", relationship.pk, goal.pk
                )
        status = 400
    return _page(
        request,
        relationship,
        "goal_detail.html",
        {
            "goal": goal,
            "form": form,
            "check_ins": goal.check_ins.select_related("author"),
            "active_tab": "overview",
        },
        status=status,
    )


@member_view
def goal_edit(request, relationship, goal_pk: int):
    goal = _goal(relationship, goal_pk)
    if goal.owner_id != request.user.pk:
        raise Http404
    form = GoalEditForm(
        request.POST or None,
        initial={
            "title": goal.title,
            "measure": goal.measure,
            "why": goal.why,
            "target_date": goal.target_date,
            "status": goal.status,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_goal(goal, request.user, **data)
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Goal updated."))
                return redirect(
                    "wagtail_mentoring:goal_detail", relationship.pk, goal.pk
                )
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=_("Edit goal"),
        submit=_("Save goal"),
        status=status,
        back=reverse("wagtail_mentoring:goal_detail", args=[relationship.pk, goal.pk]),
    )


# Messages ------------------------------------------------------------------


@member_view
def messages_view(request, relationship):
    if request.method == "POST" and request.POST.get("action") == "read":
        # Sent by the page itself once it is shown (mentoring.js).
        services.mark_thread_read(relationship, request.user)
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(status=204)
        return redirect("wagtail_mentoring:messages", relationship.pk)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.send_message(
                    relationship, request.user, body=form.cleaned_data["body"]
                )
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, _("Message sent."))
                return redirect("wagtail_mentoring:messages", relationship.pk)
        status = 400
    thread = selectors.thread(relationship)
    paginator = Paginator(thread, mentoring_settings.PAGE_SIZE)
    # The newest page first: that is where a reader starts.
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    return _page(
        request,
        relationship,
        "messages.html",
        {
            "form": form,
            "thread": page,
            "active_tab": "messages",
            "private": relationship.program.messages_private,
            "unread": selectors.has_unread(relationship, request.user),
        },
        status=status,
    )


# The relationship's course -------------------------------------------------


def _lifecycle(
    request,
    relationship,
    *,
    service,
    form,
    title,
    intro,
    submit,
    done,
    danger=True,
    **kwargs,
):
    if not relationship.is_open:
        raise Http404
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                service(relationship, request.user, **form.cleaned_data, **kwargs)
            except MentoringError as error:
                _error(form, error)
            else:
                messages.success(request, done)
                return redirect("wagtail_mentoring:relationship", relationship.pk)
        status = 400
    return _form_page(
        request,
        relationship,
        form,
        title=title,
        intro=intro,
        submit=submit,
        danger=danger,
        status=status,
    )


@member_view
def end(request, relationship):
    return _lifecycle(
        request,
        relationship,
        service=services.end_relationship,
        form=ReasonForm(request.POST or None),
        title=_("End this relationship early"),
        intro=_(
            "Your partner is told, with your reason. Upcoming meetings are "
            "cancelled. This cannot be undone."
        ),
        submit=_("End the relationship"),
        done=_("The relationship has ended. Your partner was told."),
    )


@member_view
def rematch(request, relationship):
    return _lifecycle(
        request,
        relationship,
        service=services.request_rematch,
        form=ReasonForm(request.POST or None),
        title=_("Ask for a different match"),
        intro=_(
            "This relationship ends, your partner is told, and the program "
            "admins will help you find a new match."
        ),
        submit=_("Ask for a rematch"),
        done=_("Rematch requested. The program admins were told."),
    )


@member_view
def extend(request, relationship):
    program = relationship.program
    return _lifecycle(
        request,
        relationship,
        service=services.extend_relationship,
        form=ExtendForm(request.POST or None, max_weeks=program.max_extension_weeks),
        title=_("Extend this relationship"),
        intro=_(
            "The program allows %(n)d extension(s) of up to %(weeks)d weeks; "
            "%(used)d used so far."
        )
        % {
            "n": program.max_extensions,
            "weeks": program.max_extension_weeks,
            "used": relationship.extensions_used,
        },
        submit=_("Extend"),
        done=_("The relationship was extended."),
        danger=False,
    )
