"""Community spaces as pages, their members, discussions and moderation."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from wagtail_mentoring.blocks.community import SpaceContentBlock
from wagtail_mentoring.people.users import ReadsInViewerTimeZone

#: The permission to moderate every space (the intranet's community team).
MODERATE_ALL = "wagtail_mentoring.moderate_all_spaces"


class MembershipPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone signed in joins")
    REQUEST = "request", _("By request: moderators approve")
    INVITATION = "invitation", _("By invitation only")


class CommunitySpacePage(ReadsInViewerTimeZone, Page):
    """A place where people with a shared interest talk, composed by editors."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One sentence shown in lists of spaces."),
    )
    body = StreamField(SpaceContentBlock(), blank=True, verbose_name=_("body"))
    membership_policy = models.CharField(
        _("who may join"),
        max_length=20,
        choices=MembershipPolicy.choices,
        default=MembershipPolicy.OPEN,
    )
    program = models.ForeignKey(
        "wagtail_mentoring.ProgramPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_spaces",
        verbose_name=_("program"),
        help_text=_(
            "The program's approved participants become members automatically, "
            "and leave the space when they leave the program. Its admins "
            "moderate the space."
        ),
    )
    # The space of a program's cohort (created with it, see community.cohorts):
    # its members are that cohort's participants, not the whole program's.
    cohort = models.ForeignKey(
        "wagtail_mentoring.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="spaces",
        verbose_name=_("cohort"),
        editable=False,
    )
    moderator_group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderators group"),
        help_text=_(
            "Members of this group moderate the space (map it to a group from "
            "your single sign-on), besides the moderators named among members."
        ),
    )
    archived = models.BooleanField(
        _("archived"),
        default=False,
        help_text=_(
            "An archived space stays readable for its members, but nobody can "
            "join it or post in it."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldPanel("membership_policy"),
                FieldPanel("program"),
                FieldPanel("moderator_group"),
                FieldPanel("archived"),
            ],
            heading=_("Membership"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]

    subpage_types: list[str] = []
    template = "wagtail_mentoring/community/space_page.html"

    class Meta:
        verbose_name = _("community space")
        permissions = [
            ("moderate_all_spaces", _("Can moderate every community space")),
        ]

    @property
    def is_closed(self) -> bool:
        """Whether its discussions are for members only."""
        return self.membership_policy != MembershipPolicy.OPEN

    def get_context(self, request, *args, **kwargs):
        # Views import the models, so the page names its view module instead.
        context = super().get_context(request, *args, **kwargs)
        space_context = import_string(
            "wagtail_mentoring.community.views.space_page_context"
        )
        context.update(space_context(self, request))
        return context


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    REQUESTED = "requested", _("Asked to join")
    INVITED = "invited", _("Invited")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")
    DECLINED = "declined", _("Request declined")


class MembershipSource(models.TextChoices):
    PERSONAL = "personal", _("Joined, asked or was invited")
    PROGRAM = "program", _("Through the program")


class SpaceMembership(models.Model):
    """One person's place in one space (the row stays when they leave)."""

    space = models.ForeignKey(
        CommunitySpacePage,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("space"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_space_memberships",
        verbose_name=_("person"),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    source = models.CharField(
        _("how they came"),
        max_length=20,
        choices=MembershipSource.choices,
        default=MembershipSource.PERSONAL,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    message = models.CharField(
        _("message"),
        max_length=500,
        blank=True,
        help_text=_("What they wrote when asking to join."),
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("space membership")
        verbose_name_plural = _("space memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"], name="wm_one_membership_per_space"
            )
        ]
        indexes = [models.Index(fields=["space", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.space}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class Thread(index.Indexed, models.Model):
    """A discussion in a space: its first post says what it is about."""

    space = models.ForeignKey(
        CommunitySpacePage,
        on_delete=models.CASCADE,
        related_name="threads",
        verbose_name=_("space"),
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    is_question = models.BooleanField(_("a question"), default=False)
    answered_post = models.ForeignKey(
        "Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answer"),
    )

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.FilterField("space_id"),
    ]

    class Meta:
        verbose_name = _("discussion")
        verbose_name_plural = _("discussions")
        indexes = [
            models.Index(fields=["space", "-pinned", "-last_activity_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_answered(self) -> bool:
        return self.answered_post_id is not None


class Post(index.Indexed, models.Model):
    """One message in a thread; its Markdown source and the safe HTML of it."""

    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("discussion"),
    )
    # The thread's space, kept on the post so search filters by it.
    space = models.ForeignKey(
        CommunitySpacePage,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("space"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("edited by"),
    )
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_reason = models.CharField(_("why hidden"), max_length=500, blank=True)

    search_fields = [
        index.SearchField("body"),
        index.FilterField("space_id"),
        index.FilterField("hidden"),
    ]

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"


class ReactionKind(models.TextChoices):
    HELPFUL = "helpful", _("Helpful")


class Reaction(models.Model):
    """One person finding one post helpful (at most once)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        max_length=20, choices=ReactionKind.choices, default=ReactionKind.HELPFUL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"], name="wm_one_reaction_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.post}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a decision")
    DISMISSED = "dismissed", _("Dismissed")
    HIDDEN = "hidden", _("Post hidden")


class PostReport(models.Model):
    """A member telling the moderators a post should not be there."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reports", verbose_name=_("post")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    status = models.CharField(
        _("decision"),
        max_length=20,
        choices=ReportStatus.choices,
        default=ReportStatus.OPEN,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("reported post")
        verbose_name_plural = _("reported posts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(status="open"),
                name="wm_one_open_report_per_reporter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} ({self.get_status_display()})"
