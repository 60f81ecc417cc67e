"""Demo Slack and Teams connections: one of each kind, all switched off.

The demo never posts anywhere (its URLs and token are not real): the admin's
*Mentoring → Slack and Teams* shows what a connection looks like, masked
secret and all. Idempotent: connections are found by name.
"""

from __future__ import annotations

from wagtail_mentoring.notifications.models import ChatConnection, ChatKind, ChatTopic

EXAMPLES = [
    (
        "Mentoring team (Slack)",
        ChatKind.SLACK_WEBHOOK,
        "https://hooks.slack.com/services/T0DEMO/B0DEMO/not-a-real-hook",
        "",
        [ChatTopic.ADMIN, ChatTopic.ANNOUNCEMENTS],
    ),
    (
        "#engineering-mentoring (Slack bot)",
        ChatKind.SLACK_BOT,
        "xoxb-demo-not-a-real-token",
        "#engineering-mentoring",
        [ChatTopic.ANNOUNCEMENTS],
    ),
    (
        "Engineering admins (Teams)",
        ChatKind.TEAMS_WEBHOOK,
        "https://prod-00.westeurope.logic.azure.com/workflows/demo/triggers/manual/"
        "paths/invoke?sig=not-a-real-signature",
        "",
        [ChatTopic.ADMIN],
    ),
]


def seed_chat(program) -> None:
    """Site-wide Slack webhook; a bot and a Teams webhook for ``program``."""
    for index, (name, kind, secret, channel, topics) in enumerate(EXAMPLES):
        ChatConnection.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "program": program if index else None,
                "secret": secret,
                "slack_channel": channel,
                "topics": sorted(topics),
                "active": False,
            },
        )
