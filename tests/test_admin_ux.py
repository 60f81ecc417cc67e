"""What admins and editors trip over: searching people, dates, choosers."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from intranet.home.management.commands._sponsorship import hr_team
from tests.factories import make_enrollment, make_user
from tests.journey_data import make_journey
from wagtail_mentoring.blocks.program import MentorSpotlightBlock
from wagtail_mentoring.matching.models import MatchingRun, RunStatus
from wagtail_mentoring.people.models import EmployeeProfile, SelfIdentification
from wagtail_mentoring.people.search import PICKER_LIMIT
from wagtail_mentoring.sponsorship import services as sponsorship_services
from wagtail_mentoring.sponsorship.models import Nomination

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


def _run_with_gender_groups(program, sizes):
    mentees = []
    for gender, size in sizes.items():
        for i in range(size):
            user = make_user(f"{gender}{i}", profile={})
            if gender != "undisclosed":
                SelfIdentification.objects.create(
                    user=user, consented_at=timezone.now(), answers={"gender": gender}
                )
            mentees.append(make_enrollment(user, program, status="approved").pk)
    return MatchingRun.objects.create(
        program=program,
        status=RunStatus.SUCCEEDED,
        finished_at=timezone.now(),
        pool={"mentees": mentees},
    )


def _fairness_table(client, program, dimension="Gender"):
    url = reverse("wm_matching:fairness", args=[program.pk])
    html = " ".join(client.get(url).content.decode().split())
    return html[html.index(f"<caption>{dimension}</caption>") :].split("</table>")[0]


def test_fairness_combines_small_groups_so_large_ones_stay_visible(
    client, superuser, program
):
    _run_with_gender_groups(
        program, {"man": 20, "woman": 18, "non_binary": 3, "undisclosed": 6}
    )
    client.force_login(superuser)
    gender = _fairness_table(client, program)
    # Woman (18) is compared, not hidden to protect Non binary (3).
    assert '<th scope="row">Woman</th> <td>18</td>' in gender
    assert '<th scope="row">Man</th> <td>20</td>' in gender
    assert "suppressed" not in gender
    assert "Other (Non binary, Not disclosed)" in gender
    assert "Non binary has fewer than 5 people" in gender
    assert "<td>9</td>" in gender


def test_fairness_says_why_each_group_is_hidden(client, superuser, program):
    _run_with_gender_groups(program, {"man": 20, "woman": 18, "non_binary": 3})
    client.force_login(superuser)
    gender = _fairness_table(client, program)
    assert '<th scope="row">Man</th> <td>20</td>' in gender
    assert 'Non binary</th> <td colspan="4">suppressed: fewer than 5 people' in gender
    assert (
        'Woman</th> <td colspan="4">suppressed so that Non binary cannot be '
        "worked out from the total" in gender
    )


# --- People pickers -------------------------------------------------------


def _crowd(n, department="Product", start=0):
    """``n`` employees named alike, in one query each for users and profiles."""
    User = get_user_model()
    names = {f.name for f in User._meta.get_fields()}
    users = []
    for i in range(start, start + n):
        fields = {User.USERNAME_FIELD: f"crowd{i:05d}"}
        if User.USERNAME_FIELD != "email" and "email" in names:
            fields["email"] = f"crowd{i:05d}@example.com"
        if User.USERNAME_FIELD == "email":
            fields["email"] = f"crowd{i:05d}@example.com"
        users.append(User(first_name="Jordan", last_name=f"Chen{i:05d}", **fields))
    User.objects.bulk_create(users)
    users = list(
        User.objects.filter(last_name__startswith="Chen", mentoring_profile=None)
    )
    EmployeeProfile.objects.bulk_create(
        EmployeeProfile(
            user=u, title="Senior Specialist", department=department, location="Berlin"
        )
        for u in users
    )


@pytest.fixture
def nominator(sponsorship_program, sponsorship_admin):
    # Program admins of a sponsorship program may nominate anyone.
    return sponsorship_admin


def test_nominee_picker_searches_on_the_server_and_scales(
    client, nominator, lena, django_assert_max_num_queries
):
    url = reverse("wagtail_mentoring:sponsorship_nominee_search")
    client.force_login(nominator)
    _crowd(30)
    with django_assert_max_num_queries(8) as few:
        small = client.get(url, {"q": "jordan product"}).json()
    _crowd(600, department="Product ", start=30)  # many more namesakes
    with django_assert_max_num_queries(8) as many:
        large = client.get(url, {"q": "jordan product"}).json()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(small["results"]) == len(large["results"]) == PICKER_LIMIT
    assert large["more"] is True
    found = client.get(url, {"q": "Lena Mensah"}).json()
    assert found == {
        "results": [
            {
                "id": str(lena.pk),
                "name": "Lena Mensah",
                "detail": "Engineer, Finance",
            }
        ],
        "more": False,
    }


def test_nominate_form_is_search_then_pick_without_javascript(
    client, nominator, lena, lena_other
):
    url = reverse("wagtail_mentoring:sponsorship_nominate")
    client.force_login(nominator)
    _crowd(PICKER_LIMIT)
    page = client.get(url).content.decode()
    # No dropdown of everyone: a search box.
    assert "Kofi" not in page and "Mensah" not in page
    assert 'name="nominee_q"' in page
    response = client.post(
        url, {"nominee_q": "Mensah", "nominee_search": "1", "reason": "Ready"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{lena.pk}"' in page and "Finance" in page
    assert "Kofi Mensah" in page and "Okafor" not in page
    assert "Ready" in page  # what was typed is kept
    assert not Nomination.objects.exists()


# --- Dead ends of editors and admins ---------------------------------------


def test_spotlight_without_a_person_yet_can_be_published():
    block = MentorSpotlightBlock()
    value = block.to_python({"heading": "Mentors", "profiles": [None], "show_bio": 1})
    block.clean(value)  # raised "This field is required" before
    value = block.to_python({"heading": "Mentors", "profiles": [], "show_bio": 1})
    block.clean(value)
    assert "introduced here once" in block.render(value)


def test_profile_chooser_names_people_and_shows_sign_in_to_stewards(
    client, superuser, program, lena
):
    make_enrollment(lena, program, "mentor", status="approved")
    url = reverse("wm_profile_chooser:choose")
    client.force_login(superuser)
    html = client.get(url).json()["html"]
    assert "<th > Name </th>" in " ".join(html.split())
    chosen = reverse("wm_profile_chooser:chosen", args=[lena.mentoring_profile.pk])
    assert f'href="{chosen}"' in html and "Lena Mensah" in html
    assert "Sign-in name" in html and "emp0299" in html
    editor = make_user("eddie", admin_access=True)
    client.force_login(editor)
    html = client.get(url).json()["html"]
    assert "Lena Mensah" in html and f'href="{chosen}"' in html
    assert "emp0299" not in html and "Sign-in name" not in html


def test_participants_show_sign_in_names_and_hr_may_open_them(client, lena):
    hr = hr_team("x", lambda name: {get_user_model().USERNAME_FIELD: name})
    client.force_login(hr)
    response = client.get(reverse("wm_participants:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign-in name" in body and "emp0299" in body


def test_pair_by_hand_says_a_run_is_needed_before_anyone_is_chosen(
    client, superuser, program
):
    client.force_login(superuser)
    html = client.get(reverse("wm_matching:manual_pair", args=[program.pk]))
    html = html.content.decode()
    assert "has none yet" in html
    assert 'name="mentee"' not in html


def test_opportunity_nominations_show_why_the_nominator_chose_them(
    client, sponsorship, sponsor, sponsee, sponsorship_program, sponsorship_admin
):
    opportunity = sponsorship_services.post_opportunity(
        sponsorship_program,
        sponsorship_admin,
        title="Pricing",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    sponsorship_services.nominate_for_opportunity(
        opportunity, sponsee, sponsor, note="Led the pricing rework"
    )
    client.force_login(sponsorship_admin)
    body = client.get(
        reverse("wm_opportunities:inspect", args=[opportunity.pk])
    ).content.decode()
    assert "Led the pricing rework" in body


def test_program_page_and_hub_show_learning_journeys(client, hub, program, employee):
    journey = make_journey(hub, title="First steps together", slug="first-steps")
    program.journey = journey
    program.save_revision().publish()
    client.force_login(employee)
    assert "First steps together" in client.get(program.url).content.decode()
    hub_html = client.get(hub.url).content.decode()
    assert "Learning journeys" in hub_html and journey.url in hub_html
