"""The LTI tool's own records; platforms, deployments, course accounts and
contexts are django-lti's (``lti_tool``)."""

from __future__ import annotations

from django.conf import settings
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
    # When the score was last queued or sent: the retry sweep waits after it.
    attempted_at = models.DateTimeField(null=True, blank=True)
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


class PendingEnrolment(models.Model):
    """A course member enrolled before they ever launched: they take part
    (``programs.services.enroll_participants``) at their first launch, once
    their course account is linked to an intranet account.

    Unique per course account, program and role, so enrolling the course again
    adds nobody twice; the row goes once the enrolment is done.
    """

    lti_user = models.ForeignKey(
        "lti_tool.LtiUser", on_delete=models.CASCADE, related_name="+"
    )
    context = models.ForeignKey(
        "lti_tool.LtiContext", on_delete=models.CASCADE, related_name="+"
    )
    program = models.ForeignKey(
        "wagtail_mentoring.ProgramPage",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("program"),
    )
    cohort = models.ForeignKey(
        "wagtail_mentoring.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cohort"),
    )
    role = models.CharField(_("role"), max_length=20)
    # The program admin whose enrolment this finishes: it is done in their
    # name, so it is refused once they no longer run the program.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pending course enrolment")
        constraints = [
            models.UniqueConstraint(
                fields=["lti_user", "program", "role"],
                name="wm_lti_one_pending_enrolment_per_program_role",
            )
        ]

    def __str__(self):
        return f"{self.lti_user} → {self.program_id} ({self.role})"
