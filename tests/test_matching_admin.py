"""The matching panel in the Wagtail admin: access, screens, actions, listing."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.models import (
    MatchingRun,
    MatchProposal,
    ProgramMatchingSettings,
    ProposalStatus,
)
from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    Relationship,
)

pytestmark = pytest.mark.django_db

APPROVED = EnrollmentStatus.APPROVED
RUN_MATCHING = "wagtail_mentoring.run_matching"


def _profile(**kwargs):
    return {
        "level": 3,
        "department": "Eng",
        "timezone": "UTC",
        "languages": ["en"],
        **kwargs,
    }


@pytest.fixture
def matcher(program):
    """A program admin of ``program`` who may run its matching."""
    return make_user(
        "mattie", admin_access=True, groups=[program.admin_group], perms=[RUN_MATCHING]
    )


@pytest.fixture
def pool(program):
    mentors = [
        make_user(f"mentor{i}", profile=_profile(level=6, department=f"D{i}"))
        for i in range(2)
    ]
    mentees = [make_user(f"mentee{i}", profile=_profile()) for i in range(3)]
    for user in mentors:
        make_enrollment(user, program, "mentor", status=APPROVED, capacity=1)
    for user in mentees:
        make_enrollment(user, program, "mentee", status=APPROVED)
    return mentees, mentors


@pytest.fixture
def run(program, pool, superuser):
    started = services.start_run(program, superuser, enqueue=False)
    return runs.execute_run(started.pk)


def _urls(program, run):
    proposal = run.proposals.first()
    pid = program.pk
    return {
        "get": [
            reverse("wm_matching:panel", args=[pid]),
            reverse("wm_matching:settings", args=[pid]),
            reverse("wm_matching:proposals", args=[pid]),
            reverse("wm_matching:proposals_results", args=[pid]),
            reverse("wm_matching:manual_pair", args=[pid]),
            reverse("wm_matching:publish", args=[pid]),
            reverse("wm_matching:run_status", args=[run.pk]),
        ],
        "post": [
            reverse("wm_matching:run", args=[pid]),
            reverse("wm_matching:settings", args=[pid]),
            reverse("wm_matching:approve_above", args=[pid]),
            reverse("wm_matching:proposal_action", args=[pid, proposal.pk, "approve"]),
            reverse("wm_matching:proposal_action", args=[pid, proposal.pk, "reject"]),
            reverse("wm_matching:proposal_action", args=[pid, proposal.pk, "lock"]),
            reverse("wm_matching:manual_pair", args=[pid]),
            reverse("wm_matching:publish", args=[pid]),
        ],
    }


def _snapshot():
    return (
        sorted(MatchProposal.objects.values_list("pk", "status")),
        MatchingRun.objects.count(),
        Relationship.objects.count(),
        ProgramMatchingSettings.objects.count(),
    )


def test_anonymous_is_sent_to_sign_in(client, program, run):
    before = _snapshot()
    urls = _urls(program, run)
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url, url
    for url in urls["post"]:
        response = client.post(url, {"min_score": 0, "message": "x"})
        assert response.status_code == 302 and "login" in response.url, url
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["employee", "other_admin", "admin_without_perm"])
def test_people_who_may_not_match_this_program_get_nothing(
    client, program, other_program, run, who
):
    if who == "employee":
        user = make_user("eve", profile=_profile())
    elif who == "other_admin":
        user = make_user(
            "olga",
            admin_access=True,
            groups=[other_program.admin_group],
            perms=[RUN_MATCHING],
        )
    else:  # administers the program but lacks the matching permission
        user = make_user("paula", admin_access=True, groups=[program.admin_group])
    client.force_login(user)
    before = _snapshot()
    urls = _urls(program, run)
    for url in urls["get"]:
        response = client.get(url)
        # Without admin access Wagtail redirects; with it, "not found".
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "login" in response.url or response.url == "/admin/"
    for url in urls["post"]:
        response = client.post(url, {"min_score": 0, "message": "x"})
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert "login" in response.url or response.url == "/admin/"
    assert _snapshot() == before
    if who == "admin_without_perm":  # Wagtail sends them back to the dashboard
        assert client.get(reverse("wm_matching:index")).status_code in (302, 403)


def test_program_admin_with_the_permission_uses_every_screen(
    client, program, run, matcher
):
    client.force_login(matcher)
    for url in _urls(program, run)["get"]:
        assert client.get(url).status_code == 200, url
    index = client.get(reverse("wm_matching:index"))
    assert program.title in index.content.decode()


def test_administer_all_holder_needs_the_matching_permission_too(client, program, run):
    hr = make_user(
        "harriet",
        admin_access=True,
        perms=["wagtail_mentoring.administer_all_programs"],
    )
    client.force_login(hr)
    assert (
        client.get(reverse("wm_matching:panel", args=[program.pk])).status_code == 404
    )
    hr.user_permissions.add(Permission.objects.get(codename="run_matching"))
    hr = type(hr).objects.get(pk=hr.pk)
    client.force_login(hr)
    assert (
        client.get(reverse("wm_matching:panel", args=[program.pk])).status_code == 200
    )


def test_menu_and_page_header_button(client, program, run, matcher):
    client.force_login(matcher)
    admin_home = client.get("/admin/").content.decode()
    assert reverse("wm_matching:index") in admin_home
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[program.pk]))
    if edit.status_code == 200:  # program admins may lack page edit rights
        assert reverse("wm_matching:panel", args=[program.pk]) in edit.content.decode()


def test_superuser_sees_the_header_button_on_the_program_page(
    client, program, run, superuser
):
    client.force_login(superuser)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[program.pk]))
    assert edit.status_code == 200
    assert reverse("wm_matching:panel", args=[program.pk]) in edit.content.decode()


def test_panel_shows_pool_run_and_unmatched(client, program, run, matcher):
    client.force_login(matcher)
    html = client.get(reverse("wm_matching:panel", args=[program.pk])).content.decode()
    assert "Re-run matching" in html
    assert "Mentee2 Tester" in html or "Mentee0 Tester" in html
    # One mentee is left over, with the reason in words.
    assert "compatible mentor" in html


def test_the_unmatched_list_is_paged(
    client, program, pool, superuser, matcher, settings
):
    for i in range(3, 5):  # three mentees more than the two mentors take
        user = make_user(f"mentee{i}", profile=_profile())
        make_enrollment(user, program, "mentee", status=APPROVED)
    run = runs.execute_run(services.start_run(program, superuser, enqueue=False).pk)
    waiting = [
        Enrollment.objects.get(pk=item["enrollment"]).applicant_name
        for item in run.unmatched
    ]
    assert len(waiting) == 3
    settings.WAGTAIL_MENTORING = {"PAGE_SIZE": 2}
    client.force_login(matcher)
    url = reverse("wm_matching:panel", args=[program.pk])

    def section(query=""):
        html = client.get(url + query).content.decode()
        return str(BeautifulSoup(html, "html.parser").find(id="wm-unmatched-content"))

    first, second = section(), section("?unmatched=2")
    assert [name in first for name in waiting] == [True, True, False]
    assert [name in second for name in waiting] == [False, False, True]
    assert "Page 1 of 2" in first and "?unmatched=2" in first
    assert "Page 2 of 2" in second
    assert section("?unmatched=99") == second  # past the end: the last page


def test_run_button_starts_a_run_and_reports(
    client, program, pool, matcher, django_capture_on_commit_callbacks
):
    client.force_login(matcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wm_matching:run", args=[program.pk]))
    assert response.status_code == 302
    run = MatchingRun.objects.get()
    assert run.created_by == matcher
    assert run.status == "succeeded"
    assert ModelLogEntry.objects.filter(action="wagtail_mentoring.matching.start")
    status = client.get(reverse("wm_matching:run_status", args=[run.pk])).json()
    assert status["done"] and status["status"] == "succeeded"


def test_settings_save_and_preview(client, program, run, matcher):
    client.force_login(matcher)
    url = reverse("wm_matching:settings", args=[program.pk])
    data = {f"weight_{f}": "1" for f in runs.FACTORS}
    data.update(
        {
            "weight_skills": "4.5",
            "ideal_level_gap": "2",
            "min_seniority": "5",
            "reporting_line_depth": "3",
            "department_rule": "any",
            "require_shared_language": "on",
            "unmatched_priority": "1",
            "fairness_dimension": "gender",
        }
    )
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "0 of 3 waiting mentees stay matchable" in preview.content.decode()
    assert not ProgramMatchingSettings.objects.filter(min_seniority=5).exists()
    saved = client.post(url, {**data, "save": "1"})
    assert saved.status_code == 302
    settings = ProgramMatchingSettings.objects.get(program=program)
    assert settings.weights["skills"] == 4.5 and settings.min_seniority == 5
    assert settings.updated_by == matcher


@pytest.mark.parametrize(
    "change, message",
    [
        ({f"weight_{f}": "0" for f in runs.FACTORS}, "weight above 0"),
        ({"weight_skills": "9"}, "less than or equal to 5"),
        ({"min_seniority": "-1"}, "greater than or equal to 0"),
        ({"fairness_dimension": "religion"}, "valid choice"),
        ({"department_rule": "nearby"}, "valid choice"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    client, program, run, matcher, change, message
):
    client.force_login(matcher)
    url = reverse("wm_matching:settings", args=[program.pk])
    before = ProgramMatchingSettings.objects.get(program=program).weights
    data = {f"weight_{f}": "1" for f in runs.FACTORS}
    data.update(
        {
            "ideal_level_gap": "2",
            "reporting_line_depth": "3",
            "department_rule": "any",
            "unmatched_priority": "1",
            **change,
        }
    )
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ProgramMatchingSettings.objects.get(program=program).weights == before


def test_row_actions_approve_lock_reject_and_undo(client, program, run, matcher):
    client.force_login(matcher)
    first, second = run.proposals.order_by("pk")
    url = reverse("wm_matching:proposals", args=[program.pk])

    def act(proposal, action):
        return client.post(
            reverse(
                "wm_matching:proposal_action", args=[program.pk, proposal.pk, action]
            ),
            {"next": url + "?status=proposed"},
        )

    response = act(first, "approve")
    assert response.status_code == 302 and response.url.endswith("?status=proposed")
    act(first, "approve")  # a double submit changes nothing
    act(second, "reject")
    assert dict(run.proposals.values_list("pk", "status")) == {
        first.pk: "approved",
        second.pk: "rejected",
    }
    act(first, "lock")
    act(second, "reopen")
    assert dict(run.proposals.values_list("pk", "status")) == {
        first.pk: "locked",
        second.pk: "proposed",
    }
    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MatchProposal),
        object_id=str(first.pk),
    )
    assert {e.action for e in entries} == {
        "wagtail_mentoring.matching.approve",
        "wagtail_mentoring.matching.lock",
    }
    assert all(e.user_id == matcher.pk for e in entries)
    bad = client.post(
        reverse("wm_matching:proposal_action", args=[program.pk, first.pk, "delete"])
    )
    assert bad.status_code == 404


def test_unsafe_next_url_is_ignored(client, program, run, matcher):
    client.force_login(matcher)
    proposal = run.proposals.first()
    response = client.post(
        reverse(
            "wm_matching:proposal_action", args=[program.pk, proposal.pk, "approve"]
        ),
        {"next": "https://evil.example/"},
    )
    assert response.url == reverse("wm_matching:proposals", args=[program.pk])


def test_proposal_of_another_program_is_not_found(
    client, program, other_program, run, matcher
):
    client.force_login(matcher)
    proposal = run.proposals.first()
    response = client.post(
        reverse(
            "wm_matching:proposal_action",
            args=[other_program.pk, proposal.pk, "approve"],
        )
    )
    assert response.status_code == 404
    assert run.proposals.filter(status="approved").count() == 0


def test_approve_all_above_a_score(client, program, run, matcher):
    client.force_login(matcher)
    best = run.proposals.order_by("-score").first()
    response = client.post(
        reverse("wm_matching:approve_above", args=[program.pk]),
        {"min_score": int(best.score * 100)},
    )
    assert response.status_code == 302
    assert set(
        run.proposals.filter(status="approved").values_list("pk", flat=True)
    ) >= {best.pk}
    bad = client.post(
        reverse("wm_matching:approve_above", args=[program.pk]), {"min_score": 150}
    )
    assert bad.status_code == 302
    listing = reverse("wm_matching:proposals", args=[program.pk])
    assert "Approve all above" in client.get(listing).content.decode()
    response = client.post(
        reverse("wm_matching:approve_above", args=[program.pk]),
        {"min_score": 0, "next": listing + "?status=approved"},
    )
    assert response.url == listing + "?status=approved"
    assert not run.proposals.filter(status="proposed").exists()


def test_listing_filters_search_and_sort(client, program, run, matcher):
    client.force_login(matcher)
    url = reverse("wm_matching:proposals", args=[program.pk])
    first, second = run.proposals.order_by("pk")
    services.reject_proposal(program, second, matcher)
    html = client.get(url, {"status": "rejected"}).content.decode()
    assert str(second) in html and str(first) not in html
    mentor_name = display_name(first.mentor.user)
    html = client.get(url, {"q": mentor_name}).content.decode()
    assert str(first) in html and str(second) not in html
    assert str(first) not in client.get(url, {"q": "Nobody Atall"}).content.decode()
    high = client.get(url, {"min_score": 101}).content.decode()
    assert str(first) not in high
    dept = first.mentor.user.mentoring_profile.department
    html = client.get(url, {"department": dept}).content.decode()
    assert str(first) in html and str(second) not in html
    for ordering in ("score", "-score", "status", "-status"):
        assert client.get(url, {"ordering": ordering}).status_code == 200
    assert "Factor breakdown" in client.get(url).content.decode()


def test_listing_cells_escape_what_people_typed(client, program, run, matcher):
    client.force_login(matcher)
    proposal = run.proposals.order_by("pk").first()
    user = proposal.mentee.user
    user.first_name = "<script>alert(1)</script>"
    user.save()
    profile = proposal.mentor.user.mentoring_profile
    profile.title = "<b>Lead</b>"
    profile.department = "R&D"
    profile.save()
    MatchProposal.objects.filter(pk=proposal.pk).update(
        rule_breaks=["reporting_line"],
        justification='<img src=x onerror="alert(2)">',
        reasons=[{"code": "shared_skills", "params": {"names": ["<i>SQL</i>"]}}],
    )
    html = client.get(reverse("wm_matching:proposals", args=[program.pk])).content
    html = html.decode()
    for raw in ("<script>alert(1)", "<b>Lead</b>", "<img src=x", "<i>SQL</i>"):
        assert raw not in html
    for escaped in (
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;b&gt;Lead&lt;/b&gt; · L6 · R&amp;D",
        "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;",
        "shares &lt;i&gt;SQL&lt;/i&gt;",
    ):
        assert escaped in html
    # Each row offers what its status allows, as forms posting to the action.
    base = reverse(
        "wm_matching:proposal_action", args=[program.pk, proposal.pk, "approve"]
    )
    assert f'action="{base}"' in html
    assert f'action="{base.replace("approve", "reopen")}"' not in html


def test_listing_query_count_is_constant(
    client, program, run, matcher, django_assert_max_num_queries
):
    client.force_login(matcher)
    url = reverse("wm_matching:proposals", args=[program.pk])
    client.get(url)  # warm caches (content types, site)
    with django_assert_max_num_queries(25) as small:
        client.get(url)
    _bulk_proposals(program, run, 2000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "2002 match proposals" in response.content.decode().replace(",", "")
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        client.get(url, {"department": "Eng", "min_score": 10, "ordering": "-score"})


def _bulk_proposals(program, run, n):
    """``n`` extra proposals between fresh people (a big pool, made quickly)."""
    from django.contrib.auth import get_user_model

    from wagtail_mentoring.people.models import EmployeeProfile
    from wagtail_mentoring.programs.models import Enrollment

    User = get_user_model()
    names = {f.name for f in User._meta.get_fields()}

    def user(i):
        fields = {User.USERNAME_FIELD: f"bulk{i}@example.com"}
        if "first_name" in names:
            fields.update(first_name=f"Bulk{i}", last_name="Person")
        return User(**fields)

    users = User.objects.bulk_create([user(i) for i in range(n + 1)])
    if users[0].pk is None:  # backends that do not return keys
        users = list(
            User.objects.filter(**{f"{User.USERNAME_FIELD}__startswith": "bulk"})
        )
    EmployeeProfile.objects.bulk_create(
        EmployeeProfile(user=u, level=3, department="Eng") for u in users
    )
    mentor = Enrollment.objects.create(
        user=users[-1], program=program, role="mentor", status=APPROVED, capacity=50
    )
    mentees = Enrollment.objects.bulk_create(
        Enrollment(user=u, program=program, role="mentee", status=APPROVED)
        for u in users[:-1]
    )
    MatchProposal.objects.bulk_create(
        MatchProposal(
            run=run,
            program=program,
            mentee=mentee,
            mentor=mentor,
            score=(i % 100) / 100,
            factors={"skills": 0.3, "goals": 0.2},
            reasons=[{"code": "shared_skills", "params": {"names": ["Python"]}}],
        )
        for i, mentee in enumerate(mentees)
    )


def test_bulk_actions(client, program, run, matcher):
    client.force_login(matcher)
    ids = list(run.proposals.values_list("pk", flat=True))
    url = reverse(
        "wagtail_bulk_action",
        args=("wagtail_mentoring", "matchproposal", "approve"),
    )
    query = "&".join(f"id={pk}" for pk in ids)
    confirm = client.get(f"{url}?{query}")
    assert confirm.status_code == 200
    response = client.post(f"{url}?{query}")
    assert response.status_code == 302
    assert set(run.proposals.values_list("status", flat=True)) == {"approved"}
    lock = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "matchproposal", "lock")
    )
    client.post(f"{lock}?id=all&childOf={program.pk}")
    assert set(run.proposals.values_list("status", flat=True)) == {"locked"}


def test_bulk_actions_leave_other_programs_alone(
    client, program, other_program, run, superuser
):
    outsider = make_user(
        "olga",
        admin_access=True,
        groups=[other_program.admin_group],
        perms=[RUN_MATCHING],
    )
    client.force_login(outsider)
    ids = list(run.proposals.values_list("pk", flat=True))
    url = reverse(
        "wagtail_bulk_action", args=("wagtail_mentoring", "matchproposal", "reject")
    )
    client.post(f"{url}?" + "&".join(f"id={pk}" for pk in ids))
    client.post(f"{url}?id=all&childOf={program.pk}")
    assert set(run.proposals.values_list("status", flat=True)) == {"proposed"}


def test_manual_pair_chooser_and_justification(client, program, run, matcher):
    client.force_login(matcher)
    waiting_id = run.unmatched[0]["enrollment"]
    url = reverse("wm_matching:manual_pair", args=[program.pk])
    chooser = client.get(url, {"mentee": waiting_id}).content.decode()
    assert "Places left" in chooser and "Score" in chooser
    # Both mentors are full once their proposals are approved: not offered.
    services.approve_proposals(program, list(run.proposals.all()), matcher)
    mentor = run.proposals.first().mentor
    assert f'value="{mentor.pk}"' in chooser
    chooser = client.get(url, {"mentee": waiting_id}).content.decode()
    assert f'value="{mentor.pk}"' not in chooser
    response = client.post(url, {"mentee": waiting_id, "mentor": mentor.pk})
    assert response.status_code == 400
    assert not MatchProposal.objects.filter(origin="manual").exists()
    # A new mentor in the mentee's reporting line breaks a rule.
    mentee = program.enrollments.get(pk=waiting_id)
    boss = make_user("boss", profile=_profile(level=8))
    mentee.user.mentoring_profile.manager = boss
    mentee.user.mentoring_profile.save()
    boss_enrollment = make_enrollment(
        boss, program, "mentor", status=APPROVED, capacity=1
    )
    response = client.post(url, {"mentee": waiting_id, "mentor": boss_enrollment.pk})
    assert response.status_code == 400
    assert "reporting line" in response.content.decode()
    assert not MatchProposal.objects.filter(origin="manual").exists()
    response = client.post(
        url,
        {
            "mentee": waiting_id,
            "mentor": boss_enrollment.pk,
            "justification": "Different division now; both asked for it.",
        },
    )
    assert response.status_code == 302
    manual = MatchProposal.objects.get(origin="manual")
    assert manual.status == "approved" and manual.breaks_rules
    assert manual.rule_breaks == ["reporting_line"]
    listing = client.get(
        reverse("wm_matching:proposals", args=[program.pk]), {"flag": "override"}
    ).content.decode()
    assert "both asked for it" in listing


def test_publish_form_sends_the_edited_message(
    client, program, run, matcher, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(matcher)
    proposal = run.proposals.first()
    services.approve_proposal(program, proposal, matcher)
    url = reverse("wm_matching:publish", args=[program.pk])
    form = client.get(url).content.decode()
    assert "Say hello" in form  # the default message, editable
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "Welcome aboard, you two!"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PUBLISHED
    assert proposal.relationship.status == "active"
    assert len(mailoutbox) == 2
    assert all("Welcome aboard, you two!" in m.body for m in mailoutbox)
    html = mailoutbox[0].alternatives[0][0]
    assert "Welcome aboard" in html
    response = client.post(url, {"message": "again"})
    assert len(mailoutbox) == 2  # nothing left to publish
    assert client.post(url, {"message": ""}).status_code == 400


def test_fairness_needs_the_equity_permission_and_suppresses_small_groups(
    client, program, run, matcher
):
    url = reverse("wm_matching:fairness", args=[program.pk])
    client.force_login(matcher)
    assert client.get(url).status_code == 404
    matcher.user_permissions.add(Permission.objects.get(codename="view_equity_reports"))
    matcher = type(matcher).objects.get(pk=matcher.pk)
    client.force_login(matcher)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # Three mentees, none disclosed: the only group has 3 people → suppressed.
    assert "suppressed" in html
    assert "Mentee0" not in html


def test_run_matching_permission_is_in_the_groups_editor(client, superuser):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Coordinators")
    client.force_login(superuser)
    body = client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content
    assert b"Can run matching for the programs they administer" in body


def _settings_data(**changes):
    data = {f"weight_{f}": "1" for f in runs.FACTORS}
    data.update(
        {
            "ideal_level_gap": "2",
            "min_seniority": "1",
            "reporting_line_depth": "3",
            "department_rule": "any",
            "require_shared_language": "on",
            "unmatched_priority": "1",
            "preview": "1",
        }
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_preview_names_the_rule_that_alone_excludes_everyone(client, program, matcher):
    """Nobody gave a language (a host without profiles): the default
    shared-language rule would leave every waiting mentee unmatched."""
    for i in range(2):
        user = make_user(f"lingo{i}", profile=_profile(level=6, languages=[]))
        make_enrollment(user, program, "mentor", status=APPROVED, capacity=2)
    for i in range(3):
        user = make_user(f"quiet{i}", profile=_profile(languages=[]))
        make_enrollment(user, program, "mentee", status=APPROVED)
    client.force_login(matcher)
    url = reverse("wm_matching:settings", args=[program.pk])
    body = client.post(url, _settings_data()).content.decode()
    assert "none of the 3 waiting mentees can be matched with any mentor" in body
    assert (
        "The rule “no shared language” does this on its own: relax "
        "“Must share a language”." in body
    )
    # Without the rule, everyone is matchable and nothing is flagged.
    body = client.post(url, _settings_data(require_shared_language=None)).content
    body = body.decode()
    assert "3 of 3 waiting mentees stay matchable" in body
    assert "can be matched with any mentor" not in body


def test_preview_names_a_rule_when_only_rules_together_exclude_everyone(
    client, program, matcher
):
    """One mentor shares no language, the other is too junior: no rule alone
    excludes everyone, both together do."""
    junior = make_user("junior", profile=_profile(level=3, languages=["en"]))
    foreign = make_user("foreign", profile=_profile(level=6, languages=["fr"]))
    for user in (junior, foreign):
        make_enrollment(user, program, "mentor", status=APPROVED, capacity=2)
    mentee = make_user("mentee", profile=_profile(languages=["en"]))
    make_enrollment(mentee, program, "mentee", status=APPROVED)
    client.force_login(matcher)
    url = reverse("wm_matching:settings", args=[program.pk])
    body = client.post(url, _settings_data()).content.decode()
    assert "With these rules the waiting mentee cannot be matched" in body
    assert "No rule does this alone; together they do." in body
    assert "does this on its own" not in body
