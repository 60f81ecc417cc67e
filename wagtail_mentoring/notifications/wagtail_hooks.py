"""What notifications plug into Wagtail: their personal-data declaration."""

from wagtail import hooks

from wagtail_mentoring.notifications.personal_data import personal_data
from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK


def register(menu) -> None:
    hooks.register(PERSONAL_DATA_HOOK, personal_data)
