"""How front-end pages fit into the host's layout: content class and messages.

Every front-end page extends the host's ``BASE_TEMPLATE``; these helpers give its
templates the class of the host's content container and tell them whether to
show Django messages, so that a host that already shows them does not show each
message twice.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.signals import setting_changed
from django.template import TemplateDoesNotExist, loader

from wagtail_mentoring.conf import mentoring_settings

# ``{% for message in messages %}``, ``{% if messages %}``, ``{{ messages }}``…
_USES_MESSAGES = re.compile(r"{[{%][^}]*\bmessages\b[^}]*[}%]}")
# Templates a host template pulls in by a literal name.
_PULLS_IN = re.compile(r"{%\s*(?:extends|include)\s+[\"']([^\"']+)[\"']")
# A host's base template with more nested includes than this is not followed
# further: the detection then answers "not shown" and the package shows them.
_MAX_TEMPLATES = 50


def _source(name: str) -> str | None:
    try:
        template = loader.get_template(name)
    except TemplateDoesNotExist:
        return None
    # Django's engine keeps the source; another engine's template is not read.
    return getattr(getattr(template, "template", None), "source", None)


@lru_cache(maxsize=8)
def template_shows_messages(name: str) -> bool:
    """Whether ``name``, or a template it extends or includes, renders messages."""
    seen: set[str] = set()
    todo = [name]
    while todo and len(seen) < _MAX_TEMPLATES:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = _source(current)
        if source is None:
            continue
        if _USES_MESSAGES.search(source):
            return True
        todo.extend(_PULLS_IN.findall(source))
    return False


def show_messages() -> bool:
    """Whether the package's pages render Django messages themselves."""
    setting = mentoring_settings.SHOW_MESSAGES
    if setting == "auto":
        return not template_shows_messages(mentoring_settings.BASE_TEMPLATE)
    return bool(setting)


def frontend_context() -> dict:
    """Context every front-end template gets (also from page models)."""
    return {
        "base_template": mentoring_settings.BASE_TEMPLATE,
        "wm_content_class": mentoring_settings.CONTENT_CLASS,
    }


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("WAGTAIL_MENTORING", "TEMPLATES"):
        template_shows_messages.cache_clear()


setting_changed.connect(_forget)
