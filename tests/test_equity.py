"""Equity aggregation: suppression, consented data only, promotion comparison."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PROFILE
from tests.factories import make_enrollment, make_user
from wagtail_mentoring.analytics.equity import (
    UNDISCLOSED,
    aggregate,
    consented_groups,
    suppress,
    to_csv,
)
from wagtail_mentoring.people.models import SelfIdentification
from wagtail_mentoring.programs.services import approve_enrollment
from wagtail_mentoring.sponsorship import outcomes, services
from wagtail_mentoring.sponsorship.reports import compare_promotions, equity_report

TODAY = timezone.localdate


def test_small_groups_and_one_complement_are_suppressed():
    assert suppress({"a": 10, "b": 2, "c": 7}, 5) == {"b", "c"}
    # Two small groups protect each other: no complement needed.
    assert suppress({"a": 10, "b": 2, "c": 1}, 5) == {"b", "c"}
    # Empty groups identify nobody.
    assert suppress({"a": 10, "b": 0}, 5) == set()
    assert suppress({"a": 10, "b": 6}, 5) == set()


def test_threshold_never_goes_below_the_floor():
    assert suppress({"a": 2, "b": 10, "c": 11}, 1) == {"a", "b"}
    with override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 2}):
        assert suppress({"a": 2, "b": 10, "c": 11}) == {"a", "b"}
    with override_settings(WAGTAIL_MENTORING={"MIN_GROUP_SIZE": 12}):
        assert suppress({"a": 2, "b": 10, "c": 20}) == {"a", "b"}


def _person(name, **answers):
    user = make_user(name, profile=dict(PROFILE))
    if answers:
        SelfIdentification.objects.create(
            user=user, consented_at=timezone.now(), answers=answers
        )
    return user


@pytest.mark.django_db
def test_only_configured_answers_count_and_the_rest_is_undisclosed():
    a = _person("ann", gender="woman")
    b = _person("bea", gender="unicorn")  # not a configured value
    c = _person("cat")  # no answers
    groups = consented_groups({a.pk, b.pk, c.pk})
    assert groups["gender"]["woman"] == {a.pk}
    assert groups["gender"][UNDISCLOSED] == {b.pk, c.pk}
    assert groups["ethnicity"][UNDISCLOSED] == {a.pk, b.pk, c.pk}


@pytest.mark.django_db
def test_aggregate_shares_parity_and_suppressed_rows_carry_no_numbers():
    women = [_person(f"w{i}", gender="woman") for i in range(6)]
    men = [_person(f"m{i}", gender="man") for i in range(6)]
    lone = _person("nb", gender="non_binary")
    population = {u.pk for u in women + men + [lone]}
    nominated = {women[0].pk, women[1].pk, women[2].pk, men[0].pk, lone.pk}
    table = aggregate(
        population,
        [("nominated", "Nominated", nominated)],
        dimensions={"gender": ["woman", "man", "non_binary"]},
        min_size=5,
    )
    assert table.population == 13 and table.totals == {"nominated": 5}
    rows = {row.value: row for row in table.dimensions[0].rows}
    assert rows["non_binary"].suppressed
    assert rows["non_binary"].counts == {} and rows["non_binary"].population == 0
    # Only one small group: the next-smallest (a tie, broken by name) goes too.
    assert rows["man"].suppressed is True
    woman = rows["woman"]
    assert woman.counts == {"nominated": 3}
    assert woman.shares["nominated"] == pytest.approx(3 / 5)
    assert woman.parity("nominated") == pytest.approx((3 / 5) / (6 / 13))
    assert woman.rate("nominated") == pytest.approx(0.5)
    exported = to_csv(table)
    assert "suppressed" in exported and "w0" not in exported


def test_comparable_rate_is_standardised_by_stratum():
    sponsees = set(range(1, 7))
    stratum = dict.fromkeys(range(1, 6), (3, "Eng"))
    stratum[6] = (9, "Legal")  # nobody comparable: left out
    non_sponsored = set(range(100, 120))
    stratum.update(dict.fromkeys(range(100, 110), (3, "Eng")))
    stratum.update(dict.fromkeys(range(110, 120), (4, "Eng")))
    promoted = {1, 2, 100, 110, 111, 112}
    result = compare_promotions("All", sponsees, non_sponsored, promoted, stratum, 5)
    assert result.matched_sponsees == 5 and result.comparable_pool == 10
    assert result.sponsee_rate == pytest.approx(2 / 5)
    assert result.comparable_rate == pytest.approx(1 / 10)
    assert result.difference == pytest.approx(0.3)
    too_few = compare_promotions("Few", {1, 2}, non_sponsored, promoted, stratum, 5)
    assert too_few.suppressed and too_few.sponsee_rate is None


@pytest.mark.django_db
def test_equity_report_end_to_end(sponsorship_program, sponsor, sponsorship_admin):
    make_enrollment(
        make_user(profile=dict(PROFILE, level=8)),
        sponsorship_program,
        role="sponsor",
        status="approved",
        capacity=3,
    )
    Enrollment = sponsor.mentoring_enrollments.model
    Enrollment.objects.filter(role="sponsor").update(capacity=3)
    sponsors = [e.user for e in Enrollment.objects.filter(role="sponsor")]
    sponsees = [_person(f"s{i}", gender="woman") for i in range(6)]
    others = [_person(f"o{i}", gender="man") for i in range(8)]
    for index, user in enumerate(sponsees):
        nomination = services.nominate(
            sponsorship_program, user, sponsorship_admin, reason="x"
        )
        approve_enrollment(nomination.enrollment, sponsorship_admin)
        services.pair_sponsor(
            sponsorship_program, sponsors[index % 2], user, sponsorship_admin
        )
    hr = make_user(perms=["wagtail_mentoring.add_careeroutcome"])
    for user in sponsees[:3] + others[:1]:
        outcomes.record_outcome(
            user,
            hr,
            kind="promotion",
            occurred_on=TODAY() - timedelta(days=1),
            to_level=4,
        )
    report = equity_report()
    gender = {row.value: row for row in report.table.dimensions[0].rows}
    assert gender["woman"].counts["sponsored"] == 6
    assert gender["woman"].counts["promoted"] == 3
    # Sponsors are not part of the eligible population.
    assert report.table.population == 14
    assert report.promotion.sponsee_rate == pytest.approx(0.5)
    assert report.promotion.comparable_rate == pytest.approx(1 / 8)


@pytest.mark.django_db
def test_demo_seed_shows_both_shown_and_suppressed_groups():
    from django.core.management import call_command

    call_command("seed_demo", employees=40, verbosity=0)
    report = equity_report()
    rows = [row for block in report.table.dimensions for row in block.rows]
    assert any(row.suppressed for row in rows)
    assert any(not row.suppressed and row.counts["nominated"] for row in rows)
    assert report.table.totals["sponsored"] and report.table.totals["promoted"]


# ---------------------------------------------------------------------------
# Consent from the intranet: people give and withdraw it themselves


def _audit(user):
    from wagtail.models import ModelLogEntry

    return list(
        ModelLogEntry.objects.filter(object_id=str(user.pk))
        .filter(action__startswith="wagtail_mentoring.self_identification")
        .order_by("pk")
        .values_list("action", "data")
    )


@pytest.mark.django_db
def test_an_employee_consents_changes_and_withdraws_from_their_page(client):
    from tests.factories import PASSWORD, login_identifier

    url = reverse("wagtail_mentoring:self_identification")
    person = make_user("consenting")
    assert client.get(url).status_code == 302  # signed out: to the login
    client.login(username=login_identifier(person), password=PASSWORD)
    page = client.get(url).content.decode()
    assert "You have not consented" in page and 'name="gender"' in page

    # Answers without the consent box: nothing kept.
    client.post(url, {"gender": "woman"})
    assert not SelfIdentification.objects.filter(user=person).exists()
    assert _audit(person) == []

    client.post(url, {"gender": "woman", "consent": "on"})
    answers = SelfIdentification.objects.get(user=person)
    assert answers.answers == {"gender": "woman"} and answers.consented_at
    assert consented_groups([person.pk])["gender"]["woman"] == {person.pk}

    client.post(url, {"gender": "non_binary", "consent": "on"})
    assert SelfIdentification.objects.get(user=person).answers == {
        "gender": "non_binary"
    }
    client.post(url, {"gender": "non_binary", "consent": "on"})  # no change

    client.post(url, {"gender": "non_binary"})  # unticked: withdrawn
    assert not SelfIdentification.objects.filter(user=person).exists()
    assert person.pk in consented_groups([person.pk])["gender"][UNDISCLOSED]
    # Each change audited once, never with the answers themselves.
    assert [action.rsplit(".", 1)[1] for action, _data in _audit(person)] == [
        "consent",
        "change",
        "withdraw",
    ]
    assert all("woman" not in str(data) for _action, data in _audit(person))


@pytest.mark.django_db
def test_only_the_person_sets_their_own_consent_and_only_known_values():
    from django.core.exceptions import PermissionDenied

    from wagtail_mentoring.people.services import set_self_identification

    person, other = make_user("me"), make_user("hr-person", superuser=True)
    with pytest.raises(PermissionDenied):
        set_self_identification(
            person, by=other, consent=True, answers={"gender": "woman"}
        )
    with pytest.raises(ValueError):
        set_self_identification(
            person, by=person, consent=True, answers={"gender": "martian"}
        )
    assert not SelfIdentification.objects.exists()


@pytest.mark.django_db
def test_the_form_offers_only_configured_values(client):
    from tests.factories import PASSWORD, login_identifier

    person = make_user("picky")
    client.login(username=login_identifier(person), password=PASSWORD)
    url = reverse("wagtail_mentoring:self_identification")
    response = client.post(url, {"gender": "martian", "consent": "on"})
    assert response.status_code == 200 and "martian" in response.content.decode()
    assert not SelfIdentification.objects.exists()
