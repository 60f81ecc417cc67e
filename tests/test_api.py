"""The REST API: tokens, the same services as the pages, one error shape.

Who may call which URL at all is the authorization matrix's job
(tests/test_authorization_matrix.py); here: what the calls do and write.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.authorization_world import (
    ADMIN,
    EMPLOYEE,
    MENTEE,
    OTHER_ADMIN,
    PARTNER,
    build_world,
)
from tests.factories import make_user
from wagtail_mentoring.api import tokens
from wagtail_mentoring.api.base import MAX_BODY_BYTES
from wagtail_mentoring.api.models import PersonalAccessToken
from wagtail_mentoring.engagement.models import Goal, Meeting, Message
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.programs.models import Enrollment, EnrollmentStatus

pytestmark = pytest.mark.django_db
API = "/api/mentoring/v1/"


@pytest.fixture
def world():
    return build_world()


def bearer(user, scope="api"):
    secret = tokens.create_token(user, user, name="test", scope=scope).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


# --- Tokens ---------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_authenticates_its_holder():
    user = make_user("tara")
    new = tokens.create_token(user, user, name="laptop")
    row = PersonalAccessToken.objects.get()
    assert new.secret.startswith(f"wmt_{row.prefix}_")
    assert new.secret not in repr(list(PersonalAccessToken.objects.values()))
    assert row.digest == tokens.digest_of(new.secret)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {new.secret}")
    response = client.get(API + "me/")
    assert response.status_code == 200, response.content
    row.refresh_from_db()
    assert row.last_used_at is not None
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.token.create", object_id=str(row.pk)
    ).exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong", "scim"])
def test_unusable_tokens_are_refused_with_401(state):
    user = make_user("tara", superuser=state == "scim")
    new = tokens.create_token(
        user, user, name="x", scope="scim" if state == "scim" else "api"
    )
    secret = new.secret
    if state == "revoked":
        tokens.revoke_token(new.token, user)
    elif state == "expired":
        PersonalAccessToken.objects.update(expires_at=timezone.now())
    elif state == "wrong":
        secret = secret[:-2] + "xx"
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(API + "me/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoking_is_audited_and_only_the_holder_may():
    holder, other = make_user("holder"), make_user("other")
    new = tokens.create_token(holder, holder, name="x")
    with pytest.raises(MentoringError):
        tokens.revoke_token(new.token, other)
    assert PersonalAccessToken.objects.get().revoked_at is None
    tokens.revoke_token(new.token, holder)
    assert ModelLogEntry.objects.filter(
        action="wagtail_mentoring.token.revoke"
    ).exists()


def test_people_cannot_give_themselves_admin_or_scim_tokens():
    user = make_user("plain")
    for scope in ("api:admin", "scim"):
        with pytest.raises(MentoringError):
            tokens.create_token(user, user, name="x", scope=scope)
    assert not PersonalAccessToken.objects.exists()


def test_command_prints_the_token_once_as_its_last_line():
    user = make_user("cli")
    out = io.StringIO()
    call_command(
        "mentoring_token", "create", user.get_username(), "--days", "7", stdout=out
    )
    secret = out.getvalue().strip().splitlines()[-1]
    token = PersonalAccessToken.objects.get()
    assert tokens.digest_of(secret) == token.digest
    assert token.expires_at - token.created_at == timedelta(days=7)
    listing = io.StringIO()
    call_command("mentoring_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and secret not in listing.getvalue()
    call_command("mentoring_token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_api_token_does_not_reach_the_admin_endpoints(world):
    admin = world.users[ADMIN]
    response = bearer(admin, "api").get(API + "admin/applications/")
    assert response.status_code == 403
    assert "api:admin" in error_of(response)["message"]
    assert (
        bearer(admin, "api:admin").get(API + "admin/applications/").status_code == 200
    )


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[MENTEE])
    url = API + f"me/relationships/{world.relationship.pk}/messages/"
    before = Message.objects.count()
    response = post(client, url, {"body": "Hello"})
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]
    assert Message.objects.count() == before


# --- The same services as the pages ---------------------------------------------


def test_apply_and_withdraw(world):
    client = bearer(world.users[EMPLOYEE])
    response = post(
        client,
        API + "me/applications/",
        {"program": world.other_program.pk, "role": "mentee", "motivation": "Grow"},
    )
    assert response.status_code == 201, response.content
    enrollment = Enrollment.objects.get(pk=response.json()["id"])
    assert enrollment.user == world.users[EMPLOYEE]
    assert enrollment.motivation == "Grow"
    # Applying twice: the service's own words, nothing written.
    again = post(
        client,
        API + "me/applications/",
        {"program": world.other_program.pk, "role": "mentee"},
    )
    assert again.status_code == 400
    error = error_of(again)
    assert error["code"] == "duplicate"
    assert "already applied" in error["message"]
    assert Enrollment.objects.filter(user=world.users[EMPLOYEE]).count() == 1
    response = post(client, API + f"me/applications/{enrollment.pk}/withdraw/", {})
    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN


def test_someone_elses_application_cannot_be_withdrawn(world):
    client = bearer(world.users[EMPLOYEE])
    response = post(
        client, API + f"me/applications/{world.application.pk}/withdraw/", {}
    )
    assert response.status_code == 404
    world.application.refresh_from_db()
    assert world.application.status == EnrollmentStatus.APPROVED


def test_a_member_schedules_writes_and_sets_goals(world):
    client = bearer(world.users[PARTNER])
    base = API + f"me/relationships/{world.relationship.pk}/"
    starts = (timezone.now() + timedelta(days=5)).isoformat()
    response = post(
        client, base + "meetings/", {"title": "Deep dive", "starts_at": starts}
    )
    assert response.status_code == 201, response.content
    assert Meeting.objects.filter(title="Deep dive").exists()
    response = post(client, base + "messages/", {"body": "See you Tuesday"})
    assert response.status_code == 201
    target = (timezone.localdate() + timedelta(days=40)).isoformat()
    response = post(
        client, base + "goals/", {"title": "Lead a review", "target_date": target}
    )
    assert response.status_code == 201
    goal = Goal.objects.get(title="Lead a review")
    response = post(client, base + f"goals/{goal.pk}/check-ins/", {"progress": 100})
    assert response.status_code == 200
    assert response.json()["status"] == "achieved"
    # A meeting in the past: the service refuses, in its words.
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = post(client, base + "meetings/", {"title": "Late", "starts_at": past})
    assert response.status_code == 400
    assert error_of(response)["code"] == "past"
    assert not Meeting.objects.filter(title="Late").exists()


def test_someone_elses_relationship_does_not_exist(world):
    client = bearer(world.users[EMPLOYEE])
    base = API + f"me/relationships/{world.relationship.pk}/"
    for suffix in ("", "messages/", "goals/", "meetings/", "feedback/"):
        response = client.get(base + suffix)
        assert response.status_code == 404, suffix
        assert "SECRET" not in response.content.decode()
    response = post(client, base + "messages/", {"body": "HACKED"})
    assert response.status_code == 404
    assert not Message.objects.filter(body="HACKED").exists()


def test_program_admin_decides_and_another_admin_cannot(world):
    pending = world.pending_application
    other = bearer(world.users[OTHER_ADMIN], "api:admin")
    url = API + f"admin/applications/{pending.pk}/decide/"
    assert post(other, url, {"decision": "approve"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.PENDING
    admin = bearer(world.users[ADMIN], "api:admin")
    response = post(admin, url, {"decision": "approve", "note": "Welcome"})
    assert response.status_code == 200, response.content
    pending.refresh_from_db()
    assert pending.status == EnrollmentStatus.APPROVED
    assert pending.decided_by == world.users[ADMIN]
    again = post(admin, url, {"decision": "decline"})
    assert again.status_code == 400
    assert error_of(again)["code"] == "not_pending"


def test_admin_proposal_and_run_endpoints(world):
    admin = bearer(world.users[ADMIN], "api:admin")
    proposals = admin.get(API + f"admin/programs/{world.program.pk}/proposals/")
    assert proposals.status_code == 200
    assert proposals.json()["count"] >= 1
    response = post(
        admin, API + f"admin/proposals/{world.proposal.pk}/decide/", {"action": "lock"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "locked"
    run = admin.get(API + f"admin/runs/{world.run.pk}/")
    assert run.status_code == 200 and run.json()["status"] == world.run.status
    report = admin.get(API + "admin/reports/programs/?days=30")
    assert report.status_code == 200
    assert world.program.pk in {row["program"] for row in report.json()}
    other = bearer(world.users[OTHER_ADMIN], "api:admin")
    assert other.get(API + f"admin/runs/{world.run.pk}/").status_code == 404


# --- Bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"body": 42}, "body"),
        ({"body": "Hi", "sender": "someone else"}, "sender"),
        ({}, "body"),
        (["not", "an", "object"], None),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(world, body, field):
    client = bearer(world.users[MENTEE])
    url = API + f"me/relationships/{world.relationship.pk}/messages/"
    before = Message.objects.count()
    response = post(client, url, body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["message"]
    if field:
        assert field in error["fields"]
    assert Message.objects.count() == before


def test_wrong_types_are_refused(world):
    client = bearer(world.users[MENTEE])
    base = API + f"me/relationships/{world.relationship.pk}/"
    response = post(client, base + "goals/", {"title": "x", "target_date": "soon"})
    assert response.status_code == 400
    assert "target_date" in error_of(response)["fields"]
    response = post(client, base + "meetings/", {"title": ["x"], "starts_at": 5})
    assert set(error_of(response)["fields"]) >= {"title", "starts_at"}
    broken = client.post(
        base + "messages/", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and error_of(broken)["code"] == "parse_error"


def test_an_oversized_body_is_refused_unread(world):
    client = bearer(world.users[MENTEE])
    url = API + f"me/relationships/{world.relationship.pk}/messages/"
    before = Message.objects.count()
    response = post(client, url, {"body": "x" * (MAX_BODY_BYTES + 1)})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert Message.objects.count() == before


# --- Lists: paginated, filtered, in a constant number of queries -----------------


def test_lists_paginate_and_filter(world):
    client = bearer(world.users[ADMIN], "api:admin")
    response = client.get(API + "programs/?page_size=2")
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2 and body["next"]
    kinds = client.get(API + "programs/?kind=sponsorship").json()["results"]
    assert kinds and {p["kind"] for p in kinds} == {"sponsorship"}
    pending = client.get(API + "admin/applications/?status=pending").json()["results"]
    assert pending and {a["status"] for a in pending} == {"pending"}
    bad = client.get(API + "programs/?kind=nonsense")
    assert bad.status_code == 400 and "kind" in error_of(bad)["fields"]


@pytest.mark.parametrize(
    "path, role, scope",
    [
        ("programs/", MENTEE, "api"),
        ("me/applications/", MENTEE, "api"),
        ("me/relationships/", MENTEE, "api"),
        ("me/relationships/{rel}/meetings/", MENTEE, "api"),
        ("me/relationships/{rel}/messages/", MENTEE, "api"),
        ("me/relationships/{rel}/goals/", MENTEE, "api"),
        ("me/relationships/{rel}/feedback/", MENTEE, "api"),
        ("spaces/", MENTEE, "api"),
        ("spaces/{space}/threads/", MENTEE, "api"),
        ("admin/applications/", ADMIN, "api:admin"),
        ("admin/programs/{program}/proposals/", ADMIN, "api:admin"),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    world, path, role, scope, django_assert_max_num_queries
):
    from tests.factories import make_enrollment

    user = world.users[role]
    client = bearer(user, scope)
    url = API + path.format(
        rel=world.relationship.pk, space=world.space.pk, program=world.program.pk
    )
    client.get(url)  # warm caches (content types, site)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    # More rows of every kind the lists show.
    for i in range(4):
        someone = make_user(f"extra{i}")
        make_enrollment(someone, world.program)
        Message.objects.create(relationship=world.relationship, author=user, body="x")
        Meeting.objects.create(
            relationship=world.relationship,
            title=f"m{i}",
            starts_at=timezone.now() + timedelta(days=i + 1),
            created_by=user,
        )
        Goal.objects.create(
            relationship=world.relationship,
            owner=user,
            title=f"g{i}",
            target_date=timezone.localdate() + timedelta(days=9),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


# --- Schema ---------------------------------------------------------------------


def test_schema_is_openapi_31_of_the_package_only(world):
    response = Client().get(API + "schema/?format=json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": API.rstrip("/")}]
    assert all(not p.startswith(("/admin/pages", "/mentoring")) for p in doc["paths"])
    assert "/me/relationships/{id}/messages/" in doc["paths"]
    assert {"bearerAuth", "cookieAuth"} <= set(doc["components"]["securitySchemes"])


def test_interactive_page_uses_local_static_files():
    response = Client().get(API + "docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "unpkg" not in html
    # Nothing inline: a strict Content-Security-Policy serves it whole.
    assert "<style" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    script = Client().get(API + "docs/?script=").content.decode()
    assert reverse("wm_api:schema") in script


# --- The admin's API tokens screen ----------------------------------------------


def test_the_admin_screen_shows_a_new_token_once(world):
    client = Client()
    admin = world.users[ADMIN]
    client.force_login(admin)
    response = client.post(
        reverse("wm_api_tokens:add"),
        {"name": "Dashboard", "scope": "api:admin", "days": "30"},
    )
    assert response.status_code == 200
    token = PersonalAccessToken.objects.get(user=admin, name="Dashboard")
    secret = response.context["new"].secret
    assert secret in response.content.decode()
    assert tokens.digest_of(secret) == token.digest
    listing = client.get(reverse("wm_api_tokens:index")).content.decode()
    assert f"wmt_{token.prefix}_" in listing and secret not in listing
    response = client.post(reverse("wm_api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_an_editor_finds_tokens_in_the_account_menu_not_a_mentoring_menu(client):
    editor = make_user("ed-the-editor", admin_access=True)
    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert '"Mentoring"' not in home  # no mentoring work, no mentoring menu
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert reverse("wm_api_tokens:index") in account
    tokens.create_token(editor, editor, name="Script", scope="api")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert '"API tokens"' in home  # holding a token puts the screen in the menu


def test_the_admin_screen_offers_only_scopes_one_may_hold(world):
    client = Client()
    client.force_login(world.users[ADMIN])
    response = client.post(
        reverse("wm_api_tokens:add"), {"name": "x", "scope": "scim", "days": "30"}
    )
    assert response.status_code == 400
    assert not PersonalAccessToken.objects.filter(name="x").exists()


def test_numbers_no_database_holds_are_refused_not_crashed(world):
    client = bearer(world.users[ADMIN], "api:admin")
    huge = "9" * 30
    for url in (
        API + f"admin/applications/?program={huge}",
        API + f"programs/?page={huge}",
        API + f"spaces/{huge}/threads/",
    ):
        response = client.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
        error_of(response)
    response = post(
        client, API + "me/applications/", {"program": int(huge), "role": "mentee"}
    )
    assert response.status_code == 400 and "program" in error_of(response)["fields"]


def test_instants_are_compared_in_utc_whatever_offset_they_carry(world):
    # ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59), and a
    # year-1 instant can leave the calendar once shifted to UTC.
    client = bearer(world.users[PARTNER])
    meetings = API + f"me/relationships/{world.relationship.pk}/meetings/"
    response = client.get(meetings, {"starts_before": "0103-10-12T12:11:44-16:10"})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
    response = client.get(meetings, {"starts_after": "2000-01-01T00:00:00+23:59"})
    assert response.status_code == 200
    response = client.get(meetings, {"starts_before": "0001-01-01T00:00:00+16:10"})
    assert response.status_code == 400
    assert "starts_before" in error_of(response)["fields"]
