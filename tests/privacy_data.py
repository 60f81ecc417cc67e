"""A person with something in every corner of the package, for the privacy tests.

Ana is the subject. Everything she wrote contains the word ``ANA-SECRET`` so a
test can find any trace of it; what others wrote about her or to her contains
``MO-WORDS`` (her mentor) or ``SPONSOR-WORDS``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.factories import make_enrollment, make_program, make_user
from tests.journey_data import (
    quiz as quiz_block,
)
from tests.journey_data import (
    reflection,
    step,
)
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.admin import with_activity
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    Meeting,
    MeetingStatus,
    Message,
)
from wagtail_mentoring.journeys import services as journeys
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.journeys.report import program_funnel
from wagtail_mentoring.matching.models import MatchingRun, MatchProposal
from wagtail_mentoring.people.models import SelfIdentification, Skill
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    MatchingMode,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
)
from wagtail_mentoring.programs.services import (
    approve_enrollment,
    start_relationship,
)
from wagtail_mentoring.sponsorship import outcomes
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    Nomination,
    OpportunityNomination,
)
from wagtail_mentoring.sponsorship.reports import (
    equity_report,
    sponsor_accountability,
    sponsorship_programs,
)

PROFILE = {
    "level": 3,
    "department": "Engineering",
    "timezone": "Europe/Berlin",
    "languages": ["en"],
}
SECRET = "ANA-SECRET"
QUESTION_ID = "q-hope"
STEP = "step-reflect"
QUIZ_STEP = "step-quiz"


@dataclass
class World:
    ana: object
    mo: object
    pia: object
    sam: object
    ravi: object
    hr: object
    admin: object
    program: object
    product: object
    circle: object
    journey: object
    relationship: object
    sponsorship: object
    objects: SimpleNamespace


def journey_steps():
    return [
        step(
            STEP,
            "Reflect on your strengths",
            [reflection("b-reflect", "Which strength do you use least?")],
            completion="answer",
        ),
        step(QUIZ_STEP, "Check your understanding", [quiz_block("b-quiz")]),
    ]


def build(hub) -> World:
    today = timezone.localdate()
    now = timezone.now()
    o = SimpleNamespace()
    python, speaking = (
        Skill.objects.create(name="Python"),
        Skill.objects.create(name="Public speaking"),
    )
    ana = make_user(
        "ana",
        profile=dict(
            PROFILE,
            title="Engineer",
            location="Berlin",
            bio=f"{SECRET} bio",
            goals=f"{SECRET} goals",
            availability=["mon_am"],
        ),
    )
    ana.mentoring_profile.skills.set([python])
    ana.mentoring_profile.skills_wanted.set([speaking])
    SelfIdentification.objects.create(
        user=ana, consented_at=now, answers={"gender": "woman"}
    )
    mo = make_user("mo", profile=dict(PROFILE, level=6))
    pia = make_user("pia", profile=dict(PROFILE, level=6))
    sam = make_user("sam", profile=dict(PROFILE, level=8))
    ravi = make_user("ravi", profile=dict(PROFILE, level=2, manager=ana))
    hr = make_user(
        "hilde",
        admin_access=True,
        perms=[
            "wagtail_mentoring.administer_all_programs",
            "wagtail_mentoring.add_careeroutcome",
            "wagtail_mentoring.view_careeroutcome",
        ],
        profile=dict(PROFILE, level=6, department="People"),
    )
    admin = make_user("sue", superuser=True)

    # One-to-one mentoring with a journey: Ana (mentee) and Mo (mentor).
    journey = hub.add_child(
        instance=LearningJourneyPage(
            title="First steps", slug="first-steps", steps=journey_steps()
        )
    )
    journey.save_revision().publish()
    journey = LearningJourneyPage.objects.get(pk=journey.pk)
    program = make_program(
        hub,
        title="Engineering Mentoring",
        slug="engineering",
        journey=journey,
        application_questions=[
            {
                "type": "long_answer",
                "id": QUESTION_ID,
                "value": {
                    "label": "What do you hope to learn?",
                    "help_text": "",
                    "required": True,
                },
            }
        ],
    )
    o.application = make_enrollment(
        ana,
        program,
        "mentee",
        status=EnrollmentStatus.PENDING,
        motivation=f"{SECRET} motivation",
        answers={QUESTION_ID: f"{SECRET} hope"},
    )
    approve_enrollment(o.application, hr, note="Welcome MO-WORDS")
    make_enrollment(mo, program, "mentor", status=EnrollmentStatus.APPROVED, capacity=2)
    relationship = start_relationship(program, [(ana, "mentee"), (mo, "mentor")], mo)
    o.held = engagement.schedule_meeting(
        relationship,
        ana,
        title=f"{SECRET} kick-off",
        starts_at=now + timedelta(hours=1),
        location="Room 1",
    )
    Meeting.objects.filter(pk=o.held.pk).update(
        starts_at=now - timedelta(days=7), status=MeetingStatus.HELD
    )
    o.held.refresh_from_db()
    engagement.save_meeting_notes(o.held, ana, notes=f"{SECRET} notes")
    o.upcoming = engagement.schedule_meeting(
        relationship,
        mo,
        title="Second talk",
        starts_at=now + timedelta(days=3),
        agenda=f"{SECRET} agenda",
    )
    o.goal = engagement.create_goal(
        relationship,
        ana,
        title=f"{SECRET} goal",
        target_date=today + timedelta(days=40),
        measure=f"{SECRET} measure",
        why=f"{SECRET} why",
    )
    o.check_in = engagement.check_in_goal(
        o.goal, ana, progress=40, note=f"{SECRET} check-in"
    )
    o.mo_check_in = engagement.check_in_goal(
        o.goal, mo, progress=50, note="MO-WORDS check-in"
    )
    o.message = engagement.send_message(relationship, ana, body=f"{SECRET} message")
    o.mo_message = engagement.send_message(relationship, mo, body="MO-WORDS reply")
    o.feedback = engagement.give_feedback(
        relationship, ana, rating=4, comment=f"{SECRET} feedback", meeting=o.held
    )
    o.reflection = journeys.save_reflection(
        relationship, ana, journey, STEP, "b-reflect", f"{SECRET} reflection"
    )
    o.quiz = journeys.submit_quiz(
        relationship, ana, journey, QUIZ_STEP, "b-quiz", {"q1": ["q1a"], "q2": ["q2c"]}
    )
    o.feed = engagement.create_calendar_feed(ana)

    # Self-select: Ana asked Pia, who declined.
    product = make_program(
        hub,
        title="Product Mentoring",
        slug="product",
        matching_mode=MatchingMode.SELF_SELECT,
        requires_approval=False,
    )
    ana_product = make_enrollment(
        ana, product, "mentee", status=EnrollmentStatus.APPROVED
    )
    pia_product = make_enrollment(
        pia, product, "mentor", status=EnrollmentStatus.APPROVED, capacity=1
    )
    o.request = engagement.send_request(
        ana_product, pia_product, ana, note=f"{SECRET} request"
    )
    engagement.decline_request(o.request, pia, reason="PIA-WORDS no room")
    # A proposal of an earlier matching run in the same program.
    run = MatchingRun.objects.create(program=product, status="succeeded")
    o.proposal = MatchProposal.objects.create(
        run=run,
        program=product,
        mentee=ana_product,
        mentor=pia_product,
        score=0.75,
        factors={"skills": 0.5, "language": 0.25},
        status="rejected",
        justification="ADMIN-WORDS about Ana",
    )

    # Sponsorship: Ana nominates herself with evidence, Sam sponsors her.
    circle = make_program(
        hub,
        title="Sponsorship Circle",
        slug="circle",
        kind=ProgramKind.SPONSORSHIP,
        matching_mode=MatchingMode.HYBRID,
    )
    make_enrollment(
        sam, circle, "sponsor", status=EnrollmentStatus.APPROVED, capacity=2
    )
    o.evidence = sponsorship.add_evidence(
        ana, achievement=f"{SECRET} achievement", metric="+8% conversion"
    )
    o.nomination = sponsorship.nominate(
        circle, ana, ana, reason=f"{SECRET} why me", evidence=[o.evidence]
    )
    approve_enrollment(o.nomination.enrollment, hr)
    o.ravi_nomination = sponsorship.nominate(
        circle, ravi, ana, reason=f"{SECRET} about Ravi"
    )
    sponsorship_relationship = sponsorship.pair_sponsor(circle, sam, ana, hr)
    o.commitment = sponsorship.write_commitment(
        sponsorship_relationship,
        sam,
        statement="SPONSOR-WORDS commitment",
        review_date=today + timedelta(days=90),
    )
    sponsorship.acknowledge_commitment(o.commitment, ana)
    o.advocacy = sponsorship.log_advocacy(
        sponsorship_relationship,
        sam,
        kind="endorsement",
        occurred_on=today,
        audience="Leadership team",
        description="SPONSOR-WORDS endorsement",
        evidence=[o.evidence],
    )
    o.confidential = sponsorship.log_advocacy(
        sponsorship_relationship,
        sam,
        kind="promotion_recommendation",
        occurred_on=today,
        audience="Calibration committee",
        description="SPONSOR-CONFIDENTIAL",
        confidential=True,
    )
    o.opportunity = sponsorship.post_opportunity(
        circle,
        hr,
        title="Lead the pricing taskforce",
        deadline=today + timedelta(days=20),
    )
    o.put_forward = sponsorship.nominate_for_opportunity(
        o.opportunity, ana, sam, note="SPONSOR-WORDS ready"
    )
    sponsorship.decide_opportunity_nomination(
        o.put_forward, hr, status="selected", reason="HR-WORDS strongest"
    )
    o.outcome = outcomes.record_outcome(
        ana,
        hr,
        kind="promotion",
        occurred_on=today - timedelta(days=1),
        title="Senior Engineer",
        from_level=3,
        to_level=4,
    )
    for row in (o.application, o.goal, o.held, o.upcoming, o.nomination):
        row.refresh_from_db()
    return World(
        ana=ana,
        mo=mo,
        pia=pia,
        sam=sam,
        ravi=ravi,
        hr=hr,
        admin=admin,
        program=program,
        product=product,
        circle=circle,
        journey=journey,
        relationship=relationship,
        sponsorship=sponsorship_relationship,
        objects=o,
    )


def report_numbers() -> dict:
    """Every aggregate the product reports, as plain data to compare: the
    equity report, each program's journey funnel, sponsor accountability, the
    relationships listing's activity columns and the rows reports count."""
    programs = list(ProgramPage.objects.order_by("pk"))
    equity = equity_report()
    table = equity.table
    _quarters, accountability = sponsor_accountability(sponsorship_programs())
    counted = {
        "applications": Enrollment.objects.values_list("program", "role", "status"),
        "relationships": Relationship.objects.values_list("program", "status"),
        "members": RelationshipMember.objects.values_list("relationship", "role"),
        "meetings": Meeting.objects.values_list("relationship", "status"),
        "goals": Goal.objects.values_list("relationship", "status", "progress"),
        "feedback": Feedback.objects.values_list("relationship", "kind", "rating"),
        "messages": Message.objects.values_list("relationship"),
        "proposals": MatchProposal.objects.values_list("program", "status", "score"),
        "nominations": Nomination.objects.values_list("program", "source"),
        "advocacy": AdvocacyAction.objects.values_list("relationship", "kind"),
        "opportunity_nominations": OpportunityNomination.objects.values_list(
            "opportunity", "status"
        ),
        "outcomes": CareerOutcome.objects.values_list("kind", "occurred_on"),
    }
    return {
        "equity": {
            "population": table.population,
            "totals": table.totals,
            "groups": [
                (block.dimension, row.value, row.suppressed, row.population, row.counts)
                for block in table.dimensions
                for row in block.rows
            ],
            "promotion": asdict(equity.promotion),
            "promotion_by_group": [
                (dim, [asdict(row) for row in rows])
                for dim, rows in equity.promotion_by_group
            ],
        },
        "funnels": {
            program.pk: [
                (r.journey, r.number, r.title, r.pairs, r.reached, r.completed)
                for r in program_funnel(program)
            ]
            for program in programs
        },
        "accountability": [
            (
                row.sponsor.pk,
                row.program.pk,
                row.open_sponsees,
                row.per_quarter,
                row.last_action,
                row.idle,
            )
            for row in accountability
        ],
        "relationships_listing": list(
            with_activity(Relationship.objects.order_by("pk")).values_list(
                "pk",
                "status",
                "meetings_held",
                "meetings_upcoming",
                "goals_total",
                "goals_achieved",
                "messages_count",
            )
        ),
        "rows": {name: Counter(rows) for name, rows in counted.items()},
    }


def own_user_links(model):
    """Fields of ``model`` itself (not Wagtail's ``Page``) that point at users."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is get_user_model()
        and field.model is model
    ]


def reports_if_left(user):
    """Reports as they would read had ``user`` left (deactivated), without
    keeping that change."""
    with transaction.atomic():
        user.is_active = False
        user.save()
        numbers = report_numbers()
        transaction.set_rollback(True)
    user.refresh_from_db()
    return numbers


def traces(user, *words):
    """Rows of the package's models (and audit entries) still pointing at
    ``user`` through a link erasure clears, or containing one of ``words``."""
    found = []
    for model in apps.get_app_config("wagtail_mentoring").get_models():
        for field in own_user_links(model):
            if (
                field.name != "manager"  # declared KEEP: others' org chart
                and model._default_manager.filter(**{field.name: user}).exists()
            ):
                found.append(f"{model.__name__}.{field.name}")
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField):
                for word in words:
                    if model._default_manager.filter(
                        **{f"{field.name}__contains": word}
                    ).exists():
                        found.append(f"{model.__name__}.{field.name} has {word}")
            if isinstance(field, models.JSONField):
                text = json.dumps(
                    list(model._default_manager.values_list(field.name, flat=True))
                )
                found += [
                    f"{model.__name__}.{field.name} has {w}" for w in words if w in text
                ]
    for entry in ModelLogEntry.objects.all():
        text = json.dumps([entry.label, entry.data], default=str)
        found += [f"audit {entry.action}: {w}" for w in words if w in text]
    return found
