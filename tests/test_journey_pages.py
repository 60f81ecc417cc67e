"""Journey pages: where they live, what members see and do, who may see what."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from intranet.home.models import HomePage
from tests.factories import make_hub, make_program, make_user
from tests.journey_data import (
    STEP_GOAL,
    STEP_INTRO,
    STEP_REFLECT,
    goal,
    make_journey,
    quiz,
    reflection,
    step,
    three_steps,
)
from wagtail_mentoring.engagement.models import Goal, Meeting
from wagtail_mentoring.journeys import services
from wagtail_mentoring.journeys.models import (
    JourneyModulePage,
    LearningJourneyPage,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.programs.models import MentoringHubPage, ProgramPage
from wagtail_mentoring.programs.services import start_relationship


class TestJourneyPageTypes(WagtailPageTestCase):
    def setUp(self):
        self.hub = make_hub()
        self.journey = make_journey(self.hub)
        self.module = self.journey.add_child(
            instance=JourneyModulePage(
                title="Module two",
                slug="module-two",
                steps=[step("m-1", "Module step", completion="view")],
            )
        )

    def test_where_journeys_may_be_created(self):
        self.assertCanCreateAt(MentoringHubPage, LearningJourneyPage)
        self.assertCanCreateAt(HomePage, LearningJourneyPage)
        self.assertCanCreateAt(LearningJourneyPage, JourneyModulePage)
        self.assertCanNotCreateAt(MentoringHubPage, JourneyModulePage)
        self.assertCanNotCreateAt(ProgramPage, LearningJourneyPage)
        self.assertCanNotCreateAt(LearningJourneyPage, LearningJourneyPage)

    def test_pages_route_render_and_preview(self):
        self.assertPageIsRoutable(self.journey)
        self.assertPageIsRenderable(self.journey)
        self.assertPageIsRoutable(self.journey, f"steps/{STEP_INTRO}/")
        self.assertPageIsRenderable(self.module)
        self.assertPageIsPreviewable(
            self.journey,
            post_data=nested_form_data(
                {
                    "title": "First steps",
                    "slug": "first-steps",
                    "summary": "",
                    "intro": streamfield([]),
                    "steps": streamfield([]),
                }
            ),
        )

    def test_module_steps_continue_the_journey(self):
        journey = LearningJourneyPage.objects.get(pk=self.journey.pk)
        assert [(s.number, s.title) for s in journey.journey_steps] == [
            (1, "Get to know each other"),
            (2, "Reflect on your strengths"),
            (3, "Set a goal"),
            (4, "Module step"),
        ]
        response = self.client.get(self.module.url)
        self.assertContains(response, "Module step")
        self.assertContains(response, journey.url + "steps/m-1/")


pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(hub):
    return make_journey(hub)


@pytest.fixture
def pair(program, journey, employee, other_employee):
    program.journey = journey
    program.save()
    return start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )


def _step_url(journey, step_id):
    return journey.url + f"steps/{step_id}/"


def test_anonymous_reads_the_curriculum_but_must_sign_in_to_act(client, journey):
    response = client.get(journey.url)
    assert response.status_code == 200
    assert b"Reflect on your strengths" in response.content
    assert b"Your progress" not in response.content
    response = client.get(_step_url(journey, STEP_REFLECT))
    assert response.status_code == 200
    assert b"Which strength do you use least?" in response.content
    assert b"<textarea" not in response.content
    response = client.post(
        _step_url(journey, STEP_REFLECT),
        {"action": "reflection", "block": "b-reflect", "b-reflect-text": "Hi"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert not ReflectionAnswer.objects.exists()


def test_unrelated_employee_sees_no_pair_and_cannot_act(client, pair, journey):
    outsider = make_user("ursula")
    client.force_login(outsider)
    response = client.get(journey.url)
    assert b"once a program that uses it matches you" in response.content
    # Someone else's pair is "not found", as is nonsense.
    assert client.get(journey.url + f"?pair={pair.pk}").status_code == 404
    assert client.get(journey.url + "?pair=abc").status_code == 404
    assert (
        client.get(_step_url(journey, STEP_REFLECT) + f"?pair={pair.pk}").status_code
        == 404
    )
    response = client.post(
        _step_url(journey, STEP_REFLECT),
        {"action": "reflection", "block": "b-reflect", "b-reflect-text": "Hi"},
    )
    assert response.status_code == 404
    assert not ReflectionAnswer.objects.exists()


def test_unknown_step_is_not_found(client, journey):
    assert client.get(_step_url(journey, "no-such-step")).status_code == 404


def test_program_admin_sees_the_curriculum_not_the_answers(
    client, pair, journey, employee, program_admin
):
    services.save_reflection(
        pair, employee, journey, STEP_REFLECT, "b-reflect", "My private answer"
    )
    client.force_login(program_admin)
    response = client.get(_step_url(journey, STEP_REFLECT))
    assert response.status_code == 200
    assert b"My private answer" not in response.content


def test_member_sees_progress_prompts_and_next_meeting(client, pair, journey, employee):
    Meeting.objects.create(
        relationship=pair,
        title="Monthly chat",
        starts_at=timezone.now() + timedelta(days=3),
    )
    client.force_login(employee)
    response = client.get(journey.url)
    body = response.content.decode()
    assert "0 of 3 steps done" in body
    assert "Talk about this in your next meeting" in body
    assert "What brought you here?" in body
    assert "Your next meeting: Monthly chat" in body
    assert "Oscar Tester" in body  # the partner


def test_member_answers_a_reflection_and_partner_sees_it(
    client, pair, journey, employee, other_employee
):
    client.force_login(employee)
    url = _step_url(journey, STEP_REFLECT)
    response = client.get(url)
    assert b'name="b-reflect-text"' in response.content
    # A GET changes nothing; the page posts the visit itself (mentoring.js).
    assert not StepProgress.objects.filter(user=employee, step_id=STEP_REFLECT).exists()
    assert b"data-wm-record-visit" in response.content
    visit = client.post(url, {"action": "open"}, HTTP_X_REQUESTED_WITH="fetch")
    assert visit.status_code == 204
    assert StepProgress.objects.filter(user=employee, step_id=STEP_REFLECT).exists()
    assert b"data-wm-record-visit" not in client.get(url).content
    # A blank answer is refused with a message; nothing saved.
    response = client.post(
        url, {"action": "reflection", "block": "b-reflect", "b-reflect-text": " "}
    )
    assert response.status_code == 400
    assert b"Please write your answer." in response.content
    assert not ReflectionAnswer.objects.exists()
    response = client.post(
        url,
        {"action": "reflection", "block": "b-reflect", "b-reflect-text": "Patience"},
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert b"Your reflection was saved." in response.content
    assert b"Patience" in response.content
    client.force_login(other_employee)
    response = client.get(url)
    assert b"Patience" in response.content
    assert b"Erin Tester's reflection" in response.content


def test_member_sets_a_goal_from_the_step(client, pair, journey, employee):
    client.force_login(employee)
    url = _step_url(journey, STEP_GOAL)
    response = client.post(
        url,
        {
            "action": "goal",
            "block": "b-goal",
            "b-goal-title": "Run a workshop",
            "b-goal-target_date": "not a date",
        },
    )
    assert response.status_code == 400
    assert b"Enter a valid date." in response.content
    assert b'value="Run a workshop"' in response.content  # kept what was typed
    assert not Goal.objects.exists()
    target = timezone.localdate() + timedelta(days=40)
    response = client.post(
        url,
        {
            "action": "goal",
            "block": "b-goal",
            "b-goal-title": "Run a workshop",
            "b-goal-measure": "Ten people attend",
            "b-goal-target_date": target.isoformat(),
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.title, goal.source_step_id, goal.owner) == (
        "Run a workshop",
        STEP_GOAL,
        employee,
    )
    assert b"Your goal:" in client.get(url).content


def test_quiz_feedback_is_shown(client, hub, program, pair, employee):
    journey = make_journey(
        hub, [step("q", "Quiz", [quiz("qz")], completion="answer")], slug="quiz"
    )
    program.journey = journey
    program.save()
    client.force_login(employee)
    url = _step_url(journey, "q")
    response = client.post(
        url, {"action": "quiz", "block": "qz", "q-q1": "q1b", "q-q2": ["q2a", "q2c"]}
    )
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "You scored 0%" in body
    assert "The mentor guides." in body and "Better not." in body
    response = client.post(url, {"action": "quiz", "block": "qz", "q-q1": "q1a"})
    assert response.status_code == 400
    assert "Please answer every question." in response.content.decode()


def test_completing_a_step_that_is_not_ready_explains_why(
    client, pair, journey, employee
):
    client.force_login(employee)
    response = client.post(_step_url(journey, STEP_INTRO), {"action": "complete"})
    assert response.status_code == 400
    assert b"mark your meeting as held first" in response.content
    response = client.post(_step_url(journey, STEP_REFLECT), {"action": "complete"})
    assert b"Answer the reflection questions." in response.content
    response = client.post(_step_url(journey, STEP_REFLECT), {"action": "bogus"})
    assert response.status_code == 400


def test_member_in_two_pairs_chooses_with_pair_parameter(
    client, hub, program, journey, employee
):
    other = make_program(hub, title="Second program", slug="second", journey=journey)
    mia = make_user("mia")
    pair_one = start_relationship(program, [(employee, "mentee"), (mia, "mentor")], mia)
    program.journey = journey
    program.save()
    max = make_user("max")
    pair_two = start_relationship(other, [(employee, "mentee"), (max, "mentor")], max)
    client.force_login(employee)
    body = client.get(journey.url).content.decode()
    assert f"?pair={pair_one.pk}" in body and f"?pair={pair_two.pk}" in body
    url = _step_url(journey, STEP_REFLECT) + f"?pair={pair_one.pk}"
    client.post(
        url, {"action": "reflection", "block": "b-reflect", "b-reflect-text": "One"}
    )
    assert ReflectionAnswer.objects.get().relationship == pair_one


def test_overview_queries_stay_constant_as_progress_grows(
    client, hub, program, employee, django_assert_max_num_queries
):
    def steps(n):
        return three_steps() + [
            step(f"extra-{i}", f"Extra {i}", completion="view") for i in range(n)
        ]

    journey = make_journey(hub, steps(2), slug="grow")
    program.journey = journey
    program.save()
    pat = make_user("pat")
    pair = start_relationship(program, [(employee, "mentee"), (pat, "mentor")], pat)
    client.force_login(employee)
    for step_id in ("extra-0", "extra-1"):
        services.open_step(pair, employee, journey, step_id)
    with django_assert_max_num_queries(40) as small:
        client.get(journey.url)
    journey.steps = steps(12)
    journey.save_revision().publish()
    journey = LearningJourneyPage.objects.get(pk=journey.pk)
    for i in range(2, 12):
        services.open_step(pair, employee, journey, f"extra-{i}")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(journey.url)
    assert len(large.captured_queries) == len(small.captured_queries)
    # The pair's count waits for the mentor; the mentee's own part does not.
    assert b"Together: 0 of 15 steps done" in response.content
    assert b"Your part: 12 of 15 steps done" in response.content
    assert response.content.count(b"wm-tag--completed") == 12


def test_my_mentoring_shows_journey_progress(client, pair, journey, employee):
    services.save_reflection(pair, employee, journey, STEP_REFLECT, "b-reflect", "Hi")
    client.force_login(employee)
    body = client.get(reverse("wagtail_mentoring:my_mentoring")).content.decode()
    assert "First steps" in body
    assert "0 of 3 steps done" in body
    assert "Next: Get to know each other" in body
    assert f"{journey.url}?pair={pair.pk}" in body


def test_private_reflections_stay_private(
    client, hub, program, pair, employee, other_employee
):
    journey = make_journey(
        hub,
        [
            step(
                "p",
                "Private",
                [reflection("rp", "What worries you?", shared=False)],
                completion="answer",
            )
        ],
        slug="private",
    )
    program.journey = journey
    program.save()
    services.save_reflection(pair, employee, journey, "p", "rp", "Public speaking")
    client.force_login(other_employee)
    assert b"Public speaking" not in client.get(_step_url(journey, "p")).content
    client.force_login(employee)
    assert b"Public speaking" in client.get(_step_url(journey, "p")).content


def test_member_who_did_their_part_of_both_member_steps_sees_it(
    client, hub, program, employee, other_employee
):
    """Both steps are for both members: the mentee finished both, the mentor
    none. The mentee sees their own part done and whom the pair waits for, on
    the journey page, My mentoring and the relationship page alike."""
    journey = make_journey(
        hub,
        [
            step("s-know", "Get to know each other"),
            step("s-plan", "Plan your first month"),
        ],
        title="Together",
        slug="together",
    )
    program.journey = journey
    program.save()
    pair = start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    for step_id in ("s-know", "s-plan"):
        services.complete_step(pair, employee, journey, step_id)
    client.force_login(employee)

    body = " ".join(client.get(journey.url).content.decode().split())
    assert "Your part: 2 of 2 steps done" in body
    assert '<progress max="100" value="100" aria-label="Your part">' in body
    assert "Together: 0 of 2 steps done" in body
    assert "waiting for Oscar" in body
    assert "Continue: Get to know each other" not in body
    assert (
        "Your part is done. Waiting for Oscar to finish “Get to know each other”."
        in body
    )

    for url in (
        reverse("wagtail_mentoring:my_mentoring"),
        reverse("wagtail_mentoring:relationship", args=[pair.pk]),
    ):
        body = " ".join(client.get(url).content.decode().split())
        assert "Your part: 2 of 2 steps done" in body, url
        assert "Together: 0 of 2 steps done · waiting for Oscar" in body, url
        assert "Next: Get to know each other" not in body, url

    # The partner sees the pair waiting on them, and their own next step.
    client.force_login(other_employee)
    body = " ".join(client.get(journey.url).content.decode().split())
    assert "Your part: 0 of 2 steps done" in body
    assert "Continue: Get to know each other" in body
    assert "waiting for" not in body


def test_a_step_page_looks_for_modules_only_under_a_journey_that_has_children(
    client, pair, journey, employee
):
    client.force_login(employee)
    url = _step_url(journey, STEP_INTRO)
    client.get(url)
    modules = JourneyModulePage._meta.db_table
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    assert not [q for q in without.captured_queries if f'"{modules}"' in q["sql"]]
    module = journey.add_child(
        instance=JourneyModulePage(
            title="Module two",
            slug="module-two",
            steps=[step("m-1", "Module step", completion="view")],
        )
    )
    module.save_revision().publish()
    with CaptureQueriesContext(connection) as with_module:
        response = client.get(_step_url(journey, "m-1"))
    assert response.status_code == 200
    assert b"Module step" in response.content
    assert len(with_module.captured_queries) <= len(without.captured_queries) + 1


def test_a_step_page_says_what_is_missing_as_the_rule_reads_it(
    client, hub, program, pair, employee
):
    """The page reads the member's answers, attempts and goal once, for its
    blocks and for what is missing; the rule (which the services enforce)
    reads them itself: both say the same at every stage."""
    from wagtail_mentoring.journeys import rules

    journey = make_journey(
        hub,
        [
            step(
                "all",
                "Everything",
                [reflection("r1", "Why?"), quiz("qz"), goal("g1")],
                completion="answer",
            )
        ],
        slug="everything",
    )
    program.journey = journey
    program.save()
    client.force_login(employee)
    url = _step_url(journey, "all")
    member = pair.members.get(user=employee)
    wants = [
        "Answer the reflection questions.",
        "Pass the quiz.",
        "Set your goal.",
    ]

    def shown():
        body = client.get(url).content.decode()
        return [w for w in wants if w in body]

    def ruled():
        journey_step = journey.get_step("all")
        row = pair.step_progress.filter(user=employee, step_id="all").first()
        return rules.missing_requirements(pair, member, journey, journey_step, row)

    assert shown() == ruled() == wants
    client.post(url, {"action": "reflection", "block": "r1", "r1-text": "Growth"})
    assert shown() == ruled() == wants[1:]
    client.post(url, {"action": "quiz", "block": "qz", "q-q1": "q1a", "q-q2": ["q2a"]})
    assert shown() == ruled() == wants[1:]  # half right: not passed
    client.post(
        url, {"action": "quiz", "block": "qz", "q-q1": "q1a", "q-q2": ["q2a", "q2b"]}
    )
    assert shown() == ruled() == wants[2:]
    target = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.post(
        url,
        {
            "action": "goal",
            "block": "g1",
            "g1-title": "Lead a retro",
            "g1-measure": "Team asks for another",
            "g1-target_date": target,
        },
    )
    assert shown() == ruled() == []
