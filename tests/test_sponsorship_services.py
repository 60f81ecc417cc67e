"""Sponsorship business actions: each is validated, audit-logged, all or nothing."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.conftest import PROFILE
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus
from wagtail_mentoring.programs.services import (
    apply_to_program,
    approve_enrollment,
    change_relationship_status,
)
from wagtail_mentoring.sponsorship import outcomes, services
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    Nomination,
    Opportunity,
    OpportunityNomination,
    SponsorshipCommitment,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _snapshot():
    return (
        Enrollment.objects.count(),
        Nomination.objects.count(),
        AdvocacyAction.objects.count(),
        OpportunityNomination.objects.count(),
        SponsorshipCommitment.objects.count(),
        CareerOutcome.objects.count(),
        ModelLogEntry.objects.count(),
    )


def _refused(code, func, *args, **kwargs):
    before = _snapshot()
    with pytest.raises(MentoringError) as error:
        func(*args, **kwargs)
    assert error.value.code == code, error.value.messages
    assert error.value.messages[0]  # a sentence for people
    assert _snapshot() == before
    return error.value


# --- nominations ------------------------------------------------------------


def test_manager_nominates_and_admin_accepts_with_the_programs_service(
    sponsorship_program, employee, sponsorship_admin
):
    manager = make_user("mona", profile=dict(PROFILE, level=6))
    EmployeeProfile.objects.filter(user=employee).update(manager=manager)
    employee.refresh_from_db()
    nomination = services.nominate(
        sponsorship_program, employee, manager, reason="Ready for a bigger scope."
    )
    assert nomination.source == "manager"
    assert nomination.enrollment.role == "sponsee"
    assert nomination.enrollment.status == EnrollmentStatus.PENDING
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.sponsorship.nominate")
    assert entry.user_id == manager.pk
    # The application is logged as made by the nominator, not the nominee.
    apply_entry = ModelLogEntry.objects.get(action="wagtail_mentoring.apply")
    assert apply_entry.user_id == manager.pk

    approve_enrollment(nomination.enrollment, sponsorship_admin)
    nomination.refresh_from_db()
    assert nomination.status == EnrollmentStatus.APPROVED


def test_sources_hr_sponsor_and_self(
    sponsorship_program, sponsor, sponsorship_admin, employee, other_employee
):
    assert (
        services.nominate(
            sponsorship_program, employee, sponsor, reason="Great work"
        ).source
        == "sponsor"
    )
    assert (
        services.nominate(
            sponsorship_program, other_employee, sponsorship_admin, reason="Talent"
        ).source
        == "hr"
    )
    me = make_user("sol", profile=dict(PROFILE))
    evidence = services.add_evidence(me, achievement="Shipped billing v2")
    nomination = services.nominate(sponsorship_program, me, me, evidence=[evidence])
    assert nomination.source == "self"
    assert list(nomination.evidence.all()) == [evidence]


def test_refused_nominations_write_nothing(
    sponsorship_program, program, employee, other_employee, sponsor
):
    stranger = make_user("stan", profile=dict(PROFILE))
    _refused(
        "not_allowed",
        services.nominate,
        sponsorship_program,
        employee,
        stranger,
        reason="x",
    )
    _refused(
        "evidence_required", services.nominate, sponsorship_program, employee, employee
    )
    others = services.add_evidence(other_employee, achievement="Not mine")
    _refused(
        "evidence_owner",
        services.nominate,
        sponsorship_program,
        employee,
        employee,
        evidence=[others],
    )
    _refused("reason", services.nominate, sponsorship_program, employee, sponsor)
    _refused(
        "not_sponsorship", services.nominate, program, employee, sponsor, reason="x"
    )
    _refused(
        "is_sponsor",
        services.nominate,
        sponsorship_program,
        sponsor,
        make_user(superuser=True),
        reason="x",
    )
    services.nominate(sponsorship_program, employee, sponsor, reason="x")
    _refused(
        "duplicate",
        services.nominate,
        sponsorship_program,
        employee,
        sponsor,
        reason="again",
    )
    inactive = make_user(active=False, profile=dict(PROFILE))
    _refused(
        "inactive_user",
        services.nominate,
        sponsorship_program,
        inactive,
        make_user(superuser=True),
        reason="x",
    )


def test_sponsees_cannot_simply_apply(sponsorship_program, employee):
    _refused(
        "nomination_required",
        apply_to_program,
        employee,
        sponsorship_program,
        "sponsee",
    )
    # Sponsors still apply the usual way.
    assert apply_to_program(employee, sponsorship_program, "sponsor").role == "sponsor"


# --- pairing ----------------------------------------------------------------


def test_sponsor_picks_within_capacity(sponsorship_program, sponsor, sponsee):
    relationship = services.pair_sponsor(sponsorship_program, sponsor, sponsee, sponsor)
    roles = services.sponsorship_roles(relationship)
    assert roles["sponsor"] == sponsor and roles["sponsee"] == sponsee
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.sponsorship.pair"
    ).exists()
    second = make_user(profile=dict(PROFILE))
    make_enrollment(second, sponsorship_program, role="sponsee", status="approved")
    services.pair_sponsor(sponsorship_program, sponsor, second, sponsor)
    third = make_user(profile=dict(PROFILE))
    make_enrollment(third, sponsorship_program, role="sponsee", status="approved")
    _refused(
        "capacity", services.pair_sponsor, sponsorship_program, sponsor, third, sponsor
    )


def test_refused_pairings_write_nothing(
    sponsorship_program, sponsor, sponsee, other_employee, sponsorship_admin
):
    _refused(
        "self",
        services.pair_sponsor,
        sponsorship_program,
        sponsor,
        sponsor,
        sponsorship_admin,
    )
    _refused(
        "not_sponsee",
        services.pair_sponsor,
        sponsorship_program,
        sponsor,
        other_employee,
        sponsorship_admin,
    )
    _refused(
        "not_sponsor",
        services.pair_sponsor,
        sponsorship_program,
        other_employee,
        sponsee,
        sponsorship_admin,
    )
    services.pair_sponsor(sponsorship_program, sponsor, sponsee, sponsorship_admin)
    _refused(
        "duplicate",
        services.pair_sponsor,
        sponsorship_program,
        sponsor,
        sponsee,
        sponsorship_admin,
    )
    # One sponsor per sponsee (the program's "mentors per mentee").
    other_sponsor = make_user(profile=dict(PROFILE, level=8))
    make_enrollment(
        other_sponsor, sponsorship_program, role="sponsor", status="approved"
    )
    _refused(
        "sponsee_full",
        services.pair_sponsor,
        sponsorship_program,
        other_sponsor,
        sponsee,
        sponsorship_admin,
    )


def test_sponsor_picks_only_when_the_program_lets_participants_choose(
    sponsorship_program, sponsor, sponsee, sponsorship_admin
):
    sponsorship_program.matching_mode = "admin_approved"
    sponsorship_program.save()
    _refused(
        "admin_pairs",
        services.pair_sponsor,
        sponsorship_program,
        sponsor,
        sponsee,
        sponsor,
    )
    assert services.pair_sponsor(
        sponsorship_program, sponsor, sponsee, sponsorship_admin
    )


# --- commitments ------------------------------------------------------------


def test_commitment_is_acknowledged_by_both(sponsorship, sponsor, sponsee):
    commitment = services.write_commitment(
        sponsorship,
        sponsor,
        statement="I will put your name forward for the platform lead role.",
        review_date=TODAY() + timedelta(days=90),
    )
    assert commitment.sponsor_acknowledged_at and not commitment.is_acknowledged
    services.acknowledge_commitment(commitment, sponsee)
    commitment.refresh_from_db()
    assert commitment.is_acknowledged
    _refused("already", services.acknowledge_commitment, commitment, sponsee)
    _refused("not_member", services.acknowledge_commitment, commitment, make_user())


def test_refused_commitments_write_nothing(sponsorship, sponsor, sponsee):
    later = TODAY() + timedelta(days=30)
    _refused(
        "not_sponsor",
        services.write_commitment,
        sponsorship,
        sponsee,
        statement="x",
        review_date=later,
    )
    _refused(
        "statement",
        services.write_commitment,
        sponsorship,
        sponsor,
        statement=" ",
        review_date=later,
    )
    _refused(
        "review_date",
        services.write_commitment,
        sponsorship,
        sponsor,
        statement="x",
        review_date=TODAY(),
    )
    change_relationship_status(sponsorship, "completed", None)
    _refused(
        "closed",
        services.write_commitment,
        sponsorship,
        sponsor,
        statement="x",
        review_date=later,
    )


# --- advocacy ---------------------------------------------------------------


def test_sponsor_logs_advocacy_citing_evidence(sponsorship, sponsor, sponsee):
    evidence = services.add_evidence(
        sponsee, achievement="Led the migration", metric="-40% cloud cost"
    )
    action = services.log_advocacy(
        sponsorship,
        sponsor,
        kind="endorsement",
        occurred_on=TODAY(),
        audience="Leadership offsite",
        description="Praised the migration in front of the VPs.",
        evidence=[evidence],
    )
    assert action.sponsee == sponsee and list(action.evidence.all()) == [evidence]
    services.record_advocacy_outcome(action, sponsor, outcome="VP asked to meet her")
    action.refresh_from_db()
    assert action.outcome == "VP asked to meet her"
    entry = ModelLogEntry.objects.get(
        action="wagtail_mentoring.sponsorship.advocacy.log"
    )
    # The audit label carries the kind and date, never the description.
    assert "migration" not in entry.label and "VPs" not in str(entry.data)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("sponsee_logs", "not_sponsor"),
        ("future", "date"),
        ("no_audience", "audience"),
        ("bad_kind", "kind"),
        ("foreign_evidence", "evidence_owner"),
        ("ended", "closed"),
    ],
)
def test_refused_advocacy_writes_nothing(case, code, sponsorship, sponsor, sponsee):
    kwargs = dict(
        kind="introduction", occurred_on=TODAY(), audience="CTO", description=""
    )
    by = sponsor
    if case == "sponsee_logs":
        by = sponsee
    elif case == "future":
        kwargs["occurred_on"] = TODAY() + timedelta(days=2)  # future in any zone
    elif case == "no_audience":
        kwargs["audience"] = " "
    elif case == "bad_kind":
        kwargs["kind"] = "gossip"
    elif case == "foreign_evidence":
        kwargs["evidence"] = [services.add_evidence(sponsor, achievement="Mine")]
    elif case == "ended":
        change_relationship_status(sponsorship, "ended_early", None, reason="moved")
    _refused(code, services.log_advocacy, sponsorship, by, **kwargs)


def test_only_the_author_records_an_outcome(sponsorship, sponsor, sponsee):
    action = services.log_advocacy(
        sponsorship, sponsor, kind="visibility", occurred_on=TODAY(), audience="Board"
    )
    _refused(
        "not_sponsor", services.record_advocacy_outcome, action, sponsee, outcome="x"
    )
    _refused("outcome", services.record_advocacy_outcome, action, sponsor, outcome="")


# --- opportunities -----------------------------------------------------------


@pytest.fixture
def opportunity(sponsorship_program, sponsorship_admin):
    return services.post_opportunity(
        sponsorship_program,
        sponsorship_admin,
        title="Lead the pricing taskforce",
        deadline=TODAY() + timedelta(days=14),
    )


def test_sponsor_nominates_sponsee_and_it_counts_as_advocacy(
    opportunity, sponsorship, sponsor, sponsee, sponsorship_admin
):
    nomination = services.nominate_for_opportunity(
        opportunity, sponsee, sponsor, note="She ran the last pricing review."
    )
    action = nomination.advocacy_action
    assert action.kind == "stretch_assignment" and action.sponsee == sponsee
    services.decide_opportunity_nomination(
        nomination, sponsorship_admin, status="selected"
    )
    nomination.refresh_from_db()
    assert (
        nomination.status == "selected" and nomination.decided_by == sponsorship_admin
    )
    _refused(
        "decided",
        services.decide_opportunity_nomination,
        nomination,
        sponsorship_admin,
        status="not_selected",
        reason="x",
    )


def test_refused_opportunity_nominations_write_nothing(
    opportunity, sponsorship, sponsor, sponsee, sponsorship_program, other_employee
):
    _refused(
        "not_your_sponsee",
        services.nominate_for_opportunity,
        opportunity,
        other_employee,
        sponsor,
    )
    _refused("self", services.nominate_for_opportunity, opportunity, sponsor, sponsor)
    opportunity.min_level = 9
    opportunity.save()
    _refused("level", services.nominate_for_opportunity, opportunity, sponsee, sponsor)
    Opportunity.objects.filter(pk=opportunity.pk).update(
        min_level=None, deadline=TODAY() - timedelta(days=1)
    )
    opportunity.refresh_from_db()
    error = _refused(
        "closed", services.nominate_for_opportunity, opportunity, sponsee, sponsor
    )
    assert "deadline" in error.messages[0]
    Opportunity.objects.filter(pk=opportunity.pk).update(
        deadline=TODAY(), status="cancelled"
    )
    _refused("closed", services.nominate_for_opportunity, opportunity, sponsee, sponsor)
    Opportunity.objects.filter(pk=opportunity.pk).update(status="open")
    services.nominate_for_opportunity(opportunity, sponsee, sponsor)
    _refused(
        "duplicate", services.nominate_for_opportunity, opportunity, sponsee, sponsor
    )


def test_not_selected_needs_a_reason(opportunity, sponsorship, sponsor, sponsee):
    nomination = services.nominate_for_opportunity(opportunity, sponsee, sponsor)
    _refused(
        "reason",
        services.decide_opportunity_nomination,
        nomination,
        sponsor,
        status="not_selected",
    )
    _refused(
        "status",
        services.decide_opportunity_nomination,
        nomination,
        sponsor,
        status="maybe",
    )


def test_posting_rules(sponsorship_program, employee, sponsor):
    _refused(
        "not_allowed",
        services.post_opportunity,
        sponsorship_program,
        employee,
        title="x",
        deadline=TODAY(),
    )
    _refused(
        "deadline",
        services.post_opportunity,
        sponsorship_program,
        sponsor,
        title="x",
        deadline=TODAY() - timedelta(days=1),
    )
    _refused(
        "title",
        services.post_opportunity,
        sponsorship_program,
        sponsor,
        title="",
        deadline=TODAY(),
    )
    assert (
        services.post_opportunity(
            sponsorship_program, sponsor, title="Keynote slot", deadline=TODAY()
        ).posted_by
        == sponsor
    )


# --- evidence and career outcomes ---------------------------------------------


def test_evidence_needs_an_achievement_in_the_past(employee):
    _refused("achievement", services.add_evidence, employee, achievement="")
    _refused(
        "date",
        services.add_evidence,
        employee,
        achievement="x",
        achieved_on=TODAY() + timedelta(days=2),
    )


def test_outcome_is_linked_to_the_sponsorship_of_that_day(
    sponsorship, sponsee, superuser, other_employee
):
    outcome = outcomes.record_outcome(
        sponsee, superuser, kind="promotion", occurred_on=TODAY(), to_level=4
    )
    assert outcome.relationship == sponsorship
    assert outcome.from_level == 3  # today's profile level, before the step
    other = outcomes.record_outcome(
        other_employee, superuser, kind="lateral_move", occurred_on=TODAY()
    )
    assert other.relationship is None
    _refused(
        "duplicate",
        outcomes.record_outcome,
        sponsee,
        superuser,
        kind="promotion",
        occurred_on=TODAY(),
    )
    _refused(
        "level",
        outcomes.record_outcome,
        other_employee,
        superuser,
        kind="promotion",
        occurred_on=TODAY(),
        from_level=4,
        to_level=3,
    )
    _refused(
        "date",
        outcomes.record_outcome,
        other_employee,
        superuser,
        kind="new_role",
        occurred_on=TODAY() + timedelta(days=1),
    )


def test_csv_import_all_or_nothing(employee, other_employee, superuser, sponsorship):
    good = (
        "employee,outcome,date,title,from_level,to_level\n"
        f"{employee.get_username()},promotion,{TODAY()},Senior Engineer,3,4\n"
        f"{other_employee.get_username()},lateral_move,{TODAY()},,,\n"
    )
    bad = good + f"{other_employee.get_username()},promoted,2024-13-01,,x,\n"
    error = _refused("rows", outcomes.import_outcomes, bad, superuser)
    assert "Row 4" in error.messages[0] and "Nothing was imported" in error.messages[0]
    unknown = good.replace(employee.get_username(), "nobody-here")
    error = _refused("rows", outcomes.import_outcomes, unknown, superuser)
    assert "Row 2" in error.messages[0] and "nobody-here" in error.messages[0]
    _refused("header", outcomes.import_outcomes, "who,when\nx,y\n", superuser)
    _refused("empty", outcomes.import_outcomes, "employee,outcome,date\n", superuser)
    twice = good + good.splitlines()[1] + "\n"
    error = _refused("rows", outcomes.import_outcomes, twice, superuser)
    assert "Row 4" in error.messages[0]

    created = outcomes.import_outcomes(good.encode("utf-8"), superuser)
    assert len(created) == 2
    assert created[0].source == "import" and created[0].relationship == sponsorship
    # Importing the same file again would duplicate: refused, naming the rows.
    error = _refused("rows", outcomes.import_outcomes, good, superuser)
    assert "Row 2" in error.messages[0] and "Row 3" in error.messages[0]


def _zone_where_today_is_not_utcs():
    """A zone whose date differs from UTC's right now (UTC+14 after 10:00
    UTC, UTC-11 before 11:00 UTC), so "today" depends on whose it is."""
    utc_today = timezone.now().date()
    for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        if timezone.localdate(timezone=zoneinfo.ZoneInfo(name)) != utc_today:
            return name
    raise AssertionError("one of the two zones is always a day off")


def test_today_is_the_actors_own_when_dates_are_checked(sponsorship, sponsor, sponsee):
    name = _zone_where_today_is_not_utcs()
    for person in (sponsor, sponsee):
        EmployeeProfile.objects.filter(user=person).update(timezone=name)
        person.refresh_from_db()
    their_today = timezone.localdate(timezone=zoneinfo.ZoneInfo(name))
    with timezone.override("UTC"):
        evidence = services.add_evidence(
            sponsee, achievement="Shipped the launch", achieved_on=their_today
        )
        action = services.log_advocacy(
            sponsorship,
            sponsor,
            kind="endorsement",
            occurred_on=their_today,
            audience="Leadership team",
            description="Credited the launch to them.",
        )
        # Behind UTC, their today is UTC's yesterday: still not in the past.
        goal = engagement.create_goal(
            sponsorship, sponsee, title="Lead the QBR", target_date=their_today
        )
    assert evidence.achieved_on == action.occurred_on == goal.target_date
