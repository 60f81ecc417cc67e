"""Program page blocks: join call-to-action, mentor spotlight, facts, testimonials."""

from __future__ import annotations

import copy

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from wagtail_mentoring.blocks.content import PREVIEW_TEMPLATE, ContentBlock
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.widgets import ProfileChooserWidget


class ProfileChooserBlock(blocks.ChooserBlock):
    """Chooses a participant profile; inactive people are never shown."""

    target_model = "wagtail_mentoring.EmployeeProfile"

    @cached_property
    def widget(self):
        return ProfileChooserWidget()

    @cached_property
    def field(self):
        return forms.ModelChoiceField(
            queryset=EmployeeProfile.objects.active(),
            widget=self.widget,
            required=self._required,
            help_text=self._help_text,
        )

    def bulk_to_python(self, values):
        # One query for every profile of every spotlight on the page, with the
        # user the template needs for the name.

        profiles = (
            EmployeeProfile.objects.active()
            .select_related("user")
            .in_bulk([v for v in values if v is not None])
        )
        result, seen = [], set()
        for pk in values:
            profile = profiles.get(pk)
            if profile is not None and pk in seen:
                profile = copy.copy(profile)
            result.append(profile)
            seen.add(pk)
        return result

    def to_python(self, value):
        return self.bulk_to_python([value])[0] if value is not None else None

    class Meta:
        icon = "user"


class JoinCallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default=_("Ready to grow?"), label=_("Heading"))
    text = blocks.TextBlock(
        required=False,
        rows=2,
        label=_("Text"),
        default=_("Applications take five minutes."),
    )
    button_label = blocks.CharBlock(default=_("Apply now"), label=_("Button label"))

    class Meta:
        icon = "pick"
        label = _("Join call-to-action")
        template = "wagtail_mentoring/blocks/join_cta.html"
        description = _(
            "A box with a button to the program's application form; it says "
            "so when applications are closed."
        )
        preview_value = {
            "heading": "Ready to grow?",
            "text": "Applications take five minutes.",
            "button_label": "Apply now",
        }
        preview_template = PREVIEW_TEMPLATE


class MentorSpotlightValue(blocks.StructValue):
    @property
    def people(self) -> list:
        """Chosen profiles that still exist and belong to active people."""
        return [p for p in self.get("profiles") or [] if p is not None]


class MentorSpotlightBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        default=_("Meet some of our mentors"), label=_("Heading")
    )
    # Optional, so a page can be published before its mentors are chosen (the
    # block then says they are introduced soon); an emptied slot is skipped.
    profiles = blocks.ListBlock(
        ProfileChooserBlock(label=_("Person"), required=False),
        max_num=8,
        label=_("People"),
    )
    show_bio = blocks.BooleanBlock(
        required=False, default=True, label=_("Show what they wrote about themselves")
    )

    class Meta:
        icon = "group"
        label = _("Mentor spotlight")
        template = "wagtail_mentoring/blocks/mentor_spotlight.html"
        value_class = MentorSpotlightValue
        description = _("Introduces a few mentors from their profiles.")
        preview_value = {"heading": "Meet some of our mentors", "show_bio": True}
        preview_template = PREVIEW_TEMPLATE


class ProgramFactsValue(blocks.StructValue):
    @property
    def custom_facts(self) -> list[tuple[str, str]]:
        return [
            (fact["label"], fact["value"])
            for fact in self.get("facts") or []
            if fact.get("label") and fact.get("value")
        ]


class ProgramFactsBlock(blocks.StructBlock):
    """Key facts: the program's own schedule plus anything the editor adds."""

    heading = blocks.CharBlock(default=_("At a glance"), label=_("Heading"))
    show_schedule = blocks.BooleanBlock(
        required=False,
        default=True,
        label=_("Show the program's kind, duration, cadence and dates"),
    )
    facts = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("label", blocks.CharBlock(label=_("Label"))),
                ("value", blocks.CharBlock(label=_("Value"))),
            ],
            icon="info-circle",
        ),
        default=[],
        label=_("More facts"),
    )

    class Meta:
        icon = "info-circle"
        label = _("Program facts")
        template = "wagtail_mentoring/blocks/program_facts.html"
        value_class = ProgramFactsValue
        description = _("The program's key facts in a short list.")
        preview_value = {
            "heading": "At a glance",
            "show_schedule": False,
            "facts": [
                {"label": "Time commitment", "value": "2 hours a month"},
                {"label": "Format", "value": "In person or video"},
            ],
        }
        preview_template = PREVIEW_TEMPLATE


class TestimonialValue(blocks.StructValue):
    @property
    def attribution(self) -> str:
        parts = [self.get("name"), self.get("role")]
        return ", ".join(p for p in parts if p)


class TestimonialBlock(blocks.StructBlock):
    quote = blocks.TextBlock(rows=3, label=_("Quote"))
    name = blocks.CharBlock(label=_("Name"))
    role = blocks.CharBlock(required=False, label=_("Role or team"))

    class Meta:
        icon = "openquote"
        label = _("Testimonial")
        value_class = TestimonialValue


class TestimonialsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(default=_("What participants say"), label=_("Heading"))
    testimonials = blocks.ListBlock(
        TestimonialBlock(), min_num=1, label=_("Testimonials")
    )

    class Meta:
        icon = "openquote"
        label = _("Testimonials")
        template = "wagtail_mentoring/blocks/testimonials.html"
        description = _("Quotes from past participants.")
        preview_value = {
            "heading": "What participants say",
            "testimonials": [
                {
                    "quote": "My mentor helped me find my voice in design reviews.",
                    "name": "Priya",
                    "role": "Product designer",
                }
            ],
        }
        preview_template = PREVIEW_TEMPLATE


class ProgramContentBlock(ContentBlock):
    """The program page's content: every content block plus the program widgets."""

    join = JoinCallToActionBlock()
    spotlight = MentorSpotlightBlock()
    facts = ProgramFactsBlock()
    testimonials = TestimonialsBlock()

    class Meta:
        icon = "doc-full"
