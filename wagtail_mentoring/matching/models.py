"""Matching runs, their proposals, and each program's matching settings.

A :class:`MatchingRun` is one solve of a program's pool (executed by a Celery
task); it stores what it was asked (``params``) and what it found (``stats``,
``unmatched``). Its :class:`MatchProposal` rows are the pairs the admin reviews.
Approved, locked and rejected proposals move along to the next successful run,
so the latest run always holds everything the admin decided.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import Enrollment, ProgramPage


class DepartmentRule(models.TextChoices):
    ANY = "any", _("Any department")
    SAME = "same", _("Same department")
    DIFFERENT = "different", _("A different department")


class ProgramMatchingSettings(models.Model):
    """Weights and hard rules a program admin edits in the matching panel.

    Kept apart from the program page so saving them is not a page edit (that
    would bypass page revisions and moderation); every run snapshots them.
    """

    program = models.OneToOneField(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="matching_settings",
        verbose_name=_("program"),
    )
    #: factor → weight (0–5); factors missing here weigh their default.
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    ideal_level_gap = models.PositiveSmallIntegerField(
        _("ideal level gap"),
        default=2,
        validators=[MaxValueValidator(10)],
        help_text=_("How many levels above the mentee the best mentor is."),
    )
    min_seniority = models.SmallIntegerField(
        _("mentor at least N levels senior"),
        null=True,
        blank=True,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Leave empty for no seniority rule."),
    )
    reporting_line_depth = models.PositiveSmallIntegerField(
        _("not in the reporting line, up to N levels"),
        default=3,
        validators=[MaxValueValidator(10)],
        help_text=_("0 allows pairs within a reporting line."),
    )
    exclude_same_manager = models.BooleanField(
        _("not with a peer under the same manager"), default=False
    )
    department_rule = models.CharField(
        _("department"),
        max_length=10,
        choices=DepartmentRule.choices,
        default=DepartmentRule.ANY,
    )
    require_shared_language = models.BooleanField(
        _("must share a language"), default=True
    )
    max_timezone_hours = models.PositiveSmallIntegerField(
        _("time-zone window (hours)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24)],
        help_text=_("Largest time difference allowed; empty for no window."),
    )
    min_score = models.PositiveSmallIntegerField(
        _("minimum score (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Pairs scoring less are never proposed; empty for none."),
    )
    floor_first = models.BooleanField(
        _("raise the lowest score first"),
        default=False,
        help_text=_(
            "Maximise the weakest pair's score before the total: fewer poor "
            "matches, at a small cost in total score."
        ),
    )
    unmatched_priority = models.FloatField(
        _("priority for people unmatched last time"),
        default=1.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(2.0)],
        help_text=_("1 = no priority; 1.25 makes their pairs count 25 % more."),
    )
    fairness_dimension = models.CharField(
        _("fairness report by"),
        max_length=50,
        blank=True,
        help_text=_("Self-identification question the run's fairness stats use."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return str(_("Matching settings of %(program)s") % {"program": self.program})


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


ACTIVE_RUN_STATUSES = [RunStatus.QUEUED, RunStatus.RUNNING]


class MatchingRun(models.Model):
    """One solve of a program's pool, with its settings snapshot and results."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="matching_runs",
        verbose_name=_("program"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RunStatus.choices,
        default=RunStatus.QUEUED,
        db_index=True,
    )
    #: What the run is doing now, for the progress display.
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    fresh = models.BooleanField(
        _("fresh solve"),
        default=False,
        help_text=_("Ignore earlier proposals instead of keeping churn low."),
    )
    params = models.JSONField(_("settings used"), default=dict)
    stats = models.JSONField(_("solver statistics"), default=dict, blank=True)
    #: Enrollment ids of the pool the run saw (mentees, mentors), for reports.
    pool = models.JSONField(default=dict, blank=True, editable=False)
    #: ``[{"enrollment": id, "missing": n, "reasons": [{code, params, text}]}]``
    unmatched = models.JSONField(default=list, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: Only this cohort's participants were in the pool (none: the whole program).
    cohort = models.ForeignKey(
        "wagtail_mentoring.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matching_runs",
        verbose_name=_("cohort"),
    )

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ["-created_at", "-pk"]
        permissions = [
            (
                "run_matching",
                _("Can run matching for the programs they administer"),
            )
        ]

    def __str__(self) -> str:
        return str(
            _("Matching run %(n)s of %(program)s")
            % {"n": self.pk, "program": self.program.title}
        )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Replaced by a later run")


#: Proposals that hold a place: counted against capacity, kept by re-runs.
HOLDING_STATUSES = [ProposalStatus.APPROVED, ProposalStatus.LOCKED]
#: Proposals a re-run carries over into its own listing.
CARRIED_STATUSES = [*HOLDING_STATUSES, ProposalStatus.REJECTED]


class ProposalOrigin(models.TextChoices):
    ENGINE = "engine", _("Matching run")
    MANUAL = "manual", _("Paired by hand")


class MatchProposalQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related(
            "mentee__user__mentoring_profile",
            "mentor__user__mentoring_profile",
        )

    def holding(self):
        return self.filter(status__in=HOLDING_STATUSES)


class MatchProposal(models.Model):
    """A proposed pair (mentee/sponsee enrollment, mentor/sponsor enrollment)."""

    run = models.ForeignKey(
        MatchingRun,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("run"),
    )
    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="match_proposals",
        verbose_name=_("program"),
    )
    mentee = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mentee"),
    )
    mentor = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mentor"),
    )
    score = models.FloatField(_("score"), db_index=True)
    #: factor → contribution to the score (they add up to ``score``).
    factors = models.JSONField(_("factor breakdown"), default=dict, blank=True)
    #: ``[{"code", "params", "text"}]``, rendered translatably by ``explain``.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    origin = models.CharField(
        _("origin"),
        max_length=10,
        choices=ProposalOrigin.choices,
        default=ProposalOrigin.ENGINE,
    )
    #: Hard rules a manual pair breaks (rule codes); needs a justification.
    rule_breaks = models.JSONField(_("rules broken"), default=list, blank=True)
    breaks_rules = models.BooleanField(_("breaks a rule"), default=False)
    justification = models.TextField(_("justification"), blank=True)
    #: Not proposed by the run before this one (churn).
    is_new = models.BooleanField(_("new in this run"), default=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    relationship = models.ForeignKey(
        "wagtail_mentoring.Relationship",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relationship"),
    )
    publish_message = models.TextField(_("message sent"), blank=True)
    mentee_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    mentor_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MatchProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("match proposal")
        verbose_name_plural = _("match proposals")
        ordering = ["-score", "pk"]
        constraints = [
            # A retried task cannot store the same pair twice in one run.
            models.UniqueConstraint(
                fields=["run", "mentee", "mentor"], name="wm_one_proposal_per_pair"
            )
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{display_name(self.mentee.user)} ↔ {display_name(self.mentor.user)}"

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES

    @property
    def score_percent(self) -> int:
        return round(self.score * 100)
