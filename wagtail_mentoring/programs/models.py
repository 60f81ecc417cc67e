"""Programs as pages, applications (enrollments) and relationships."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_mentoring.blocks import (
    ApplicationQuestionBlock,
    ContentBlock,
    ProgramContentBlock,
)
from wagtail_mentoring.blocks.prompts import ConversationPromptBlock
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.fields import MultipleChoiceField
from wagtail_mentoring.look import frontend_context
from wagtail_mentoring.people.users import ReadsInViewerTimeZone, display_name
from wagtail_mentoring.programs.panels import GuardedFieldPanel

#: The permission to administer every program (HR, the mentoring team).
ADMINISTER_ALL = "wagtail_mentoring.administer_all_programs"


class Role(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    SPONSOR = "sponsor", _("Sponsor")
    SPONSEE = "sponsee", _("Sponsee")
    MEMBER = "member", _("Member")


#: Roles that give guidance or advocacy, and so have a capacity.
GIVING_ROLES = frozenset({Role.MENTOR, Role.SPONSOR})

#: Receiving role → the role of the partner it asks for: a mentor, a sponsor,
#: or in a peer program another member.
PARTNER_ROLE = {
    Role.MENTEE: Role.MENTOR,
    Role.SPONSEE: Role.SPONSOR,
    Role.MEMBER: Role.MEMBER,
}


class ProgramKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one mentoring")
    GROUP = "group", _("Group mentoring")
    REVERSE = "reverse", _("Reverse mentoring")
    PEER = "peer", _("Peer mentoring")
    FLASH = "flash", _("Flash mentoring")
    SPONSORSHIP = "sponsorship", _("Sponsorship")


#: The roles a new program of each kind accepts unless the editor changes them.
DEFAULT_ROLES = {
    ProgramKind.ONE_TO_ONE: [Role.MENTOR, Role.MENTEE],
    ProgramKind.GROUP: [Role.MENTOR, Role.MENTEE],
    ProgramKind.REVERSE: [Role.MENTOR, Role.MENTEE],
    ProgramKind.PEER: [Role.MEMBER],
    # People who want a conversation book it (office hours); only mentors apply.
    ProgramKind.FLASH: [Role.MENTOR],
    ProgramKind.SPONSORSHIP: [Role.SPONSOR, Role.SPONSEE],
}


class MatchingMode(models.TextChoices):
    ADMIN_APPROVED = "admin_approved", _("Admins propose and approve matches")
    SELF_SELECT = "self_select", _("Participants choose from suggestions")
    HYBRID = "hybrid", _("Participants choose, admins fill the gaps")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    FLEXIBLE = "flexible", _("As the pair agrees")


class MentoringHubPage(ReadsInViewerTimeZone, Page):
    """The intranet's front door to mentoring: lists the programs below it."""

    intro = StreamField(ContentBlock(), blank=True, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    subpage_types = [
        "wagtail_mentoring.ProgramPage",
        "wagtail_mentoring.LearningJourneyPage",
        "wagtail_mentoring.DevelopmentTrackPage",
        "wagtail_mentoring.CommunitySpacePage",
    ]
    template = "wagtail_mentoring/programs/mentoring_hub_page.html"

    class Meta:
        verbose_name = _("mentoring hub")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(frontend_context())
        # Selectors and views import the models, so pages name them instead.
        hub_programs = import_string(
            "wagtail_mentoring.programs.selectors.hub_programs"
        )
        context["programs"] = hub_programs(self, request.user)
        # Journeys and spaces are the hub's other children; the base names no
        # domain above it, so it asks the app registry for the space's class.
        public = import_string("wagtail_mentoring.programs.selectors.public")
        others = list(
            public(Page.objects.child_of(self).live())
            .not_type(ProgramPage)
            .specific()
            .order_by("path")
        )
        space_model = apps.get_model("wagtail_mentoring", "CommunitySpacePage")
        context["journeys"] = [p for p in others if not isinstance(p, space_model)]
        context["spaces"] = [p for p in others if isinstance(p, space_model)]
        return context


class ProgramPage(ReadsInViewerTimeZone, RoutablePageMixin, Page):
    """A mentoring or sponsorship program that employees apply to."""

    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ProgramKind.choices,
        default=ProgramKind.ONE_TO_ONE,
    )
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("Shown on the hub page.")
    )
    intro = StreamField(
        ProgramContentBlock(), blank=True, verbose_name=_("introduction")
    )
    enrollment_opens_at = models.DateTimeField(
        _("applications open"),
        null=True,
        blank=True,
        help_text=_("Leave empty to open applications as soon as it is published."),
    )
    enrollment_closes_at = models.DateTimeField(
        _("applications close"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep applications open."),
    )
    starts_on = models.DateField(_("program starts"), null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration (weeks)"), default=26, validators=[MinValueValidator(1)]
    )
    cadence = models.CharField(
        _("meeting cadence"),
        max_length=20,
        choices=Cadence.choices,
        default=Cadence.MONTHLY,
    )
    matching_mode = models.CharField(
        _("matching"),
        max_length=20,
        choices=MatchingMode.choices,
        default=MatchingMode.ADMIN_APPROVED,
    )
    allowed_roles = MultipleChoiceField(
        _("roles people may apply for"),
        item_choices=Role.choices,
        help_text=_("Empty means the usual roles for the program's kind."),
    )
    requires_approval = models.BooleanField(
        _("applications need approval"),
        default=True,
        help_text=_("Otherwise applications are approved as they arrive."),
    )
    manager_loop_in = models.BooleanField(
        _("loop managers in"),
        default=False,
        help_text=_(
            "Once a month, email the managers of participants which of their "
            "reports take part and how actively (meetings held, goals set); "
            "never what was said, and partners' names only where the "
            "participant allows."
        ),
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        _("default mentor capacity"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many mentees a mentor takes unless they choose otherwise."),
    )
    max_mentor_capacity = models.PositiveSmallIntegerField(
        _("maximum mentor capacity"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    mentors_per_mentee = models.PositiveSmallIntegerField(
        _("mentors per mentee"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("More than one for group or multi-mentor programs."),
    )
    admin_group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program administrators"),
        help_text=_(
            "Members of this group manage the program's applications and matches. "
            "Map it to a group from your single sign-on."
        ),
    )
    application_questions = StreamField(
        ApplicationQuestionBlock(), blank=True, verbose_name=_("application questions")
    )
    journey = models.ForeignKey(
        "wagtail_mentoring.LearningJourneyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("learning journey"),
        help_text=_("The journey every pair of this program follows."),
    )
    mentor_journey = models.ForeignKey(
        "wagtail_mentoring.LearningJourneyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journey for mentors and sponsors"),
        help_text=_("Only if they follow a different journey from the one above."),
    )
    mentee_journey = models.ForeignKey(
        "wagtail_mentoring.LearningJourneyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("journey for mentees and sponsees"),
        help_text=_("Only if they follow a different journey from the one above."),
    )
    # Engagement settings: self-select requests, messages, prompts.
    max_requests = models.PositiveSmallIntegerField(
        _("ranked requests per mentee"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "Self-select: how many mentors a mentee may rank. A declined or "
            "expired request passes to the next one."
        ),
    )
    request_expiry_days = models.PositiveSmallIntegerField(
        _("days to answer a request"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    messages_private = models.BooleanField(
        _("messages are private"),
        default=True,
        help_text=_(
            "Message notifications then only say that a message arrived, "
            "without its content."
        ),
    )
    conversation_prompts = StreamField(
        ConversationPromptBlock(),
        blank=True,
        verbose_name=_("conversation prompts"),
        help_text=_("Pre-filled into the agenda of every new meeting."),
    )
    max_extensions = models.PositiveSmallIntegerField(
        _("extensions allowed"),
        default=1,
        validators=[MaxValueValidator(10)],
        help_text=_("How often a pair may extend its relationship; 0 for never."),
    )
    max_extension_weeks = models.PositiveSmallIntegerField(
        _("weeks per extension"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(104)],
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        _("nudge quiet pairs after (days)"),
        default=21,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "A pair with no meeting for this many days is reminded to meet, and "
            "shows as at risk to the program admins; 0 for never."
        ),
    )
    nudge_no_request_after_days = models.PositiveSmallIntegerField(
        _("nudge mentees who sent no request after (days)"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Programs where mentees choose: a mentee approved this many days ago "
            "who has not asked anyone yet is encouraged, once; 0 for never."
        ),
    )
    nudge_sponsors_after_days = models.PositiveSmallIntegerField(
        _("nudge sponsors without advocacy after (days into the quarter)"),
        default=45,
        validators=[MaxValueValidator(92)],
        help_text=_(
            "A sponsor with an open sponsorship who has logged no advocacy this "
            "quarter is reminded, once a quarter, this many days into it; 0 for "
            "never."
        ),
    )
    nudge_profile_after_days = models.PositiveSmallIntegerField(
        _("nudge incomplete profiles after (days)"),
        default=3,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "A participant approved this many days ago whose profile still lacks "
            "what matching needs is reminded, once; 0 for never."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("intro"),
    ]
    program_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("enrollment_opens_at"),
                        FieldPanel("enrollment_closes_at"),
                    ]
                ),
                FieldPanel("allowed_roles"),
                FieldPanel("requires_approval"),
                FieldPanel("application_questions"),
            ],
            heading=_("Applications"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("duration_weeks")]),
                FieldPanel("cadence"),
                FieldPanel("manager_loop_in"),
            ],
            heading=_("Schedule"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("matching_mode"),
                FieldRowPanel(
                    [
                        FieldPanel("default_mentor_capacity"),
                        FieldPanel("max_mentor_capacity"),
                        FieldPanel("mentors_per_mentee"),
                    ]
                ),
                # It grants access to every applicant's data: publishing the
                # page is not enough to change it.
                GuardedFieldPanel("admin_group", permission=ADMINISTER_ALL),
            ],
            heading=_("Matching"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("journey"),
                FieldRowPanel(
                    [FieldPanel("mentor_journey"), FieldPanel("mentee_journey")]
                ),
            ],
            heading=_("Learning journey"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("max_requests"), FieldPanel("request_expiry_days")]
                ),
                FieldPanel("messages_private"),
                FieldPanel("conversation_prompts"),
                FieldRowPanel(
                    [FieldPanel("max_extensions"), FieldPanel("max_extension_weeks")]
                ),
                FieldPanel("nudge_after_days"),
            ],
            heading=_("Relationships"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("nudge_no_request_after_days"),
                FieldPanel("nudge_sponsors_after_days"),
                FieldPanel("nudge_profile_after_days"),
            ],
            heading=_("Nudges"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("intro"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["wagtail_mentoring.MentoringHubPage"]
    # A program's own discussion space lives under it.
    subpage_types = ["wagtail_mentoring.CommunitySpacePage"]
    template = "wagtail_mentoring/programs/program_page.html"

    class Meta:
        verbose_name = _("mentoring program")

    def clean(self):
        super().clean()
        errors = {}
        if (
            self.enrollment_opens_at
            and self.enrollment_closes_at
            and self.enrollment_closes_at <= self.enrollment_opens_at
        ):
            errors["enrollment_closes_at"] = _(
                "Applications must close after they open."
            )
        if self.default_mentor_capacity > self.max_mentor_capacity:
            errors["default_mentor_capacity"] = _(
                "The default capacity cannot exceed the maximum."
            )
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(frontend_context())
        context["open_now"] = self.is_open()
        context["join_in_intro"] = any(b.block_type == "join" for b in self.intro)
        context["my_enrollments"] = (
            list(self.enrollments.filter(user=request.user).live())
            if request.user.is_authenticated
            else []
        )
        circle_board = import_string(
            "wagtail_mentoring.programs.selectors.circle_board"
        )
        context.update(circle_board(self, request.user))
        return context

    @path("apply/", name="apply")
    def apply_view(self, request):
        return import_string("wagtail_mentoring.programs.views.apply")(request, self)

    @property
    def roles(self) -> list[str]:
        return list(self.allowed_roles) or [str(r) for r in DEFAULT_ROLES[self.kind]]

    def role_choices(self) -> list[tuple[str, str]]:
        labels = dict(Role.choices)
        return [(role, labels[role]) for role in self.roles]

    @cached_property
    def learning_journeys(self) -> list:
        """The published journeys this program's pairs follow, each once."""
        found = []
        for journey in (self.journey, self.mentee_journey, self.mentor_journey):
            if journey is not None and journey.live and journey not in found:
                found.append(journey)
        return found

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.enrollment_opens_at and now < self.enrollment_opens_at:
            return False
        return not (self.enrollment_closes_at and now >= self.enrollment_closes_at)

    @cached_property
    def questions(self):
        """Application questions as ``(block_id, block)`` pairs, in page order."""
        return [(child.id, child) for child in self.application_questions]


ProgramPage.edit_handler = TabbedInterface(
    [
        ObjectList(ProgramPage.content_panels, heading=_("Content")),
        ObjectList(ProgramPage.program_panels, heading=_("Program")),
        ObjectList(ProgramPage.promote_panels, heading=_("Promote")),
        ObjectList(ProgramPage.settings_panels, heading=_("Settings")),
    ]
)


class Cohort(models.Model):
    """An intake of a program ("Spring 2027"): its participants start together
    and may follow one journey together. A program with at least one cohort
    runs in cohorts, and then every application belongs to one."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="cohorts",
        verbose_name=_("program"),
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts"))
    journey = models.ForeignKey(
        "wagtail_mentoring.LearningJourneyPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("learning journey"),
        help_text=_("The journey the cohort follows together (optional)."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["program_id", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="wm_one_cohort_name_per_program"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.program.title})"


#: Longest topic of a circle (an application's and a circle's own).
CIRCLE_TOPIC_MAX = 200


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses of an application that is still "live": one per user, program, role.
LIVE_ENROLLMENT_STATUSES = [EnrollmentStatus.PENDING, EnrollmentStatus.APPROVED]


class EnrollmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_ENROLLMENT_STATUSES)

    def for_listing(self):
        return self.select_related(
            "user", "user__mentoring_profile", "program", "decided_by"
        )

    def with_matched(self):
        """Annotate ``matched``: the applicant has an open relationship in the
        program in this role, so a listing asks :meth:`Enrollment.withdrawal_refusal`
        without a query per row."""
        return self.annotate(
            matched=Exists(
                RelationshipMember.objects.filter(
                    user_id=OuterRef("user_id"),
                    role=OuterRef("role"),
                    relationship__program_id=OuterRef("program_id"),
                    relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
                )
            )
        )


class Enrollment(models.Model):
    """A person's application to take part in a program in one role."""

    # Empty once the applicant's data is erased: the application still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_enrollments",
        verbose_name=_("applicant"),
    )
    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("program"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.PENDING,
        db_index=True,
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Mentors and sponsors: how many people they take on."),
    )
    motivation = models.TextField(_("motivation"), blank=True)
    # Group programs: the facilitator's circle becomes a circle about this, and
    # matching favours mentees whose own words fit it.
    circle_topic = models.CharField(
        _("circle topic"),
        max_length=CIRCLE_TOPIC_MAX,
        blank=True,
        help_text=_("Group programs, mentors: what their circle is about."),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("applied"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decision_emailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set on apply when the program runs in cohorts; program admins move people.
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("cohort"),
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        # Find a mentor asks for a program's newest change on every search.
        indexes = [
            models.Index(
                fields=["program", "role", "updated_at"], name="wm_enrollment_changes"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"],
                condition=Q(status__in=["pending", "approved"]),
                name="wm_one_live_enrollment_per_role",
            )
        ]
        permissions = [
            (
                "administer_all_programs",
                _("Can administer every mentoring program"),
            ),
        ]

    def __str__(self) -> str:
        return _("%(user)s as %(role)s in %(program)s") % {
            "user": display_name(self.user),
            "role": self.get_role_display(),
            "program": self.program.title,
        }

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_ENROLLMENT_STATUSES

    def withdrawal_refusal(self) -> MentoringError | None:
        """Why the applicant cannot withdraw this application now, or None:
        the one rule behind ``withdraw_application()`` and the Withdraw button."""
        if not self.is_live:
            return MentoringError(
                gettext("This application is already %(status)s.")
                % {"status": self.get_status_display().lower()},
                code="not_live",
            )
        matched = getattr(self, "matched", None)
        if matched is None:
            matched = type(self).objects.filter(pk=self.pk).with_matched().get().matched
        if matched:
            return MentoringError(
                gettext(
                    "You are already matched in this program; "
                    "end the relationship instead."
                ),
                code="matched",
            )
        return None

    @property
    def can_withdraw(self) -> bool:
        return self.withdrawal_refusal() is None

    @property
    def applicant_name(self) -> str:
        return display_name(self.user)

    @property
    def department(self) -> str:
        profile = getattr(self.user, "mentoring_profile", None)
        return profile.department if profile else ""

    def answer_items(self):
        """``(question label, answer)`` pairs in the program's question order."""
        items = []
        for block_id, block in self.program.questions:
            if block_id in self.answers:
                answer = self.answers[block_id]
                if isinstance(answer, list):
                    answer = ", ".join(answer)
                items.append((block.value["label"], answer))
        return items


class RelationshipStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")


#: Which status may follow which: every other change is refused.
RELATIONSHIP_TRANSITIONS = {
    RelationshipStatus.PENDING: {
        RelationshipStatus.ACTIVE,
        RelationshipStatus.ENDED_EARLY,
    },
    RelationshipStatus.ACTIVE: {
        RelationshipStatus.PAUSED,
        RelationshipStatus.COMPLETED,
        RelationshipStatus.ENDED_EARLY,
    },
    RelationshipStatus.PAUSED: {
        RelationshipStatus.ACTIVE,
        RelationshipStatus.COMPLETED,
        RelationshipStatus.ENDED_EARLY,
    },
    RelationshipStatus.COMPLETED: set(),
    RelationshipStatus.ENDED_EARLY: set(),
}

#: Relationships that still take up a mentor's capacity.
OPEN_RELATIONSHIP_STATUSES = [
    RelationshipStatus.PENDING,
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
]


class RelationshipQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_RELATIONSHIP_STATUSES)

    def for_member(self, user):
        return self.filter(members__user=user)


class Relationship(models.Model):
    """A mentoring or sponsorship pair (or group) within a program."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="relationships",
        verbose_name=_("program"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RelationshipStatus.choices,
        default=RelationshipStatus.ACTIVE,
        db_index=True,
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    extensions_used = models.PositiveSmallIntegerField(_("extensions"), default=0)
    rematch_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rematch requested by"),
    )
    # Circles (relationships of a group program): what the circle is about,
    # and whether mentees may join it themselves while it has seats.
    topic = models.CharField(_("topic"), max_length=CIRCLE_TOPIC_MAX, blank=True)
    open_to_join = models.BooleanField(
        _("open for mentees to join"),
        default=False,
        help_text=_("Group programs: mentees may join this circle until it is full."),
    )
    # The first and last held meeting, kept by engagement whenever a meeting
    # is saved or deleted, so that reports over thousands of relationships
    # need not look into a million meetings.
    first_met_at = models.DateTimeField(
        _("first meeting held"), null=True, blank=True, editable=False
    )
    last_met_at = models.DateTimeField(
        _("last meeting held"), null=True, blank=True, editable=False
    )

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        names = " & ".join(display_name(m.user) for m in self.members.all())
        return f"{names} ({self.program.title})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RELATIONSHIP_STATUSES

    def can_become(self, status: str) -> bool:
        return status in RELATIONSHIP_TRANSITIONS[RelationshipStatus(self.status)]

    @property
    def is_circle(self) -> bool:
        """A group program's relationship: one facilitator, several mentees."""
        return self.program.kind == ProgramKind.GROUP

    @property
    def facilitator(self) -> RelationshipMember | None:
        return next((m for m in self.members.all() if m.role in GIVING_ROLES), None)

    @property
    def circle_mentees(self) -> list[RelationshipMember]:
        return [m for m in self.members.all() if m.role not in GIVING_ROLES]

    @property
    def seats(self) -> int:
        """A circle's size: its facilitator's capacity in the program."""
        facilitator = self.facilitator
        enrollment = facilitator.enrollment if facilitator else None
        return (
            enrollment.capacity if enrollment and enrollment.capacity else None
        ) or self.program.default_mentor_capacity

    @property
    def seats_left(self) -> int:
        return max(0, self.seats - len(self.circle_mentees))


def open_places(program):
    """The rows :func:`places_taken` counts: ``(user id, role, relationship
    id)`` of every member of ``program``'s open relationships. Nothing else
    decides the places taken, so a digest of these rows stands for them."""
    return RelationshipMember.objects.filter(
        relationship__program=program,
        relationship__status__in=OPEN_RELATIONSHIP_STATUSES,
    ).values_list("user_id", "role", "relationship_id")


def places_taken(program, user_ids=None) -> dict[tuple, int]:
    """(user id, role) → places each person holds in ``program``'s open
    relationships. A circle's facilitator holds one place per mentee in it
    (their capacity is the circle's size); everyone else one per relationship.
    """
    members = open_places(program)
    if user_ids is not None:
        members = members.filter(user_id__in=list(user_ids))
    rows = list(members)
    taken: dict[tuple, int] = {}
    if program.kind == ProgramKind.GROUP:
        circles = {r for _u, role, r in rows if role in GIVING_ROLES}
        mentees: dict[int, int] = dict(
            RelationshipMember.objects.filter(relationship_id__in=circles)
            .exclude(role__in=GIVING_ROLES)
            .values("relationship_id")
            .annotate(n=models.Count("pk"))
            .values_list("relationship_id", "n")
        )
    for user_id, role, relationship_id in rows:
        weight = 1
        if program.kind == ProgramKind.GROUP and role in GIVING_ROLES:
            weight = mentees.get(relationship_id, 0)
        taken[(user_id, role)] = taken.get((user_id, role), 0) + weight
    return taken


class RelationshipMember(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="members"
    )
    # Empty for a former participant (erased): the relationship still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Unread messages are those after this moment (the member's own excepted).
    messages_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("relationship member")
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user"], name="wm_one_membership_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{display_name(self.user)} ({self.get_role_display()})"
