"""Model fields shared by several domains."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class MultipleChoiceField(models.JSONField):
    """A list of choice values stored as JSON, edited as checkboxes.

    Portable across SQLite and PostgreSQL (no ``ArrayField``) and validated
    against ``choices`` on every save through a form, so bad values never land.
    """

    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # Choices are labels for the UI, not part of the schema.
        kwargs.pop("item_choices", None)
        if kwargs.get("default") is list:
            kwargs.pop("default")
        if kwargs.get("blank") is True:
            kwargs.pop("blank")
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {str(key) for key, _label in self.item_choices}
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of choices."), code="invalid")
        unknown = [v for v in value if str(v) not in allowed]
        if allowed and unknown:
            raise ValidationError(
                _("Unknown choice(s): %(values)s"),
                code="invalid_choice",
                params={"values": ", ".join(map(str, unknown))},
            )

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            # Django's own fields capitalise the lowercase verbose name.
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        # JSONField.formfield would force a JSON textarea; build ours directly.
        for key in ("encoder", "decoder"):
            defaults.pop(key, None)
        return form_class(**defaults)
