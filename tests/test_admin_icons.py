"""Every admin screen of the package uses icons the running Wagtail has, sized.

Wagtail's icon set changes between releases (7.4 LTS has no ``tick``): an icon
name it lacks renders an empty ``<svg>``. And Wagtail's stylesheet sizes an
``<svg class="icon">`` only inside its components (``.button .icon``...): a
plain ``Button`` in a listing row draws its icon as wide as the column. CI runs
this file on Wagtail 7.4 and on the newest release.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from lxml import html as lxml_html
from wagtail.admin.icons import get_icons

from tests.authorization_world import SUPERUSER
from tests.test_authorization_matrix import (  # noqa: F401 (the fixture)
    _url,
    package_endpoints,
    world,
)

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parents[1] / "wagtail_mentoring"
USED = re.compile(r'<use href="#icon-([\w-]+)"')
# Icons the sidebar (drawn by JavaScript) reads from its JSON props.
SIDEBAR = re.compile(r'"icon_name":\s*"([\w-]+)"')
# Icon names in the package's Python and templates: ``icon = "x"``,
# ``icon_name="x"``, ``header_icon = "x"``, ``icon="x"`` and ``{% icon name="x" %}``.
DECLARED = re.compile(
    r"""\b(?:icon|icon_name|header_icon|name)\s*=\s*["']([\w-]+)["']"""
)


def _wagtail_icons() -> set[str]:
    return set(re.findall(r'<symbol[^>]*\bid="icon-([\w-]+)"', get_icons()))


def _sizing_classes() -> tuple[set[str], set[str]]:
    """From Wagtail's own stylesheet: classes that give an element a width or
    height, and classes of the components inside which ``.icon`` is sized."""
    css = Path(finders.find("wagtailadmin/css/core.css")).read_text()
    own, contexts = set(), set()
    for selectors, body in re.findall(r"([^{}]+){([^{}]*)}", css):
        if not re.search(r"(?:^|;)\s*(?:max-)?(?:width|height)\s*:", body):
            continue
        for selector in re.split(r",(?![^()]*\))", selectors):
            compounds = re.split(r"\s*[>+~]\s*|\s+", selector.strip())
            classes = [re.findall(r"\.([\w-]+)", c) for c in compounds]
            if "icon" not in classes[-1]:
                own.update(classes[-1])
                continue
            # The nearest compound before the icon that names a class:
            # ``.w-dropdown__content :where(a,button) .icon``.
            for before in reversed(classes[:-1]):
                if before:
                    contexts.update(before)
                    break
    return own, contexts


def _links_to_the_package(element) -> bool:
    href = element.get("href") or element.get("formaction") or ""
    return "/mentoring/" in href or "wagtail_mentoring" in href


def _unsized_icons(html: str, own: set[str], contexts: set[str]) -> list[str]:
    """Icons of the package's links and buttons that no rule of Wagtail sizes
    (Wagtail's own pagination and filter drawer are its business)."""
    unsized = []
    for svg in lxml_html.fromstring(html).iter("svg"):
        control = next(
            (e for e in svg.iterancestors() if e.tag in ("a", "button")), None
        )
        if control is None or not _links_to_the_package(control):
            continue
        if set(svg.get("class", "").split()) & own:
            continue
        if any(
            set(parent.get("class", "").split()) & contexts
            for parent in svg.iterancestors()
        ):
            continue
        unsized.append(
            f"<{control.tag} class={control.get('class', '')!r}>"
            f"<svg class={svg.get('class', '')!r}>"
        )
    return unsized


def test_the_sizing_rules_are_read():
    own, contexts = _sizing_classes()
    assert "button" in contexts
    assert "w-w-4" in own
    go = '<a href="/admin/mentoring/go/"{}><svg class="icon icon-check"></svg>Go</a>'
    plain = "<div>" + go.format("") + "</div>"
    styled = "<div>" + go.format(' class="button"') + "</div>"
    assert _unsized_icons(plain, own, contexts) != []
    assert _unsized_icons(styled, own, contexts) == []


def test_the_icon_set_is_read():
    icons = _wagtail_icons()
    assert {"check", "cross", "group", "form"} <= icons
    assert "no-such-icon" not in icons


def _admin_pages(client, w):
    client.force_login(w.users[SUPERUSER])
    for endpoint in package_endpoints():
        if endpoint.name.startswith("page:"):
            continue  # front-end pages
        url = _url(endpoint, w)
        if not url.startswith("/admin/"):
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        yield endpoint.name, response.content.decode()


def test_every_admin_screen_uses_existing_sized_icons(world):  # noqa: F811
    icons = _wagtail_icons()
    own, contexts = _sizing_classes()
    client = Client()
    missing, unsized, rendered = [], [], 0
    for name, html in _admin_pages(client, world):
        rendered += 1
        for icon in {*USED.findall(html), *SIDEBAR.findall(html)}:
            if icon not in icons:
                missing.append(f"{name}: {icon}")
        unsized += [f"{name}: {svg}" for svg in _unsized_icons(html, own, contexts)]
    # Listings, inspect and edit views, reports, the matching panel...
    assert rendered >= 30, rendered
    assert (missing, unsized) == ([], [])


def test_every_icon_named_in_the_package_exists():
    icons = _wagtail_icons()
    missing = []
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]:
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for line in text.splitlines():
            if "icon" not in line:
                continue
            for icon in DECLARED.findall(line):
                if icon not in icons:
                    missing.append(f"{path.relative_to(PACKAGE)}: {icon}")
    assert missing == [], missing
