"""Email to one user, plain text and HTML, in the user's language if known."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.people.users import display_name, user_email, user_timezone


def send_to_user(user, template_prefix: str, context: dict, attachments=None) -> bool:
    """Render ``<prefix>_subject.txt``, ``.txt`` and ``.html`` and send them.

    ``attachments`` are ``(filename, content, mimetype)`` triples.
    Returns False (and sends nothing) when the user model has no address.
    """
    address = user_email(user)
    if not address:
        return False
    context = {
        **context,
        "recipient": user,
        "recipient_name": display_name(user),
        "base_url": getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
    }
    # Every time in an email reads in the recipient's zone, whoever sends it.
    with timezone.override(user_timezone(user)):
        subject = " ".join(
            render_to_string(f"{template_prefix}_subject.txt", context).split()
        )
        body = render_to_string(f"{template_prefix}.txt", context)
        html = render_to_string(f"{template_prefix}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=mentoring_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or ():
        message.attach(filename, content, mimetype)
    message.send()
    return True
