"""My profile: what matching reads about me, edited with the form the
application page uses (the same fields, the same required ones)."""

from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from rest_framework import serializers as drf
from rest_framework.response import Response

from wagtail_mentoring.api import serializers_me as sm
from wagtail_mentoring.api.base import APIBase, documented
from wagtail_mentoring.api.views import ERRORS
from wagtail_mentoring.people.models import EmployeeProfile, Interest, Skill
from wagtail_mentoring.people.services import profile_of
from wagtail_mentoring.programs.forms import ProfileForm

TAXONOMIES = {"skills": Skill, "skills_wanted": Skill, "interests": Interest}


def _taxonomy_ids(data: dict) -> dict:
    """Skill and interest names → ids, as the form's checkboxes send them."""
    found, unknown = {}, {}
    for name, model in TAXONOMIES.items():
        if name not in data:
            continue
        wanted = set(data[name])
        rows = dict(model.objects.filter(name__in=wanted).values_list("name", "pk"))
        missing = sorted(wanted - set(rows))
        if missing:
            unknown[name] = [_("Unknown: %(names)s.") % {"names": ", ".join(missing)}]
        found[name] = list(rows.values())
    if unknown:
        raise drf.ValidationError(unknown)
    return found


def _profile(user) -> EmployeeProfile:
    profile = profile_of(user)
    if profile.pk:
        profile = (
            EmployeeProfile.objects.prefetch_related(
                "skills", "skills_wanted", "interests"
            )
            .select_related("user")
            .get(pk=profile.pk)
        )
    return profile


class MyProfile(APIBase):
    """My profile; PATCH changes the fields it names."""

    @documented(responses={200: sm.MyProfileSerializer, **ERRORS})
    def get(self, request):
        return Response(sm.MyProfileSerializer(_profile(request.user)).data)

    @documented(
        request=sm.ProfileInput, responses={200: sm.MyProfileSerializer, **ERRORS}
    )
    def patch(self, request):
        data = dict(self.input(sm.ProfileInput))
        data.update(_taxonomy_ids(data))
        profile = profile_of(request.user)
        fields = ProfileForm.Meta.fields
        current = model_to_dict(profile, fields=fields)
        for name in TAXONOMIES:
            current[name] = [x.pk for x in current.get(name) or []]
        form = ProfileForm({**current, **data}, instance=profile)
        if not form.is_valid():
            raise drf.ValidationError(
                {
                    ("non_field_errors" if k == "__all__" else k): v
                    for k, v in form.errors.items()
                }
            )
        with transaction.atomic():
            form.save()
        return Response(sm.MyProfileSerializer(_profile(request.user)).data)
