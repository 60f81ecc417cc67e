"""Program surveys: sending when due (once), "Send now", reminders, answering,
anonymity, suppression, permissions, the dashboard figures and the figures by
self-identified group computed by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.engagement_helpers import PROFILE, pair
from tests.factories import PASSWORD, deactivate_quietly, login_identifier, make_user
from wagtail_mentoring.analytics import kpis
from wagtail_mentoring.analytics.equity import min_group_size
from wagtail_mentoring.analytics.surveys import (
    Nps,
    summarize,
    summarize_by_group,
    survey_results,
    survey_results_by_group,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.models import Delivery
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.programs.models import Cohort, Relationship
from wagtail_mentoring.surveys import services
from wagtail_mentoring.surveys.models import (
    Audience,
    Moment,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {
        "type": "rating",
        "id": "satisfied",
        "value": {"label": "How satisfied are you?", "measures": "satisfaction"},
    },
    {
        "type": "rating",
        "id": "confident",
        "value": {"label": "How confident are you?", "measures": "growth"},
    },
    {"type": "nps", "id": "recommend", "value": {"label": "Recommend it?"}},
    {
        "type": "long_answer",
        "id": "why",
        "value": {"label": "Why?", "required": False},
    },
]


def make_survey(program, moment=Moment.START, **kwargs):
    kwargs.setdefault("anonymous", True)
    kwargs.setdefault("created_at", timezone.now() - timedelta(days=400))
    return Survey.objects.create(
        program=program,
        title=f"{moment} survey",
        moment=moment,
        questions=QUESTIONS,
        **kwargs,
    )


def login(client, user):
    assert (
        client.login(**{"username": login_identifier(user), "password": PASSWORD})
        or client.force_login(user) is None
    )


def answers(satisfied=4, confident=3, recommend=9, why=""):
    return {
        "q_satisfied": satisfied,
        "q_confident": confident,
        "q_recommend": recommend,
        "q_why": why,
    }


# --- Sending ---------------------------------------------------------------


def test_start_survey_goes_to_both_members_once(program):
    survey = make_survey(program)
    relationship = pair(program)
    assert services.send_due_surveys() == 2
    assert services.send_due_surveys() == 0  # a second run sends nothing
    invitations = SurveyInvitation.objects.filter(survey=survey)
    assert {i.user_id for i in invitations} == {
        m.user_id for m in relationship.members.all()
    }
    assert {i.occasion for i in invitations} == {f"relationship:{relationship.pk}"}
    assert Delivery.objects.filter(kind="survey_invitation").count() == 2
    assert len(mail.outbox) == 2
    assert reverse("wagtail_mentoring:survey_answer", args=[invitations[0].pk]) in (
        "".join(m.body for m in mail.outbox)
    )


def test_audience_and_moments(program):
    seekers = make_survey(program, audience=Audience.SEEKERS)
    middle = make_survey(program, Moment.MIDDLE)
    end = make_survey(program, Moment.END)
    today = timezone.localdate()
    relationship = pair(program)
    Relationship.objects.filter(pk=relationship.pk).update(
        started_on=today - timedelta(days=10), ends_on=today + timedelta(days=10)
    )
    services.send_due_surveys()
    assert list(
        SurveyInvitation.objects.filter(survey=seekers).values_list(
            "user__mentoring_memberships__role", flat=True
        )
    ) == ["mentee"]
    # Halfway (day 10 of 20) has come; the end has not.
    assert SurveyInvitation.objects.filter(survey=middle).count() == 2
    assert not SurveyInvitation.objects.filter(survey=end).exists()


def test_a_new_survey_does_not_mail_the_backlog(program):
    pair(program)
    Relationship.objects.update(started_on=timezone.localdate() - timedelta(days=5))
    make_survey(program, created_at=timezone.now())
    assert services.send_due_surveys() == 0


def test_inactive_survey_and_leavers_are_not_sent(program):
    survey = make_survey(program, active=False)
    pair(program)
    assert services.send_due_surveys() == 0
    survey.active = True
    survey.save()
    relationship = Relationship.objects.get()
    leaver = relationship.members.first().user
    deactivate_quietly(leaver)
    assert services.send_due_surveys() == 1


def test_after_flash_survey_goes_to_who_booked(hub):
    from tests.office_hours_helpers import flash_mentor, flash_program, publish
    from wagtail_mentoring.engagement.office_hours import services as flash
    from wagtail_mentoring.engagement.office_hours.models import OfficeHourSlot

    program = flash_program(hub)
    survey = make_survey(program, Moment.AFTER_FLASH)
    hours = publish(flash_mentor(program))
    slot = OfficeHourSlot.objects.filter(office_hours=hours).first()
    guest = make_user("gina", profile=dict(PROFILE))
    booking = flash.book_slot(slot, guest)
    assert services.send_due_surveys() == 0  # not over yet
    OfficeHourSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    assert services.send_due_surveys() == 1
    invitation = SurveyInvitation.objects.get(survey=survey)
    assert (invitation.user, invitation.occasion) == (guest, f"booking:{booking.pk}")


def test_reminders_once_a_week_twice_and_not_after_answering(program):
    make_survey(program)
    relationship = pair(program)
    services.send_due_surveys()
    mentee, mentor = [m.user for m in relationship.members.order_by("role")][::-1]
    now = timezone.now()
    assert services.remind_surveys(now + timedelta(days=6)) == 0
    assert services.remind_surveys(now + timedelta(days=7, hours=1)) == 2
    assert services.remind_surveys(now + timedelta(days=7, hours=2)) == 0
    invitation = SurveyInvitation.objects.get(user=mentee)
    services.answer_survey(invitation, mentee, {"satisfied": 5})
    assert services.remind_surveys(now + timedelta(days=14, hours=1)) == 1
    # Two reminders at most; and none once it closed.
    assert services.remind_surveys(now + timedelta(days=20, hours=1)) == 0
    assert Delivery.objects.filter(kind="survey_reminder").count() == 3
    assert SurveyInvitation.objects.get(user=mentor).reminders_sent == 2


# --- Answering -------------------------------------------------------------


def test_answer_page_keeps_input_on_error_and_saves_once(client, program):
    make_survey(program)
    relationship = pair(program)
    services.send_due_surveys()
    user = relationship.members.first().user
    invitation = SurveyInvitation.objects.get(user=user)
    url = reverse("wagtail_mentoring:survey_answer", args=[invitation.pk])
    login(client, user)
    page = client.get(url)
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()
    bad = client.post(url, answers(satisfied="", why="<script>x</script>"))
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body
    assert not SurveyResponse.objects.exists()
    good = client.post(url, answers(why="Good chats"))
    assert good.status_code == 302
    response = SurveyResponse.objects.get()
    assert response.answers == {
        "satisfied": 4,
        "confident": 3,
        "recommend": 9,
        "why": "Good chats",
    }
    again = client.post(url, answers())
    assert again.status_code == 200 and "You have answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_someone_elses_invitation_is_not_found(client, program, employee):
    make_survey(program)
    pair(program)
    services.send_due_surveys()
    invitation = SurveyInvitation.objects.first()
    login(client, employee)
    url = reverse("wagtail_mentoring:survey_answer", args=[invitation.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, answers()).status_code == 404
    assert not SurveyResponse.objects.exists()
    with pytest.raises(MentoringError):
        services.answer_survey(invitation, employee, {"satisfied": 3})
    assert not SurveyResponse.objects.exists()


def test_closed_survey_refuses_answers(program):
    make_survey(program)
    relationship = pair(program)
    services.send_due_surveys()
    user = relationship.members.first().user
    invitation = SurveyInvitation.objects.get(user=user)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    invitation.refresh_from_db()
    with pytest.raises(MentoringError):
        services.answer_survey(invitation, user, {"satisfied": 3})
    assert not SurveyResponse.objects.exists()


def test_anonymous_response_cannot_be_joined_to_the_person(program):
    make_survey(program, anonymous=True)
    named = make_survey(program, anonymous=False)
    relationship = pair(program)
    services.send_due_surveys()
    user = relationship.members.first().user
    for invitation in SurveyInvitation.objects.filter(user=user):
        services.answer_survey(invitation, user, {"satisfied": 2})
    anonymous = SurveyResponse.objects.exclude(survey=named).get()
    assert anonymous.respondent is None
    # Nothing in the row points at the person or at the invitation, and no
    # time of day that could be lined up with one.
    columns = {f.attname for f in SurveyResponse._meta.concrete_fields}
    assert columns == {
        "id",
        "survey_id",
        "program_id",
        "cohort_id",
        "moment",
        "respondent_id",
        "answers",
        "submitted_on",
    }
    invitation_columns = {f.attname for f in SurveyInvitation._meta.concrete_fields}
    assert not any("answer" in c or "response" in c for c in invitation_columns)
    assert SurveyResponse.objects.get(survey=named).respondent == user


def test_my_surveys_lists_open_ones(client, program):
    make_survey(program)
    relationship = pair(program)
    services.send_due_surveys()
    user = relationship.members.first().user
    login(client, user)
    page = client.get(reverse("wagtail_mentoring:my_surveys"))
    assert "start survey" in page.content.decode()
    anonymous = client.logout() or client.get(reverse("wagtail_mentoring:my_surveys"))
    assert anonymous.status_code == 302


# --- Composing ---------------------------------------------------------------


def test_only_the_programs_admins_compose(program, program_admin, other_program_admin):
    survey = services.create_survey(
        program,
        program_admin,
        title="Kick-off",
        moment=Moment.START,
        questions=QUESTIONS,
    )
    with pytest.raises(MentoringError):
        services.create_survey(
            program, other_program_admin, title="Mine", questions=QUESTIONS
        )
    with pytest.raises(MentoringError):
        services.update_survey(survey, other_program_admin, title="Hijacked")
    assert Survey.objects.get().title == "Kick-off"
    with pytest.raises(MentoringError):
        services.send_due_surveys(by=other_program_admin, survey=survey)


def test_admin_lists_and_results_are_scoped(
    client, program, program_admin, other_program_admin
):
    survey = make_survey(program)
    login(client, other_program_admin)
    assert client.get(reverse("wm_surveys:index")).status_code in (302, 403, 200)
    assert survey.title not in client.get(reverse("wm_surveys:index")).content.decode()
    assert (
        client.get(reverse("wm_surveys:inspect", args=[survey.pk])).status_code == 404
    )
    login(client, program_admin)
    assert survey.title in client.get(reverse("wm_surveys:index")).content.decode()
    assert (
        client.get(reverse("wm_surveys:inspect", args=[survey.pk])).status_code == 200
    )


# --- Results and suppression --------------------------------------------------


def _respond(survey, day, **values):
    return SurveyResponse.objects.create(
        survey=survey,
        program=survey.program,
        moment=survey.moment,
        answers=values,
        submitted_on=day,
    )


def test_nps_by_hand():
    # 3 promoters (9, 10, 10), 2 passives (7, 8), 3 detractors (0, 5, 6):
    # (3 − 3) / 8 = 0; then one more promoter: (4 − 3) / 9 = 11.1…
    assert Nps(8, [9, 10, 10, 7, 8, 0, 5, 6], 5).score == 0
    assert Nps(9, [9, 10, 10, 7, 8, 0, 5, 6, 9], 5).score == pytest.approx(100 / 9)
    assert Nps(4, [10, 10, 10, 10], 5).score is None  # suppressed


def test_dashboard_figures_by_hand_and_suppressed_below_the_threshold(program):
    start = make_survey(program, Moment.START)
    end = make_survey(program, Moment.END)
    period = kpis.Period(date(2026, 9, 1), date(2026, 11, 30))
    # Start: growth 2, 2, 3, 1, 2 (mean 2.0), in March (within the lookback).
    for g in (2, 2, 3, 1, 2):
        _respond(start, date(2026, 3, 10), confident=g)
    # End, in the period: satisfaction 5, 4, 4, 3, 5 (mean 4.2);
    # growth 4, 3, 4, 4, 5 (mean 4.0); NPS 10, 9, 8, 6, 10 → (3 − 1) / 5 = 40.
    for s, g, n in ((5, 4, 10), (4, 3, 9), (4, 4, 8), (3, 4, 6), (5, 5, 10)):
        _respond(end, date(2026, 10, 5), satisfied=s, confident=g, recommend=n)
    # Outside the period (after it): not counted.
    _respond(end, date(2026, 12, 1), satisfied=1, recommend=0)
    programs = type(program).objects.filter(pk=program.pk)
    summary = summarize(programs, period, min_size=5)
    assert summary.satisfaction.mean == pytest.approx(4.2)
    assert summary.satisfaction.rows == [(1, 0), (2, 0), (3, 1), (4, 2), (5, 2)]
    assert summary.nps.score == pytest.approx(40)
    assert summary.growth_before.mean == pytest.approx(2.0)
    assert summary.growth_after.mean == pytest.approx(4.0)
    assert summary.growth_change == pytest.approx(2.0)
    # Six needed: every figure is withheld, distributions too.
    hidden = summarize(programs, period, min_size=6)
    assert hidden.satisfaction.suppressed and hidden.satisfaction.mean is None
    assert hidden.satisfaction.rows == []
    assert hidden.nps.score is None and hidden.nps.rows == []
    assert hidden.growth_change is None


def test_survey_results_withheld_below_the_threshold(program):
    survey = make_survey(program)
    for n in range(4):
        _respond(survey, date(2026, 10, 1), satisfied=4, why=f"text {n}")
    results = survey_results(survey, min_size=5)
    assert results["suppressed"] and results["questions"] == []
    _respond(survey, date(2026, 10, 1), satisfied=2, recommend=10, why="text 4")
    results = survey_results(survey, min_size=5)
    satisfied = results["questions"][0]
    assert satisfied.mean == pytest.approx(3.6)
    assert dict(satisfied.rows) == {"1": 0, "2": 1, "3": 0, "4": 4, "5": 0}
    assert results["questions"][3].texts == [f"text {n}" for n in range(5)]
    # Only one person answered the NPS question: that question is withheld.
    assert results["questions"][2].suppressed
    assert results["questions"][2].rows == [] and results["questions"][2].nps is None
    for _n in range(4):
        _respond(survey, date(2026, 10, 2), recommend=10)
    assert survey_results(survey, min_size=5)["questions"][2].nps == 100


def test_dashboard_shows_survey_section(client, program, program_admin):
    survey = make_survey(program, Moment.END)
    today = timezone.localdate()
    for s in (5, 4, 4, 3, 5):
        _respond(survey, today, satisfied=s, recommend=10)
    login(client, program_admin)
    page = client.get(reverse("wm_dashboard:index"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Surveys" in body and "4.2" in body


def test_a_broken_post_of_the_admin_form_is_refused_not_a_crash(
    client, program, program_admin
):
    login(client, program_admin)
    response = client.post(
        reverse("wm_surveys:add"), {"program": program.pk, "title": "Half a form"}
    )
    assert response.status_code == 200
    assert not Survey.objects.exists()


def test_program_admin_composes_a_survey_in_the_admin(
    client, program, other_program, program_admin
):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    login(client, program_admin)
    questions = streamfield(
        [("nps", {"label": "Recommend it?", "help_text": "", "required": True})]
    )
    data = nested_form_data(
        {
            "program": program.pk,
            "title": "Kick-off",
            "moment": Moment.START,
            "audience": Audience.EVERYONE,
            "anonymous": True,
            "active": True,
            "intro": "",
            "questions": questions,
        }
    )
    # Not for a program one does not administer: refused, nothing saved.
    refused = client.post(
        reverse("wm_surveys:add"), {**data, "program": other_program.pk}
    )
    assert refused.status_code == 200 and not Survey.objects.exists()
    assert client.post(reverse("wm_surveys:add"), data).status_code == 302
    survey = Survey.objects.get()
    assert (survey.program, survey.title, survey.anonymous) == (
        program,
        "Kick-off",
        True,
    )
    assert [b.block_type for b in survey.questions] == ["nps"]


# --- Send now ----------------------------------------------------------------

SEND_NOW_LOG = "wagtail_mentoring.survey.send_now"


def _send_now_url(survey):
    return reverse("wm_surveys:send_now", args=[survey.pk])


def _log_entries(survey):
    return ModelLogEntry.objects.filter(action=SEND_NOW_LOG, object_id=str(survey.pk))


def _messages(response):
    # Wagtail renders (empty) buttons after the text.
    return [str(m).strip() for m in response.context["messages"]]


def test_send_now_invites_who_is_due_once_and_is_logged(client, program, program_admin):
    survey = make_survey(program)
    pair(program)
    pair(program)
    login(client, program_admin)
    # A GET sends nothing (the button is a form that posts).
    assert client.get(_send_now_url(survey)).status_code == 405
    assert not SurveyInvitation.objects.exists()
    mail.outbox = []
    page = client.post(_send_now_url(survey), follow=True)
    assert page.redirect_chain == [
        (reverse("wm_surveys:inspect", args=[survey.pk]), 302)
    ]
    assert _messages(page) == ["4 people invited to “start survey”."]
    # Two pairs, everyone in them: four invitations, four emails.
    assert SurveyInvitation.objects.filter(survey=survey).count() == 4
    assert Delivery.objects.filter(kind="survey_invitation").count() == 4
    assert len(mail.outbox) == 4
    entry = _log_entries(survey).get()
    assert entry.user_id == program_admin.pk and entry.data == {"invited": 4}
    # Pressed again: nobody is asked twice, nothing more is logged.
    again = client.post(_send_now_url(survey), follow=True)
    assert _messages(again) == ["Nobody is due for this survey right now."]
    assert SurveyInvitation.objects.count() == 4 and len(mail.outbox) == 4
    assert _log_entries(survey).count() == 1
    # The daily run that comes after finds nobody either.
    assert services.send_due_surveys() == 0


def test_send_now_one_person(client, program, program_admin):
    survey = make_survey(program, audience=Audience.SEEKERS)
    pair(program)
    login(client, program_admin)
    page = client.post(_send_now_url(survey), follow=True)
    assert _messages(page) == ["1 person invited to “start survey”."]


def test_send_now_is_refused_to_who_may_not_run_the_program_and_writes_nothing(
    client, program, program_admin, other_program_admin
):
    survey = make_survey(program)
    pair(program)
    mail.outbox = []
    editor = make_user("eddie", admin_access=True)
    steward = make_user(
        "stella",
        admin_access=True,
        perms=["wagtail_mentoring.view_equity_reports"],
    )
    # Wagtail's admin answers a refusal (PermissionDenied) by sending back to
    # the admin's home with "no permission"; another program's admin finds no
    # such survey, as on its results page.
    for user in (editor, steward):
        login(client, user)
        refused = client.post(_send_now_url(survey))
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    login(client, other_program_admin)
    assert client.post(_send_now_url(survey)).status_code == 404
    client.logout()
    signed_out = client.post(_send_now_url(survey))
    assert "/admin/login/" in signed_out["Location"]
    with pytest.raises(MentoringError):
        services.send_due_surveys(survey=survey, by=other_program_admin)
    assert not SurveyInvitation.objects.exists()
    assert not Delivery.objects.filter(kind="survey_invitation").exists()
    assert not mail.outbox and not _log_entries(survey).exists()


def test_send_now_of_a_survey_that_is_not_sending_says_so(
    client, program, program_admin
):
    survey = make_survey(program, active=False)
    pair(program)
    login(client, program_admin)
    inspect = client.get(reverse("wm_surveys:inspect", args=[survey.pk]))
    assert "This survey is not sending" in inspect.content.decode()
    assert _send_now_url(survey) not in inspect.content.decode()
    page = client.post(_send_now_url(survey), follow=True)
    assert _messages(page) == [
        "“start survey” is not sending: tick “Sending” in its settings first."
    ]
    assert not SurveyInvitation.objects.exists() and not _log_entries(survey).exists()


def test_results_page_has_the_send_now_button(client, program, program_admin):
    survey = make_survey(program)
    login(client, program_admin)
    body = client.get(reverse("wm_surveys:inspect", args=[survey.pk])).content.decode()
    assert f'action="{_send_now_url(survey)}"' in body
    assert 'method="post"' in body and "csrfmiddlewaretoken" in body


# --- By self-identified group --------------------------------------------------

EQUITY = "wagtail_mentoring.view_equity_reports"


def _person(name, **answers):
    user = make_user(name, profile=dict(PROFILE))
    if answers:
        SelfIdentification.objects.create(
            user=user, consented_at=timezone.now(), answers=answers
        )
    return user


def _named_answer(survey, person, satisfied, recommend):
    return SurveyResponse.objects.create(
        survey=survey,
        program=survey.program,
        moment=survey.moment,
        respondent=person,
        answers={"satisfied": satisfied, "recommend": recommend},
        submitted_on=date(2026, 10, 1),
    )


def _rows(block):
    return {
        row.label: (row.people, row.responses, row.satisfaction, row.nps)
        if not row.hidden
        else ("hidden", row.note)
        for row in block.rows
    }


def test_survey_figures_by_group_by_hand_and_suppressed_at_the_threshold(program):
    assert min_group_size() == 5
    survey = make_survey(program, anonymous=False)
    # Six women (the first answered for two relationships): satisfaction
    # 5 5 4 4 3 5 2 → 28 / 7 = 4.0; NPS 10 10 9 8 6 10 3 → promoters 4,
    # detractors 2 → (4 − 2) / 7 × 100 = 28.57.
    women = [_person(f"w{i}", gender="woman") for i in range(6)]
    for person, s, n in zip(
        [women[0], *women],
        (5, 5, 4, 4, 3, 5, 2),
        (10, 10, 9, 8, 6, 10, 3),
        strict=True,
    ):
        _named_answer(survey, person, s, n)
    # Four men: satisfaction 2 3 3 4, NPS 5 7 9 10.
    men = [_person(f"m{i}", gender="man") for i in range(4)]
    for person, s, n in zip(men, (2, 3, 3, 4), (5, 7, 9, 10), strict=True):
        _named_answer(survey, person, s, n)
    # Five who did not say: satisfaction 1 2 3 4 5 → 3.0; NPS 0 10 10 10 7
    # → (3 − 1) / 5 = 40.
    quiet = [_person(f"q{i}") for i in range(5)]
    for person, s, n in zip(quiet, (1, 2, 3, 4, 5), (0, 10, 10, 10, 7), strict=True):
        _named_answer(survey, person, s, n)

    split = survey_results_by_group(survey)
    gender, ethnicity = split.dimensions
    assert split.measures == ["satisfaction", "nps"]
    # Four men (one fewer than the threshold): withheld, and the next-smallest
    # group too, or the men's figures would follow from the total.
    rows = _rows(gender)
    assert rows["Man"] == ("hidden", "fewer than 5 people")
    assert rows["Not disclosed"][0] == "hidden"
    assert rows["Woman"][:2] == (6, 7)
    assert rows["Woman"][2] == pytest.approx(4.0)
    assert rows["Woman"][3] == pytest.approx(200 / 7)
    # Nobody answered ethnicity: one group of 15 people, 16 responses;
    # satisfaction (28 + 12 + 15) / 16; NPS promoters 4 + 2 + 3, detractors
    # 2 + 1 + 1 → (9 − 4) / 16 × 100.
    people, responses, satisfaction, nps = _rows(ethnicity)["Not disclosed"]
    assert (people, responses) == (15, 16)
    assert satisfaction == pytest.approx(55 / 16)
    assert nps == pytest.approx(500 / 16)

    # A fifth man (the threshold): every group is shown. Men: satisfaction
    # 2 3 3 4 3 → 3.0; NPS 5 7 9 10 6 → (2 − 2) / 5 = 0.
    _named_answer(survey, _person("m4", gender="man"), 3, 6)
    rows = _rows(survey_results_by_group(survey).dimensions[0])
    assert rows["Man"] == (5, 5, pytest.approx(3.0), pytest.approx(0))
    assert rows["Not disclosed"] == (5, 5, pytest.approx(3.0), pytest.approx(40))
    assert rows["Woman"][:2] == (6, 7)


def test_a_figure_few_of_a_group_gave_is_withheld(program):
    survey = make_survey(program, anonymous=False)
    for i in range(5):
        _named_answer(survey, _person(f"w{i}", gender="woman"), 4, 9)
    # Five men, of whom only two answered the recommendation question.
    for i in range(5):
        man = _person(f"m{i}", gender="man")
        SurveyResponse.objects.create(
            survey=survey,
            program=program,
            moment=survey.moment,
            respondent=man,
            answers={"satisfied": 2, **({"recommend": 0} if i < 2 else {})},
            submitted_on=date(2026, 10, 1),
        )
    gender = survey_results_by_group(survey).dimensions[0]
    rows = {row.label: row for row in gender.rows}
    assert rows["Man"].satisfaction == pytest.approx(2.0)
    assert rows["Man"].nps is None and "nps" in rows["Man"].withheld
    # Alone it could be worked out from the women's and the total: withheld too.
    assert rows["Woman"].nps is None and "nps" in rows["Woman"].withheld
    assert rows["Woman"].satisfaction == pytest.approx(4.0)


def test_results_page_shows_the_split_to_stewards_only(client, program, program_admin):
    survey = make_survey(program, anonymous=False)
    for i, s in enumerate((5, 4, 4, 3, 5)):
        _named_answer(survey, _person(f"w{i}", gender="woman"), s, 10)
    steward = make_user(
        "hazel", admin_access=True, groups=[program.admin_group], perms=[EQUITY]
    )
    url = reverse("wm_surveys:inspect", args=[survey.pk])
    login(client, steward)
    body = client.get(url).content.decode()
    assert "By self-identified group" in body
    assert '<th scope="row">Woman</th><td>5</td><td>5</td>' in " ".join(
        body.split()
    ).replace("> <", "><")
    login(client, program_admin)
    body = client.get(url).content.decode()
    assert "By self-identified group" not in body and "Woman" not in body


def test_an_anonymous_survey_cannot_be_split(client, program):
    survey = make_survey(program, anonymous=True)
    for i, s in enumerate((5, 4, 4, 3, 5)):
        _person(f"w{i}", gender="woman")
        _respond(survey, date(2026, 10, 1), satisfied=s, recommend=10)
    split = survey_results_by_group(survey)
    assert split.anonymous and split.dimensions == []
    steward = make_user(
        "hazel", admin_access=True, groups=[program.admin_group], perms=[EQUITY]
    )
    login(client, steward)
    body = client.get(reverse("wm_surveys:inspect", args=[survey.pk])).content.decode()
    section = body.split("By self-identified group", 1)[1]
    assert "This survey is anonymous: its answers carry no person" in section
    assert "<table" not in section and "Woman" not in section


def test_dashboard_splits_named_answers_by_group_and_says_what_it_leaves_out(
    client, program, program_admin
):
    named = make_survey(program, Moment.END, anonymous=False)
    other = make_survey(program, Moment.START, anonymous=False)
    anonymous = make_survey(program, Moment.START, anonymous=True)
    today = timezone.localdate()
    # Five women answer the end survey (satisfaction 5 4 4 3 5 → 4.2, NPS all
    # 10 → 100) and three of them the start one too (satisfaction 1 each):
    # 8 answers, satisfaction (21 + 3) / 8 = 3.0; NPS only in the end survey.
    women = [_person(f"w{i}", gender="woman") for i in range(5)]
    for person, s in zip(women, (5, 4, 4, 3, 5), strict=True):
        SurveyResponse.objects.create(
            survey=named,
            program=program,
            moment=named.moment,
            respondent=person,
            answers={"satisfied": s, "recommend": 10},
            submitted_on=today,
        )
    for person in women[:3]:
        SurveyResponse.objects.create(
            survey=other,
            program=program,
            moment=other.moment,
            respondent=person,
            answers={"satisfied": 1},
            submitted_on=today,
        )
    # Before the period: left out.
    SurveyResponse.objects.create(
        survey=named,
        program=program,
        moment=named.moment,
        respondent=women[0],
        answers={"satisfied": 1, "recommend": 0},
        submitted_on=today - timedelta(days=200),
    )
    # Two anonymous answers: counted in the dashboard, not in the split.
    for _n in range(2):
        _respond(anonymous, today, satisfied=1)
    programs = type(program).objects.filter(pk=program.pk)
    split = summarize_by_group(programs, kpis.Period.last_days(90))
    assert (split.named_responses, split.anonymous_responses) == (8, 2)
    gender = split.dimensions[0]
    woman = next(row for row in gender.rows if row.label == "Woman")
    assert (woman.people, woman.responses) == (5, 8)
    assert woman.satisfaction == pytest.approx(3.0)
    assert woman.nps == pytest.approx(100)

    steward = make_user(
        "hazel", admin_access=True, groups=[program.admin_group], perms=[EQUITY]
    )
    login(client, steward)
    body = " ".join(client.get(reverse("wm_dashboard:index")).content.decode().split())
    assert "Survey answers by self-identified group" in body
    assert "Named surveys only: 8 answers. The 2 answers to anonymous" in body
    assert '<th scope="row">Woman</th> <td>5</td><td>8</td>' in body
    export = reverse("wm_dashboard:index") + "?export=csv&table=survey_groups"
    rows = list(csv.reader(io.StringIO(client.get(export).content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Dimension", "Group", "People", "Responses"]
    assert ["Gender", "Woman", "5", "8", "3.0", "100.0"] in rows
    login(client, program_admin)
    body = client.get(reverse("wm_dashboard:index")).content.decode()
    assert "Survey answers by self-identified group" not in body
    # Asked for anyway: the funnel, not the split.
    assert "Woman" not in client.get(export).content.decode("utf-8-sig")


def test_dashboard_split_with_only_anonymous_answers_says_so(client, program):
    anonymous = make_survey(program, Moment.END, anonymous=True)
    for i, s in enumerate((5, 4, 4, 3, 5)):
        _person(f"w{i}", gender="woman")
        _respond(anonymous, timezone.localdate(), satisfied=s)
    steward = make_user(
        "hazel", admin_access=True, groups=[program.admin_group], perms=[EQUITY]
    )
    login(client, steward)
    body = client.get(reverse("wm_dashboard:index")).content.decode()
    section = body.split("Survey answers by self-identified group", 1)[1]
    section = section.split("</section>", 1)[0]
    assert "No answers to named surveys in the period" in section
    assert "<table" not in section


def test_the_dashboard_reads_the_answers_of_its_cohort_and_period_only(program):
    spring = Cohort.objects.create(
        program=program, name="Spring", starts_on=date(2026, 3, 1)
    )
    autumn = Cohort.objects.create(
        program=program, name="Autumn", starts_on=date(2026, 9, 1)
    )
    start = make_survey(program, Moment.START, anonymous=False)
    end = make_survey(program, Moment.END, anonymous=False)
    period = kpis.Period(date(2026, 9, 1), date(2026, 11, 30))
    for i in range(5):
        person = _person(f"a{i}", gender="woman")
        # Before the period: growth before only, never satisfaction.
        _respond(start, date(2026, 3, 10), confident=2, satisfied=1)
        for cohort, satisfied in ((autumn, 4), (spring, 2)):
            SurveyResponse.objects.create(
                survey=end,
                program=program,
                moment=Moment.END,
                respondent=person,
                cohort=cohort,
                answers={"satisfied": satisfied, "confident": 4, "recommend": 9},
                submitted_on=date(2026, 10, 1),
            )
    SurveyResponse.objects.filter(submitted_on=date(2026, 3, 10)).update(cohort=autumn)
    programs = type(program).objects.filter(pk=program.pk)

    autumns = summarize(programs, period, cohort=autumn, min_size=5)
    assert autumns.responses == 5  # in the period
    assert autumns.satisfaction.mean == pytest.approx(4.0)
    assert autumns.growth_before.mean == pytest.approx(2.0)  # March, looked back
    assert (
        summarize(programs, period, cohort=spring, min_size=5).growth_before.mean
        is None
    )
    everyone = summarize(programs, period, min_size=5)
    assert everyone.satisfaction.mean == pytest.approx(3.0)

    split = summarize_by_group(programs, period, cohort=autumn, min_size=5)
    # March's answers (without a person) are before the period: not counted.
    assert (split.named_responses, split.anonymous_responses) == (5, 0)
    woman = _rows(split.dimensions[0])["Woman"]
    assert woman[:3] == (5, 5, pytest.approx(4.0))
    split = summarize_by_group(programs, period, min_size=5)
    assert split.named_responses == 10
