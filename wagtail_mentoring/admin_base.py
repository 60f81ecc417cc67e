"""Base classes for our admin viewsets (Wagtail 7.4 and 8 alike)."""

from __future__ import annotations

from wagtail import VERSION as WAGTAIL_VERSION
from wagtail.admin.viewsets.model import ModelViewSet

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
