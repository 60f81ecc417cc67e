"""Saved HRIS column mappings and the files uploaded with them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.hris.presets import CUSTOM, FIELDS, PRESET_CHOICES


class UserMatchKey(models.TextChoices):
    EMAIL = "email", _("Email")
    USERNAME = "username", _("Sign-in name")


class HrisMapping(models.Model):
    """Which column of an HRIS export holds which profile field, and how a
    saved import treats the people in it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    preset = models.CharField(
        _("preset"), max_length=20, choices=PRESET_CHOICES, default=CUSTOM
    )
    header_rows = models.PositiveSmallIntegerField(
        _("header rows"),
        default=1,
        help_text=_(
            "Rows before the first person. Column headings are read from the "
            "first (SuccessFactors files have a second row of labels)."
        ),
    )
    columns = models.JSONField(
        _("columns"), default=dict, blank=True, help_text=_("Field → column heading.")
    )
    match_users_by = models.CharField(
        _("match host users by"),
        max_length=10,
        choices=UserMatchKey.choices,
        default=UserMatchKey.EMAIL,
    )
    create_users = models.BooleanField(
        _("create missing host users"),
        default=False,
        help_text=_(
            "Off: people without an account are reported and skipped (single "
            "sign-on usually creates accounts)."
        ),
    )
    deactivate_missing = models.BooleanField(
        _("full import: deactivate people missing from the file"),
        default=False,
        help_text=_(
            "Accounts with an employee id that the file no longer lists are "
            "deactivated; their relationships end and future meetings are cancelled."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("HRIS mapping")
        verbose_name_plural = _("HRIS mappings")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        unknown = sorted(set(self.columns) - set(FIELDS))
        if unknown:
            raise ValidationError(
                _("Unknown fields: %(fields)s") % {"fields": ", ".join(unknown)}
            )
        if not (self.columns.get("employee_id") or "").strip():
            raise ValidationError(_("Name the column that holds the employee id."))
        if self.header_rows < 1:
            raise ValidationError(_("A file has at least one header row."))
        if self.match_users_by == UserMatchKey.EMAIL:
            User = get_user_model()
            names = {f.name for f in User._meta.get_fields()}
            if User.get_email_field_name() not in names:
                raise ValidationError(
                    _("This site's user model has no email: match by sign-in name.")
                )


class HrisImportStatus(models.TextChoices):
    CHECKED = "checked", _("Dry run done")
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")


class HrisImport(models.Model):
    """An uploaded file, kept on the server between its dry run and apply:
    apply reads these bytes again, never anything the browser re-posts."""

    mapping = models.ForeignKey(
        HrisMapping,
        on_delete=models.CASCADE,
        related_name="imports",
        verbose_name=_("mapping"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=HrisImportStatus.choices,
        default=HrisImportStatus.CHECKED,
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("HRIS import")
        verbose_name_plural = _("HRIS imports")

    def __str__(self) -> str:
        return self.file_name
