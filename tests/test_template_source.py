"""The package's templates as Django reads them.

Django's ``{# … #}`` comment ends on its own line: one that goes on to a second
line is not a comment but text, printed into the page for everyone to read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(
    path
    for folder in ("wagtail_mentoring", "example_site")
    for path in (ROOT / folder).rglob("templates/**/*.html")
)


def test_the_templates_are_found():
    assert len(TEMPLATES) > 100


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_comment_is_printed_as_text(path):
    leaks = [
        f"line {token.lineno}: {token.contents.strip()[:60]!r}"
        for token in Lexer(path.read_text()).tokenize()
        if token.token_type == TokenType.TEXT and "{#" in token.contents
    ]
    assert not leaks, "a comment spread over lines shows as text:\n" + "\n".join(leaks)
