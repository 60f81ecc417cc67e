"""Front-end views of flash mentoring: browse and book office hours, manage a
booking, and the mentor's own office hours. Thin: the services decide."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.engagement.office_hours.forms import (
    BookingForm,
    FeedbackForm,
    NoteForm,
    OfficeHoursForm,
    SlotFilterForm,
)
from wagtail_mentoring.engagement.office_hours.models import (
    Booking,
    BookingStatus,
    OfficeHourSlot,
)
from wagtail_mentoring.engagement.office_hours.tasks import booking_invite
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.models import Skill
from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.permissions import can_administer
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    Role,
)
from wagtail_mentoring.views import login_redirect, render_page

T = "wagtail_mentoring/office_hours/"
#: The longest list the browse page shows at once.
LIST_LIMIT = 60
PARTS_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


def bookable_slots(user, now=None):
    """Open future slots of live flash programs whose booking window is open,
    with what a listing shows, in a fixed number of queries."""
    now = now or timezone.now()
    return (
        OfficeHourSlot.objects.open()
        .filter(
            starts_at__gt=now,
            program__kind=ProgramKind.FLASH,
            program__live=True,
            mentor__is_active=True,
        )
        .with_booked()
        .select_related("office_hours", "program", "mentor__mentoring_profile")
        .prefetch_related(
            Prefetch(
                "mentor__mentoring_profile__skills",
                queryset=Skill.objects.order_by("name"),
            )
        )
        .order_by("starts_at", "pk")
    )


def office_hours(request):
    """Browse office hours by topic, skill and time, in the viewer's zone."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    now = timezone.now()
    form = SlotFilterForm(request.GET or None)
    slots = bookable_slots(request.user, now)
    program_id = request.GET.get("program", "")
    if program_id.isdigit():
        slots = slots.filter(program_id=int(program_id))
    zone = user_timezone(request.user)
    part = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            slots = slots.filter(
                Q(office_hours__topics__icontains=data["q"])
                | Q(office_hours__title__icontains=data["q"])
            )
        if data["skill"]:
            slots = slots.filter(mentor__mentoring_profile__skills=data["skill"])
        if data["day"]:
            start = datetime.combine(data["day"], time.min).replace(tzinfo=zone)
            slots = slots.filter(starts_at__gte=start)
        part = data["part_of_day"]
    rows = []
    for slot in slots[: LIST_LIMIT * 3]:
        # The booking window is per office hours: filtered here, not in SQL.
        if slot.starts_at > now + timedelta(days=slot.office_hours.book_ahead_days):
            continue
        if part:
            hour = timezone.localtime(slot.starts_at, zone).hour
            low, high = PARTS_OF_DAY[part]
            if not low <= hour < high:
                continue
        rows.append(slot)
        if len(rows) == LIST_LIMIT:
            break
    mine = {
        b.slot_id: b
        for b in Booking.objects.filter(
            user=request.user, status=BookingStatus.BOOKED, slot__starts_at__gt=now
        )
    }
    for slot in rows:
        slot.my_booking = mine.get(slot.pk)
    upcoming = list(
        Booking.objects.filter(
            user=request.user, status=BookingStatus.BOOKED, slot__ends_at__gt=now
        ).select_related("slot__office_hours", "slot__mentor")
    )
    return render_page(
        request,
        T + "office_hours.html",
        {"form": form, "slots": rows, "upcoming": upcoming},
    )


def _posted(request):
    # An empty POST (a cancellation without a reason) is still a submission.
    return request.POST if request.method == "POST" else None


def _signed_in(request):
    return request.user.is_authenticated


def book(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    slot = get_object_or_404(
        bookable_slots(request.user).select_related("office_hours"), pk=pk
    )
    form = BookingForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booking = services.book_slot(
                    slot, request.user, question=form.cleaned_data["question"]
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Booked. The calendar invite is on its way.")
                )
                return redirect("wagtail_mentoring:booking_detail", booking.pk)
        status = 400
    return render_page(
        request, T + "book.html", {"slot": slot, "form": form}, status=status
    )


def _booking_for(request, pk: int) -> Booking:
    """A booking the user may see: theirs, one of their slots, or in a
    program they administer. Others: 404."""
    booking = get_object_or_404(
        Booking.objects.select_related(
            "slot__office_hours", "slot__program", "slot__mentor", "user"
        ),
        pk=pk,
    )
    user = request.user
    if booking.user_id == user.pk or booking.slot.mentor_id == user.pk:
        return booking
    if can_administer(user, booking.slot.program):
        return booking
    raise Http404


def booking_detail(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    now = timezone.now()
    is_booker = booking.user_id == request.user.pk
    is_mentor = booking.slot.mentor_id == request.user.pk
    slot = booking.slot
    booked = booking.status == BookingStatus.BOOKED
    context = {
        "booking": booking,
        "slot": slot,
        "is_booker": is_booker,
        "is_mentor": is_mentor,
        "can_change": is_booker and booked and slot.change_deadline() > now,
        "can_cancel_as_mentor": is_mentor and booked and slot.starts_at > now,
        "can_give_feedback": is_booker
        and booked
        and slot.ends_at <= now
        and booking.rating is None,
        "can_mark_no_show": is_mentor and booked and slot.starts_at <= now,
        "continue_programs": list(services.continue_programs(booking))
        if is_mentor and booked and slot.starts_at <= now
        else [],
    }
    return render_page(request, T + "booking_detail.html", context)


def cancel(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    form = NoteForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cancel_booking(
                    booking, request.user, reason=form.cleaned_data["reason"]
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The booking is cancelled."))
                return redirect("wagtail_mentoring:office_hours")
        status = 400
    return render_page(
        request,
        "wagtail_mentoring/engagement/form_page.html",
        {
            "form": form,
            "title": _("Cancel your booking of “%(title)s”")
            % {"title": booking.slot.office_hours.title},
            "intro": _("The other side is told, and the calendar event removed."),
            "submit_label": _("Cancel booking"),
            "danger": True,
            "back_url": reverse("wagtail_mentoring:booking_detail", args=[pk]),
        },
        status=status,
    )


def reschedule(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    if booking.user_id != request.user.pk:
        raise Http404
    options = [
        slot
        for slot in bookable_slots(request.user)
        .filter(mentor_id=booking.slot.mentor_id, program_id=booking.slot.program_id)
        .exclude(pk=booking.slot_id)[:LIST_LIMIT]
        if slot.seats_left > 0
    ]
    error = None
    if request.method == "POST":
        chosen = request.POST.get("slot", "")
        new_slot = next((s for s in options if str(s.pk) == chosen), None)
        if new_slot is None:
            error = _("Choose one of the free slots.")
        else:
            try:
                services.reschedule_booking(booking, new_slot, request.user)
            except MentoringError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, _("Moved. Your calendar invite is updated."))
                return redirect("wagtail_mentoring:booking_detail", pk)
    return render_page(
        request,
        T + "reschedule.html",
        {"booking": booking, "options": options, "error": error},
        status=400 if error else 200,
    )


def booking_ics(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    response = HttpResponse(
        booking_invite(booking, request.user),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="office-hours.ics"'
    return response


def feedback(request, pk: int):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    if booking.user_id != request.user.pk:
        raise Http404
    form = FeedbackForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.give_booking_feedback(
                    booking,
                    request.user,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you for your feedback."))
                return redirect("wagtail_mentoring:booking_detail", pk)
        status = 400
    return render_page(
        request,
        "wagtail_mentoring/engagement/form_page.html",
        {
            "form": form,
            "title": _("How was “%(title)s”?")
            % {"title": booking.slot.office_hours.title},
            "submit_label": _("Send feedback"),
            "back_url": reverse("wagtail_mentoring:booking_detail", args=[pk]),
        },
        status=status,
    )


def _act(request, pk: int, action, success: str):
    if not _signed_in(request):
        return login_redirect(request)
    booking = _booking_for(request, pk)
    try:
        action(booking)
    except MentoringError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("wagtail_mentoring:booking_detail", pk)


@require_POST
def no_show(request, pk: int):
    return _act(
        request,
        pk,
        lambda booking: services.record_no_show(booking, request.user),
        _("Recorded: they did not come."),
    )


@require_POST
def suggest_continuing(request, pk: int):
    def act(booking):
        program = next(
            (
                p
                for p in services.continue_programs(booking)
                if str(p.pk) == request.POST.get("program", "")
            ),
            None,
        )
        if program is None:
            raise MentoringError(_("Choose a program to continue in."))
        services.suggest_continuing(booking, request.user, program)

    return _act(request, pk, act, _("Suggested. They can now ask you as a mentor."))


@require_POST
def accept_continuing(request, pk: int):
    return _act(
        request,
        pk,
        lambda booking: services.accept_continuing(booking, request.user),
        _("Your request went to the mentor."),
    )


def my_office_hours(request):
    """A mentor's office hours: publish new ones, see who booked."""
    if not _signed_in(request):
        return login_redirect(request)
    enrollments = list(
        Enrollment.objects.filter(
            user=request.user,
            role=Role.MENTOR,
            status=EnrollmentStatus.APPROVED,
            program__kind=ProgramKind.FLASH,
        ).select_related("program")
    )
    profile = getattr(request.user, "mentoring_profile", None)
    form = OfficeHoursForm(
        request.POST or None, current_zone=getattr(profile, "timezone", "") or ""
    )
    status = 200
    if request.method == "POST":
        enrollment = next(
            (e for e in enrollments if str(e.pk) == request.POST.get("enrollment")),
            enrollments[0] if len(enrollments) == 1 else None,
        )
        if enrollment is None:
            form.add_error(None, _("Choose the program these office hours are for."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.publish_office_hours(
                    enrollment,
                    request.user,
                    title=data["title"],
                    topics=data["topics"],
                    starts=datetime.combine(data["day"], data["start_time"]),
                    ends=datetime.combine(data["day"], data["end_time"]),
                    timezone_name=data["timezone"],
                    recurrence=data["recurrence"],
                    weeks=data["weeks"],
                    capacity=data["capacity"],
                    book_ahead_days=data["book_ahead_days"],
                    weekly_limit=data["weekly_limit"],
                    cutoff_hours=data["cutoff_hours"],
                    location=data["location"],
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your office hours are published."))
                return redirect("wagtail_mentoring:my_office_hours")
        status = 400
    slots = (
        OfficeHourSlot.objects.open()
        .filter(mentor=request.user, ends_at__gt=timezone.now())
        .select_related("office_hours", "program")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(
                    status=BookingStatus.BOOKED
                ).select_related("user"),
                to_attr="active_bookings",
            )
        )
        .order_by("starts_at")[:LIST_LIMIT]
    )
    return render_page(
        request,
        T + "my_office_hours.html",
        {"form": form, "enrollments": enrollments, "slots": slots},
        status=status,
    )
