"""Which notifications may go to a shared chat channel, declared per kind.

A kind of notification is personal unless it is declared here as shareable,
with the topic a channel must carry to receive it. Personal messages, notes,
feedback and anything about one person are never declared: :func:`shared_kind`
refuses them, so no caller can post them to a channel by mistake. A domain
that wants its program-level news in chat declares its kind with
:func:`declare_shared` (at import time, like the kinds below).
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail_mentoring.notifications.models import ChatTopic


@dataclass(frozen=True)
class SharedKind:
    name: str
    topic: str


SHARED_KINDS: dict[str, SharedKind] = {}


def declare_shared(name: str, *, topic: str) -> SharedKind:
    """Declare ``name`` a program-level kind that channels carrying ``topic`` get."""
    kind = SharedKind(name, ChatTopic(topic).value)
    SHARED_KINDS[name] = kind
    return kind


def shared_kind(name: str) -> SharedKind:
    """The declaration of ``name``; raises ``ValueError`` for a personal kind."""
    try:
        return SHARED_KINDS[name]
    except KeyError:
        raise ValueError(
            f"{name!r} is not a shareable notification kind: notifications about "
            "a person never go to a shared chat channel"
        ) from None


#: The weekly count of at-risk pairs of a program (no names, no reasons).
AT_RISK_SUMMARY = declare_shared("admin_at_risk_summary", topic=ChatTopic.ADMIN)
#: A program opened (its page was first published).
PROGRAM_ANNOUNCEMENT = declare_shared(
    "program_announcement", topic=ChatTopic.ANNOUNCEMENTS
)
#: The *Send test* button of a connection (whatever it carries).
CONNECTION_TEST = SharedKind("chat_test", topic="")
SHARED_KINDS[CONNECTION_TEST.name] = CONNECTION_TEST
