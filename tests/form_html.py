"""Submit a rendered form the way a browser does: only what the HTML offers.

A test that posts hand-written data passes even when the page cannot produce
that data (a select without options submits nothing); these helpers read the
form back from the response so the test sees what a person would send.
"""

from __future__ import annotations

from lxml import html


def form_fields(content: bytes | str, containing: str) -> dict[str, list[str]]:
    """The values a browser would submit, as rendered, from the form that holds
    the field called ``containing`` (the host's page has forms of its own)."""
    doc = html.fromstring(content)
    (form,) = doc.xpath(f"//form[.//*[@name='{containing}']]")
    data: dict[str, list[str]] = {}
    for element in form.xpath(".//input|.//select|.//textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "select":
            chosen = [o.get("value", o.text or "") for o in element.xpath(".//option")]
            selected = [
                o.get("value", o.text or "")
                for o in element.xpath(".//option[@selected]")
            ]
            if element.get("multiple") is None and not selected and chosen:
                selected = chosen[:1]
            data.setdefault(name, []).extend(selected)
        elif element.tag == "textarea":
            data.setdefault(name, []).append(element.text_content().lstrip("\n"))
        elif element.get("type") in ("checkbox", "radio"):
            if element.get("checked") is not None:
                data.setdefault(name, []).append(element.get("value", "on"))
        elif element.get("type") not in ("submit", "button", "reset", "file"):
            data.setdefault(name, []).append(element.get("value", ""))
    return data


def select_options(content: bytes | str, name: str) -> list[str]:
    """The option values of the select called ``name``."""
    doc = html.fromstring(content)
    return [
        o.get("value", o.text or "")
        for o in doc.xpath(f"//select[@name='{name}']//option")
    ]
