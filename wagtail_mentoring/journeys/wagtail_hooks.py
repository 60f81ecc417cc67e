"""Admin of journeys (report, import, export) and what journeys add to pairs."""

from wagtail import hooks

from wagtail_mentoring.engagement.agenda import AGENDA_PROMPTS_FOR_PAIRS
from wagtail_mentoring.engagement.nudges.at_risk import AT_RISK_SIGNALS
from wagtail_mentoring.engagement.selectors import (
    RELATIONSHIP_CARD_PROGRAM_FIELDS,
    RELATIONSHIP_CARDS,
)
from wagtail_mentoring.journeys.admin import JourneyViewSet, page_buttons
from wagtail_mentoring.journeys.personal_data import personal_data
from wagtail_mentoring.journeys.selectors import (
    PROGRAM_JOURNEYS,
    card_progress,
    pairs_prompts,
    stalled_journeys,
)
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    menu.mentoring.append(JourneyViewSet())
    hooks.register("register_page_header_buttons", _header_buttons)
    hooks.register("register_page_listing_more_buttons", _listing_buttons)
    # A pair's next journey step puts its prompts on their meeting agenda, and
    # its progress on their relationship cards.
    hooks.register(AGENDA_PROMPTS_FOR_PAIRS, pairs_prompts)
    hooks.register(RELATIONSHIP_CARDS, card_progress)
    hooks.register(RELATIONSHIP_CARD_PROGRAM_FIELDS, lambda: PROGRAM_JOURNEYS)
    # A journey that stopped moving makes the pair at risk.
    hooks.register(AT_RISK_SIGNALS, stalled_journeys)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _header_buttons(page, user, view_name=None, next_url=None):
    yield from page_buttons(page, user, next_url)


def _listing_buttons(page, user, next_url=None):
    yield from page_buttons(page, user, next_url)
