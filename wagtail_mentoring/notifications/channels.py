"""How a recorded notification reaches its recipient.

A channel sends one :class:`~wagtail_mentoring.notifications.models.Delivery`
and raises when it could not (the delivery is then retried with backoff). Email
goes to a person; Slack and Teams post to the shared channel of a
:class:`~wagtail_mentoring.notifications.models.ChatConnection`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.notifications import chat
from wagtail_mentoring.notifications.kinds import CONNECTION_TEST
from wagtail_mentoring.people.users import user_email


class Channel:
    name = ""

    def reaches(self, user) -> bool:
        """Whether ``user`` can be reached on this channel at all."""
        raise NotImplementedError

    def can_send(self, delivery) -> bool:
        """Whether ``delivery`` still has somewhere to go (else it is skipped)."""
        recipient = delivery.recipient
        return recipient is not None and recipient.is_active and self.reaches(recipient)

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


class ChatChannel(Channel):
    """A post to the shared channel of one connection (Slack or Teams)."""

    def __init__(self, name: str):
        self.name = name

    def reaches(self, user) -> bool:
        return False  # a shared channel is nobody's inbox

    def can_send(self, delivery) -> bool:
        connection = delivery.connection
        # A connection switched off since keeps its backlog unsent; its
        # *Send test* works while it is off, to try it before switching it on.
        return connection is not None and (
            connection.active or delivery.kind == CONNECTION_TEST.name
        )

    def send(self, delivery) -> None:
        chat.post(
            delivery.connection, delivery.subject, delivery.body_text, delivery.link
        )


class SlackDirectChannel(Channel):
    """A person's notification as a direct message from the site-wide Slack bot
    (their choice in *Notification settings*); found in Slack by their email."""

    name = "slack_dm"

    def reaches(self, user) -> bool:
        return bool(user_email(user))

    def send(self, delivery) -> None:
        connection = chat.dm_connection()
        if connection is None:
            raise chat.ChatError("no active site-wide Slack bot")
        chat.direct_message(
            connection,
            user_email(delivery.recipient),
            delivery.subject,
            delivery.body_text,
            delivery.link,
        )


CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        EmailChannel(),
        ChatChannel("slack"),
        ChatChannel("teams"),
        SlackDirectChannel(),
    )
}
