"""The LTI tool's own records; platforms, deployments, course accounts and
contexts are django-lti's (``lti_tool``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GradeStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for completion")
    PENDING = "pending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class CourseGrade(models.Model):
    """A learner's gradebook column for a placed journey: one score, sent once.

    Created at a launch whose link carries an Assignment and Grade Services line
    item; the journey's completion sends the score (``tasks.post_course_grade``).
    Unique per course account and line item, so launches and retries cannot
    send it twice.
    """

    lti_user = models.ForeignKey(
        "lti_tool.LtiUser", on_delete=models.CASCADE, related_name="course_grades"
    )
    lineitem_url = models.URLField(_("line item"), max_length=1000)
    scope = models.JSONField(_("granted scopes"), default=list)
    journey = models.ForeignKey(
        "wagtail_mentoring.LearningJourneyPage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("journey"),
    )
    status = models.CharField(
        max_length=10, choices=GradeStatus.choices, default=GradeStatus.WAITING
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("course grade")
        constraints = [
            models.UniqueConstraint(
                fields=["lti_user", "lineitem_url"],
                name="wm_lti_one_grade_per_learner_and_line_item",
            )
        ]

    def __str__(self):
        return f"{self.lti_user} · {self.lineitem_url}"


class CoursePlacement(models.Model):
    """A page a course placed (seen at a launch): what its course report covers."""

    context = models.ForeignKey(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="placements"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("course placement")
        constraints = [
            models.UniqueConstraint(
                fields=["context", "page"], name="wm_lti_one_placement_per_page"
            )
        ]

    def __str__(self):
        return f"{self.page_id} in {self.context}"
