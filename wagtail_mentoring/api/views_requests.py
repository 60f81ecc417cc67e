"""Mentor requests of self-select programs (*Find a mentor*): suggestions, the
requests I sent and received, and sending, withdrawing, accepting and declining
them with the services the pages use.

Answering on a mentor's behalf is a program admin's work in the admin; here a
request is answered by the mentor it is addressed to (anyone else: 404).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import serializers as drf
from rest_framework.response import Response

from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, ListBase, documented
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.mentor_requests import (
    SELF_SELECT_MODES,
    mentors_still_needed,
)
from wagtail_mentoring.engagement.models import MentorRequest, MentorRequestStatus
from wagtail_mentoring.matching.peer_search import search_peers
from wagtail_mentoring.matching.pools import is_peer
from wagtail_mentoring.matching.suggestions import (
    MentorSearch,
    blocked_text,
    search_mentors,
)
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus


class MentorRequestFilter(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(
        choices=[("sent", _("sent")), ("received", _("received"))],
        method="filter_direction",
    )
    status = django_filters.ChoiceFilter(choices=MentorRequestStatus.choices)

    class Meta:
        model = MentorRequest
        fields = ["program", "status"]

    def filter_direction(self, queryset, name, value):
        user = self.request.user
        if value == "sent":
            return queryset.filter(mentee_enrollment__user=user)
        return queryset.filter(mentor_enrollment__user=user)


def _requests():
    return MentorRequest.objects.select_related(
        "program", "mentee_enrollment__user", "mentor_enrollment__user"
    )


def own_mentee_enrollment(user, pk: int) -> Enrollment:
    """My application that may ask mentors (as *Find a mentor* finds it), or 404."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("program", "user"),
        pk=pk,
        user=user,
        role__in=["mentee", "sponsee", "member"],
    )
    if enrollment.role == "member" and not is_peer(enrollment.program):
        raise Http404
    if enrollment.program.matching_mode not in SELF_SELECT_MODES:
        raise Http404
    return enrollment


class MentorRequestList(ListBase):
    """Requests I sent (as a mentee) and received (as a mentor); POST asks one
    more mentor, who joins the end of my ranked list."""

    queryset = MentorRequest.objects.none()  # the schema's model
    serializer_class = sm.MentorRequestSerializer
    filterset_class = MentorRequestFilter

    def get_queryset(self):
        user = self.request.user
        return (
            _requests()
            .filter(Q(mentee_enrollment__user=user) | Q(mentor_enrollment__user=user))
            .order_by("-created_at", "-pk")
        )

    @documented(
        request=sm.SendRequestInput,
        responses={201: sm.MentorRequestSerializer, **ERRORS},
    )
    def post(self, request):
        data = self.input(sm.SendRequestInput)
        enrollment = own_mentee_enrollment(request.user, data["application"])
        mentor = (
            Enrollment.objects.filter(pk=data["mentor"], program=enrollment.program)
            .select_related("user", "program")
            .first()
        )
        if mentor is None:
            raise drf.ValidationError(
                {"mentor": [_("Please choose a mentor from the suggestions.")]}
            )
        sent = engagement.send_request(
            enrollment, mentor, request.user, note=data.get("note", "")
        )
        return Response(
            sm.MentorRequestSerializer(_requests().get(pk=sent.pk)).data, status=201
        )


class Suggestions(APIBase):
    """*Find a mentor*'s ranked suggestions for my application (none once I may
    ask nobody more), and why there are none."""

    @documented(responses={200: sm.SuggestionListSerializer, **ERRORS})
    def get(self, request, pk: int):
        enrollment = own_mentee_enrollment(request.user, pk)
        program = enrollment.program
        live = MentorRequest.objects.filter(mentee_enrollment=enrollment).live()
        asked = set(live.values_list("mentor_enrollment_id", flat=True))
        can_ask = (
            enrollment.status == EnrollmentStatus.APPROVED
            and len(asked) < program.max_requests
            and mentors_still_needed(enrollment) > 0
        )
        search = (
            (search_peers if is_peer(program) else search_mentors)(enrollment, limit=10)
            if can_ask
            else MentorSearch([])
        )
        data = {
            "application": enrollment.pk,
            "can_ask": can_ask,
            "remaining_requests": max(0, program.max_requests - len(asked)),
            "blocked": blocked_text(search.blocked_by),
            "suggestions": [
                x for x in search.suggestions if x.enrollment.pk not in asked
            ],
        }
        return Response(sm.SuggestionListSerializer(data).data)


class _RequestAction(APIBase):
    def sent(self, pk: int) -> MentorRequest:
        return get_object_or_404(
            _requests(), pk=pk, mentee_enrollment__user=self.request.user
        )

    def received(self, pk: int) -> MentorRequest:
        return get_object_or_404(
            _requests(), pk=pk, mentor_enrollment__user=self.request.user
        )

    def done(self, pk: int):
        return Response(sm.MentorRequestSerializer(_requests().get(pk=pk)).data)


class WithdrawRequest(_RequestAction):
    """Take back a request I sent that waits for an answer or its turn."""

    @documented(request=None, responses={200: sm.MentorRequestSerializer, **ERRORS})
    def post(self, request, pk: int):
        engagement.withdraw_request(self.sent(pk), request.user)
        return self.done(pk)


class AcceptRequest(_RequestAction):
    """Accept a request addressed to me: the relationship starts."""

    @documented(request=None, responses={200: sm.MentorRequestSerializer, **ERRORS})
    def post(self, request, pk: int):
        engagement.accept_request(self.received(pk), request.user)
        return self.done(pk)


class DeclineRequest(_RequestAction):
    """Decline a request addressed to me (optionally why); the mentee's next
    choice is asked."""

    @documented(
        request=sm.DeclineInput, responses={200: sm.MentorRequestSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        mentor_request = self.received(pk)
        data = self.input(sm.DeclineInput)
        engagement.decline_request(
            mentor_request, request.user, reason=data.get("reason", "")
        )
        return self.done(pk)
