"""What the people domain holds about a person: their profile and the
self-identification they gave."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.hris.models import HrisImport
from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.personal_data import CLEAR, DELETE, KEEP, PersonalData, when


class PeopleData(PersonalData):
    erase_order = 90  # last: the other domains read nothing from the profile
    sections = {
        "profile": _("Profile"),
        "self_identification": _("Self-identification"),
    }
    user_fields = {
        "EmployeeProfile.user": DELETE,
        "EmployeeProfile.manager": (
            KEEP,
            _(
                "The org chart of the people they manage is those people's data "
                "(from HR); the host deleting the account clears it."
            ),
        ),
        "SelfIdentification.user": DELETE,
        # Who uploaded an HRIS file: the import (HR's data) stays.
        "HrisImport.uploaded_by": CLEAR,
    }

    def export(self, user):
        profile = (
            EmployeeProfile.objects.filter(user=user)
            .select_related("manager")
            .prefetch_related("skills", "skills_wanted", "interests")
            .first()
        )
        answers = SelfIdentification.objects.filter(user=user).first()
        return {
            "profile": _profile(profile) if profile else None,
            "self_identification": {
                "consented_at": when(answers.consented_at),
                "answers": answers.answers,
            }
            if answers
            else None,
        }

    def records(self, user):
        return {
            EmployeeProfile: EmployeeProfile.objects.filter(user=user).values_list(
                "pk", flat=True
            ),
            SelfIdentification: SelfIdentification.objects.filter(
                user=user
            ).values_list("pk", flat=True),
        }

    def erase(self, user):
        # The skills and interests links go with the profile.
        EmployeeProfile.objects.filter(user=user).delete()
        SelfIdentification.objects.filter(user=user).delete()
        HrisImport.objects.filter(uploaded_by=user).update(uploaded_by=None)


def _profile(profile: EmployeeProfile) -> dict:
    return {
        "title": profile.title,
        "level": profile.level,
        "department": profile.department,
        "location": profile.location,
        "timezone": profile.timezone,
        "manager": display_name(profile.manager) if profile.manager_id else None,
        "skills": sorted(s.name for s in profile.skills.all()),
        "skills_wanted": sorted(s.name for s in profile.skills_wanted.all()),
        "interests": sorted(i.name for i in profile.interests.all()),
        "languages": list(profile.languages),
        "availability": list(profile.availability),
        "bio": profile.bio,
        "goals": profile.goals,
        "open_to_mentoring": profile.open_to_mentoring,
        "partner_visible_to_manager": profile.partner_visible_to_manager,
        "updated_at": when(profile.updated_at),
    }


personal_data = PeopleData()
