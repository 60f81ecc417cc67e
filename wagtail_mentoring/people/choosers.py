"""A chooser modal for participant profiles (used by the mentor spotlight block)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views

from wagtail_mentoring.admin_base import MentoringChooserViewSet
from wagtail_mentoring.people.admin import SignInColumn
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.users import name_search_fields, terms_query
from wagtail_mentoring.people.widgets import ProfileChooserWidget
from wagtail_mentoring.permissions import can_see_sign_in_names


class ProfileFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, department, job title or location")}
        ),
        required=False,
    )

    def filter(self, objects):
        query = self.cleaned_data.get("q", "").strip()
        if not query:
            return objects
        self.is_searching = True
        self.search_query = query
        lookups = name_search_fields("user__") + ["department", "title", "location"]
        return objects.filter(terms_query(query, lookups))


class _ProfileListMixin:
    filter_form_class = ProfileFilterForm
    ordering = ["department", "pk"]

    def get_object_list(self):
        # Inactive users are invisible everywhere in the product.
        return EmployeeProfile.objects.active().select_related("user")

    @property
    def title_column(self):
        column = super().title_column
        column.label = _("Name")
        return column

    @property
    def columns(self):
        # The name column is Wagtail's "title" column (the link to choose);
        # the job title needs a column name of its own, or it replaces it.
        columns = [
            self.title_column,
            Column("job_title", accessor="title", label=_("Job title")),
            Column("department", label=_("Department")),
            Column("location", label=_("Location")),
        ]
        if can_see_sign_in_names(self.request.user):
            columns.append(SignInColumn("sign_in", label=_("Sign-in name")))
        return columns


class ProfileChooseView(_ProfileListMixin, chooser_views.ChooseView):
    pass


class ProfileChooseResultsView(_ProfileListMixin, chooser_views.ChooseResultsView):
    pass


class ProfileChooserViewSet(MentoringChooserViewSet):
    model = EmployeeProfile
    icon = "user"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    choose_view_class = ProfileChooseView
    choose_results_view_class = ProfileChooseResultsView
    widget_class = ProfileChooserWidget
    # Only the spotlight block uses it: leave other profile foreign keys alone.
    register_widget = False


profile_chooser_viewset = ProfileChooserViewSet("profile_chooser")
