"""Admin of surveys: compose them and read their results."""

from wagtail import hooks

from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK
from wagtail_mentoring.surveys.admin import SurveyViewSet
from wagtail_mentoring.surveys.personal_data import personal_data


def register(menu) -> None:
    menu.mentoring.append(SurveyViewSet())
    hooks.register(PERSONAL_DATA_HOOK, personal_data)
