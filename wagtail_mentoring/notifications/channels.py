"""How a recorded notification reaches its recipient.

A channel sends one :class:`~wagtail_mentoring.notifications.models.Delivery`
and raises when it could not (the delivery is then retried with backoff). Email
is the one channel today; chat channels plug in under their own name.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.people.users import user_email


class Channel:
    name = ""

    def reaches(self, user) -> bool:
        """Whether ``user`` can be reached on this channel at all."""
        raise NotImplementedError

    def send(self, delivery) -> None:
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def reaches(self, user) -> bool:
        return bool(user_email(user))

    def send(self, delivery) -> None:
        headers = {}
        if delivery.unsubscribe_url:
            # RFC 8058: mail clients offer their own one-click unsubscribe button
            # and POST "List-Unsubscribe=One-Click" to the link.
            headers = {
                "List-Unsubscribe": f"<{delivery.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body_text,
            from_email=mentoring_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
            to=[user_email(delivery.recipient)],
            headers=headers,
        )
        if delivery.body_html:
            message.attach_alternative(delivery.body_html, "text/html")
        for filename, content, mimetype in delivery.attachments or ():
            message.attach(filename, content, mimetype)
        message.send()


CHANNELS: dict[str, Channel] = {EmailChannel.name: EmailChannel()}
