"""Query filters of the API's listings (django-filter)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.engagement.models import Goal, Meeting
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 instant, turned into UTC before it reaches the database.

    ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59), and an instant
    near year 1 can fall outside the calendar once shifted to UTC.
    """

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                _("This date and time is out of range.")
            ) from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class ProgramFilter(django_filters.FilterSet):
    class Meta:
        model = ProgramPage
        fields = ["kind", "matching_mode"]


class ApplicationFilter(django_filters.FilterSet):
    class Meta:
        model = Enrollment
        fields = ["program", "role", "status"]


class RelationshipFilter(django_filters.FilterSet):
    class Meta:
        model = Relationship
        fields = ["program", "status"]


class MeetingFilter(django_filters.FilterSet):
    starts_after = UtcDateTimeFilter("starts_at", lookup_expr="gte")
    starts_before = UtcDateTimeFilter("starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["status"]


class GoalFilter(django_filters.FilterSet):
    class Meta:
        model = Goal
        fields = ["status", "shared"]


class RunFilter(django_filters.FilterSet):
    class Meta:
        model = MatchingRun
        fields = ["status"]


class ProposalFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter("score", lookup_expr="gte")

    class Meta:
        model = MatchProposal
        fields = ["status", "run", "breaks_rules"]
