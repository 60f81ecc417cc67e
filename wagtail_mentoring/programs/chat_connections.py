"""Business actions on the Slack and Teams connections of programs.

The company connects a channel (site-wide, or for one program), tries it with
*Send test*, changes or removes it. Each action authorizes its actor, validates
everything before writing, and is written to the audit log, never with the
secret: a webhook URL or a bot token is a password.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from wagtail_mentoring import audit
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.notifications.chat import url_problem
from wagtail_mentoring.notifications.kinds import CONNECTION_TEST
from wagtail_mentoring.notifications.models import (
    ChatConnection,
    ChatKind,
    ChatTopic,
    Delivery,
)
from wagtail_mentoring.notifications.sharing import post_to
from wagtail_mentoring.permissions import can_manage_chat_connection, require


def _require_manager(by, program) -> None:
    if program is None:
        message = _(
            "Only people who administer every program manage site-wide chat "
            "connections."
        )
    else:
        message = _("Only the admins of %(program)s can do that.") % {
            "program": program.title
        }
    require(can_manage_chat_connection(by, program), message)


def _validate(*, name, kind, topics, secret, slack_channel) -> None:
    if not name.strip():
        raise MentoringError(_("Please name the connection."), code="name")
    if kind not in ChatKind.values:
        raise MentoringError(_("Unknown kind of chat connection."), code="kind")
    unknown = set(topics) - set(ChatTopic.values)
    if unknown:
        raise MentoringError(_("Unknown kind of post."), code="topics")
    if kind == ChatKind.SLACK_BOT:
        if not secret.startswith("xoxb-") or any(c.isspace() for c in secret):
            raise MentoringError(
                _("A Slack bot token starts with xoxb-."), code="secret"
            )
        if not slack_channel.strip():
            raise MentoringError(
                _("Name the Slack channel the bot posts to."), code="slack_channel"
            )
    else:
        problem = url_problem(secret)
        if problem:
            raise MentoringError(problem, code="secret")


def create_chat_connection(
    by,
    *,
    name: str,
    kind: str,
    secret: str,
    program=None,
    topics=(),
    slack_channel: str = "",
    active: bool = True,
) -> ChatConnection:
    """Connect a Slack or Teams channel to the site (``program=None``) or a program."""
    _require_manager(by, program)
    secret = secret.strip()
    topics = sorted(set(topics))
    _validate(
        name=name, kind=kind, topics=topics, secret=secret, slack_channel=slack_channel
    )
    with transaction.atomic():
        connection = ChatConnection.objects.create(
            name=name.strip(),
            kind=kind,
            program=program,
            topics=topics,
            secret=secret,
            slack_channel=slack_channel.strip() if kind == ChatKind.SLACK_BOT else "",
            active=active,
        )
        audit.record(
            connection,
            "wagtail_mentoring.chat.create",
            user=by,
            kind=kind,
            program=program.pk if program else None,
            topics=topics,
        )
    return connection


def update_chat_connection(
    connection: ChatConnection,
    by,
    *,
    name: str,
    topics=(),
    secret: str = "",
    slack_channel: str = "",
    active: bool = True,
) -> ChatConnection:
    """Change a connection; an empty ``secret`` keeps the saved one."""
    _require_manager(by, connection.program)
    secret = secret.strip()
    topics = sorted(set(topics))
    _validate(
        name=name,
        kind=connection.kind,
        topics=topics,
        secret=secret or connection.secret,
        slack_channel=slack_channel,
    )
    fields = {
        "name": name.strip(),
        "topics": topics,
        "slack_channel": slack_channel.strip()
        if connection.kind == ChatKind.SLACK_BOT
        else "",
        "active": active,
    }
    if secret:
        fields["secret"] = secret
    changed = sorted(k for k, v in fields.items() if getattr(connection, k) != v)
    with transaction.atomic():
        for field, value in fields.items():
            setattr(connection, field, value)
        connection.save(update_fields=[*fields])
        # Which fields changed, never the secret itself.
        audit.record(
            connection, "wagtail_mentoring.chat.update", user=by, changed=changed
        )
    return connection


def delete_chat_connection(connection: ChatConnection, by) -> None:
    """Remove a connection and its delivery log."""
    _require_manager(by, connection.program)
    with transaction.atomic():
        audit.record(connection, "wagtail_mentoring.chat.delete", user=by)
        connection.delete()


def send_test_message(connection: ChatConnection, by) -> Delivery:
    """Post a test message to ``connection`` now (even while it is switched
    off); the returned delivery says whether it went out, and why not."""
    _require_manager(by, connection.program)
    with transaction.atomic():
        audit.record(connection, "wagtail_mentoring.chat.test", user=by)
    scope = connection.program.title if connection.program else _("every program")
    return post_to(
        connection,
        CONNECTION_TEST.name,
        "connection",
        uuid.uuid4().hex,  # every press is a new message
        title=_("Test message from the mentoring platform"),
        text=_(
            "This channel is connected to the mentoring platform (%(scope)s). "
            "It receives program-level news only, never anything about one person."
        )
        % {"scope": scope},
    )
