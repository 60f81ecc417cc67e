"""The profile chooser's form widget, for blocks and forms below the admin.

It only names the chooser modal's URL, so models and blocks can use it without
importing the admin (whose policies import the models).
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import BaseChooser


class ProfileChooserWidget(BaseChooser):
    model = "wagtail_mentoring.EmployeeProfile"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    link_to_chosen_text = _("Edit this person")
    chooser_modal_url_name = "wm_profile_chooser:choose"
    icon = "user"
