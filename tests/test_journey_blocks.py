"""StreamField blocks: editor experience, validation, computed values, rendering."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail import blocks

from tests.factories import make_user
from tests.journey_data import quiz, reflection, step
from wagtail_mentoring.blocks.content import ContentBlock
from wagtail_mentoring.blocks.journey import (
    JourneyStepBlock,
    JourneyStepsBlock,
    QuizBlock,
    StepBodyBlock,
)
from wagtail_mentoring.blocks.program import (
    MentorSpotlightBlock,
    ProfileChooserBlock,
    ProgramContentBlock,
)

#: Block types an editor picks from, with the ones we wrote ourselves.
PICKERS = [StepBodyBlock(), JourneyStepsBlock(), ProgramContentBlock()]
OURS = [
    (name, child)
    for picker in PICKERS
    for name, child in picker.child_blocks.items()
    if type(child).__module__.startswith("wagtail_mentoring")
]


@pytest.mark.parametrize(("name", "block"), OURS, ids=[n for n, _b in OURS])
def test_our_blocks_have_icon_description_and_preview(name, block, db):
    assert block.meta.icon not in ("", "placeholder"), name
    assert block.get_description(), name
    assert block.is_previewable, name
    html = block.render(block.get_preview_value())
    assert html.strip(), name


def test_block_picker_previews_render_in_the_admin(client, db):
    client.force_login(make_user("sue", superuser=True))
    for name, block in OURS:
        response = client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200, name
        assert b"mentoring.css" in response.content


def _leaves(block, seen=None):
    seen = seen if seen is not None else set()
    if id(block) in seen:
        return
    seen.add(id(block))
    if isinstance(block, (blocks.StructBlock, blocks.StreamBlock)):
        for child in block.child_blocks.values():
            yield from _leaves(child, seen)
    elif isinstance(block, blocks.ListBlock):
        yield from _leaves(block.child_block, seen)
    else:
        yield block


def test_blocks_are_built_from_core_block_types():
    # Translation tools (wagtail-localize) extract text from core field blocks.
    for picker in PICKERS + [ContentBlock()]:
        for leaf in _leaves(picker):
            core = type(leaf).__module__.startswith("wagtail.")
            chooser = isinstance(leaf, blocks.ChooserBlock)
            assert core or chooser, type(leaf)


def _clean(block, value):
    return block.clean(block.to_python(value))


def test_answer_rule_needs_something_to_answer():
    block = JourneyStepBlock()
    with pytest.raises(ValidationError) as error:
        _clean(block, step("s", "Read", completion="answer")["value"])
    assert "needs a reflection, quiz or goal" in str(error.value.non_block_errors)
    _clean(
        block,
        step("s", "Reflect", [reflection("r", "Why?")], completion="answer")["value"],
    )


def test_quiz_questions_need_a_right_answer():
    block = QuizBlock()
    value = quiz("qz")["value"]
    _clean(block, value)
    for choice in value["questions"][0]["value"]["choices"]:
        choice["value"]["correct"] = False
    with pytest.raises(ValidationError):
        _clean(block, value)
    for choice in value["questions"][0]["value"]["choices"]:
        choice["value"]["correct"] = True  # two right answers, single choice
    with pytest.raises(ValidationError):
        _clean(block, value)


def test_step_values_compute_labels_prompts_and_grades():
    value = JourneyStepBlock().to_python(
        step(
            "s",
            "Talk",
            [
                {
                    "type": "prompts",
                    "value": {"heading": "Talk", "prompts": ["One?", " ", "Two?"]},
                },
                quiz("qz"),
            ],
            completion="meeting",
            minutes=95,
        )["value"]
    )
    assert value.minutes_label == "1 hour 35 minutes"
    assert value.is_pair_step and value.prompts == ["One?", "Two?"]
    assert value.audience_label == "Both"
    quiz_value = value.children("quiz")[0][1]
    assert quiz_value.grade({"q1": ["q1a"], "q2": ["q2a", "q2b"]}) == (
        100,
        {"q1": True, "q2": True},
    )
    assert quiz_value.grade({"q1": ["q1a"], "q2": ["q2a"]})[0] == 50


@pytest.mark.django_db
def test_spotlight_loads_profiles_in_one_query_and_hides_inactive(
    django_assert_num_queries,
):
    people = [
        make_user(f"mentor{i}", profile={"title": "Lead", "department": "Ops"})
        for i in range(3)
    ]
    people[1].is_active = False
    people[1].save()
    block = MentorSpotlightBlock()
    raw = {
        "heading": "Meet them",
        "profiles": [p.mentoring_profile.pk for p in people],
        "show_bio": True,
    }
    with django_assert_num_queries(1):
        value = block.bulk_to_python([raw])[0]
        names = [str(p) for p in value.people]
    assert names == ["Mentor0 Tester", "Mentor2 Tester"]
    html = block.render(value)
    assert "Mentor2 Tester" in html and "Mentor1" not in html
    field = ProfileChooserBlock().field
    assert not field.queryset.filter(pk=people[1].mentoring_profile.pk).exists()


@pytest.mark.django_db
def test_program_page_renders_program_blocks(client, hub):
    from tests.factories import make_program

    mentor = make_user("maya", profile={"title": "Principal", "department": "Data"})
    program = make_program(
        hub,
        title="Blocks",
        slug="blocks",
        intro=[
            {
                "type": "join",
                "value": {"heading": "Join us", "text": "", "button_label": "Sign up"},
            },
            {
                "type": "spotlight",
                "value": {
                    "heading": "Mentors",
                    "profiles": [mentor.mentoring_profile.pk],
                    "show_bio": False,
                },
            },
            {
                "type": "facts",
                "value": {
                    "heading": "Facts",
                    "show_schedule": True,
                    "facts": [{"label": "Format", "value": "Video"}],
                },
            },
            {
                "type": "testimonials",
                "value": {
                    "heading": "Voices",
                    "testimonials": [
                        {"quote": "Great.", "name": "Ana", "role": "Design"}
                    ],
                },
            },
        ],
    )
    body = client.get(program.url).content.decode()
    assert 'href="/mentoring-hub/blocks/apply/">Sign up</a>' in body
    assert "Maya Tester" in body and "Principal" in body
    assert "26 weeks" in body and "Video" in body
    assert "Ana, Design" in body
