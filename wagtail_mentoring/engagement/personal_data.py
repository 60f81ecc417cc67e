"""What engagement holds about a person: meetings of their relationships, their
goals and check-ins, the messages and feedback they wrote, their mentor
requests and their calendar feed."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.models import (
    CalendarFeed,
    Feedback,
    Goal,
    GoalCheckIn,
    Meeting,
    MentorRequest,
    Message,
)
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.personal_data import (
    CLEAR,
    DELETE,
    DETACH,
    REMOVED,
    PersonalData,
    when,
)


class EngagementData(PersonalData):
    erase_order = 30
    sections = {
        "meetings": _("Meetings"),
        "goals": _("Goals"),
        "goal_check_ins": _("Goal check-ins"),
        "messages": _("Messages"),
        "feedback": _("Feedback"),
        "mentor_requests": _("Mentor requests"),
        "calendar_feed": _("Calendar feed"),
    }
    user_fields = {
        "Meeting.created_by": CLEAR,
        "Goal.owner": DETACH,
        "GoalCheckIn.author": DETACH,
        "MentorRequest.decided_by": CLEAR,
        "Message.author": DETACH,
        "Feedback.author": DETACH,
        "CalendarFeed.user": DELETE,
    }

    def export(self, user):
        meetings = (
            Meeting.objects.filter(relationship__members__user=user)
            .select_related("relationship__program")
            .order_by("starts_at", "pk")
        )
        goals = Goal.objects.filter(owner=user).order_by("created_at", "pk")
        check_ins = GoalCheckIn.objects.filter(author=user).order_by("created_at", "pk")
        messages = Message.objects.filter(author=user).order_by("created_at", "pk")
        feedback = Feedback.objects.filter(author=user).order_by("created_at", "pk")
        sent = (
            MentorRequest.objects.filter(mentee_enrollment__user=user)
            .select_related("program", "mentor_enrollment__user")
            .order_by("created_at", "pk")
        )
        received = (
            MentorRequest.objects.filter(mentor_enrollment__user=user)
            .select_related("program", "mentee_enrollment__user")
            .order_by("created_at", "pk")
        )
        feed = CalendarFeed.objects.filter(user=user).first()
        return {
            "meetings": [_meeting(m, user) for m in meetings],
            "goals": [
                {
                    "id": g.pk,
                    "relationship": g.relationship_id,
                    "title": g.title,
                    "measure": g.measure,
                    "why": g.why,
                    "target_date": when(g.target_date),
                    "progress": g.progress,
                    "status": g.status,
                    "created_at": when(g.created_at),
                }
                for g in goals
            ],
            "goal_check_ins": [
                {
                    "goal": c.goal_id,
                    "progress": c.progress,
                    "note": c.note,
                    "created_at": when(c.created_at),
                }
                for c in check_ins
            ],
            "messages": [
                {
                    "relationship": m.relationship_id,
                    "body": m.body,
                    "sent_at": when(m.created_at),
                }
                for m in messages
            ],
            "feedback": [
                {
                    "relationship": f.relationship_id,
                    "meeting": f.meeting_id,
                    "kind": f.kind,
                    "rating": f.rating,
                    "comment": f.comment,
                    "visibility": f.visibility,
                    "given_at": when(f.created_at),
                }
                for f in feedback
            ],
            "mentor_requests": {
                "sent": [_request(r, r.mentor) for r in sent],
                "received": [_request(r, r.mentee) for r in received],
            },
            # That it exists, not its secret address.
            "calendar_feed": {
                "exists": feed is not None,
                "created_at": when(feed.created_at) if feed else None,
            },
        }

    def records(self, user):
        requests = MentorRequest.objects.filter(
            Q(mentee_enrollment__user=user) | Q(mentor_enrollment__user=user)
        )
        return {
            Meeting: Meeting.objects.filter(
                relationship__members__user=user
            ).values_list("pk", flat=True),
            Goal: Goal.objects.filter(owner=user).values_list("pk", flat=True),
            Message: Message.objects.filter(author=user).values_list("pk", flat=True),
            Feedback: Feedback.objects.filter(author=user).values_list("pk", flat=True),
            MentorRequest: requests.values_list("pk", flat=True),
            CalendarFeed: CalendarFeed.objects.filter(user=user).values_list(
                "pk", flat=True
            ),
        }

    def erase(self, user):
        removed = str(REMOVED)
        # Notes and agendas are the pair's shared words: they go with either.
        Meeting.objects.filter(relationship__members__user=user).update(
            notes="", agenda=""
        )
        Meeting.objects.filter(created_by=user).update(
            created_by=None, title=removed, location=""
        )
        Goal.objects.filter(owner=user).update(
            owner=None, title=removed, measure="", why=""
        )
        GoalCheckIn.objects.filter(author=user).update(author=None, note="")
        Message.objects.filter(author=user).update(author=None, body=removed)
        Feedback.objects.filter(author=user).update(author=None, comment="")
        MentorRequest.objects.filter(mentee_enrollment__user=user).update(note="")
        MentorRequest.objects.filter(mentor_enrollment__user=user).update(
            decline_reason=""
        )
        MentorRequest.objects.filter(decided_by=user).update(decided_by=None)
        CalendarFeed.objects.filter(user=user).delete()


def _meeting(meeting: Meeting, user) -> dict:
    return {
        "id": meeting.pk,
        "relationship": meeting.relationship_id,
        "program": meeting.relationship.program.title,
        "title": meeting.title,
        "starts_at": when(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "timezone": meeting.timezone,
        "location": meeting.location,
        "agenda": meeting.agenda,
        "notes": meeting.notes,
        "status": meeting.status,
        "scheduled_by_you": meeting.created_by_id == user.pk,
    }


def _request(request: MentorRequest, other) -> dict:
    return {
        "program": request.program.title,
        "with": display_name(other),
        "rank": request.rank,
        "note": request.note,
        "status": request.status,
        "sent_at": when(request.sent_at),
        "answered_at": when(request.decided_at),
        "decline_reason": request.decline_reason,
    }


personal_data = EngagementData()
