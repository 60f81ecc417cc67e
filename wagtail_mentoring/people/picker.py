"""A person picker for front-end forms: search, then pick.

Without JavaScript it is a search box and a button; the form comes back with
the few people who match as radio buttons. ``mentoring.js`` turns the box
into an ARIA combobox that asks ``search_url`` as one types. Either way the
form posts the chosen user's id under the field's name, and the field checks
it against its queryset, so the picker never widens who may be chosen.
"""

from __future__ import annotations

from django import forms

from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.people.search import find_people, person_option


class PersonPicker(forms.Widget):
    template_name = "wagtail_mentoring/includes/person_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_url = ""
        self.query = ""
        self.searched = False
        self.listed = False
        self.options = []
        self.more = False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            query_name=f"{name}_q",
            search_name=f"{name}_search",
            search_url=self.search_url,
            query=self.query,
            searched=self.searched,
            listed=self.listed,
            options=self.options,
            more=self.more,
            chosen="" if value in (None, "") else str(value),
        )
        return context


class PersonPickerField(forms.ModelChoiceField):
    """A user chosen among ``queryset`` with a :class:`PersonPicker`."""

    widget = PersonPicker

    def offer(self, name: str, data, chosen=None, *, search_url: str = "") -> None:
        """Fill the picker: who matches what was typed under ``<name>_q`` in
        ``data``, and the chosen person (so a re-shown form keeps them)."""
        widget = self.widget
        widget.search_url = search_url
        widget.query = (data.get(f"{name}_q") or "").strip()[:200]
        widget.searched = bool(widget.query)
        found, widget.more = find_people(widget.query, self.queryset)
        if not widget.query and widget.more:
            found = []  # too many to list before anything is typed
        widget.listed = bool(found)
        chosen = data.get(name) or chosen
        if chosen and all(str(p.user.pk) != str(chosen) for p in found):
            try:
                current = (
                    EmployeeProfile.objects.select_related("user")
                    .filter(user__in=self.queryset.values("pk"))
                    .filter(user__pk=chosen)
                    .first()
                )
            except (ValueError, TypeError, forms.ValidationError):
                current = None
            if current is not None:
                found.insert(0, current)
        widget.options = [person_option(profile) for profile in found]
