"""Learning journeys as pages, and the progress pairs make through them.

Progress is keyed by the step block's id, which Wagtail keeps stable across
page revisions: a step edited later keeps its progress, a step removed keeps
its history (with the title it had, ``step_title``), and a new step simply has
no progress yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_mentoring.blocks import ContentBlock, JourneyStepsBlock
from wagtail_mentoring.blocks.journey import JourneyStepValue
from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import ReadsInViewerTimeZone
from wagtail_mentoring.programs.models import Relationship

VIEWS = "wagtail_mentoring.journeys.views"


@dataclass(frozen=True)
class JourneyStep:
    """A step as members meet it: its block id, value, position and module."""

    id: str
    value: JourneyStepValue
    number: int
    module: JourneyModulePage | None = None

    @property
    def title(self) -> str:
        return self.value["title"]


class LearningJourneyPage(ReadsInViewerTimeZone, RoutablePageMixin, Page):
    """A curriculum pairs follow, step by step; programs link to it."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("Shown to pairs and in the program's page."),
    )
    intro = StreamField(ContentBlock(), blank=True, verbose_name=_("introduction"))
    steps = StreamField(
        JourneyStepsBlock(),
        blank=True,
        verbose_name=_("steps"),
        help_text=_(
            "Pairs work through the steps in this order. Long curricula can "
            "add further steps in module pages below this page."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("steps"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("steps"),
    ]

    subpage_types = ["wagtail_mentoring.JourneyModulePage"]
    template = "wagtail_mentoring/journeys/learning_journey_page.html"

    class Meta:
        verbose_name = _("learning journey")

    @cached_property
    def journey_steps(self) -> list[JourneyStep]:
        """Every step in order: this page's, then each published module's."""
        found = [(child.id, child.value, None) for child in self.steps]
        # Most journeys have no modules: the tree's child count spares the query.
        if self.pk and self.numchild:
            modules = JourneyModulePage.objects.child_of(self).live().order_by("path")
            for module in modules:
                found += [(child.id, child.value, module) for child in module.steps]
        return [
            JourneyStep(id=step_id, value=value, number=number, module=module)
            for number, (step_id, value, module) in enumerate(found, start=1)
        ]

    def get_step(self, step_id: str) -> JourneyStep | None:
        return next((s for s in self.journey_steps if s.id == step_id), None)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(frontend_context())
        # The views import the models, so pages name their views instead.
        overview_context = import_string(f"{VIEWS}.overview_context")
        context.update(overview_context(request, self))
        return context

    @path("steps/<str:step_id>/", name="step")
    def step_view(self, request, step_id: str):
        return import_string(f"{VIEWS}.step_detail")(request, self, step_id)


class JourneyModulePage(ReadsInViewerTimeZone, Page):
    """A chapter of a long journey; its steps continue the journey's."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    steps = StreamField(JourneyStepsBlock(), blank=True, verbose_name=_("steps"))

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("steps")]
    search_fields = Page.search_fields + [index.SearchField("steps")]

    parent_page_types = ["wagtail_mentoring.LearningJourneyPage"]
    subpage_types: list[str] = []
    template = "wagtail_mentoring/journeys/journey_module_page.html"

    class Meta:
        verbose_name = _("journey module")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(frontend_context())
        journey = self.get_parent().specific
        context["journey"] = journey
        context["module_steps"] = [
            s for s in journey.journey_steps if s.module and s.module.pk == self.pk
        ]
        return context


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    STARTED = "started", _("In progress")
    COMPLETED = "completed", _("Done")


class StepProgress(models.Model):
    """One member's progress on one step (or the pair's, for meeting steps)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="step_progress"
    )
    # Empty for steps the pair completes together (completion rule "meeting").
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    journey = models.ForeignKey(
        LearningJourneyPage, on_delete=models.CASCADE, related_name="step_progress"
    )
    step_id = models.CharField(max_length=64, db_index=True)
    # The title when last touched: the history of a removed step stays readable.
    step_title = models.CharField(_("step"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=StepStatus.choices,
        default=StepStatus.STARTED,
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Checklist item ids (ListBlock ids, stable across revisions) the member ticked.
    checked_items = models.JSONField(default=list, blank=True)
    # The held meeting that completed a pair step, so one meeting counts once.
    meeting = models.ForeignKey(
        "wagtail_mentoring.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        ordering = ["relationship", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user", "step_id"],
                condition=Q(user__isnull=False),
                name="wm_one_progress_per_member_step",
            ),
            models.UniqueConstraint(
                fields=["relationship", "step_id"],
                condition=Q(user__isnull=True),
                name="wm_one_progress_per_pair_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_title}: {self.get_status_display()}"

    @property
    def is_completed(self) -> bool:
        return self.status == StepStatus.COMPLETED


class ReflectionAnswer(models.Model):
    """A member's written answer to a reflection block."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="reflections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    journey = models.ForeignKey(
        LearningJourneyPage, on_delete=models.CASCADE, related_name="+"
    )
    step_id = models.CharField(max_length=64)
    block_id = models.CharField(max_length=64)
    question = models.CharField(_("question"), max_length=255)
    text = models.TextField(_("answer"))
    shared_with_pair = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user", "block_id"],
                name="wm_one_reflection_per_member_block",
            )
        ]

    def __str__(self) -> str:
        return self.question


class QuizAttempt(models.Model):
    """A member's latest answers to a quiz block (earlier tries are counted)."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    journey = models.ForeignKey(
        LearningJourneyPage, on_delete=models.CASCADE, related_name="+"
    )
    step_id = models.CharField(max_length=64)
    block_id = models.CharField(max_length=64)
    # {question id: [choice ids]}: ids are the ListBlock item ids of the block.
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"), default=0)
    passed = models.BooleanField(_("passed"), default=False)
    tries = models.PositiveSmallIntegerField(_("tries"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user", "block_id"],
                name="wm_one_quiz_attempt_per_member_block",
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}%"


class JourneyProgress(models.Model):
    """Where a pair is in a journey: a summary kept up to date by the services.

    The source of truth is ``StepProgress``; this row makes dashboards and the
    stalled-pairs report one cheap query.
    """

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="journey_progress"
    )
    journey = models.ForeignKey(
        LearningJourneyPage,
        on_delete=models.CASCADE,
        related_name="pair_progress",
        verbose_name=_("journey"),
    )
    current_step_id = models.CharField(max_length=64, blank=True)
    current_step_title = models.CharField(_("current step"), max_length=255, blank=True)
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last progress"), default=timezone.now)
    #: user id → that member's own part (``progress.member_parts``): a "both
    #: members" step is done for the pair only when everyone finished it
    members = models.JSONField(_("each member's part"), default=dict, blank=True)

    class Meta:
        verbose_name = _("journey progress")
        verbose_name_plural = _("journey progress")
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "journey"], name="wm_one_progress_per_journey"
            )
        ]

    def __str__(self) -> str:
        return f"{self.steps_done}/{self.steps_total}"

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return round(100 * self.steps_done / self.steps_total)
