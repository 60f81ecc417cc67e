"""What the LTI tool holds about an intranet account: enrolments of a course's
newcomers a program admin asked for, waiting for the newcomers' first launch.
(The course accounts themselves are django-lti's ``LtiUser``.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.personal_data import CLEAR, PersonalData, when

from .models import PendingEnrolment


class LtiData(PersonalData):
    sections = {"lti_enrolments_requested": _("Course enrolments requested")}
    user_fields = {"PendingEnrolment.requested_by": CLEAR}

    def export(self, user):
        rows = PendingEnrolment.objects.filter(requested_by=user).select_related(
            "program", "cohort"
        )
        return {
            "lti_enrolments_requested": [
                {
                    "program": row.program.title,
                    "cohort": row.cohort.name if row.cohort else None,
                    "role": row.role,
                    "requested": when(row.created_at),
                }
                for row in rows.order_by("created_at", "pk")
            ]
        }

    def erase(self, user):
        # Done in the requester's name: without them it can no longer be done.
        PendingEnrolment.objects.filter(requested_by=user).delete()


personal_data = LtiData()
