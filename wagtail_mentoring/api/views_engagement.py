"""More of the relationship space: log, reschedule and annotate meetings, edit
goals, and the relationship's course (end early, ask for a rematch, extend).

Each view finds its object as the page does (someone else's is "not found")
and calls the service the page's form calls.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework.response import Response

from wagtail_mentoring.api import serializers as s
from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, documented
from wagtail_mentoring.api.views import ERRORS, MeetingMixin, RelationshipMixin
from wagtail_mentoring.engagement import selectors as engagement_selectors
from wagtail_mentoring.engagement import services as engagement


class LogMeeting(RelationshipMixin, APIBase):
    """*Log a meeting we had*: saved as held, no invitations."""

    @documented(
        request=sm.LogMeetingInput, responses={201: s.MeetingSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(sm.LogMeetingInput)
        meeting = engagement.log_past_meeting(
            relationship,
            request.user,
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            timezone_name=data.get("timezone", ""),
            notes=data.get("notes", ""),
        )
        return Response(s.MeetingSerializer(meeting).data, status=201)


class RescheduleMeeting(MeetingMixin, APIBase):
    """Move or edit an upcoming meeting; members get an updated invitation."""

    @documented(
        request=s.ScheduleMeetingInput, responses={200: s.MeetingSerializer, **ERRORS}
    )
    def post(self, request, pk: int, meeting_pk: int):
        meeting = self.meeting()
        data = self.input(s.ScheduleMeetingInput)
        meeting = engagement.reschedule_meeting(
            meeting,
            request.user,
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            timezone_name=data.get("timezone", ""),
            location=data.get("location", ""),
            agenda=data.get("agenda", ""),
        )
        return Response(s.MeetingSerializer(meeting).data)


class MeetingNotes(MeetingMixin, APIBase):
    """The pair's shared notes of a meeting (replaced as a whole)."""

    @documented(request=sm.NotesInput, responses={200: s.MeetingSerializer, **ERRORS})
    def post(self, request, pk: int, meeting_pk: int):
        meeting = self.meeting()
        data = self.input(sm.NotesInput)
        meeting = engagement.save_meeting_notes(
            meeting, request.user, notes=data["notes"]
        )
        return Response(s.MeetingSerializer(meeting).data)


class UpdateGoal(RelationshipMixin, APIBase):
    """The goal's owner refines it, or marks it achieved or dropped; fields
    left out keep their value."""

    @documented(
        operation_id="me_relationships_goals_update",
        request=sm.GoalUpdateInput,
        responses={200: s.GoalSerializer, **ERRORS},
    )
    def post(self, request, pk: int, goal_pk: int):
        goals = engagement_selectors.goals_of(self.relationship())
        goal = get_object_or_404(goals, pk=goal_pk)
        data = self.input(sm.GoalUpdateInput)
        engagement.update_goal(
            goal,
            request.user,
            title=data.get("title", goal.title),
            target_date=data.get("target_date", goal.target_date),
            measure=data.get("measure", goal.measure),
            why=data.get("why", goal.why),
            status=data.get("status"),
        )
        return Response(s.GoalSerializer(goals.get(pk=goal_pk)).data)


def _relationship_after(request, pk: int):
    return Response(
        s.RelationshipSerializer(
            engagement_selectors.member_relationship(request.user, pk)
        ).data
    )


class EndRelationship(RelationshipMixin, APIBase):
    """End the relationship early, with a reason the partner is told; upcoming
    meetings are cancelled."""

    @documented(
        request=sm.ReasonInput, responses={200: s.RelationshipSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(sm.ReasonInput)
        engagement.end_relationship(relationship, request.user, reason=data["reason"])
        return _relationship_after(request, pk)


class RequestRematch(RelationshipMixin, APIBase):
    """End the relationship and ask the program admins for a different match."""

    @documented(
        request=sm.ReasonInput, responses={200: s.RelationshipSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(sm.ReasonInput)
        engagement.request_rematch(relationship, request.user, reason=data["reason"])
        return _relationship_after(request, pk)


class ExtendRelationship(RelationshipMixin, APIBase):
    """Move the planned end later, within the program's limits."""

    @documented(
        request=sm.ExtendInput, responses={200: s.RelationshipSerializer, **ERRORS}
    )
    def post(self, request, pk: int):
        relationship = self.relationship()
        data = self.input(sm.ExtendInput)
        engagement.extend_relationship(relationship, request.user, weeks=data["weeks"])
        return _relationship_after(request, pk)
