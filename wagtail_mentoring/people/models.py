"""Employees as the programs see them: profile, org chart, taxonomy, consent."""

from __future__ import annotations

import zoneinfo

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from wagtail_mentoring.fields import MultipleChoiceField
from wagtail_mentoring.people.timezones import timezone_choices  # noqa: F401
from wagtail_mentoring.people.users import display_name

_DAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
]
_PARTS = [("am", _("morning")), ("pm", _("afternoon"))]

#: Half-day slots people are usually free for a mentoring conversation.
AVAILABILITY_SLOTS = [
    (f"{day}_{part}", format_lazy("{} {}", day_label, part_label))
    for day, day_label in _DAYS
    for part, part_label in _PARTS
]

#: ISO 639-1 codes Django ships translations for: a vocabulary hosts already know.
#: One entry per base code, named after the base language ("en" is "English",
#: not whichever regional variant happens to come last in LANGUAGES).
_LANGUAGE_NAMES = dict(global_settings.LANGUAGES)
_BASE_NAMES = {"zh": "Chinese", "sr": "Serbian"}
LANGUAGE_CHOICES = sorted(
    (base, _(_LANGUAGE_NAMES.get(base) or _BASE_NAMES.get(base) or name))
    for base, name in {
        code.split("-")[0]: name for code, name in global_settings.LANGUAGES
    }.items()
)


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        )


class Skill(index.Indexed, models.Model):
    """A competency mentors offer and mentees want to develop (a snippet)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class Interest(index.Indexed, models.Model):
    """A goal or interest people share (career growth, public speaking…)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return self.name


class EmployeeProfileQuerySet(models.QuerySet):
    def active(self):
        """Profiles of users who can still sign in: the only ones we ever show."""
        return self.filter(user__is_active=True)


class EmployeeProfile(models.Model):
    """What mentoring needs to know about a host user, 1:1 with the user model."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_profile",
        verbose_name=_("user"),
    )
    employee_id = models.CharField(
        _("employee id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The HR system's id: what HRIS imports match people by."),
    )
    title = models.CharField(_("job title"), max_length=150, blank=True)
    level = models.PositiveSmallIntegerField(
        _("career level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("The company's career level, 1 = entry level."),
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("IANA name, for example Europe/Berlin."),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    skills = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="offered_by",
        verbose_name=_("skills I can share"),
    )
    skills_wanted = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="wanted_by",
        verbose_name=_("skills I want to develop"),
    )
    interests = models.ManyToManyField(
        Interest, blank=True, related_name="profiles", verbose_name=_("interests")
    )
    languages = MultipleChoiceField(
        _("languages"), item_choices=LANGUAGE_CHOICES, help_text=_("ISO 639-1 codes.")
    )
    availability = MultipleChoiceField(
        _("availability"), item_choices=AVAILABILITY_SLOTS
    )
    bio = models.TextField(_("about me"), blank=True)
    goals = models.TextField(
        _("what I want from mentoring"),
        blank=True,
        help_text=_("In your own words; used to suggest good matches."),
    )
    open_to_mentoring = models.BooleanField(
        _("open to being asked to mentor"), default=False
    )
    # Programs that loop managers in tell them that their report takes part;
    # the partner's name only with this consent.
    partner_visible_to_manager = models.BooleanField(
        _("my manager may see my mentor's, mentee's or sponsor's name"),
        default=False,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EmployeeProfileQuerySet.as_manager()

    panels = [
        FieldPanel("user", read_only=True),
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("level"),
                FieldPanel("department"),
                FieldPanel("manager"),
            ],
            heading=_("Organisation"),
        ),
        MultiFieldPanel(
            [FieldPanel("location"), FieldPanel("timezone"), FieldPanel("languages")],
            heading=_("Where and when"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("skills"),
                FieldPanel("skills_wanted"),
                FieldPanel("interests"),
                FieldPanel("availability"),
                FieldPanel("bio"),
                FieldPanel("goals"),
                FieldPanel("open_to_mentoring"),
                FieldPanel("partner_visible_to_manager"),
            ],
            heading=_("Mentoring"),
        ),
    ]

    #: Fields an applicant must fill in before a program can match them.
    REQUIRED_FOR_MATCHING = ("level", "department", "timezone")

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")
        # Find a mentor asks for the newest change on every search.
        indexes = [models.Index(fields=["updated_at"], name="wm_profile_updated")]
        # Privacy rights, for HR / the data-protection officer (Groups editor).
        permissions = [
            ("export_personal_data", _("Can export a person's mentoring data")),
            ("erase_personal_data", _("Can erase a person's mentoring data")),
        ]

    def __str__(self) -> str:
        return display_name(self.user)

    @property
    def user_display(self) -> str:
        return str(self)

    @property
    def sign_in_name(self) -> str:
        return self.user.get_username()

    @property
    def is_complete(self) -> bool:
        return all(getattr(self, name) for name in self.REQUIRED_FOR_MATCHING)


class SelfIdentification(models.Model):
    """Optional, consented demographic answers; only ever reported in aggregate.

    Kept out of ``EmployeeProfile`` so that no profile query, form, serializer or
    export can carry it by accident; reading it needs its own permission.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_self_identification",
    )
    consented_at = models.DateTimeField(_("consent given"))
    answers = models.JSONField(
        _("answers"),
        default=dict,
        help_text=_("Dimension → self-identified value, e.g. {'gender': 'woman'}."),
    )

    class Meta:
        verbose_name = _("self-identification")
        verbose_name_plural = _("self-identifications")
        default_permissions = ()
        permissions = [
            (
                "view_equity_reports",
                _("Can view aggregated equity and fairness reports"),
            )
        ]

    def __str__(self) -> str:
        # Never leak answers into logs or admin titles.
        return str(_("Self-identification"))
