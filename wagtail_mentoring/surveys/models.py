"""Program surveys: what a program asks its participants at the start, the
middle and the end of their relationship (or after a flash conversation).

An anonymous survey's answers must not lead back to a person, so the two
halves are kept apart: the :class:`SurveyInvitation` knows who was asked and
whether they answered (a flag, no time), the :class:`SurveyResponse` holds the
answers with a random id, a day and no link to the person or the invitation.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from wagtail_mentoring.blocks.questions import SurveyQuestionBlock
from wagtail_mentoring.programs.models import Cohort, ProgramPage


class Moment(models.TextChoices):
    START = "start", _("Start of the relationship")
    MIDDLE = "middle", _("Middle of the relationship")
    END = "end", _("End of the relationship")
    AFTER_FLASH = "after_flash", _("After a flash conversation")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone in the relationship")
    SEEKERS = "seekers", _("Mentees, sponsees and peer members")
    GIVERS = "givers", _("Mentors and sponsors")


class Survey(models.Model):
    """Questions a program asks its participants at one moment."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("program"),
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=2000,
        help_text=_("Shown above the questions."),
    )
    moment = models.CharField(
        _("sent at"), max_length=20, choices=Moment.choices, default=Moment.START
    )
    audience = models.CharField(
        _("sent to"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.EVERYONE,
        help_text=_("Flash surveys go to the person who booked the conversation."),
    )
    anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_(
            "The answers are kept without the name of who gave them; nobody, "
            "not even the program admins, can tell who answered what."
        ),
    )
    questions = StreamField(SurveyQuestionBlock(), verbose_name=_("questions"))
    active = models.BooleanField(
        _("sending"),
        default=True,
        help_text=_("Untick to stop sending it; the answers stay."),
    )
    # Relationships (and conversations) that reached the moment before the
    # survey existed are not asked: adding a survey never mails a backlog.
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["program__title", "moment", "pk"]

    def __str__(self) -> str:
        return self.title

    def question_blocks(self):
        """``(block_id, block)`` pairs in the order the editor wrote them."""
        return [(child.id, child) for child in self.questions]


class SurveyInvitation(models.Model):
    """One person asked one survey, for one relationship or conversation."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations"
    )
    # Empty once the person's data is erased: the invitation still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_survey_invitations",
        verbose_name=_("asked"),
    )
    #: What the invitation is about: ``relationship:<id>`` or ``booking:<id>``.
    occasion = models.CharField(max_length=40)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    closes_at = models.DateTimeField(_("open until"))
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    # A flag and no time: a time could be matched with an anonymous response.
    completed = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("survey invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user", "occasion"],
                name="wm_one_survey_invitation_per_occasion",
            )
        ]

    def __str__(self) -> str:
        return str(self.survey)

    def is_open(self, now=None) -> bool:
        return not self.completed and (now or timezone.now()) < self.closes_at


class SurveyResponse(models.Model):
    """The answers to one survey. Random id, no time of day and, for an
    anonymous survey, no link to the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses"
    )
    # Copied for the dashboards' program and cohort filters.
    program = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moment = models.CharField(max_length=20, choices=Moment.choices)
    # Only for a survey that is not anonymous.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentoring_survey_responses",
        verbose_name=_("respondent"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    submitted_on = models.DateField(_("submitted"), db_index=True)

    class Meta:
        verbose_name = _("survey response")
        # Listed by day and id, never in the order they came in.
        ordering = ["submitted_on", "id"]

    def __str__(self) -> str:
        return f"{self.survey} ({self.submitted_on})"
