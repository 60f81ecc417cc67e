"""What space events plug in: their rows in a person's calendar feed and in
their personal data."""

from wagtail import hooks

from wagtail_mentoring.community.events.calendar import feed_events
from wagtail_mentoring.community.events.personal_data import personal_data
from wagtail_mentoring.engagement.ical import FEED_HOOK
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    hooks.register(FEED_HOOK, feed_events)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)
