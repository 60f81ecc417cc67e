"""The LTI 1.3 tool against a real platform (tests/lti_platform.py).

Every launch goes through the tool's real URLs: OIDC login initiation, the
platform's signed id_token, the launch, the hand-off to a first-party window,
and the page. Every refusal is a 403 page that says why, and writes no link,
no user and no deployment.
"""

from __future__ import annotations

import time
from io import StringIO

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from lti_tool.models import Key, LtiDeployment, LtiRegistration, LtiUser

from tests.factories import make_user
from tests.journey_data import STEP_REFLECT, make_journey
from tests.lti_platform import INSTRUCTOR, Platform, new_key
from tests.lti_platform import LEARNER as LEARNER_ROLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(db):
    cache.clear()
    platform = Platform()
    platform.register()
    yield platform
    platform.stop()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def _continue(client, response):
    """Follow the 'open in a window' link of a framed launch."""
    assert response.status_code == 200, response.content.decode()
    url = response.context["continue_url"]
    return client.get(url)


def test_add_platform_prints_the_tool_configuration(db):
    platform = Platform()
    try:
        out = platform.register()
    finally:
        platform.stop()
    assert "OIDC login initiation URL: http://testserver/lti/login/" in out
    assert "Launch (redirect) URL: http://testserver/lti/launch/" in out
    assert "Deep linking URL: http://testserver/lti/launch/" in out
    assert "Public JWKS URL: http://testserver/lti/jwks/" in out
    registration = LtiRegistration.objects.get(issuer=platform.issuer)
    assert registration.deployments.get().is_active
    assert Key.objects.active().count() == 1


def test_add_platform_refuses_a_bad_url(db):
    with pytest.raises(Exception, match="--keyset-url"):
        call_command(
            "mentoring_lti", "add-platform", "--issuer=https://lms.example",
            "--client-id=c", "--deployment-id=d", "--auth-url=https://lms.example/a",
            "--token-url=https://lms.example/t", "--keyset-url=not a url",
            stdout=StringIO(),
        )  # fmt: skip
    assert not LtiRegistration.objects.exists()


def test_launch_of_a_linked_learner_lands_on_the_program(platform, client, program):
    person = make_user("lee")
    response = platform.launch(client, custom={"page_id": str(program.pk)})
    assert response.status_code == 200
    # Only the platform may frame the tool's launch page.
    assert response["Content-Security-Policy"] == f"frame-ancestors {platform.issuer}"
    assert "X-Frame-Options" not in response
    LtiUser.objects.filter(sub="learner-1").update(auth_user=person)
    response = platform.launch(client, custom={"page_id": str(program.pk)})
    landed = _continue(client, response)
    assert landed.status_code == 302 and landed["Location"] == program.url
    page = client.get(program.url)
    assert page.status_code == 200 and program.title in page.content.decode()
    assert page.wsgi_request.user == person
    # The page itself keeps the host's framing rules.
    assert page.get("X-Frame-Options") == "DENY"


def test_an_unlinked_learner_signs_in_once_then_is_linked(platform, client, hub):
    journey = make_journey(hub)
    person = make_user("robin")
    custom = {"page_id": str(journey.pk), "step": STEP_REFLECT}
    landed = _continue(client, platform.launch(client, custom=custom))
    assert landed.status_code == 302
    assert landed["Location"] == "/accounts/login/?next=%2Flti%2Flink%2F"
    assert not LtiUser.objects.filter(auth_user__isnull=False).exists()
    client.force_login(person)
    assert client.get("/lti/link/").status_code == 200
    assert not LtiUser.objects.filter(auth_user__isnull=False).exists()
    linked = client.post("/lti/link/")
    assert linked["Location"] == f"{journey.url}steps/{STEP_REFLECT}/"
    assert LtiUser.objects.get(sub="learner-1").auth_user == person
    # Next time, in a fresh browser, no sign-in.
    fresh = Client()
    landed = _continue(fresh, platform.launch(fresh, custom=custom))
    assert landed["Location"] == f"{journey.url}steps/{STEP_REFLECT}/"
    assert fresh.get(landed["Location"]).wsgi_request.user == person


def test_link_by_email_only_when_the_site_allows(platform, client, program, settings):
    User = get_user_model()
    person = make_user("sam")
    email = getattr(person, User.get_email_field_name())
    custom = {"page_id": str(program.pk)}
    landed = _continue(client, platform.launch(client, custom=custom, email=email))
    assert "/accounts/login/" in landed["Location"]
    settings.WAGTAIL_MENTORING_LTI = {"LINK_BY_EMAIL": True}
    fresh = Client()
    landed = _continue(fresh, platform.launch(fresh, custom=custom, email=email))
    assert landed["Location"] == program.url
    assert LtiUser.objects.get(sub="learner-1").auth_user == person


def test_no_account_is_created_unless_the_site_says_so(
    platform, client, program, settings
):
    User = get_user_model()
    before = User.objects.count()
    custom = {"page_id": str(program.pk)}
    _continue(client, platform.launch(client, custom=custom, email="new@lms.example"))
    assert User.objects.count() == before
    settings.WAGTAIL_MENTORING_LTI = {"CREATE_USERS": True}
    fresh = Client()
    landed = _continue(
        fresh, platform.launch(fresh, custom=custom, email="new@lms.example")
    )
    assert landed["Location"] == program.url
    assert User.objects.count() == before + 1
    assert not LtiUser.objects.get(sub="learner-1").auth_user.has_usable_password()


def test_the_hand_off_link_works_once(platform, client, program):
    response = platform.launch(client, custom={"page_id": str(program.pk)})
    url = response.context["continue_url"]
    assert client.get(url).status_code == 302
    again = client.get(url)
    assert again.status_code == 403
    assert "already used" in again.content.decode()


def _refused(response, words):
    body = response.content.decode()
    assert response.status_code == 403, body
    assert words in body, body
    assert "/accounts/login/" not in response.get("Location", "")


def _nothing_written():
    assert not LtiUser.objects.exists()


def test_a_token_signed_by_another_key_is_refused(platform, client, program):
    other_key, _ = new_key()
    _, auth = platform.login(client)
    token = platform.id_token(auth, key=other_key, custom={"page_id": str(program.pk)})
    _refused(platform.post_launch(client, auth, token), "not signed by the registered")
    _nothing_written()


def test_a_token_for_another_tool_is_refused(platform, client, program):
    _, auth = platform.login(client)
    token = platform.id_token(auth, aud="another-tool")
    _refused(platform.post_launch(client, auth, token), "another tool")
    # Several audiences need azp naming this tool.
    _, auth = platform.login(client)
    token = platform.id_token(auth, aud=[platform.client_id, "another-tool"])
    _refused(platform.post_launch(client, auth, token), "another tool")
    _nothing_written()


def test_an_expired_token_is_refused(platform, client, program):
    _, auth = platform.login(client)
    now = int(time.time())
    token = platform.id_token(auth, exp=now - 120, iat=now - 600)
    _refused(platform.post_launch(client, auth, token), "expired")
    _nothing_written()


def test_a_replayed_launch_is_refused(platform, client, program):
    custom = {"page_id": str(program.pk)}
    _, auth = platform.login(client)
    token = platform.id_token(auth, custom=custom)
    assert platform.post_launch(client, auth, token).status_code == 200
    # The same post again: its state was spent.
    _refused(platform.post_launch(client, auth, token), "already used")
    # The same token with a fresh state: its nonce was spent.
    _, fresh_auth = platform.login(client)
    replay = platform.post_launch(client, fresh_auth, token)
    _refused(replay, "already used once")


def test_an_unknown_deployment_is_refused_and_not_created(platform, client, program):
    _, auth = platform.login(client)
    token = platform.id_token(
        auth, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-x"}
    )
    _refused(platform.post_launch(client, auth, token), "deployment")
    assert not LtiDeployment.objects.filter(deployment_id="dep-x").exists()
    _nothing_written()


def test_an_unknown_platform_is_refused_at_login_and_launch(platform, client, program):
    response, auth = platform.login(client, iss="https://unknown.example")
    assert auth is None
    _refused(response, "not registered")
    _, auth = platform.login(client)
    token = platform.id_token(auth, iss="https://unknown.example")
    _refused(platform.post_launch(client, auth, token), "not registered")
    _nothing_written()


def test_a_launch_without_login_or_parameters_is_refused(platform, client):
    _refused(client.post("/lti/launch/", {}), "malformed")
    _refused(client.post("/lti/login/", {}), "parameters")
    _, auth = platform.login(client)
    token = platform.id_token(auth)
    _refused(platform.post_launch(client, auth, token, state="made-up"), "not started")


def test_a_link_to_nothing_placeable_is_refused(platform, client, program):
    program.unpublish()
    response = platform.launch(client, custom={"page_id": str(program.pk)})
    _refused(response, "does not say which")


def test_deep_linking_returns_a_signed_placement(platform, client, program, hub):
    journey = make_journey(hub)
    _, auth = platform.login(client)
    token = platform.id_token(
        auth, message_type="LtiDeepLinkingRequest", roles=(INSTRUCTOR,)
    )
    chooser = platform.post_launch(client, auth, token)
    body = chooser.content.decode()
    assert chooser.status_code == 200, body
    assert program.title in body and journey.title in body
    response = client.post(
        "/lti/deep-link/",
        {"token": chooser.context["token"], "target": f"{journey.pk}:{STEP_REFLECT}"},
    )
    assert response.status_code == 200
    assert response.context["return_url"] == f"{platform.issuer}/deep-link-return"
    returned = response.context["jwt"]
    tool_jwks = client.get("/lti/jwks/").json()
    claims = platform.verify_tool_jwt(returned, tool_jwks)
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["custom"] == {"page_id": str(journey.pk), "step": STEP_REFLECT}
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == (
        "opaque-platform-data"
    )
    # A tampered return (another page) fails the platform's verification.
    header, payload, signature = returned.split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(
            str(journey.pk).encode(), str(program.pk).encode()
        )
    ).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        platform.verify_tool_jwt(f"{header}.{forged}.{signature}", tool_jwks)
    # The placement is chosen once.
    token = chooser.context["token"]
    again = client.post("/lti/deep-link/", {"token": token, "target": f"{program.pk}:"})
    assert again.status_code == 403


def test_only_instructors_choose_placements(platform, client, program):
    _, auth = platform.login(client)
    token = platform.id_token(auth, message_type="LtiDeepLinkingRequest")
    _refused(platform.post_launch(client, auth, token), "instructors")


def test_key_rotation_keeps_the_old_key_published_for_the_grace(db):
    from datetime import timedelta

    from django.utils import timezone

    from wagtail_mentoring.contrib.lti.keys import ensure_key, rotate_key

    old = ensure_key()
    new, retired = rotate_key(grace_days=7)
    assert retired == 0
    kids = {k["kid"] for k in Client().get("/lti/jwks/").json()["keys"]}
    assert kids == {str(old), str(new)}
    _, retired = rotate_key(grace_days=7, now=timezone.now() + timedelta(days=8))
    assert retired == 2  # the first and the second are both past the grace now
    assert Key.objects.active().count() == 1


# --- Assignment and Grade Services ---------------------------------------------

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _placed_journey_with_a_pair(platform, client, hub, program):
    from tests.engagement_helpers import pair
    from tests.journey_data import step

    journey = make_journey(
        hub, [step("read", "Read the guide", completion="check")], slug="graded"
    )
    program.journey = journey
    program.save()
    learner = make_user("gale")
    relationship = pair(program, mentee_user=learner)
    LtiUser.objects.all().delete()
    platform.tool_jwks = client.get("/lti/jwks/").json()
    lineitem = f"{platform.issuer}/courses/1/lineitems/7"
    ags = {"scope": [SCORE_SCOPE], "lineitem": lineitem}
    _continue(
        client,
        platform.launch(client, custom={"page_id": str(journey.pk)}, **{AGS: ags}),
    )
    LtiUser.objects.filter(sub="learner-1").update(auth_user=learner)
    return journey, relationship, learner


def test_journey_completion_posts_one_score_to_the_gradebook(
    platform, client, hub, program, on_commit_now
):
    from wagtail_mentoring.contrib.lti.models import CourseGrade, GradeStatus
    from wagtail_mentoring.journeys import services

    journey, relationship, learner = _placed_journey_with_a_pair(
        platform, client, hub, program
    )
    grade = CourseGrade.objects.get()
    assert grade.status == GradeStatus.WAITING and not platform.scores
    for member in relationship.members.all():
        services.complete_step(relationship, member.user, journey, "read")
    grade.refresh_from_db()
    assert grade.status == GradeStatus.SENT
    (posted,) = platform.scores["/courses/1/lineitems/7/scores"]
    assert posted["userId"] == "learner-1"
    assert (posted["scoreGiven"], posted["scoreMaximum"]) == (1.0, 1.0)
    assert posted["activityProgress"] == "Completed"
    # The token came from a client assertion the platform verified.
    assert platform.token_requests[0]["scope"] == SCORE_SCOPE
    # Launching again, re-saving the progress: never a second score.
    _continue(
        client,
        platform.launch(
            client,
            custom={"page_id": str(journey.pk)},
            **{AGS: {"scope": [SCORE_SCOPE], "lineitem": grade.lineitem_url}},
        ),
    )
    services.refresh_journey_progress(relationship, journey)
    assert len(platform.scores["/courses/1/lineitems/7/scores"]) == 1
    assert CourseGrade.objects.count() == 1


def test_a_failing_gradebook_is_retried_by_celery_until_it_takes_the_score(
    platform, client, hub, program
):
    from wagtail_mentoring.contrib.lti.models import CourseGrade, GradeStatus
    from wagtail_mentoring.contrib.lti.tasks import post_course_grade

    _placed_journey_with_a_pair(platform, client, hub, program)
    grade = CourseGrade.objects.get()
    platform.fail_scores = 2
    # Celery runs the task and its retries here, in order (eager), as a
    # worker would; a retry that raised would end the chain.
    conf = post_course_grade.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:
        post_course_grade.apply(args=[grade.pk])
    finally:
        conf.task_eager_propagates = propagates
    grade.refresh_from_db()
    assert grade.status == GradeStatus.SENT and grade.attempts == 3
    assert len(platform.scores["/courses/1/lineitems/7/scores"]) == 1
    post_course_grade.apply(args=[grade.pk])
    assert len(platform.scores["/courses/1/lineitems/7/scores"]) == 1


# --- Instructors: the course report, members from NRPS ------------------------

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def test_an_instructor_sees_the_course_learners_part_and_fetches_members(
    platform, client, program
):
    from tests.factories import make_enrollment

    learner, teacher, outsider = make_user("lee"), make_user("tess"), make_user("oz")
    make_enrollment(learner, program, "mentee")
    custom = {"page_id": str(program.pk)}
    nrps = {"context_memberships_url": f"{platform.issuer}/nrps",
            "service_versions": ["2.0"]}  # fmt: skip
    platform.launch(Client(), custom=custom)
    LtiUser.objects.filter(sub="learner-1").update(auth_user=learner)
    launch = platform.launch(
        client, custom=custom, sub="teacher-1", name="Tess Teacher",
        roles=(INSTRUCTOR,), **{NRPS: nrps},
    )  # fmt: skip
    LtiUser.objects.filter(sub="teacher-1").update(auth_user=teacher)
    # The learner's launch page has no report link; the instructor's has one.
    assert launch.context["report_url"]
    launch = platform.launch(
        client, custom=custom, sub="teacher-1", roles=(INSTRUCTOR,), **{NRPS: nrps}
    )
    landed = client.get(launch.context["report_url"])
    report_url = landed["Location"]
    report = client.get(report_url)
    body = report.content.decode()
    assert report.status_code == 200
    assert "Lee Learner" in body and program.title in body
    assert "Tess Teacher" not in body  # instructors are not listed as learners
    # Someone who does not teach this course: not found.
    other = Client()
    other.force_login(outsider)
    assert other.get(report_url).status_code == 404
    assert other.post(report_url).status_code == 404
    # Members from the platform's roster (NRPS), with a token the tool asked for.
    platform.tool_jwks = client.get("/lti/jwks/").json()
    platform.members = [
        {"user_id": "learner-1", "roles": [LEARNER_ROLE], "status": "Active",
         "name": "Lee Learner"},
        {"user_id": "learner-2", "roles": [LEARNER_ROLE], "status": "Active",
         "name": "Max Newcomer"},
    ]  # fmt: skip
    assert client.post(report_url).status_code == 302
    body = client.get(report_url).content.decode()
    assert "Max Newcomer" in body and "has not opened the intranet yet" in body
    assert LtiUser.objects.filter(sub="learner-2", auth_user=None).exists()


def test_a_state_started_for_one_platform_does_not_carry_another(platform, client):
    other = Platform(client_id="other-tool", deployment_id="dep-9")
    try:
        other.register()
        _, auth = platform.login(client)
        # The other (registered) platform signs a token for the first's login.
        token = other.id_token(
            {**auth, "client_id": "other-tool"}, custom={"page_id": "1"}
        )
        _refused(other.post_launch(client, auth, token), "not started")
    finally:
        other.stop()


def test_an_instructor_who_runs_the_program_enrols_the_course_once(
    platform, client, program
):
    from wagtail_mentoring.programs.models import Enrollment

    learner, teacher = make_user("lee"), make_user("tess")
    custom = {"page_id": str(program.pk)}
    platform.launch(Client(), custom=custom)
    LtiUser.objects.filter(sub="learner-1").update(auth_user=learner)
    launch = platform.launch(
        client, custom=custom, sub="teacher-1", roles=(INSTRUCTOR,)
    )
    LtiUser.objects.filter(sub="teacher-1").update(auth_user=teacher)
    launch = platform.launch(
        client, custom=custom, sub="teacher-1", roles=(INSTRUCTOR,)
    )
    report_url = client.get(launch.context["report_url"])["Location"]
    form = {"destination": f"p:{program.pk}", "role": "mentee"}
    # Teaching the course is not running the program: refused, nothing written.
    client.post(report_url, {**form, "action": "enrol"})
    assert not Enrollment.objects.exists()
    teacher.groups.add(program.admin_group)
    preview = client.post(report_url, {**form, "action": "preview"})
    assert preview.status_code == 200
    assert "Lee" in preview.content.decode()
    assert not Enrollment.objects.exists()
    client.post(report_url, {**form, "action": "enrol"})
    enrollment = Enrollment.objects.get()
    assert (enrollment.user, enrollment.role) == (learner, "mentee")
    # Again: no duplicate.
    client.post(report_url, {**form, "action": "enrol"})
    assert Enrollment.objects.count() == 1
