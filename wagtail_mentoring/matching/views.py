"""Front-end view of self-select matching: *Find a mentor*."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail_mentoring.engagement import services
from wagtail_mentoring.engagement.forms import RequestForm
from wagtail_mentoring.engagement.mentor_requests import (
    SELF_SELECT_MODES,
    mentors_still_needed,
    with_open_memberships,
)
from wagtail_mentoring.engagement.models import MentorRequest
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.matching.peer_search import search_peers
from wagtail_mentoring.matching.pools import is_peer
from wagtail_mentoring.matching.suggestions import (
    MentorSearch,
    blocked_text,
    search_mentors,
)
from wagtail_mentoring.people.users import (
    display_name,
    mentoring_profile,
    user_timezone,
)
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus
from wagtail_mentoring.sql import compiled_once
from wagtail_mentoring.views import login_redirect, render_page


def _own_mentee_enrollment(request, pk: int) -> Enrollment:
    found = _mentee_enrollment(int(pk), request.user.pk)
    if not found:
        raise Http404
    enrollment = found[0]
    if enrollment.role == "member" and not is_peer(enrollment.program):
        raise Http404
    if enrollment.program.matching_mode not in SELF_SELECT_MODES:
        raise Http404
    return enrollment


@compiled_once
def _mentee_enrollment(pk, user_key):
    return with_open_memberships(
        Enrollment.objects.select_related("program", "user")
    ).filter(pk=pk, user=user_key, role__in=["mentee", "sponsee", "member"])


@compiled_once
def _requests_of(enrollment_key):
    return (
        MentorRequest.objects.filter(mentee_enrollment=enrollment_key)
        .select_related("mentor_enrollment__user__mentoring_profile")
        .order_by("rank", "pk")
    )


def find_mentor(request, pk: int):
    """Ranked suggestions for a mentee, their requests so far, and the form
    to ask one more mentor."""

    if not request.user.is_authenticated:
        return login_redirect(request)
    enrollment = _own_mentee_enrollment(request, pk)
    program = enrollment.program
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST)
        mentor = (
            Enrollment.objects.filter(pk=request.POST.get("mentor"), program=program)
            .select_related("user", "program")
            .first()
        )
        if mentor is None:
            form.add_error(None, _("Please choose a mentor from the suggestions."))
        elif form.is_valid():
            try:
                services.send_request(
                    enrollment, mentor, request.user, note=form.cleaned_data["note"]
                )
            except MentoringError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your request to %(name)s was added to your list.")
                    % {"name": display_name(mentor.user)},
                )
                return redirect("wagtail_mentoring:find_mentor", enrollment.pk)
        status = 400
    else:
        form = RequestForm()
    requests = _requests_of(enrollment.pk)
    live = [r for r in requests if r.is_live]
    asked = {r.mentor_enrollment_id for r in live}
    needs_mentor = mentors_still_needed(enrollment) > 0
    can_ask = (
        enrollment.status == EnrollmentStatus.APPROVED
        and len(live) < program.max_requests
        and needs_mentor
    )
    peer = is_peer(program)
    search = (
        (search_peers if peer else search_mentors)(enrollment, limit=10)
        if can_ask
        else MentorSearch([])
    )
    suggestions = [s for s in search.suggestions if s.enrollment.pk not in asked]
    # The one rule a mentee can lift themselves: a profile with no languages.
    no_languages = "language" in search.blocked_by and not getattr(
        mentoring_profile(request.user), "languages", None
    )
    with timezone.override(user_timezone(request.user)):
        return render_page(
            request,
            "wagtail_mentoring/matching/find_mentor.html",
            {
                "enrollment": enrollment,
                "program": program,
                "peer": peer,
                "form": form,
                "live_requests": live,
                "past_requests": [r for r in requests if not r.is_live],
                "suggestions": suggestions,
                "search": search,
                "blocked": blocked_text(search.blocked_by),
                "no_languages": no_languages,
                "can_ask": can_ask,
                "remaining_requests": program.max_requests - len(live),
                "needs_mentor": needs_mentor,
            },
            status=status,
        )
