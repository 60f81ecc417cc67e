"""Community space blocks: what editors compose a space's page from."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from wagtail_mentoring.blocks.content import PREVIEW_TEMPLATE, ContentBlock
from wagtail_mentoring.blocks.program import MentorSpotlightBlock


class FeaturedJourneysValue(blocks.StructValue):
    @property
    def live_journeys(self) -> list:
        """Chosen journeys that are still published (an unpublished one is skipped)."""
        return [
            page
            for page in self.get("journeys") or []
            if page is not None and page.live
        ]


class FeaturedJourneysBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        default=_("Learning journeys for this space"), label=_("Heading")
    )
    journeys = blocks.ListBlock(
        blocks.PageChooserBlock(
            page_type="wagtail_mentoring.LearningJourneyPage", label=_("Journey")
        ),
        min_num=1,
        max_num=6,
        label=_("Journeys"),
    )

    class Meta:
        icon = "list-ol"
        label = _("Featured journeys")
        template = "wagtail_mentoring/blocks/featured_journeys.html"
        value_class = FeaturedJourneysValue
        description = _("Points members to learning journeys.")
        preview_template = PREVIEW_TEMPLATE


class UpcomingEventsBlock(blocks.StructBlock):
    """Where the space's next events appear; the events list fills it."""

    heading = blocks.CharBlock(default=_("Upcoming events"), label=_("Heading"))
    limit = blocks.IntegerBlock(
        default=3, min_value=1, max_value=10, label=_("How many to show")
    )

    class Meta:
        icon = "date"
        label = _("Upcoming events")
        template = "wagtail_mentoring/blocks/upcoming_events.html"
        description = _("Lists the space's next events.")
        preview_value = {"heading": "Upcoming events", "limit": 3}
        preview_template = PREVIEW_TEMPLATE


class PeopleSpotlightBlock(MentorSpotlightBlock):
    """The mentor spotlight, worded for a space's people."""

    heading = blocks.CharBlock(default=_("People to know"), label=_("Heading"))

    class Meta:
        label = _("People spotlight")
        description = _("Introduces a few people from their profiles.")
        preview_value = {"heading": "People to know", "show_bio": True}


class SpaceContentBlock(ContentBlock):
    """Everything a page can hold (intro text, resources…), plus a space's own."""

    featured_journeys = FeaturedJourneysBlock()
    upcoming_events = UpcomingEventsBlock()
    spotlight = PeopleSpotlightBlock()
