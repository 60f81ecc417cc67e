"""The profile chooser's form widget, for blocks and forms below the admin.

It only names the chooser modal's URL, so models and blocks can use it without
importing the admin (whose policies import the models).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import BaseChooser

from wagtail_mentoring.people.models import EmployeeProfile


class ProfileChooserWidget(BaseChooser):
    model = "wagtail_mentoring.EmployeeProfile"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    link_to_chosen_text = _("Edit this person")
    chooser_modal_url_name = "wm_profile_chooser:choose"
    icon = "user"


class ProfileUserField(forms.ModelChoiceField):
    """A user chosen through the profile chooser: searchable, and showing
    what tells namesakes apart, where a dropdown of everyone would not."""

    widget = ProfileChooserWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", EmployeeProfile.objects.active())
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Given a user (the model's value), the chooser shows their profile;
        # anything else is already a profile's id (what the chooser posts).
        if hasattr(value, "_meta") and not isinstance(value, EmployeeProfile):
            value = EmployeeProfile.objects.filter(user=value).first()
        return super().prepare_value(value)

    def clean(self, value):
        profile = super().clean(value)
        return profile.user if profile is not None else None
