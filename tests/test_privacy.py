"""Privacy rights: export, erasure, what the host deleting or deactivating an
account does, and retention.

The subject is Ana (``tests/privacy_data.py``): everything she wrote contains
``ANA-SECRET``.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.models import ModelLogEntry

from tests.factories import (
    PASSWORD,
    login_identifier,
    make_enrollment,
    make_program,
    make_user,
)
from tests.privacy_data import (
    SECRET,
    build,
    own_user_links,
    report_numbers,
    reports_if_left,
    traces,
)
from wagtail_mentoring.engagement import leaving
from wagtail_mentoring.engagement import services as engagement
from wagtail_mentoring.engagement.mentor_requests import send_request
from wagtail_mentoring.engagement.models import (
    CalendarFeed,
    Feedback,
    Goal,
    GoalCheckIn,
    Meeting,
    MeetingStatus,
    MentorRequest,
    Message,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys.models import (
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification
from wagtail_mentoring.people.users import display_name, user_email
from wagtail_mentoring.personal_data import KEEP, PERSONAL_DATA_HOOK
from wagtail_mentoring.privacy.retention import apply_retention
from wagtail_mentoring.privacy.services import (
    SCHEMA,
    erase_personal_data,
    export_personal_data,
    personal_data,
)
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from wagtail_mentoring.programs.services import change_relationship_status
from wagtail_mentoring.sponsorship import services as sponsorship
from wagtail_mentoring.sponsorship.models import (
    AdvocacyAction,
    CareerOutcome,
    Nomination,
    OpportunityNomination,
    ReadinessEvidence,
)

pytestmark = pytest.mark.django_db

HEADER = {"schema", "schema_version", "exported_at", "person"}
#: Models that point at the user model but hold nothing of the person's own:
#: none today. A model added with a user link must be declared by its domain
#: (``<domain>/personal_data.py``) or listed here with the reason.
NO_PERSONAL_CONTENT: dict[str, str] = {}


@pytest.fixture
def world(hub):
    return build(hub)


def _pick(items, *keys):
    return [{key: item[key] for key in keys} for item in items]


def _hr(*codenames, name="hr"):
    return make_user(
        name,
        admin_access=True,
        perms=[f"wagtail_mentoring.{codename}" for codename in codenames],
    )


def _login(client, user):
    assert client.login(
        **{get_user_model().USERNAME_FIELD: login_identifier(user)},
        password=PASSWORD,
    )
    return client


def _refused(response) -> bool:
    """403, or Wagtail's "no permission" bounce to the admin's home."""
    return response.status_code == 403 or (
        response.status_code == 302
        and response["Location"] == reverse("wagtailadmin_home")
    )


# --- Export -------------------------------------------------------------------


def test_the_export_holds_everything_about_the_person_and_nothing_of_others(world):
    ana, o = world.ana, world.objects
    mo, pia, sam, ravi = (
        display_name(world.mo),
        display_name(world.pia),
        display_name(world.sam),
        display_name(world.ravi),
    )
    data = personal_data(ana)

    assert data["schema"] == SCHEMA and data["schema_version"] == 1
    assert data["person"] == {
        "id": str(ana.pk),
        "name": display_name(ana),
        "login": ana.get_username(),
    }
    profile = dict(data["profile"])
    profile.pop("updated_at")
    assert profile == {
        "title": "Engineer",
        "level": 3,
        "department": "Engineering",
        "location": "Berlin",
        "timezone": "Europe/Berlin",
        "manager": None,
        "skills": ["Python"],
        "skills_wanted": ["Public speaking"],
        "interests": [],
        "languages": ["en"],
        "availability": ["mon_am"],
        "bio": f"{SECRET} bio",
        "goals": f"{SECRET} goals",
        "open_to_mentoring": False,
        "partner_visible_to_manager": False,
    }
    assert data["self_identification"]["answers"] == {"gender": "woman"}
    assert _pick(
        data["applications"], "program", "role", "status", "motivation", "answers"
    ) == [
        {
            "program": "Engineering Mentoring",
            "role": "mentee",
            "status": "approved",
            "motivation": f"{SECRET} motivation",
            "answers": [
                {"question": "What do you hope to learn?", "answer": f"{SECRET} hope"}
            ],
        },
        {
            "program": "Product Mentoring",
            "role": "mentee",
            "status": "approved",
            "motivation": "",
            "answers": [],
        },
        {
            "program": "Sponsorship Circle",
            "role": "sponsee",
            "status": "approved",
            "motivation": f"{SECRET} why me",
            "answers": [],
        },
    ]
    assert data["applications"][0]["decision_note"] == "Welcome MO-WORDS"
    assert _pick(data["relationships"], "program", "role", "status", "partners") == [
        {
            "program": "Engineering Mentoring",
            "role": "mentee",
            "status": "active",
            "partners": [{"name": mo, "role": "mentor"}],
        },
        {
            "program": "Sponsorship Circle",
            "role": "sponsee",
            "status": "active",
            "partners": [{"name": sam, "role": "sponsor"}],
        },
    ]
    assert _pick(
        data["meetings"], "title", "status", "notes", "agenda", "scheduled_by_you"
    ) == [
        {
            "title": f"{SECRET} kick-off",
            "status": "held",
            "notes": f"{SECRET} notes",
            "agenda": "",
            "scheduled_by_you": True,
        },
        {
            "title": "Second talk",
            "status": "scheduled",
            "notes": "",
            "agenda": f"{SECRET} agenda",
            "scheduled_by_you": False,
        },
    ]
    assert _pick(data["goals"], "title", "measure", "why", "progress") == [
        {
            "title": f"{SECRET} goal",
            "measure": f"{SECRET} measure",
            "why": f"{SECRET} why",
            "progress": 50,  # Mo's check-in came last
        }
    ]
    # Her own check-in and message; Mo's are his.
    assert _pick(data["goal_check_ins"], "progress", "note") == [
        {"progress": 40, "note": f"{SECRET} check-in"}
    ]
    assert [m["body"] for m in data["messages"]] == [f"{SECRET} message"]
    assert _pick(data["feedback"], "kind", "rating", "comment", "meeting") == [
        {
            "kind": "meeting",
            "rating": 4,
            "comment": f"{SECRET} feedback",
            "meeting": o.held.pk,
        }
    ]
    assert _pick(
        data["mentor_requests"]["sent"], "with", "note", "status", "decline_reason"
    ) == [
        {
            "with": pia,
            "note": f"{SECRET} request",
            "status": "declined",
            "decline_reason": "PIA-WORDS no room",
        }
    ]
    assert data["mentor_requests"]["received"] == []
    assert data["calendar_feed"]["exists"] is True
    assert o.feed.token not in json.dumps(data)
    assert _pick(data["journey_steps"], "step", "status") == [
        {"step": "Reflect on your strengths", "status": "completed"},
        {"step": "Check your understanding", "status": "started"},
    ]
    assert _pick(data["reflections"], "question", "answer", "shared_with_pair") == [
        {
            "question": "Which strength do you use least?",
            "answer": f"{SECRET} reflection",
            "shared_with_pair": True,
        }
    ]
    # One of two questions right: 50 %, below the pass mark of 100.
    assert _pick(data["quiz_attempts"], "answers", "score", "passed", "tries") == [
        {
            "answers": {"q1": ["q1a"], "q2": ["q2c"]},
            "score": 50,
            "passed": False,
            "tries": 1,
        }
    ]
    # The proposal without the other person of an unpublished pair.
    assert _pick(data["match_proposals"], "program", "as", "score", "status") == [
        {
            "program": "Product Mentoring",
            "as": "mentee",
            "score": 0.75,
            "status": "rejected",
        }
    ]
    assert _pick(data["readiness_evidence"], "achievement", "metric") == [
        {"achievement": f"{SECRET} achievement", "metric": "+8% conversion"}
    ]
    assert _pick(
        data["nominations_received"], "program", "nominated_as", "reason", "evidence"
    ) == [
        {
            "program": "Sponsorship Circle",
            "nominated_as": "self",
            "reason": f"{SECRET} why me",
            "evidence": [o.evidence.pk],
        }
    ]
    assert _pick(data["nominations_given"], "nominee", "reason") == [
        {"nominee": ravi, "reason": f"{SECRET} about Ravi"}
    ]
    assert _pick(data["sponsorship_commitments"], "commitment") == [
        {"commitment": "SPONSOR-WORDS commitment"}
    ]
    assert data["sponsorship_commitments"][0]["sponsee_acknowledged_at"]
    # What she may see of her sponsor's advocacy: not the confidential one.
    assert _pick(data["advocacy_received"], "kind", "audience", "what", "sponsor") == [
        {
            "kind": "endorsement",
            "audience": "Leadership team",
            "what": "SPONSOR-WORDS endorsement",
            "sponsor": sam,
        },
        {
            "kind": "stretch_assignment",
            "audience": "Lead the pricing taskforce",
            "what": "SPONSOR-WORDS ready",
            "sponsor": sam,
        },
    ]
    assert data["advocacy_given"] == []
    assert _pick(
        data["opportunity_nominations_received"],
        "opportunity",
        "nominated_by",
        "status",
        "decision_reason",
    ) == [
        {
            "opportunity": "Lead the pricing taskforce",
            "nominated_by": sam,
            "status": "selected",
            "decision_reason": "HR-WORDS strongest",
        }
    ]
    assert data["opportunity_nominations_given"] == []
    assert _pick(
        data["career_outcomes"], "kind", "title", "from_level", "to_level"
    ) == [
        {
            "kind": "promotion",
            "title": "Senior Engineer",
            "from_level": 3,
            "to_level": 4,
        }
    ]
    text = json.dumps(data)
    for private in (
        "SPONSOR-CONFIDENTIAL",  # hidden from the sponsee
        "ADMIN-WORDS",  # an admin's justification of a pair
        "MO-WORDS check-in",
        "MO-WORDS reply",
    ):
        assert private not in text


def test_a_person_exports_their_own_data_from_my_mentoring(world, client):
    ana = world.ana
    _login(client, ana)
    page = client.get(reverse("wagtail_mentoring:my_mentoring"))
    url = reverse("wagtail_mentoring:export_my_data")
    assert f'action="{url}"' in page.content.decode()

    assert client.get(url).status_code == 405
    assert not ModelLogEntry.objects.filter(
        action="wagtail_mentoring.privacy.export"
    ).exists()
    # The address names nobody: asking for someone else's id changes nothing.
    response = client.post(f"{url}?user={world.mo.pk}", {"user": world.mo.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["person"]["id"] == str(ana.pk)
    assert [m["body"] for m in data["messages"]] == [f"{SECRET} message"]
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.export")
    assert (entry.object_id, entry.user_id) == (str(ana.pk), ana.pk)
    assert entry.data == {"by_themselves": True}
    assert display_name(ana) not in entry.label


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_logged(client):
    response = client.post(reverse("wagtail_mentoring:export_my_data"))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert not ModelLogEntry.objects.filter(
        action="wagtail_mentoring.privacy.export"
    ).exists()


def test_only_the_person_or_hr_may_export(world):
    with pytest.raises(MentoringError):
        export_personal_data(world.ana, world.mo)
    assert not ModelLogEntry.objects.filter(
        action="wagtail_mentoring.privacy.export"
    ).exists()
    hr = _hr("export_personal_data")
    assert export_personal_data(world.ana, hr)["person"]["id"] == str(world.ana.pk)
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.export")
    assert (entry.user_id, entry.data) == (hr.pk, {"by_themselves": False})


def test_the_export_costs_as_many_queries_however_much_there_is(world, hub):
    ana = world.ana
    with CaptureQueriesContext(connection) as first:
        personal_data(ana)
    for n in range(3):
        engagement.send_message(world.relationship, ana, body=f"more {n}")
        engagement.check_in_goal(world.objects.goal, ana, progress=60 + n)
    engagement.create_goal(
        world.relationship,
        ana,
        title="Another",
        target_date=timezone.localdate() + timedelta(days=9),
    )
    engagement.schedule_meeting(
        world.relationship,
        ana,
        title="Third talk",
        starts_at=timezone.now() + timedelta(days=5),
    )
    sponsorship.add_evidence(ana, achievement="More evidence")
    sponsorship.log_advocacy(
        world.sponsorship,
        world.sam,
        kind="introduction",
        occurred_on=timezone.localdate() - timedelta(days=1),
        audience="CFO",
    )
    make_enrollment(ana, make_program(hub, title="Third program"), "mentee")
    with CaptureQueriesContext(connection) as second:
        data = personal_data(ana)
    assert len(data["messages"]) == 4 and len(data["applications"]) == 4
    assert len(second) == len(first)


def test_the_groups_editor_offers_the_privacy_permissions(world, client):
    _login(client, world.admin)
    page = client.get(reverse("wagtailusers_groups:add")).content.decode()
    assert "Can export a person&#x27;s mentoring data" in page
    assert "Can erase a person&#x27;s mentoring data" in page


# --- The admin screen -----------------------------------------------------------


def test_hr_finds_a_person_and_downloads_their_data(world, client):
    hr = _hr("export_personal_data")
    _login(client, hr)
    index = client.get(reverse("wm_privacy:index"), {"q": "ana"})
    person_url = reverse("wm_privacy:person", args=[world.ana.pk])
    assert index.status_code == 200 and person_url in index.content.decode()
    page = client.get(person_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("wm_privacy:export", args=[world.ana.pk]) in body
    # Exporting is allowed, erasing is not offered.
    assert reverse("wm_privacy:erase", args=[world.ana.pk]) not in body
    export_url = reverse("wm_privacy:export", args=[world.ana.pk])
    assert client.get(export_url).status_code == 405
    response = client.post(export_url)
    assert response.status_code == 200
    assert f"person-{world.ana.pk}" in response["Content-Disposition"]
    assert json.loads(response.content)["person"]["id"] == str(world.ana.pk)
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.export")
    assert (entry.object_id, entry.user_id) == (str(world.ana.pk), hr.pk)
    # Export rights do not include erasure.
    erase_url = reverse("wm_privacy:erase", args=[world.ana.pk])
    assert _refused(client.get(erase_url))
    assert _refused(client.post(erase_url, {"confirm": "on"}))
    assert EmployeeProfile.objects.filter(user=world.ana).exists()


@pytest.mark.parametrize(
    "perms", [(), ("administer_all_programs", "view_equity_reports")]
)
def test_without_the_permissions_the_screen_refuses_and_writes_nothing(
    world, client, perms
):
    other = _hr(*perms, name="olga")
    _login(client, other)
    urls = [
        reverse("wm_privacy:index"),
        reverse("wm_privacy:person", args=[world.ana.pk]),
    ]
    for url in urls:
        assert _refused(client.get(url)), url
    for name in ("export", "erase"):
        url = reverse(f"wm_privacy:{name}", args=[world.ana.pk])
        assert _refused(client.post(url, {"confirm": "on"})), url
    assert EmployeeProfile.objects.filter(user=world.ana).exists()
    assert not ModelLogEntry.objects.filter(
        action__startswith="wagtail_mentoring.privacy."
    ).exists()
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wm_privacy:index") not in menu


def test_an_unknown_person_is_not_found(world, client):
    _login(client, _hr("export_personal_data", "erase_personal_data"))
    for pk in ("999999", "not-an-id", "00000000-0000-0000-0000-000000000000"):
        assert client.get(reverse("wm_privacy:person", args=[pk])).status_code == 404


def test_hr_erases_after_confirming_and_the_audit_keeps_no_name(world, client):
    hr = _hr("export_personal_data", "erase_personal_data")
    _login(client, hr)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("wm_privacy:index") in menu
    url = reverse("wm_privacy:erase", args=[world.ana.pk])
    assert client.get(url).status_code == 200
    # Not confirmed: shown again, nothing erased.
    assert client.post(url, {}).status_code == 200
    assert EmployeeProfile.objects.filter(user=world.ana).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not EmployeeProfile.objects.filter(user=world.ana).exists()
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.erase")
    assert (entry.object_id, entry.user_id) == (str(world.ana.pk), hr.pk)
    assert entry.data == {"account_deleted": False}
    assert display_name(world.ana) not in entry.label


# --- Erasure --------------------------------------------------------------------


def test_erase_then_export_has_no_personal_content(
    world, client, django_capture_on_commit_callbacks
):
    ana, o = world.ana, world.objects
    name = display_name(ana)
    assert traces(ana, SECRET, name)  # the fixture has them everywhere
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        erase_personal_data(ana, world.admin)

    data = personal_data(ana)
    for key, value in data.items():
        if key in HEADER:
            continue
        if isinstance(value, dict):
            assert not any(value.get(k) for k in value), key
        else:
            assert not value, key
    # Nothing of hers is left anywhere, audit trail included; her name only
    # stays where others' data names their manager.
    assert traces(ana, SECRET, name) == []

    # What reports count is still there, without her.
    member = RelationshipMember.objects.get(
        relationship=world.relationship, role="mentee"
    )
    assert member.user_id is None
    relationship = Relationship.objects.get(pk=world.relationship.pk)
    assert relationship.status == RelationshipStatus.ENDED_EARLY
    assert relationship.end_reason == ""
    assert Meeting.objects.get(pk=o.held.pk).notes == ""
    assert Message.objects.get(pk=o.message.pk).author_id is None
    assert Message.objects.get(pk=o.mo_message.pk).body == "MO-WORDS reply"
    assert GoalCheckIn.objects.get(pk=o.mo_check_in.pk).note == "MO-WORDS check-in"
    feedback = Feedback.objects.get(pk=o.feedback.pk)
    assert (feedback.author_id, feedback.rating, feedback.comment) == (None, 4, "")
    assert Enrollment.objects.get(pk=o.application.pk).status == "withdrawn"
    assert CareerOutcome.objects.get(pk=o.outcome.pk).employee_id is None
    for model in (
        SelfIdentification,
        CalendarFeed,
        ReflectionAnswer,
        QuizAttempt,
        ReadinessEvidence,
    ):
        assert not model.objects.exists(), model
    assert not StepProgress.objects.filter(user__isnull=False).exists()

    # Her partner's history: "a former participant", their own words kept.
    _login(client, world.mo)
    for url in (
        reverse("wagtail_mentoring:my_mentoring"),
        reverse("wagtail_mentoring:relationship", args=[world.relationship.pk]),
        reverse("wagtail_mentoring:messages", args=[world.relationship.pk]),
        reverse(
            "wagtail_mentoring:meeting_detail", args=[world.relationship.pk, o.held.pk]
        ),
        reverse(
            "wagtail_mentoring:goal_detail", args=[world.relationship.pk, o.goal.pk]
        ),
    ):
        body = client.get(url).content.decode()
        assert name not in body and SECRET not in body, url
    thread = client.get(
        reverse("wagtail_mentoring:messages", args=[world.relationship.pk])
    ).content.decode()
    assert "a former participant" in thread and "MO-WORDS reply" in thread
    _login(client, world.sam)
    body = client.get(
        reverse("wagtail_mentoring:sponsorship_detail", args=[world.sponsorship.pk])
    ).content.decode()
    assert "a former participant" in body and name not in body
    # Both partners were told the relationship ended.
    told = {message.to[0] for message in mail.outbox if "has ended" in message.subject}
    assert told == {user_email(world.mo), user_email(world.sam)}
    assert not any(name in message.body for message in mail.outbox)


def test_erasure_is_all_or_nothing(world, monkeypatch):
    before = report_numbers()

    def broken(self, user):
        raise RuntimeError("disk full")

    declaration = next(
        d
        for d in hooks.get_hooks(PERSONAL_DATA_HOOK)
        if type(d).__name__ == "PeopleData"
    )
    monkeypatch.setattr(type(declaration), "erase", broken)
    with pytest.raises(RuntimeError):
        erase_personal_data(world.ana, world.admin)
    assert report_numbers() == before
    assert Message.objects.get(pk=world.objects.message.pk).author_id == world.ana.pk
    assert not ModelLogEntry.objects.filter(
        action="wagtail_mentoring.privacy.erase"
    ).exists()


def test_only_hr_may_erase(world):
    before = report_numbers()
    for user in (world.ana, world.mo, _hr("export_personal_data")):
        with pytest.raises(MentoringError):
            erase_personal_data(world.ana, user)
    assert report_numbers() == before
    assert EmployeeProfile.objects.filter(user=world.ana).exists()


def test_reports_do_not_change_when_someone_who_left_is_erased(world):
    world.ana.is_active = False
    world.ana.save()
    before = report_numbers()
    erase_personal_data(world.ana, world.admin)
    assert report_numbers() == before


def test_erasing_someone_still_here_changes_reports_as_their_leaving_would(world):
    # The equity report counts employees with a profile: erasure takes the
    # person out of it, exactly as deactivating them does, and no further.
    if_left = reports_if_left(world.ana)
    assert if_left != report_numbers()  # leaving ends her open relationships
    erase_personal_data(world.ana, world.admin)
    assert report_numbers() == if_left


def test_the_host_deleting_the_account_keeps_the_counts(
    world, django_capture_on_commit_callbacks
):
    ana = world.ana
    pk, name = ana.pk, display_name(ana)
    if_left = reports_if_left(ana)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ana.delete()
    assert report_numbers() == if_left
    assert RelationshipMember.objects.filter(user=None).count() == 2
    assert Enrollment.objects.filter(user=None).count() == 3
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.erase")
    assert entry.object_id == str(pk) and entry.data == {"account_deleted": True}
    assert traces(pk, SECRET, name) == []
    # The partner was told, without a name the package no longer has.
    ended = [m for m in mail.outbox if user_email(world.mo) in m.to]
    # …and the upcoming meeting's calendar entry is cancelled.
    assert sorted(m.subject for m in ended) == [
        "Cancelled: Second talk",
        "Your mentoring relationship in Engineering Mentoring has ended",
    ]
    assert any("no longer takes part" in m.body for m in ended)


# --- Leaving --------------------------------------------------------------------


def test_deactivation_ends_relationships_and_tells_the_partner(world, on_commit_now):
    o = world.objects
    mo = world.mo
    mail.outbox.clear()
    mo.is_active = False
    mo.save()
    relationship = Relationship.objects.get(pk=world.relationship.pk)
    assert relationship.status == RelationshipStatus.ENDED_EARLY
    assert relationship.end_reason == f"{display_name(mo)} left the organisation."
    # Still a member (the account exists): only erasure detaches.
    assert relationship.members.filter(user=mo).exists()
    assert Meeting.objects.get(pk=o.upcoming.pk).status == MeetingStatus.CANCELLED
    assert Meeting.objects.get(pk=o.held.pk).status == MeetingStatus.HELD
    assert set(Enrollment.objects.filter(user=mo).values_list("status", flat=True)) == {
        EnrollmentStatus.WITHDRAWN
    }
    told = [m for m in mail.outbox if user_email(world.ana) in m.to]
    left = next(m for m in told if "has ended" in m.subject)
    assert f"{display_name(mo)} has left the organisation" in left.body
    # Ana's other relationship (with her sponsor) is untouched.
    assert Relationship.objects.get(pk=world.sponsorship.pk).status == "active"
    # Saving the deactivated account again changes and sends nothing.
    sent = len(mail.outbox)
    entries = ModelLogEntry.objects.count()
    mo.save()
    assert (len(mail.outbox), ModelLogEntry.objects.count()) == (sent, entries)


def test_a_leaving_mentor_s_pending_requests_close(world, on_commit_now):
    mentee = make_user("nia", profile={"level": 2})
    nia = make_enrollment(mentee, world.product, "mentee", status="approved")
    pia = Enrollment.objects.get(user=world.pia, program=world.product)
    request = send_request(nia, pia, mentee, note="hello")
    assert request.status == "pending"
    world.pia.is_active = False
    world.pia.save()
    assert MentorRequest.objects.get(pk=request.pk).status == "cancelled"
    assert Enrollment.objects.get(pk=pia.pk).status == EnrollmentStatus.WITHDRAWN


def test_deactivation_by_bulk_update_is_caught_by_the_daily_job(world, on_commit_now):
    get_user_model().objects.filter(pk=world.mo.pk).update(is_active=False)
    assert Relationship.objects.get(pk=world.relationship.pk).is_open
    assert leaving.end_participation_of_leavers() == 1
    assert not Relationship.objects.get(pk=world.relationship.pk).is_open
    assert leaving.end_participation_of_leavers() == 0


# --- Retention ------------------------------------------------------------------


def _ended(relationship, days_ago):
    change_relationship_status(relationship, "completed", None)
    Relationship.objects.filter(pk=relationship.pk).update(
        ended_at=timezone.now() - timedelta(days=days_ago)
    )


def test_retention_is_off_by_default(world):
    _ended(world.relationship, 400)
    assert apply_retention() == {"messages": 0, "meeting_notes": 0, "reflections": 0}
    assert Message.objects.filter(relationship=world.relationship).count() == 2


@override_settings(
    WAGTAIL_MENTORING={
        "RETAIN_MESSAGES_DAYS": 30,
        "RETAIN_MEETING_NOTES_DAYS": 60,
        "RETAIN_REFLECTIONS_DAYS": 30,
    }
)
def test_retention_deletes_what_ended_relationships_keep_too_long(world):
    o = world.objects
    _ended(world.relationship, 40)  # past 30 days, not past 60
    # Open: keeps everything, however old.
    Message.objects.filter(pk=o.message.pk).update(
        created_at=timezone.now() - timedelta(days=500)
    )
    sponsorship_messages = Message.objects.create(
        relationship=world.sponsorship, author=world.sam, body="still open"
    )
    assert apply_retention() == {"messages": 2, "meeting_notes": 0, "reflections": 1}
    assert not Message.objects.filter(relationship=world.relationship).exists()
    assert Message.objects.filter(pk=sponsorship_messages.pk).exists()
    assert Meeting.objects.get(pk=o.held.pk).notes == f"{SECRET} notes"
    assert not ReflectionAnswer.objects.exists()
    entry = ModelLogEntry.objects.get(action="wagtail_mentoring.privacy.retention")
    assert entry.object_id == str(world.relationship.pk)
    assert entry.data == {"messages": 2, "reflections": 1}
    # The second run finds nothing to delete.
    assert apply_retention() == {"messages": 0, "meeting_notes": 0, "reflections": 0}
    assert (
        ModelLogEntry.objects.filter(
            action="wagtail_mentoring.privacy.retention"
        ).count()
        == 1
    )
    # Later, the notes' period is over too; the command runs it once for cron.
    Relationship.objects.filter(pk=world.relationship.pk).update(
        ended_at=timezone.now() - timedelta(days=61)
    )
    out = io.StringIO()
    call_command("mentoring_retention", stdout=out)
    assert "meeting notes blanked: 1" in out.getvalue()
    assert Meeting.objects.get(pk=o.held.pk).notes == ""


# --- Coverage -------------------------------------------------------------------


#: The package's app, and its optional sub-apps when the test site installs them.
APP_LABELS = ["wagtail_mentoring", "wagtail_mentoring_lti"]


def _models():
    return [
        model
        for label in APP_LABELS
        if label in apps.app_configs
        for model in apps.get_app_config(label).get_models()
    ]


def _user_fields() -> set[str]:
    return {
        f"{model.__name__}.{field.name}"
        for model in _models()
        for field in own_user_links(model)
    }


def _declared() -> dict[str, object]:
    declared = {}
    for declaration in hooks.get_hooks(PERSONAL_DATA_HOOK):
        for name, how in declaration.user_fields.items():
            assert name not in declared, f"{name} is declared twice"
            declared[name] = how
    return declared


def test_every_link_to_a_person_is_declared_by_its_domain():
    declared = _declared()
    missing = _user_fields() - set(declared) - set(NO_PERSONAL_CONTENT)
    assert missing == set(), (
        "Declare these in the domain's personal_data.py (what erasure does with "
        f"them), or list them in NO_PERSONAL_CONTENT with the reason: {missing}"
    )
    assert set(declared) <= _user_fields(), "a declaration names no such field"
    for name, how in declared.items():
        if isinstance(how, tuple):
            assert how[0] == KEEP and str(how[1]), name


def test_erasure_clears_every_link_it_declares(world):
    erase_personal_data(world.ana, world.admin)
    for name, how in _declared().items():
        model_name, field = name.split(".")
        model = next(m for m in _models() if m.__name__ == model_name)
        still = model._default_manager.filter(**{field: world.ana}).exists()
        assert still == isinstance(how, tuple), name


def test_nominations_and_advocacy_keep_counting_without_the_person(world):
    erase_personal_data(world.ana, world.admin)
    nomination = Nomination.objects.get(pk=world.objects.nomination.pk)
    assert (nomination.nominee_id, nomination.reason) == (None, "")
    assert AdvocacyAction.objects.filter(sponsee=None).count() == 3
    assert OpportunityNomination.objects.get(
        pk=world.objects.put_forward.pk
    ).status == ("selected")
    assert Goal.objects.get(pk=world.objects.goal.pk).owner_id is None


def test_erasure_clears_the_persons_name_from_others_endorsements(world):
    """``endorsed_by`` is free text on someone else's evidence: naming the erased
    person there would keep them in the records."""
    name = display_name(world.ana)
    other = make_user("olu")
    theirs = ReadinessEvidence.objects.create(
        owner=other, achievement="Led the launch", endorsed_by=f"{name} (manager)"
    )
    kept = ReadinessEvidence.objects.create(
        owner=other, achievement="Ran the offsite", endorsed_by="Someone Else"
    )
    shouted = ReadinessEvidence.objects.create(
        owner=other, achievement="Won the bid", endorsed_by=f"VP: {name.upper()}."
    )
    # Another person whose name begins with the erased person's keeps theirs.
    longer = ReadinessEvidence.objects.create(
        owner=other, achievement="Hired a team", endorsed_by=f"{name}son (director)"
    )
    erase_personal_data(world.ana, _hr("erase_personal_data"))
    for evidence in (theirs, kept, shouted, longer):
        evidence.refresh_from_db()
    assert (theirs.achievement, theirs.endorsed_by) == ("Led the launch", "")
    assert shouted.endorsed_by == ""
    assert kept.endorsed_by == "Someone Else"
    assert longer.endorsed_by == f"{name}son (director)"
