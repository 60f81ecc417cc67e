"""The cast and the data of the authorization matrix.

Eleven roles, three programs, and a secret string planted in every kind of
private data the package holds. ``SECRETS`` says who may ever read each one: a
response that shows a secret to anyone else is a leak, whatever its URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import GroupPagePermission

from tests.factories import make_enrollment, make_hub, make_program, make_user
from tests.journey_data import STEP_REFLECT, make_journey
from tests.track_data import make_track
from wagtail_mentoring.api import tokens as api_tokens
from wagtail_mentoring.community import services as community
from wagtail_mentoring.community.models import CommunitySpacePage, SpaceMembership
from wagtail_mentoring.engagement import circles
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.models import (
    FeedbackVisibility,
    Meeting,
    MeetingStatus,
)
from wagtail_mentoring.engagement.office_hours import (
    services as office_hour_services,
)
from wagtail_mentoring.journeys import services as journeys
from wagtail_mentoring.matching import runs
from wagtail_mentoring.matching import services as matching
from wagtail_mentoring.notifications.models import ChatConnection
from wagtail_mentoring.people.hris.models import HrisImport, HrisMapping
from wagtail_mentoring.people.models import Interest, Skill
from wagtail_mentoring.programs import cohorts
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    MatchingMode,
    ProgramKind,
)
from wagtail_mentoring.programs.services import approve_enrollment, start_relationship
from wagtail_mentoring.sponsorship import outcomes
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.surveys.models import Survey, SurveyInvitation
from wagtail_mentoring.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

ANON = "anonymous"
EMPLOYEE = "employee with no program"
MENTEE = "mentee"
PARTNER = "mentee's partner (mentor and sponsor)"
OTHER_PAIR = "member of another pair"
OTHER_ADMIN = "another program's admin"
EDITOR = "page editor without mentoring permissions"
ADMIN = "the program's admin"
STEWARD = "people-data steward"
HR = "HR (every program)"
SUPERUSER = "superuser"

ROLES = [
    ANON,
    EMPLOYEE,
    MENTEE,
    PARTNER,
    OTHER_PAIR,
    OTHER_ADMIN,
    EDITOR,
    ADMIN,
    STEWARD,
    HR,
    SUPERUSER,
]

PROFILE = {"level": 3, "department": "Engineering", "languages": ["en"]}
ACCESS_ADMIN = "wagtailadmin.access_admin"
RUN_MATCHING = "wagtail_mentoring.run_matching"

#: The webhook endpoint's signing secret (base64 of a planted marker): only
#: those who manage webhooks (here, the superuser) read it.
WEBHOOK_SECRET = "whsec_U0VDUkVULVdFQkhPT0stS0VZLUZPUi1NQVRSSVg="
#: secret → the roles that may ever read it.
SECRETS = {
    WEBHOOK_SECRET: {SUPERUSER},
    "SECRET-MOTIVATION-A": {MENTEE, ADMIN, HR, SUPERUSER},
    "SECRET-DECISION-NOTE-A": {MENTEE, ADMIN, HR, SUPERUSER},
    "SECRET-MOTIVATION-B": {OTHER_PAIR, OTHER_ADMIN, HR, SUPERUSER},
    "SECRET-MESSAGE-A": {MENTEE, PARTNER},
    "SECRET-MESSAGE-B": {OTHER_PAIR},
    "SECRET-MEETING-NOTES-A": {MENTEE, PARTNER},
    "SECRET-GOAL-A": {MENTEE, PARTNER},
    "SECRET-REFLECTION-A": {MENTEE, PARTNER},
    "SECRET-FEEDBACK-FOR-ADMINS-A": {MENTEE, ADMIN, HR, SUPERUSER},
    "SECRET-EVIDENCE": {MENTEE, PARTNER},
    "SECRET-CONFIDENTIAL-ADVOCACY": {PARTNER},
    # What the mentee asked to talk about: the mentor and the program's admins.
    "SECRET-BOOKING-QUESTION-A": {MENTEE, PARTNER, ADMIN, HR, SUPERUSER},
    # A chat connection's webhook URL is shown to nobody once saved.
    "SECRET-CHAT-WEBHOOK": set(),
    # Program A's community space (by request): members and its moderators.
    "SECRET-SPACE-POST": {MENTEE, PARTNER, ADMIN, HR, SUPERUSER},
    # The partner wrote the hidden reply and the report: their own words reach
    # them in their data export, and nobody else but the moderators.
    "SECRET-HIDDEN-POST": {PARTNER, ADMIN, HR, SUPERUSER},
    "SECRET-REPORT-REASON": {PARTNER, ADMIN, HR, SUPERUSER},
    # A registered LMS's client id: whoever may register platforms.
    "SECRET-LTI-CLIENT": {SUPERUSER},
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _group(name, *perms):
    group = Group.objects.create(name=name)
    for perm in perms:
        app_label, codename = perm.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group


def build_world() -> World:
    world = World()
    now = timezone.now()
    hub = make_hub()
    journey = make_journey(hub)
    program = make_program(
        hub,
        title="Engineering Mentoring",
        slug="engineering",
        matching_mode=MatchingMode.HYBRID,
        default_mentor_capacity=2,
        max_mentor_capacity=3,
        journey=journey,
    )
    other = make_program(hub, title="Sales Mentoring", slug="sales")
    circle = make_program(
        hub,
        title="Sponsorship Circle",
        slug="sponsorship",
        kind=ProgramKind.SPONSORSHIP,
        matching_mode=MatchingMode.HYBRID,
        default_mentor_capacity=2,
        max_mentor_capacity=3,
        admin_group=program.admin_group,
    )

    u = world.users
    u[EMPLOYEE] = make_user("ellen", profile=dict(PROFILE))
    u[MENTEE] = make_user("maya", profile=dict(PROFILE))
    u[PARTNER] = make_user("paolo", profile=dict(PROFILE, level=7))
    u[OTHER_PAIR] = make_user("otto", profile=dict(PROFILE, department="Sales"))
    u[ADMIN] = make_user(
        "adele",
        admin_access=True,
        groups=[program.admin_group],
        perms=[RUN_MATCHING],
    )
    u[OTHER_ADMIN] = make_user(
        "oriana", admin_access=True, groups=[other.admin_group], perms=[RUN_MATCHING]
    )
    editors = _group("Intranet editors", ACCESS_ADMIN)
    for permission in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=editors,
            page=hub,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=permission
            ),
        )
    u[EDITOR] = make_user("edgar", groups=[editors])
    stewards = _group(
        "People data",
        ACCESS_ADMIN,
        "wagtail_mentoring.view_employeeprofile",
        "wagtail_mentoring.change_employeeprofile",
        "wagtail_mentoring.view_equity_reports",
    )
    u[STEWARD] = make_user("stella", groups=[stewards])
    hr = _group(
        "HR",
        ACCESS_ADMIN,
        "wagtail_mentoring.administer_all_programs",
        RUN_MATCHING,
        "wagtail_mentoring.add_careeroutcome",
        "wagtail_mentoring.change_careeroutcome",
        "wagtail_mentoring.view_careeroutcome",
        "wagtail_mentoring.export_personal_data",
        "wagtail_mentoring.erase_personal_data",
    )
    u[HR] = make_user("hugo", groups=[hr])
    u[SUPERUSER] = make_user("sue", superuser=True)
    mentee, partner, admin = u[MENTEE], u[PARTNER], u[ADMIN]

    # Program A: the mentee and their partner, and people still waiting.
    application = make_enrollment(
        mentee,
        program,
        motivation="SECRET-MOTIVATION-A",
        status=EnrollmentStatus.APPROVED,
        decision_note="SECRET-DECISION-NOTE-A",
        decided_at=now,
        decided_by=admin,
    )
    make_enrollment(
        partner, program, "mentor", status=EnrollmentStatus.APPROVED, capacity=3
    )
    relationship = start_relationship(
        program, [(mentee, "mentee"), (partner, "mentor")], partner
    )
    waiting = make_user("wanda", profile=dict(PROFILE))
    waiting_application = make_enrollment(
        waiting, program, status=EnrollmentStatus.APPROVED
    )
    pending_application = make_enrollment(
        make_user("penny", profile=dict(PROFILE)), program
    )
    second_mentor = make_user("mort", profile=dict(PROFILE, level=8))
    make_enrollment(
        second_mentor, program, "mentor", status=EnrollmentStatus.APPROVED, capacity=2
    )
    mentor_request = engagement.send_request(
        waiting_application,
        program.enrollments.get(user=partner),
        waiting,
    )
    engagement.send_message(relationship, mentee, body="SECRET-MESSAGE-A")
    meeting = engagement.schedule_meeting(
        relationship, mentee, title="First chat", starts_at=now + timedelta(days=3)
    )
    engagement.save_meeting_notes(meeting, partner, notes="SECRET-MEETING-NOTES-A")
    held = Meeting.objects.create(
        relationship=relationship,
        title="Kick-off",
        starts_at=now - timedelta(days=2),
        status=MeetingStatus.HELD,
        created_by=mentee,
    )
    engagement.give_feedback(
        relationship,
        mentee,
        rating=4,
        comment="SECRET-FEEDBACK-FOR-ADMINS-A",
        visibility=FeedbackVisibility.ADMINS,
        meeting=held,
    )
    goal = engagement.create_goal(
        relationship,
        mentee,
        title="SECRET-GOAL-A",
        target_date=timezone.localdate() + timedelta(days=30),
    )
    journeys.save_reflection(
        relationship,
        mentee,
        journey,
        STEP_REFLECT,
        "b-reflect",
        "SECRET-REFLECTION-A",
    )
    engagement.create_calendar_feed(mentee)
    run = runs.execute_run(matching.start_run(program, admin, enqueue=False).pk)
    proposal = run.proposals.first()
    assert proposal is not None, run.error

    # Program B: another pair, another admin.
    other_application = make_enrollment(
        u[OTHER_PAIR],
        other,
        motivation="SECRET-MOTIVATION-B",
        status=EnrollmentStatus.APPROVED,
    )
    other_mentor = make_user("mika", profile=dict(PROFILE, level=7))
    make_enrollment(other_mentor, other, "mentor", status=EnrollmentStatus.APPROVED)
    other_relationship = start_relationship(
        other, [(u[OTHER_PAIR], "mentee"), (other_mentor, "mentor")], other_mentor
    )
    engagement.send_message(other_relationship, u[OTHER_PAIR], body="SECRET-MESSAGE-B")

    # Sponsorship: the partner sponsors the mentee.
    make_enrollment(
        partner, circle, "sponsor", status=EnrollmentStatus.APPROVED, capacity=2
    )
    sponsorship.add_evidence(mentee, achievement="SECRET-EVIDENCE")
    nomination = sponsorship.nominate(circle, mentee, admin, reason="Ready to grow")
    approve_enrollment(nomination.enrollment, admin)
    sponsored = sponsorship.pair_sponsor(circle, partner, mentee, admin)
    sponsorship.log_advocacy(
        sponsored,
        partner,
        kind="endorsement",
        occurred_on=timezone.localdate() - timedelta(days=1),
        audience="Leadership team",
        description="SECRET-CONFIDENTIAL-ADVOCACY",
        confidential=True,
    )
    opportunity = sponsorship.post_opportunity(
        circle,
        admin,
        title="Lead the platform guild",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    opportunity_nomination = sponsorship.nominate_for_opportunity(
        opportunity, mentee, partner, note="Strong candidate"
    )
    outcome = outcomes.record_outcome(
        mentee,
        u[HR],
        kind="promotion",
        occurred_on=timezone.localdate() - timedelta(days=3),
        to_level=4,
    )

    skill = Skill.objects.create(name="Public speaking")
    cohort = cohorts.create_cohort(
        program, admin, name="Spring intake", starts_on=timezone.localdate()
    )

    # A group program's circle: the partner facilitates, the mentee is in it.
    group = make_program(
        hub,
        title="Leading Together",
        slug="leading-together",
        kind=ProgramKind.GROUP,
        admin_group=program.admin_group,
    )
    group_mentor = make_enrollment(
        partner, group, "mentor", status=EnrollmentStatus.APPROVED, capacity=3
    )
    make_enrollment(mentee, group, "mentee", status=EnrollmentStatus.APPROVED)
    group_circle = circles.form_circle(
        group, partner, partner, topic="Leading", open_to_join=True
    )
    circles.join_circle(group_circle, mentee)

    # Flash mentoring: the partner holds office hours the mentee booked.
    flash = make_program(
        hub,
        title="Flash Conversations",
        slug="flash",
        kind=ProgramKind.FLASH,
        admin_group=program.admin_group,
    )
    host = make_enrollment(
        u[PARTNER], flash, "mentor", status=EnrollmentStatus.APPROVED
    )
    starts = (now + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    office_hours = office_hour_services.publish_office_hours(
        host,
        u[PARTNER],
        title="Open door",
        starts=starts,
        ends=starts + timedelta(minutes=30),
        timezone_name="UTC",
        recurrence="weekly",
        weeks=2,
        capacity=2,
    )
    slot = office_hours.slots.order_by("starts_at").first()
    booking = office_hour_services.book_slot(
        slot, u[MENTEE], question="SECRET-BOOKING-QUESTION-A"
    )
    track = make_track(hub, journey, program, circle)
    # Written past the service: its host is not one this site posts to, so
    # *Send test* fails at once instead of reaching for the network.
    chat_connection = ChatConnection.objects.create(
        name="Engineering admins",
        kind="slack_webhook",
        program=program,
        topics=["admin"],
        secret="https://chat.invalid/SECRET-CHAT-WEBHOOK-1234",
    )
    world.objects.update(_community_world(program, u))
    world.objects.update(_lti_world())
    # The program admin's script: only its holder revokes it.
    api_token = api_tokens.create_token(
        admin, admin, name="Admin's script", scope="api:admin"
    ).token
    world.objects.update(
        api_token=api_token,
        flash=flash,
        slot=slot,
        booking=booking,
        track=track,
        group_circle=group_circle,
        group_mentor=group_mentor,
        chat_connection=chat_connection,
        skill=skill,
        interest=Interest.objects.create(name="Career growth"),
        hub=hub,
        journey=journey,
        program=program,
        other_program=other,
        circle=circle,
        application=application,
        pending_application=pending_application,
        other_application=other_application,
        relationship=relationship,
        other_relationship=other_relationship,
        mentor_request=mentor_request,
        meeting=meeting,
        goal=goal,
        run=run,
        proposal=proposal,
        sponsorship=sponsored,
        nomination=nomination,
        opportunity=opportunity,
        opportunity_nomination=opportunity_nomination,
        outcome=outcome,
        cohort=cohort,
        profile=mentee.mentoring_profile,
        skill_profile=second_mentor.mentoring_profile,
        sponsee_enrollment=nomination.enrollment,
    )
    # Integrations: a saved HRIS mapping with a dry-run upload, and a
    # disabled webhook endpoint with one logged delivery.
    mapping = HrisMapping.objects.create(
        name="BambooHR", columns={"employee_id": "Employee #", "email": "Work Email"}
    )
    world.objects["hris_mapping"] = mapping
    content = b"Employee #,Work Email\nE-MENTEE,nobody@example.com\n"
    world.objects["hris_import"] = HrisImport.objects.create(
        mapping=mapping,
        file_name="people.csv",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        summary={"rows": 1, "counts": {}, "errors": [[2, "E-MENTEE", "no account"]]},
    )
    webhook = WebhookEndpoint.objects.create(
        name="Warehouse",
        url="https://hooks.example.com/mentoring",
        events=["relationship.started"],
        enabled=False,
        secret=WEBHOOK_SECRET,
    )
    world.objects["webhook"] = webhook
    delivery = WebhookDelivery.objects.create(
        endpoint=webhook,
        event_type="relationship.started",
        message_id="msg_matrix",
        payload={"type": "relationship.started", "data": {}},
        status=DeliveryStatus.FAILED,
        attempts=1,
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500)
    world.objects["webhook_delivery"] = delivery
    survey = Survey.objects.create(
        program=program,
        title="Kick-off survey",
        questions=[{"type": "nps", "id": "nps", "value": {"label": "Recommend?"}}],
    )
    world.objects["survey"] = survey
    world.objects["survey_invitation"] = SurveyInvitation.objects.create(
        survey=survey,
        user=mentee,
        occasion="relationship:0",
        closes_at=timezone.now() + timedelta(days=20),
    )
    return world


def _community_world(program, u) -> dict:
    """Program A's space, by request: the mentee and the partner are members,
    the program's admins moderate it, the employee asked to join."""
    space = program.add_child(
        instance=CommunitySpacePage(
            title="Engineering Circle",
            slug="circle-space",
            membership_policy="request",
            program=program,
        )
    )
    space.save_revision().publish()
    space = CommunitySpacePage.objects.get(pk=space.pk)
    for role in (MENTEE, PARTNER):
        SpaceMembership.objects.update_or_create(
            space=space, user=u[role], defaults={"status": "active"}
        )
    space_request = community.request_to_join(space, u[EMPLOYEE], "Let me in")
    thread = community.start_thread(
        space, u[MENTEE], "Pairing across sites", "SECRET-SPACE-POST"
    )
    post = thread.posts.get()
    hidden = community.reply(thread, u[PARTNER], "SECRET-HIDDEN-POST")
    community.hide_post(hidden, u[ADMIN], "Off topic")
    report = community.report_post(post, u[PARTNER], "SECRET-REPORT-REASON")
    return {
        "space": space,
        "space_request": space_request,
        "thread": thread,
        "post": post,
        "report": report,
    }


def _lti_world() -> dict:
    """A registered LMS for the LTI tool's admin screens, when it is installed."""
    from django.apps import apps

    if not apps.is_installed("wagtail_mentoring.contrib.lti"):
        return {}
    from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration

    registration = LtiRegistration.objects.create(
        name="Course platform",
        issuer="https://lms.invalid",
        client_id="SECRET-LTI-CLIENT",
        auth_url="https://lms.invalid/auth",
        token_url="https://lms.invalid/token",
        keyset_url="https://lms.invalid/jwks",
    )
    deployment = LtiDeployment.objects.create(
        registration=registration, deployment_id="dep-1", is_active=True
    )
    course = LtiContext.objects.create(
        deployment=deployment, id_on_platform="course-1", title="Mentoring 101"
    )
    return {
        "lti_registration": registration,
        "lti_deployment": deployment,
        "lti_course": course,
    }
