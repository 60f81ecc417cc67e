"""Development tracks: pages that string programs, journeys and spaces into
stages with entry rules (leadership development, new managers…)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_mentoring.blocks import ContentBlock
from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import ReadsInViewerTimeZone
from wagtail_mentoring.tracks.blocks import TrackBlock
from wagtail_mentoring.tracks.progress import track_position


class DevelopmentTrackPage(ReadsInViewerTimeZone, Page):
    """A track of stages; each person sees where they are and what comes next."""

    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("Shown on the hub page.")
    )
    intro = StreamField(ContentBlock(), blank=True, verbose_name=_("introduction"))
    stages = StreamField(TrackBlock(), blank=True, verbose_name=_("stages"))

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("stages"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("intro"),
    ]
    parent_page_types = ["wagtail_mentoring.MentoringHubPage"]
    subpage_types: list[str] = []
    template = "wagtail_mentoring/tracks/development_track_page.html"

    class Meta:
        verbose_name = _("development track")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(frontend_context())
        user = request.user
        context["position"] = (
            track_position(self, user) if user.is_authenticated else None
        )
        return context
