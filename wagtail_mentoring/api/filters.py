"""Query filters of the API's listings (django-filter)."""

from __future__ import annotations

import django_filters

from wagtail_mentoring.engagement.models import Goal, Meeting
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship


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
    starts_after = django_filters.IsoDateTimeFilter("starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter("starts_at", lookup_expr="lt")

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
