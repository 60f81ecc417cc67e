"""Sponsorship as data: nominations, commitments, advocacy, opportunities,
readiness evidence and career outcomes.

Confidential advocacy never reaches the sponsee: every read goes through the
querysets below (``visible_to_sponsee``), never through ``AdvocacyAction.objects``
directly in a view. ``__str__`` of the sensitive models carries no free text,
because Wagtail copies it into audit-log labels.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramPage,
    Relationship,
)


class NominationSource(models.TextChoices):
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR / program admin")
    SPONSOR = "sponsor", _("Sponsor")
    SELF = "self", _("Self-nomination")


class ReadinessEvidence(models.Model):
    """A result the sponsee has to show, which a sponsor can cite when advocating."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="readiness_evidence",
        verbose_name=_("employee"),
    )
    achievement = models.CharField(_("achievement"), max_length=200)
    metric = models.CharField(
        _("metric"),
        max_length=200,
        blank=True,
        help_text=_("The measurable result, e.g. “cut onboarding time by 30%”."),
    )
    link = models.URLField(_("link"), blank=True)
    endorsed_by = models.CharField(
        _("endorsed by"),
        max_length=200,
        blank=True,
        help_text=_("Who can vouch for it (name and role)."),
    )
    achieved_on = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-achieved_on", "-created_at", "-pk"]
        verbose_name = _("readiness evidence")
        verbose_name_plural = _("readiness evidence")
        default_permissions = ()

    def __str__(self) -> str:
        return self.achievement


class NominationQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related(
            "nominee",
            "nominee__mentoring_profile",
            "nominated_by",
            "program",
            "enrollment",
        )


class Nomination(models.Model):
    """Someone puts an employee forward for a sponsorship program.

    The nomination creates the nominee's (pending) sponsee ``Enrollment``;
    accepting the nomination is approving that enrollment, with the programs
    domain's own service, so there is one approval path.
    """

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("program"),
    )
    # Empty once the nominee's data is erased: the equity report counted it.
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="sponsorship_nominations",
        verbose_name=_("nominee"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    source = models.CharField(
        _("nominated as"), max_length=20, choices=NominationSource.choices
    )
    reason = models.TextField(_("why this person"), blank=True)
    evidence = models.ManyToManyField(
        ReadinessEvidence,
        blank=True,
        related_name="nominations",
        verbose_name=_("evidence"),
    )
    enrollment = models.OneToOneField(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="nomination",
        verbose_name=_("application"),
    )
    created_at = models.DateTimeField(_("nominated"), default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        # Program-scoped (permissions.ProgramScopedPolicy), not model permissions.
        default_permissions = ()

    def __str__(self) -> str:
        return _("%(nominee)s for %(program)s") % {
            "nominee": display_name(self.nominee),
            "program": self.program.title,
        }

    @property
    def status(self) -> str:
        return self.enrollment.status

    def get_status_display(self) -> str:
        return self.enrollment.get_status_display()

    @property
    def is_pending(self) -> bool:
        return self.enrollment.status == EnrollmentStatus.PENDING

    @property
    def nominee_name(self) -> str:
        return display_name(self.nominee)


class SponsorshipCommitment(models.Model):
    """What the sponsor commits to for a period; both sides acknowledge it."""

    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        related_name="commitments",
        verbose_name=_("sponsorship"),
    )
    statement = models.TextField(_("commitment"))
    advocacy_goals = models.TextField(
        _("advocacy goals"),
        blank=True,
        help_text=_("What the sponsor will do, e.g. “present your work to the VP”."),
    )
    period_start = models.DateField(_("from"))
    review_date = models.DateField(_("review on"))
    sponsor_acknowledged_at = models.DateTimeField(
        _("sponsor acknowledged"), null=True, blank=True
    )
    sponsee_acknowledged_at = models.DateTimeField(
        _("sponsee acknowledged"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("sponsorship commitment")
        verbose_name_plural = _("sponsorship commitments")
        default_permissions = ()

    def __str__(self) -> str:
        return str(_("Commitment from %(date)s") % {"date": self.period_start})

    @property
    def is_acknowledged(self) -> bool:
        return bool(self.sponsor_acknowledged_at and self.sponsee_acknowledged_at)


class AdvocacyKind(models.TextChoices):
    ENDORSEMENT = "endorsement", _("Public endorsement")
    INTRODUCTION = "introduction", _("Strategic introduction")
    STRETCH_ASSIGNMENT = "stretch_assignment", _("Stretch-assignment nomination")
    PROMOTION_RECOMMENDATION = (
        "promotion_recommendation",
        _("Promotion recommendation"),
    )
    VISIBILITY = "visibility", _("Visibility opportunity")


class AdvocacyActionQuerySet(models.QuerySet):
    def visible_to_sponsee(self):
        return self.filter(confidential=False)

    def visible_to(self, user):
        """Actions ``user`` may read: their own as sponsor, or non-confidential
        ones about them. Program admins see only counts (accountability)."""
        return self.filter(Q(sponsor=user) | Q(sponsee=user, confidential=False))


class AdvocacyAction(models.Model):
    """One thing a sponsor did for a sponsee."""

    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        related_name="advocacy_actions",
        verbose_name=_("sponsorship"),
    )
    # Denormalised from the relationship: every visibility rule filters on them.
    # Empty on the side whose data was erased: accountability counts the action.
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="advocacy_given",
        verbose_name=_("sponsor"),
    )
    sponsee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="advocacy_received",
        verbose_name=_("sponsee"),
    )
    kind = models.CharField(_("action"), max_length=30, choices=AdvocacyKind.choices)
    occurred_on = models.DateField(_("date"), db_index=True)
    audience = models.CharField(
        _("to whom"), max_length=200, help_text=_("Who heard it, or who was met.")
    )
    description = models.TextField(_("what I did"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Hidden from the sponsee, e.g. a promotion case still open."),
    )
    evidence = models.ManyToManyField(
        ReadinessEvidence,
        blank=True,
        related_name="cited_by",
        verbose_name=_("evidence cited"),
    )
    opportunity_nomination = models.OneToOneField(
        "OpportunityNomination",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advocacy_action",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AdvocacyActionQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("advocacy action")
        verbose_name_plural = _("advocacy actions")
        # No model permissions: nobody can read these through the generic admin
        # or the site-history report; only the sponsor's and sponsee's screens.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_on})"


class OpportunityKind(models.TextChoices):
    STRETCH_ASSIGNMENT = "stretch_assignment", _("Stretch assignment")
    PROJECT = "project", _("Project")
    ROLE = "role", _("Role")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class OpportunityQuerySet(models.QuerySet):
    def taking_nominations(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=OpportunityStatus.OPEN, deadline__gte=today)


class Opportunity(models.Model):
    """A stretch assignment, project or role that sponsors put sponsees forward for."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("program"),
        help_text=_("Sponsees of this program may be nominated."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=OpportunityKind.choices,
        default=OpportunityKind.STRETCH_ASSIGNMENT,
    )
    description = models.TextField(_("description"), blank=True)
    eligibility = models.CharField(
        _("who may be nominated"), max_length=300, blank=True
    )
    min_level = models.PositiveSmallIntegerField(
        _("minimum career level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    deadline = models.DateField(
        _("nominations close"), help_text=_("Nominations are taken until this day.")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.OPEN,
        db_index=True,
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        default_permissions = ()

    def __str__(self) -> str:
        return self.title

    def takes_nominations(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == OpportunityStatus.OPEN and self.deadline >= today


class OpportunityNominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


class OpportunityNomination(models.Model):
    """A sponsor puts a sponsee forward for an opportunity."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("opportunity"),
    )
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="opportunity_nominations",
        verbose_name=_("nominee"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunity_nominations",
    )
    note = models.TextField(_("why this person"), blank=True)
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Hidden from the nominee until a decision is made."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OpportunityNominationStatus.choices,
        default=OpportunityNominationStatus.NOMINATED,
        db_index=True,
    )
    decision_reason = models.TextField(_("why"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("nominated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity nomination")
        verbose_name_plural = _("opportunity nominations")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "nominee"],
                name="wm_one_nomination_per_opportunity",
            )
        ]

    def __str__(self) -> str:
        return f"{display_name(self.nominee)} → {self.opportunity.title}"


class CareerOutcomeKind(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    NEW_ROLE = "new_role", _("New role")
    LATERAL_MOVE = "lateral_move", _("Lateral move")
    STRETCH_COMPLETED = "stretch_completed", _("Stretch assignment completed")


class CareerOutcomeSource(models.TextChoices):
    MANUAL = "manual", _("Entered")
    IMPORT = "import", _("Imported")


class CareerOutcome(models.Model):
    """A career step, entered by HR or imported, linked to the sponsorship if any."""

    # Empty once the employee's data is erased: promotion counts stay.
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="career_outcomes",
        verbose_name=_("employee"),
    )
    kind = models.CharField(
        _("outcome"), max_length=30, choices=CareerOutcomeKind.choices
    )
    occurred_on = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("new title or assignment"), max_length=200, blank=True)
    # Levels at the time: the profile only knows today's level, and the
    # promotion-rate comparison needs the level people started the period at.
    from_level = models.PositiveSmallIntegerField(
        _("level before"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    to_level = models.PositiveSmallIntegerField(
        _("level after"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="career_outcomes",
        verbose_name=_("sponsorship"),
    )
    source = models.CharField(
        max_length=20,
        choices=CareerOutcomeSource.choices,
        default=CareerOutcomeSource.MANUAL,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("career outcome")
        verbose_name_plural = _("career outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "kind", "occurred_on"],
                name="wm_one_outcome_per_kind_and_day",
            )
        ]

    def __str__(self) -> str:
        return f"{display_name(self.employee)}: {self.get_kind_display()}"

    @property
    def employee_name(self) -> str:
        return display_name(self.employee)
