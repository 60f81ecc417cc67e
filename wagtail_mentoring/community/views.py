"""Front-end views of community spaces."""

from __future__ import annotations


def space_page_context(space, request) -> dict:
    return {}
