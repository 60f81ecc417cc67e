"""Posting program-level news to the shared Slack and Teams channels.

:func:`share` is to a channel what ``services.notify()`` is to a person: it
records one :class:`Delivery` per connection under a deterministic key before
posting, so a job that runs twice posts once, a failed post is retried with
backoff by ``retry_due()`` like an email, and a failing channel never stops the
emails or the other channels. Only kinds declared shareable
(``notifications/kinds.py``) may be posted: anything about one person is
refused here, whatever a caller or a connection asks.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from wagtail_mentoring.notifications.kinds import shared_kind
from wagtail_mentoring.notifications.models import (
    ChatConnection,
    ChatTopic,
    Delivery,
)
from wagtail_mentoring.notifications.services import _absolute, attempt


def connections_for(topic: str, program_id: int | None = None) -> list:
    """Active connections carrying ``topic``: the site-wide ones and, for a
    program's news, that program's."""
    scope = Q(program__isnull=True)
    if program_id is not None:
        scope |= Q(program_id=program_id)
    # Topics are a short JSON list; SQLite cannot search inside it.
    return [
        connection
        for connection in ChatConnection.objects.filter(scope, active=True)
        if topic in connection.topics
    ]


def post_to(
    connection, kind: str, about, occurrence, *, title: str, text: str, link=""
) -> Delivery | None:
    """Record and post one message of ``kind`` to ``connection``, once.

    ``None`` when this message was already recorded for it.
    """
    declared = shared_kind(kind)
    delivery = Delivery(
        key=f"{kind}:{about}:{occurrence}:chat{connection.pk}"[:255],
        kind=kind,
        category=declared.topic or ChatTopic.ADMIN,
        recipient=None,
        connection=connection,
        channel=connection.channel_name,
        subject=title[:300],
        body_text=text,
        link=_absolute(link) if link.startswith("/") else link,
    )
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return None
    attempt(delivery)
    return delivery


def share(
    kind: str, about, occurrence, *, title: str, text: str, link="", program_id=None
) -> int:
    """Post ``kind`` (a declared shareable kind) to every connection carrying
    its topic; returns how many posts went out now."""
    declared = shared_kind(kind)
    sent = 0
    for connection in connections_for(declared.topic, program_id):
        delivery = post_to(
            connection, kind, about, occurrence, title=title, text=text, link=link
        )
        sent += bool(delivery and delivery.status == "sent")
    return sent
