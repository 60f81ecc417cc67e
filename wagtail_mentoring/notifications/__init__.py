"""Notifications: the delivery log, preferences, digests and unsubscribe.

``services.notify()`` tells a person something once; ``send_to_user`` (an
unrecorded send) stays importable from here for hosts that used it.
"""

from wagtail_mentoring.notifications.email import send_to_user

__all__ = ["send_to_user"]
