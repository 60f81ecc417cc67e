"""The dashboard's summary of activity: held meetings, messages and feedback
ratings per program and UTC day, kept by a periodic task
(``analytics/summary.py``) so that the roll-up reads a few hundred thousand
small rows instead of a million meetings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.programs.models import ProgramPage


class ActivityDay(models.Model):
    """One program's activity on one whole UTC day (no personal data: counts)."""

    program = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    meetings_held = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    rating_1 = models.PositiveIntegerField(default=0)
    rating_2 = models.PositiveIntegerField(default=0)
    rating_3 = models.PositiveIntegerField(default=0)
    rating_4 = models.PositiveIntegerField(default=0)
    rating_5 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("activity day")
        verbose_name_plural = _("activity days")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "day"], name="wm_activity_day_unique"
            )
        ]
        indexes = [models.Index(fields=["day", "program"], name="wm_activity_by_day")]

    def __str__(self) -> str:
        return f"{self.program_id} {self.day}"


class StaleActivityDay(models.Model):
    """A summarised UTC day whose meetings, messages or feedback changed since
    the last refresh (recorded on save and delete; the next refresh recounts it)."""

    day = models.DateField(unique=True)

    class Meta:
        verbose_name = _("stale activity day")
        verbose_name_plural = _("stale activity days")

    def __str__(self) -> str:
        return str(self.day)


class ActivitySummaryState(models.Model):
    """The one row saying how far the summary goes: every UTC day before
    ``complete_until`` is summarised, as of ``refreshed_at``."""

    refreshed_at = models.DateTimeField(null=True)
    complete_until = models.DateField(null=True)

    class Meta:
        verbose_name = _("activity summary state")
        verbose_name_plural = _("activity summary state")

    def __str__(self) -> str:
        return f"{self.complete_until} ({self.refreshed_at})"
