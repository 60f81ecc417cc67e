"""Admin of programs: Applications (with their approve/decline bulk actions),
the wording of notifications and the Slack and Teams connections."""

from django.contrib.auth.models import Permission
from wagtail import hooks

from wagtail_mentoring.personal_data import PERSONAL_DATA_HOOK
from wagtail_mentoring.programs.admin import (
    ApplicationViewSet,
    ApproveBulkAction,
    DeclineBulkAction,
)
from wagtail_mentoring.programs.chat_admin import ChatConnectionViewSet
from wagtail_mentoring.programs.cohort_admin import (
    CohortViewSet,
    MoveToCohortBulkAction,
)
from wagtail_mentoring.programs.personal_data import personal_data
from wagtail_mentoring.programs.wording_admin import WordingViewSet


def register(menu) -> None:
    menu.mentoring += [
        ApplicationViewSet(),
        CohortViewSet(),
        WordingViewSet(),
        ChatConnectionViewSet(),
    ]
    hooks.register("register_bulk_action", ApproveBulkAction)
    hooks.register("register_bulk_action", DeclineBulkAction)
    hooks.register("register_bulk_action", MoveToCohortBulkAction)
    hooks.register("register_permissions", _permissions)
    hooks.register(PERSONAL_DATA_HOOK, personal_data)


def _permissions():
    # HR / the mentoring team: shown in the Groups editor.
    return Permission.objects.filter(
        content_type__app_label="wagtail_mentoring",
        codename__in=["administer_all_programs"],
    )
