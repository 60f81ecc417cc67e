"""Editor panels of program pages."""

from __future__ import annotations

from django.utils.text import capfirst
from wagtail.admin.panels import FieldPanel


class GuardedFieldPanel(FieldPanel):
    """A field that only holders of ``permission`` may change.

    Everyone else who may edit the page sees its value read-only: the field is
    left out of their form (so a forged POST cannot change it either).
    """

    def __init__(self, field_name, *args, permission: str, **kwargs):
        super().__init__(field_name, *args, permission=permission, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if self.form is not None and self.bound_field is None:
                self.read_only = True
                self.heading = self.panel.heading or capfirst(
                    self.panel.db_field.verbose_name
                )
                self.help_text = self.panel.help_text or capfirst(
                    self.panel.db_field.help_text
                )

        def is_shown(self):
            return self.form is not None
