"""Filters of the Applications listing, shared by the listing and bulk actions."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.permissions import administered_programs
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    ProgramPage,
    Role,
)


def _programs(request):
    # django-filter calls this without a request when rendering the empty form.
    user = getattr(request, "user", None)
    if user is None:
        return ProgramPage.objects.none()
    return administered_programs(user).order_by("title")


def _cohorts(request):
    user = getattr(request, "user", None)
    if user is None:
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(program__in=administered_programs(user))
        .select_related("program")
        .order_by("program__title", "starts_on")
    )


class _CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.program.title}"


class CohortFilter(django_filters.ModelChoiceFilter):
    field_class = _CohortChoiceField


def _departments():
    values = (
        EmployeeProfile.objects.exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )
    return [(value, value) for value in values]


class EnrollmentFilterSet(WagtailFilterSet):
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=_programs, empty_label=_("All programs")
    )
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EnrollmentStatus.choices
    )
    cohort = CohortFilter(
        label=_("Cohort"), queryset=_cohorts, empty_label=_("All cohorts")
    )
    department = django_filters.ChoiceFilter(
        label=_("Department"),
        field_name="user__mentoring_profile__department",
        choices=_departments,
    )

    class Meta:
        model = Enrollment
        fields = ["program", "cohort", "role", "status", "department"]
