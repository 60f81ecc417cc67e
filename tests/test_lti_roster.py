"""A course's roster into a program or a cohort, instructors' reports, and the
gradebook's retry sweep, against the real platform harness (tests/lti_platform.py).
"""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from lti_tool.models import LtiUser

from tests.factories import make_enrollment, make_user
from tests.lti_platform import INSTRUCTOR, LEARNER, Platform
from tests.test_lti import _continue, _placed_journey_with_a_pair

pytestmark = pytest.mark.django_db

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@pytest.fixture
def platform(db):
    cache.clear()
    platform = Platform()
    platform.register()
    yield platform
    platform.stop()


def _email(user) -> str:
    return getattr(user, get_user_model().get_email_field_name())


def _member(sub, name, email=""):
    member = {"user_id": sub, "roles": [LEARNER], "status": "Active", "name": name}
    if email:
        member["email"] = email
    return member


def _course_with_teacher(platform, program, teacher):
    """The program placed in the course; the teacher's report URL."""
    client = Client()
    custom = {"page_id": str(program.pk)}
    nrps = {"context_memberships_url": f"{platform.issuer}/nrps",
            "service_versions": ["2.0"]}  # fmt: skip
    platform.launch(client, custom=custom, sub="teacher-1", roles=(INSTRUCTOR,),
                    **{NRPS: nrps})  # fmt: skip
    LtiUser.objects.filter(sub="teacher-1").update(auth_user=teacher)
    launch = platform.launch(
        client, custom=custom, sub="teacher-1", roles=(INSTRUCTOR,), **{NRPS: nrps}
    )
    report_url = client.get(launch.context["report_url"])["Location"]
    platform.tool_jwks = client.get("/lti/jwks/").json()
    return client, report_url


def test_the_roster_goes_into_a_cohort_once_and_newcomers_on_first_launch(
    platform, program, settings
):
    from wagtail_mentoring.contrib.lti.models import PendingEnrolment
    from wagtail_mentoring.programs.models import Cohort, Enrollment

    settings.WAGTAIL_MENTORING_LTI = {"LINK_BY_EMAIL": True}
    teacher = make_user("tess")
    teacher.groups.add(program.admin_group)
    lee, max_, ola = make_user("lee"), make_user("max"), make_user("ola")
    spring = Cohort.objects.create(
        program=program, name="Spring", starts_on=datetime.date(2030, 3, 1)
    )
    autumn = Cohort.objects.create(
        program=program, name="Autumn", starts_on=datetime.date(2030, 9, 1)
    )
    make_enrollment(ola, program, "mentee")
    client, report_url = _course_with_teacher(platform, program, teacher)
    platform.members = [
        _member("learner-1", "Lee Linked"),
        _member("learner-2", "Max Byemail", _email(max_)),
        _member("learner-3", "Nia Newcomer", "nia@elsewhere.example"),
        _member("learner-4", "Ola Already"),
    ]
    assert client.post(report_url).status_code == 302  # fetch the roster (NRPS)
    LtiUser.objects.filter(sub="learner-1").update(auth_user=lee)
    LtiUser.objects.filter(sub="learner-4").update(auth_user=ola)
    report = client.get(report_url).content.decode()
    # The destinations: the program, and each of its cohorts.
    assert f'value="c:{autumn.pk}"' in report and f'value="c:{spring.pk}"' in report
    form = {"destination": f"c:{autumn.pk}", "role": "mentee"}

    preview = client.post(report_url, {**form, "action": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Autumn" in body
    will, rest = body.split("Will be enrolled", 1)[1].split("Already taking part", 1)
    assert "Lee" in will and "Max" in will and "Ola" not in will
    assert "Ola" in rest.split("Not linked yet", 1)[0]
    assert "Nia Newcomer" in rest.split("Not linked yet", 1)[1]
    # A preview writes nothing: no enrolment, no link, nothing pending.
    assert Enrollment.objects.count() == 1
    assert not LtiUser.objects.filter(sub="learner-2", auth_user__isnull=False).exists()
    assert not PendingEnrolment.objects.exists()

    client.post(report_url, {**form, "action": "enrol"})
    enrolled = Enrollment.objects.filter(cohort=autumn, role="mentee")
    assert set(enrolled.values_list("user", flat=True)) == {lee.pk, max_.pk}
    assert Enrollment.objects.get(user=ola).cohort_id != autumn.pk  # left as is
    assert LtiUser.objects.get(sub="learner-2").auth_user == max_
    (pending,) = PendingEnrolment.objects.all()
    assert pending.lti_user.sub == "learner-3" and pending.cohort == autumn

    # Again: nobody twice, nothing pending twice.
    client.post(report_url, {**form, "action": "enrol"})
    assert Enrollment.objects.count() == 3
    assert PendingEnrolment.objects.count() == 1

    # The newcomer launches for the first time and signs in once: enrolled.
    nia = make_user("nia")
    learner = Client()
    landed = _continue(
        learner,
        platform.launch(learner, sub="learner-3", custom={"page_id": str(program.pk)}),
    )
    assert "/accounts/login/" in landed["Location"]
    assert not Enrollment.objects.filter(user=nia).exists()
    learner.force_login(nia)
    learner.post("/lti/link/")
    enrollment = Enrollment.objects.get(user=nia)
    assert (enrollment.cohort, enrollment.role) == (autumn, "mentee")
    assert enrollment.status == "approved"
    assert not PendingEnrolment.objects.exists()
    _continue(
        learner,
        platform.launch(learner, sub="learner-3", custom={"page_id": str(program.pk)}),
    )
    assert Enrollment.objects.filter(user=nia).count() == 1


def test_without_email_linking_the_roster_waits_for_first_launches(
    platform, program, settings
):
    from wagtail_mentoring.contrib.lti.models import PendingEnrolment
    from wagtail_mentoring.programs.models import Enrollment

    teacher, max_ = make_user("tess"), make_user("max")
    client, report_url = _course_with_teacher(platform, program, teacher)
    platform.members = [_member("learner-2", "Max Byemail", _email(max_))]
    client.post(report_url)
    form = {"destination": f"p:{program.pk}", "role": "mentee"}
    # Teaching the course is not running the program: no destination, refused.
    assert f'value="p:{program.pk}"' not in client.get(report_url).content.decode()
    client.post(report_url, {**form, "action": "enrol"})
    assert not PendingEnrolment.objects.exists()
    teacher.groups.add(program.admin_group)
    preview = client.post(report_url, {**form, "action": "preview"}).content.decode()
    assert "Max Byemail" in preview.split("Not linked yet", 1)[1]
    client.post(report_url, {**form, "action": "enrol"})
    assert not Enrollment.objects.exists()
    assert LtiUser.objects.get(sub="learner-2").auth_user is None
    assert PendingEnrolment.objects.get().requested_by == teacher
    # The teacher stops running the program before Max launches: the pending
    # enrolment was in their name, so it is not done (and is dropped).
    teacher.groups.remove(program.admin_group)
    settings.WAGTAIL_MENTORING_LTI = {"LINK_BY_EMAIL": True}
    learner = Client()
    landed = _continue(
        learner,
        platform.launch(
            learner,
            sub="learner-2",
            email=_email(max_),
            custom={"page_id": str(program.pk)},
        ),
    )
    assert landed["Location"] == program.url
    assert not Enrollment.objects.exists()
    assert not PendingEnrolment.objects.exists()


def test_an_instructor_sees_the_journey_report_of_the_course_learners_only(
    platform, hub, program
):
    from tests.engagement_helpers import pair
    from tests.journey_data import make_journey
    from wagtail_mentoring.journeys.report import program_funnel
    from wagtail_mentoring.permissions import report_scope

    journey = make_journey(hub, slug="course-journey")
    program.journey = journey
    program.save()
    lee, outsider = make_user("lee"), make_user("oz")
    pair(program, mentee_user=lee)
    pair(program, mentee_user=outsider)
    teacher, admin = make_user("tess"), make_user("ada")
    admin.groups.add(program.admin_group)
    # Nobody teaching the program's course yet: the teacher sees nothing.
    assert report_scope(teacher, program) is None
    client, report_url = _course_with_teacher(platform, program, teacher)
    learner = Client()
    platform.launch(learner, custom={"page_id": str(program.pk)})
    LtiUser.objects.filter(sub="learner-1").update(auth_user=lee)

    scope = report_scope(teacher, program)
    assert scope.people == frozenset({lee.pk})
    assert report_scope(admin, program).people is None  # its admins: everyone
    assert report_scope(lee, program) is None  # a learner is no instructor
    assert report_scope(outsider, program) is None
    assert [row.pairs for row in program_funnel(program, scope.people)] == [1, 1, 1]
    assert [row.pairs for row in program_funnel(program)] == [2, 2, 2]
    body = client.get(report_url).content.decode()
    assert "journey progress of the course" in body
    # The instructor's course report counts the course's pair only.
    table = body.split("journey progress of the course", 1)[1]
    assert "<td>1</td>" in table and "<td>2</td>" not in table
    # A person who left is in no report, instructors' included.
    get_user_model().objects.filter(pk=lee.pk).update(is_active=False)
    assert report_scope(teacher, program).people == frozenset()


def test_failed_grade_posts_are_sent_by_the_periodic_sweep_once(
    platform, hub, program, on_commit_now
):
    from wagtail_mentoring.contrib.lti.models import CourseGrade, GradeStatus
    from wagtail_mentoring.contrib.lti.tasks import retry_course_grades
    from wagtail_mentoring.journeys import services
    from wagtail_mentoring.tasks import PERIODIC_JOBS, beat_schedule

    assert PERIODIC_JOBS["lti-grade-retries"][0] is retry_course_grades
    assert retry_course_grades.name in {e["task"] for e in beat_schedule().values()}
    client = Client()
    journey, relationship, _learner = _placed_journey_with_a_pair(
        platform, client, hub, program
    )
    platform.fail_scores = 1
    for member in relationship.members.all():
        services.complete_step(relationship, member.user, journey, "read")
    grade = CourseGrade.objects.get()
    assert grade.status == GradeStatus.FAILED and grade.attempts == 1
    assert not platform.scores
    # Too soon after the failure (a worker may still be retrying it): left.
    assert retry_course_grades() == 0
    CourseGrade.objects.update(attempted_at=timezone.now() - timedelta(minutes=31))
    assert retry_course_grades() == 1
    grade.refresh_from_db()
    assert grade.status == GradeStatus.SENT and grade.attempts == 2
    assert len(platform.scores["/courses/1/lineitems/7/scores"]) == 1
    CourseGrade.objects.update(attempted_at=timezone.now() - timedelta(hours=2))
    assert retry_course_grades() == 0
    assert len(platform.scores["/courses/1/lineitems/7/scores"]) == 1


def test_a_requested_enrolment_is_in_the_requester_s_export_and_goes_with_them(
    platform, program
):
    from lti_tool.models import LtiContext

    from wagtail_mentoring.contrib.lti.models import PendingEnrolment
    from wagtail_mentoring.privacy.services import (
        erase_personal_data,
        export_personal_data,
    )

    admin, hr = make_user("ada"), make_user("hr", superuser=True)
    platform.launch(Client(), custom={"page_id": str(program.pk)})
    PendingEnrolment.objects.create(
        lti_user=LtiUser.objects.get(sub="learner-1"),
        context=LtiContext.objects.get(),
        program=program,
        role="mentee",
        requested_by=admin,
    )
    exported = export_personal_data(admin, admin)
    (row,) = exported["lti_enrolments_requested"]
    assert (row["program"], row["role"]) == (program.title, "mentee")
    assert export_personal_data(hr, hr)["lti_enrolments_requested"] == []
    erase_personal_data(admin, hr)
    assert not PendingEnrolment.objects.exists()


def test_the_preview_costs_as_many_queries_however_large_the_roster(
    platform, program, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from lti_tool.models import LtiContext, LtiMembership

    from wagtail_mentoring.contrib.lti import roster

    settings.WAGTAIL_MENTORING_LTI = {"LINK_BY_EMAIL": True}
    teacher = make_user("tess")
    teacher.groups.add(program.admin_group)
    _course_with_teacher(platform, program, teacher)
    context = LtiContext.objects.get()
    reg = context.deployment.registration

    def grow(n):
        for _ in range(n):
            i = LtiUser.objects.count()
            linked, by_email = make_user(f"l{i}"), make_user(f"m{i}")
            rows = [
                LtiUser(registration=reg, sub=f"a{i}", auth_user=linked),
                LtiUser(registration=reg, sub=f"b{i}", email=_email(by_email)),
                LtiUser(registration=reg, sub=f"c{i}", email=f"x{i}@e.example"),
            ]  # fmt: skip
            for row in rows:
                row.save()
                LtiMembership.objects.create(user=row, context=context, is_learner=True)

    def cost():
        target = roster.Destination(program)
        by = get_user_model().objects.get(pk=teacher.pk)  # no cached permissions
        with CaptureQueriesContext(connection) as queries:
            plan = roster.preview(context, target, "mentee", by=by)
        return [q["sql"][:150] for q in queries.captured_queries], plan

    grow(1)
    small, plan = cost()
    assert (len(plan.new), len(plan.by_email), len(plan.unlinked)) == (1, 1, 1)
    grow(4)
    large, plan = cost()
    assert (len(plan.new), len(plan.by_email), len(plan.unlinked)) == (5, 5, 5)
    assert len(large) == len(small), "\n".join(large)
