"""What a course may place: program pages, journeys (and their steps), spaces.

A placement names its page in the custom parameters of the resource link the
deep-linking response creates (``page_id``, and ``step`` for a journey step), so
the LMS sends them back with every launch.
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail.models import Page

from wagtail_mentoring.community.models import CommunitySpacePage
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.programs.models import ProgramPage
from wagtail_mentoring.programs.selectors import public

PLACEABLE = (ProgramPage, LearningJourneyPage, CommunitySpacePage)


@dataclass(frozen=True)
class Target:
    page: Page
    step_id: str = ""
    title: str = ""

    @property
    def url(self) -> str:
        url = self.page.get_url()
        return f"{url}steps/{self.step_id}/" if self.step_id else url

    @property
    def custom(self) -> dict[str, str]:
        custom = {"page_id": str(self.page.pk)}
        if self.step_id:
            custom["step"] = self.step_id
        return custom


def placeable_pages():
    """Live, public pages of the kinds a course may place, for the chooser."""
    pages = public(Page.objects.live().type(*PLACEABLE)).specific().order_by("path")
    return list(pages)


def choices() -> list[Target]:
    """Every target a course author may pick: pages, and each step of a journey."""
    found = []
    for page in placeable_pages():
        found.append(Target(page, title=page.title))
        if isinstance(page, LearningJourneyPage):
            for step in page.journey_steps:
                title = step.value.get("title") if hasattr(step.value, "get") else ""
                found.append(
                    Target(
                        page,
                        step_id=step.id,
                        title=f"{page.title} · {step.number}. {title or ''}".strip(),
                    )
                )
    return found


def resolve(custom: dict | None) -> Target | None:
    """The target a launch's custom parameters name, if it is still placeable."""
    custom = custom or {}
    page_id = str(custom.get("page_id", ""))
    if not page_id.isdigit():
        return None
    page = public(Page.objects.live().type(*PLACEABLE)).filter(pk=page_id).first()
    if page is None:
        return None
    page = page.specific
    step_id = str(custom.get("step", ""))
    if step_id and (
        not isinstance(page, LearningJourneyPage) or not page.get_step(step_id)
    ):
        return None
    return Target(page, step_id=step_id, title=page.title)
