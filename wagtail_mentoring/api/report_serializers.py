"""Reports as JSON: the same figures the admin's report screens show, read by
the same functions, shaped for machines (ids and ISO dates, numbers not
formatted, no charts). Group statistics never name anyone; a suppressed group
carries no counts at all.
"""

from __future__ import annotations

from rest_framework import serializers

from wagtail_mentoring.analytics.network import DIMENSIONS
from wagtail_mentoring.api.base import StrictSerializer
from wagtail_mentoring.api.serializers import ProgramReportSerializer

MAX_ID = 2**63 - 1


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class LabelCount(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        label, count = instance
        return {"label": str(label), "count": count}


class StageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    share_of_previous = serializers.FloatField(allow_null=True)
    drop = serializers.IntegerField(allow_null=True)


class OriginClosure(serializers.Serializer):
    origin = serializers.CharField()
    made = serializers.IntegerField()
    ended_early = serializers.IntegerField()

    def to_representation(self, instance):
        origin, made, ended = instance
        return {"origin": str(origin), "made": made, "ended_early": ended}


def _rows(field_name):
    return LabelCount(many=True, source=f"{field_name}.rows")


class KpisSerializer(serializers.Serializer):
    period = PeriodSerializer()
    funnel = StageSerializer(many=True)
    match_rate = serializers.FloatField(allow_null=True)
    days_to_match_median = serializers.FloatField(allow_null=True)
    days_to_match_p90 = serializers.FloatField(allow_null=True)
    unmatched = _rows("unmatched")
    origins = _rows("origins")
    active_relationships = serializers.IntegerField()
    meetings_held = serializers.IntegerField()
    meetings_per_pair_month = serializers.FloatField(allow_null=True)
    quiet = _rows("quiet")
    messages = serializers.IntegerField()
    journeys_started = serializers.IntegerField()
    journeys_completed = serializers.IntegerField()
    journey_completion = serializers.FloatField(allow_null=True)
    goals_set = serializers.IntegerField()
    goals_achieved = serializers.IntegerField()
    goal_completion = serializers.FloatField(allow_null=True)
    feedback_count = serializers.IntegerField()
    rating_mean = serializers.FloatField(allow_null=True)
    ratings = _rows("ratings")
    ended_early = serializers.IntegerField()
    early_closure_by_origin = OriginClosure(many=True)


class HeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    now = serializers.FloatField(allow_null=True)
    before = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    kind = serializers.ChoiceField(choices=["count", "percent", "days", "decimal"])
    better = serializers.ChoiceField(choices=["up", "down"])


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    applications = serializers.IntegerField()
    matches = serializers.IntegerField()
    meetings = serializers.IntegerField()
    early = serializers.IntegerField()
    # Shares and means are null in a month with nothing to divide.
    match_rate = serializers.FloatField(allow_null=True)
    days_to_match = serializers.FloatField(
        allow_null=True, help_text="Median days from application to match."
    )
    active = serializers.IntegerField(help_text="Relationships active in the month.")
    meetings_per_pair = serializers.FloatField(allow_null=True)
    messages = serializers.IntegerField()
    rating_mean = serializers.FloatField(allow_null=True)
    goal_completion = serializers.FloatField(allow_null=True)
    journey_completion = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    """Participants against comparable people (association, not cause)."""

    label = serializers.CharField()
    suppressed = serializers.BooleanField()
    participants = serializers.IntegerField(source="sponsees")
    participants_compared = serializers.IntegerField(source="matched_sponsees")
    participant_rate = serializers.FloatField(allow_null=True, source="sponsee_rate")
    comparable_people = serializers.IntegerField(source="comparable_pool")
    comparable_rate = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.suppressed:
            # Too few people to show a rate without pointing at someone.
            data.update(participant_rate=None, comparable_rate=None, difference=None)
        return data


class OutcomesSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    min_group_size = serializers.IntegerField()
    retention = ComparisonSerializer()
    promotion = ComparisonSerializer()


class DashboardSerializer(serializers.Serializer):
    program = serializers.IntegerField(allow_null=True, source="program.pk")
    cohort = serializers.IntegerField(allow_null=True, source="cohort.pk")
    period = PeriodSerializer()
    headlines = HeadlineSerializer(many=True)
    kpis = KpisSerializer()
    previous = KpisSerializer()
    months = MonthSerializer(many=True, source="month_rows")
    programs = ProgramReportSerializer(many=True)
    outcomes = OutcomesSerializer(required=False)


class DashboardInput(StrictSerializer):
    """The dashboard's filters (the admin page's form, by name)."""

    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    cohort = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    period = serializers.ChoiceField(
        choices=["30", "90", "365", "custom"], required=False, default="90"
    )
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    outcomes = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also compare participants with comparable people (slower).",
    )


class EquityCell(serializers.Serializer):
    stage = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)
    parity = serializers.FloatField(allow_null=True)


class GroupRowSerializer(serializers.Serializer):
    group = serializers.CharField(source="value")
    label = serializers.CharField()
    suppressed = serializers.BooleanField()
    population = serializers.IntegerField(allow_null=True)
    population_share = serializers.FloatField(allow_null=True)
    stages = EquityCell(many=True, allow_null=True)

    def to_representation(self, row):
        if row.suppressed:
            # Fewer people than the smallest group shown: no number at all.
            return {
                "group": row.value,
                "label": str(row.label),
                "suppressed": True,
                "population": None,
                "population_share": None,
                "stages": None,
            }
        return {
            "group": row.value,
            "label": str(row.label),
            "suppressed": False,
            "population": row.population,
            "population_share": row.population_share,
            "stages": [
                {"stage": stage, "count": count, "share": share, "parity": parity}
                for stage, count, share, parity in row.cells
            ],
        }


class DimensionSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    label = serializers.CharField()
    rows = GroupRowSerializer(many=True)


class StageName(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()

    def to_representation(self, instance):
        key, label = instance
        return {"key": key, "label": str(label)}


class EquityTableSerializer(serializers.Serializer):
    min_group_size = serializers.IntegerField()
    population = serializers.IntegerField()
    stages = StageName(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())
    dimensions = DimensionSerializer(many=True)


class MeasureName(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["days", "decimal", "percent"])

    def to_representation(self, instance):
        key, label, kind = instance
        return {"key": key, "label": str(label), "kind": kind}


class FigureRowSerializer(serializers.Serializer):
    group = serializers.CharField(source="value")
    label = serializers.CharField()
    suppressed = serializers.BooleanField(source="hidden")
    note = serializers.CharField()
    people = serializers.IntegerField(allow_null=True)
    figures = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="By measure key; null: nothing to measure, or withheld.",
    )
    withheld = serializers.ListField(
        child=serializers.CharField(),
        help_text="Measures too few of the group's people contributed to.",
    )

    def to_representation(self, row):
        found = super().to_representation(row)
        found["withheld"] = sorted(row.withheld)
        return found


class FigureBlockSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    label = serializers.CharField()
    rows = FigureRowSerializer(many=True)


class GroupKpisSerializer(serializers.Serializer):
    min_group_size = serializers.IntegerField()
    measures = MeasureName(many=True)
    everyone = FigureRowSerializer()
    dimensions = FigureBlockSerializer(many=True)


class DashboardEquitySerializer(serializers.Serializer):
    program = serializers.IntegerField(allow_null=True, source="program.pk")
    cohort = serializers.IntegerField(allow_null=True, source="cohort.pk")
    period = PeriodSerializer()
    equity = EquityTableSerializer()
    kpis_by_group = GroupKpisSerializer(
        help_text="Time to match, engagement and quality figures by group."
    )


class JourneyStepSerializer(serializers.Serializer):
    journey = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    audience = serializers.CharField()
    pairs = serializers.IntegerField()
    reached = serializers.IntegerField()
    completed = serializers.IntegerField()
    completion = serializers.SerializerMethodField(
        help_text="Pairs that finished the step ÷ pairs (null without pairs)."
    )
    median_seconds = serializers.FloatField(allow_null=True)
    removed = serializers.BooleanField()

    def get_completion(self, row) -> float | None:
        return row.completed / row.pairs if row.pairs else None


class JourneyReportSerializer(serializers.Serializer):
    program = serializers.IntegerField()
    steps = JourneyStepSerializer(many=True)


class SponsorshipEquityInput(StrictSerializer):
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)


class SponsorshipEquitySerializer(serializers.Serializer):
    period = PeriodSerializer(source="*")
    table = EquityTableSerializer()
    promotion = ComparisonSerializer()
    promotion_by_group = serializers.SerializerMethodField()

    def get_promotion_by_group(self, report) -> list[dict]:
        return [
            {
                "dimension": str(dimension),
                "rows": ComparisonSerializer(rows, many=True).data,
            }
            for dimension, rows in report.promotion_by_group
        ]


class AccountabilityInput(StrictSerializer):
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    idle_days = serializers.IntegerField(required=False, min_value=1, max_value=365)


class SponsorRowSerializer(serializers.Serializer):
    sponsor = serializers.CharField(source="sponsor_name")
    sponsor_id = serializers.CharField(source="sponsor.pk")
    program = serializers.IntegerField(source="program.pk")
    open_sponsees = serializers.IntegerField()
    per_quarter = serializers.ListField(child=serializers.IntegerField())
    last_action = serializers.DateField(allow_null=True)
    idle = serializers.BooleanField()


class AccountabilitySerializer(serializers.Serializer):
    idle_days = serializers.IntegerField()
    quarters = serializers.ListField(child=serializers.CharField())
    sponsors = SponsorRowSerializer(many=True)


class StalledInput(StrictSerializer):
    days = serializers.IntegerField(required=False, min_value=1, max_value=3650)


class StalledPairSerializer(serializers.Serializer):
    relationship = serializers.IntegerField(source="pk")
    program = serializers.IntegerField(source="program_id")
    members = serializers.SerializerMethodField()
    now_at = serializers.ListField(child=serializers.CharField(), source="now_at_steps")
    last_activity = serializers.DateTimeField()
    days_stalled = serializers.IntegerField()

    def get_members(self, relationship) -> list[str]:
        return [str(m.user_id) for m in relationship.members.all()]


class NetworkInput(StrictSerializer):
    dimension = serializers.ChoiceField(choices=list(DIMENSIONS), required=False)
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class NetworkNodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    people = serializers.IntegerField()
    connections = serializers.IntegerField()
    outside = serializers.IntegerField()
    isolated = serializers.BooleanField()


class NetworkEdgeSerializer(serializers.Serializer):
    a = serializers.CharField(source="a.key")
    b = serializers.CharField(source="b.key")
    now = serializers.IntegerField()
    before = serializers.IntegerField()
    crosses = serializers.BooleanField()


class NetworkSerializer(serializers.Serializer):
    dimension = serializers.CharField()
    since = serializers.DateField()
    min_size = serializers.IntegerField()
    connections = serializers.IntegerField()
    cross_connections = serializers.IntegerField()
    cross_share = serializers.FloatField(allow_null=True)
    cross_share_before = serializers.FloatField(allow_null=True)
    hidden_connections = serializers.IntegerField()
    merged_groups = serializers.IntegerField()
    nodes = NetworkNodeSerializer(many=True)
    edges = NetworkEdgeSerializer(many=True)
