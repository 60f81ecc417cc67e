"""What admins and editors trip over: searching people, dates, choosers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import make_enrollment, make_user
from wagtail_mentoring.sponsorship import services as sponsorship_services

pytestmark = pytest.mark.django_db


def _named(name, first, last, **profile):
    user = make_user(name, profile={"title": "Engineer", **profile})
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def lena(db):
    return _named("emp0299", "Lena", "Mensah", department="Finance")


@pytest.fixture
def lena_other(db):
    # Another Lena, and another Mensah: a full-name search must find neither.
    _named("emp0300", "Lena", "Okafor", department="Sales")
    return _named("emp0301", "Kofi", "Mensah", department="Sales")


@pytest.mark.parametrize("query", ["Lena Mensah", "mensah lena", "Lena Finance"])
def test_participants_search_by_full_name(client, superuser, lena, lena_other, query):
    client.force_login(superuser)
    response = client.get(reverse("wm_participants:index"), {"q": query})
    body = response.content.decode()
    assert response.status_code == 200
    edit = reverse("wm_participants:edit", args=[lena.mentoring_profile.pk])
    assert f'href="{edit}"' in body
    assert "Okafor" not in body and "Kofi" not in body


def test_applications_and_chooser_search_by_full_name(
    client, superuser, program, lena, lena_other
):
    client.force_login(superuser)
    enrollment = make_enrollment(lena, program)
    body = client.get(
        reverse("wm_applications:index"), {"q": "Lena Mensah"}
    ).content.decode()
    assert reverse("wm_applications:inspect", args=[enrollment.pk]) in body
    response = client.get(
        reverse("wm_profile_chooser:choose_results"), {"q": "Lena Mensah"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Finance" in body and "Sales" not in body


def test_future_deadline_is_a_date_in_the_hosts_format(
    client, sponsorship_program, sponsorship_admin
):
    deadline = timezone.localdate() + timedelta(days=21)
    sponsorship_services.post_opportunity(
        sponsorship_program, sponsorship_admin, title="Pricing", deadline=deadline
    )
    client.force_login(sponsorship_admin)
    body = client.get(reverse("wm_opportunities:index")).content.decode()
    assert "Pricing" in body
    # The front end's format ("Dec. 25, 2026" in en-us), never "Just now".
    assert date_format(deadline, "DATE_FORMAT") in body
    assert "Just now" not in body
