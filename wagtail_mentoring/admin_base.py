"""Base classes for our admin viewsets (Wagtail 7.4 and 8 alike)."""

from __future__ import annotations

from django.shortcuts import redirect
from wagtail import VERSION as WAGTAIL_VERSION
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.viewsets.model import ModelViewSet

from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.permissions import policy_for


class MentoringModelViewSet(ModelViewSet):
    """A ModelViewSet that uses the policy registered in ``permissions``."""

    copy_view_enabled = False

    if WAGTAIL_VERSION < (8, 0):
        # Wagtail 8 looks the policy up in its registry (filled in ready());
        # 7.4 asks the viewset.
        @property
        def permission_policy(self):
            return policy_for(self.model)


class ServiceBulkAction(BulkAction):
    """A bulk action that runs one of our services on the selected objects.

    ``service`` is the business function; a refusal (:class:`MentoringError`)
    is shown as a message and the listing is shown again, with nothing changed.
    """

    service = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_label"] = self.display_name
        return context

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except MentoringError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.next_url)
