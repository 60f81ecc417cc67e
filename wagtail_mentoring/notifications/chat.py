"""Posting to Slack and Microsoft Teams: URL rules, message formats, HTTP.

Every post goes to a host of ``CHAT_ALLOWED_HOSTS`` over https, follows no
redirect (a webhook that answers with one would send the message, and perhaps
a token, elsewhere), gives up after ``CHAT_TIMEOUT_SECONDS`` and reads at most
:data:`MAX_RESPONSE_BYTES` of the answer. A failure raises :class:`ChatError`
with a message fit for the admin's status column (never the secret URL).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.notifications.models import ChatConnection, ChatKind

MAX_RESPONSE_BYTES = 64 * 1024
#: Slack's limit for the text of one section block.
SLACK_SECTION_LIMIT = 3000


class ChatError(Exception):
    """A post that did not go through; retried with backoff."""


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be posted to, or ``None`` when it may."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return _("This is not a valid URL.")
    if not host or parts.username or parts.password:
        return _("This is not a valid URL.")
    for entry in mentoring_settings.CHAT_ALLOWED_HOSTS:
        entry = entry.lower()
        if entry.startswith("http://"):
            # One plain-HTTP peer, exactly (a local test server).
            allowed = urlsplit(entry)
            if (
                parts.scheme == "http"
                and host == allowed.hostname
                and port == allowed.port
            ):
                return None
            continue
        if parts.scheme != "https":
            continue
        if host == entry or (entry.startswith("*.") and host.endswith(entry[1:])):
            return None
    if parts.scheme != "https":
        return _("Chat URLs must start with https://.")
    return _(
        "%(host)s is not a chat host this site posts to (setting CHAT_ALLOWED_HOSTS)."
    ) % {"host": host}


def absolute_link(link: str) -> str:
    """``link`` as a chat button needs it (absolute), or "" for no button:
    Slack refuses a message whose button has a relative URL."""
    if link.startswith("/"):
        link = f"{getattr(settings, 'WAGTAILADMIN_BASE_URL', '') or ''}{link}"
    return link if link.startswith(("https://", "http://")) else ""


def slack_escape(text: str) -> str:
    """Text as Slack mrkdwn shows it literally (its three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(title: str, text: str, link: str = "") -> dict:
    link = absolute_link(link)
    blocks = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{slack_escape(title)}*\n{slack_escape(text)}"[
                    :SLACK_SECTION_LIMIT
                ],
            },
        }
    ]
    if link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _("Open")},
                        "url": link,
                    }
                ],
            }
        )
    # ``text`` is what notifications and screen readers show.
    return {"text": slack_escape(title), "blocks": blocks}


def teams_message(title: str, text: str, link: str = "") -> dict:
    """An Adaptive Card, as Teams incoming webhooks and Workflows take it."""
    link = absolute_link(link)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }
    if link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": _("Open"), "url": link}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx code


_opener = urllib.request.build_opener(_NoRedirects)


def post_json(
    url: str, payload: dict, headers: dict | None = None, *, form: bool = False
) -> bytes:
    """POST ``payload`` to ``url`` (as JSON, or form-encoded); the (bounded)
    answer, or :class:`ChatError`."""
    problem = url_problem(url)
    if problem:
        raise ChatError(problem)
    if form:
        data = urlencode(payload).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(payload).encode()
        content_type = "application/json; charset=utf-8"
    # url_problem() admitted only https (or the one http test peer) to a listed host.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=data,
        headers={"Content-Type": content_type, **(headers or {})},
        method="POST",
    )
    try:
        with _opener.open(
            request, timeout=mentoring_settings.CHAT_TIMEOUT_SECONDS
        ) as response:
            return response.read(MAX_RESPONSE_BYTES)
    except HTTPError as error:
        body = error.read(MAX_RESPONSE_BYTES).decode(errors="replace")
        raise ChatError(f"HTTP {error.code}: {body[:300]}".strip()) from None
    except TimeoutError:
        raise ChatError(_("No answer in time.")) from None
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChatError(str(reason)[:300]) from None


def _slack_api(connection, method: str, payload: dict, *, form=False) -> dict:
    answer = post_json(
        mentoring_settings.CHAT_SLACK_API_URL.rstrip("/") + "/" + method,
        payload,
        {"Authorization": f"Bearer {connection.secret}"},
        form=form,
    )
    # The Web API answers 200 with {"ok": false, "error": ...} on failure.
    try:
        result = json.loads(answer)
    except ValueError:
        raise ChatError(_("Slack's answer was not JSON.")) from None
    if not result.get("ok"):
        raise ChatError(f"Slack: {result.get('error', 'unknown error')}")
    return result


def post(connection, title: str, text: str, link: str = "") -> None:
    """Post one message to ``connection``'s channel (raises :class:`ChatError`)."""
    if connection.kind == ChatKind.TEAMS_WEBHOOK:
        post_json(connection.secret, teams_message(title, text, link))
    elif connection.kind == ChatKind.SLACK_WEBHOOK:
        post_json(connection.secret, slack_message(title, text, link))
    elif connection.kind == ChatKind.SLACK_BOT:
        _slack_api(
            connection,
            "chat.postMessage",
            {"channel": connection.slack_channel, **slack_message(title, text, link)},
        )
    else:
        raise ChatError(f"unknown kind of connection {connection.kind!r}")


def dm_connection():
    """The site-wide Slack bot that sends direct messages, if the company has one."""
    return (
        ChatConnection.objects.filter(
            kind=ChatKind.SLACK_BOT, program__isnull=True, active=True
        )
        .order_by("pk")
        .first()
    )


def direct_message(
    connection, email: str, title: str, text: str, link: str = ""
) -> None:
    """Send a person a direct message from the bot: found by their email
    (``users.lookupByEmail``, a read method: form-encoded), then posted to
    their user ID, which Slack opens as the bot's DM."""
    found = _slack_api(connection, "users.lookupByEmail", {"email": email}, form=True)
    _slack_api(
        connection,
        "chat.postMessage",
        {"channel": found["user"]["id"], **slack_message(title, text, link)},
    )
