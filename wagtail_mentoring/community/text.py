"""What members write: Markdown rendered safely, and @mentions.

Raw HTML is never passed through (markdown-it escapes it), links only go to
web or mail addresses (markdown-it refuses ``javascript:`` and ``data:``),
they carry ``rel="nofollow ugc noopener"``, and images are not rendered: a
post cannot load anything from elsewhere into a colleague's browser.
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.html import escape
from markdown_it import MarkdownIt

from wagtail_mentoring.people.users import display_name

#: ``@handle``: the person's sign-in name (which may be an email address).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


def mentioned_handles(source: str) -> list[str]:
    """The handles ``source`` mentions, in order, without repeats, outside code."""
    plain = re.sub(r"```.*?```|`[^`]*`", " ", source, flags=re.S)
    seen: dict[str, None] = {}
    for match in MENTION.finditer(plain):
        # A trailing full stop ends the sentence, not the handle.
        seen.setdefault(match.group(1).rstrip(".").lower(), None)
    return list(seen)


def users_by_handle(handles) -> dict:
    """Active users whose sign-in name is one of ``handles`` (lower case)."""
    if not handles:
        return {}
    User = get_user_model()
    field = User.USERNAME_FIELD
    query = None
    for handle in handles:
        q = Q(**{f"{field}__iexact": handle})
        query = q if query is None else query | q
    return {
        str(user.get_username()).lower(): user
        for user in User.objects.filter(query, is_active=True)
    }


def _mention_rule(state, silent: bool) -> bool:
    if state.src[state.pos] != "@":
        return False
    if state.pos > 0 and re.match(r"[\w@]", state.src[state.pos - 1]):
        return False
    match = MENTION.match(state.src, state.pos)
    if not match:
        return False
    handle = match.group(1).rstrip(".")
    user = state.env.get("mentions", {}).get(handle.lower())
    if user is None:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"name": display_name(user)}
    state.pos += 1 + len(handle)
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    name = escape(tokens[idx].meta["name"])
    return f'<span class="wm-mention">@{name}</span>'


def _validate_link(url: str) -> bool:
    lowered = url.strip().lower()
    if ":" not in lowered.split("/", 1)[0]:
        return True  # a relative address on the intranet
    return lowered.startswith(ALLOWED_SCHEMES)


def _render_link_open(self, tokens, idx, options, env) -> str:
    tokens[idx].attrSet("rel", "nofollow ugc noopener")
    return self.renderToken(tokens, idx, options, env)


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    md.disable(["image", "html_inline", "html_block"])
    md.enable("strikethrough")
    md.validateLink = _validate_link
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("link_open", _render_link_open)
    return md


_markdown = _build()


def render(source: str, mentions: dict | None = None) -> str:
    """Safe HTML of ``source``; ``mentions`` maps handles to the people shown."""
    return _markdown.render(source, {"mentions": mentions or {}})
