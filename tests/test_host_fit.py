"""Front-end pages fit into the host: its container, its theme, its messages.

A host sets ``WAGTAIL_MENTORING["CONTENT_CLASS"]`` and ``["SHOW_MESSAGES"]`` and
the ``--wm-*`` custom properties (docs/install.md, "Looking native"); the second
host's base template (tests/second_host/, after Wagtail's bakery demo) shows
messages itself.
"""

import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import make_enrollment
from wagtail_mentoring.look import template_shows_messages
from wagtail_mentoring.programs.models import EnrollmentStatus

pytestmark = pytest.mark.django_db

CSS = (
    Path(__file__).resolve().parents[1]
    / "wagtail_mentoring/static/wagtail_mentoring/css/mentoring.css"
)
SECOND_HOST = {"BASE_TEMPLATE": "bakery/base.html"}
THANKS = "Thank you, your application to"
APPLY = {
    "role": "mentee",
    "motivation": "I want to learn system design.",
    "profile-title": "Engineer",
    "profile-level": "3",
    "profile-department": "Engineering",
    "profile-location": "Berlin",
    "profile-timezone": "Europe/Berlin",
    "profile-languages": ["en"],
    "profile-availability": ["mon_am"],
    "profile-goals": "Lead a team",
}


def _apply_and_follow(client, employee, program):
    client.force_login(employee)
    response = client.post(program.url + "apply/", APPLY, follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtail_mentoring:my_mentoring")
    return response.content.decode()


def _wrappers(html: str) -> list[str]:
    return re.findall(r'<div class="(wm(?: [^"]*)?)">', html)


def test_content_sits_in_the_default_column(client, employee, program):
    client.force_login(employee)
    for url in (program.url, reverse("wagtail_mentoring:my_mentoring")):
        html = client.get(url).content.decode()
        assert _wrappers(html)[0].split() == ["wm", "wm-container"], url


def test_content_sits_in_the_hosts_container(client, employee, program):
    client.force_login(employee)
    with override_settings(
        WAGTAIL_MENTORING={**SECOND_HOST, "CONTENT_CLASS": "page-width narrow"}
    ):
        # A page (Wagtail serves it), a routed page view, and a plain view.
        for url in (
            program.url,
            program.url + "apply/",
            reverse("wagtail_mentoring:my_mentoring"),
        ):
            html = client.get(url).content.decode()
            assert _wrappers(html)[0].split() == ["wm", "page-width", "narrow"], url
            assert "wm-container" not in html, url
            assert "The Bakery" in html


def test_detection_follows_includes_of_the_base_template():
    assert template_shows_messages("bakery/base.html") is True
    assert template_shows_messages("bakery/messages.html") is True
    # The example intranet's base template shows no messages.
    assert template_shows_messages("base.html") is False
    assert template_shows_messages("no/such/template.html") is False


def test_intranet_without_messages_gets_them_once_from_the_package(
    client, employee, program
):
    html = _apply_and_follow(client, employee, program)
    assert html.count(THANKS) == 1
    # A success is styled as one, never as an error.
    (item,) = re.findall(r'<li class="wm-message ([^"]*)">[^<]*' + THANKS, html)
    assert item == "wm-message--success"


def test_host_that_shows_messages_gets_each_once(client, employee, program):
    with override_settings(WAGTAIL_MENTORING=SECOND_HOST):
        html = _apply_and_follow(client, employee, program)
    assert html.count(THANKS) == 1
    assert "bakery-message--success" in html
    assert "wm-message" not in html


def test_an_error_is_styled_as_an_error(client, employee, program):
    enrollment = make_enrollment(employee, program, status=EnrollmentStatus.WITHDRAWN)
    client.force_login(employee)
    # Withdrawing a withdrawn application is refused with an error message.
    response = client.post(
        reverse("wagtail_mentoring:withdraw_application", args=[enrollment.pk]),
        follow=True,
    )
    html = response.content.decode()
    assert re.search(r'<li class="wm-message wm-message--error">[^<]*already', html)


@pytest.mark.parametrize(
    ("setting", "base", "count"),
    [
        (True, "bakery/base.html", 2),  # the host asked for both
        (False, "base.html", 0),  # the host shows them some other way
        ("auto", "base.html", 1),
        ("auto", "bakery/base.html", 1),
    ],
)
def test_show_messages_setting(client, employee, program, setting, base, count):
    with override_settings(
        WAGTAIL_MENTORING={"BASE_TEMPLATE": base, "SHOW_MESSAGES": setting}
    ):
        html = _apply_and_follow(client, employee, program)
    assert html.count(THANKS) == count


def _defaults(css: str) -> tuple[dict, dict]:
    blocks = re.findall(r":where\(:root\)\s*{([^}]*)}", css)
    light, dark = (dict(re.findall(r"(--wm-[\w-]+):\s*([^;]+);", b)) for b in blocks)
    assert "prefers-color-scheme: dark" in css.split(blocks[1])[0][-200:]
    return light, dark


def _luminance(hex_colour: str) -> float:
    # WCAG 2.2 relative luminance of an sRGB colour.
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = []
    for i in (0, 2, 4):
        c = int(value[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_luminance_matches_known_contrasts():
    assert _contrast("#000", "#fff") == pytest.approx(21)
    assert _contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("scheme", [0, 1], ids=["light", "dark"])
def test_default_colours_pass_wcag_aa(scheme):
    colours = _defaults(CSS.read_text())[scheme]
    surface = colours["--wm-surface"]
    for text in ("--wm-text", "--wm-muted", "--wm-accent", "--wm-error", "--wm-ok"):
        assert _contrast(colours[text], surface) >= 4.5, text
    assert _contrast(colours["--wm-warning"], surface) >= 4.5
    assert _contrast(colours["--wm-accent-contrast"], colours["--wm-accent"]) >= 4.5
    # Danger buttons write the surface colour on the error colour.
    assert _contrast(surface, colours["--wm-error"]) >= 4.5
    for edge in ("--wm-border", "--wm-focus"):
        assert _contrast(colours[edge], surface) >= 3, edge


def test_no_colour_is_hard_coded_outside_the_defaults():
    css = CSS.read_text()
    rules = re.sub(r"(@media[^{]*{\s*)?:where\(:root\)\s*{[^}]*}\s*}?", "", css)
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b", rules) == []
    assert ".wm-button" in rules and "var(--wm-accent)" in rules


@pytest.mark.parametrize("who", ["superuser", "program_admin", "sponsorship_admin"])
def test_the_hosts_own_admin_pages_read_our_tables_once_per_question(
    client, request, who, program, sponsorship_program
):
    """Every page of the host's admin shows the Mentoring menu, whose items ask
    whether the person administers some program (of a kind): each question is
    one query for the whole page, however many items ask it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(request.getfixturevalue(who))
    url = reverse("wagtailadmin_account")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    ours = [q["sql"] for q in captured if "wagtail_mentoring_" in q["sql"]]
    assert ours, "the menu asks nothing: the test no longer measures it"
    assert len(ours) == len(set(ours)), "\n".join(ours)
    assert len(ours) <= 6
