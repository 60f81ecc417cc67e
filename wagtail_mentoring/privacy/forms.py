"""Front-end forms of privacy choices."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.analytics.equity import group_label
from wagtail_mentoring.conf import mentoring_settings


class SelfIdentificationForm(forms.Form):
    """One optional question per configured dimension and the consent to use
    the answers, in aggregate only."""

    consent = forms.BooleanField(
        label=_(
            "I agree that my answers are used, only in aggregate and never "
            "for groups too small to hide me, in reports on fair access to "
            "the programs."
        ),
        required=False,
        help_text=_("Untick to withdraw: your answers are then deleted."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        answers = instance.answers if instance else {}
        initial = {"consent": instance is not None, **answers}
        super().__init__(*args, initial=initial, **kwargs)
        for dim, values in mentoring_settings.DEMOGRAPHIC_DIMENSIONS.items():
            self.fields[dim] = forms.ChoiceField(
                label=dim.replace("_", " ").capitalize(),
                choices=[("", _("Prefer not to say"))]
                + [(value, group_label(value)) for value in values],
                required=False,
            )
        # The consent comes after the questions it is about.
        self.order_fields([*mentoring_settings.DEMOGRAPHIC_DIMENSIONS, "consent"])

    def answers(self) -> dict:
        return {
            dim: self.cleaned_data.get(dim, "")
            for dim in mentoring_settings.DEMOGRAPHIC_DIMENSIONS
        }
