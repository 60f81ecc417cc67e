"""The time zones people choose from: canonical names only, grouped by area.

``zoneinfo.available_timezones()`` also holds ~170 deprecated aliases and
backward links ("US/Eastern", "Asia/Calcutta", "localtime"); offering them
makes a list of 600 with duplicates. The canonical list is the one tzdata
keeps for people to choose from (``zone.tab``: one or more zones per
country), plus UTC.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from importlib import resources
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: The areas of canonical names, used when no ``zone.tab`` can be read.
AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def _tzdata_file(name: str) -> str:
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return (
            resources.files("tzdata")
            .joinpath("zoneinfo", name)
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):
        return ""


def _zone_tab() -> str:
    return _tzdata_file("zone.tab")


@cache
def zone_aliases() -> dict[str, list[str]]:
    """``{canonical: [old names]}`` from tzdata's links. Browsers report some
    zones by an old name (Chromium: "Asia/Calcutta", "Europe/Kiev")."""
    links = {}
    for line in _tzdata_file("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L":
            links[parts[2]] = parts[1]
    canonical = set(canonical_timezones())
    aliases: dict[str, list[str]] = {}
    for alias, target in links.items():
        seen = set()
        while target in links and target not in seen:
            seen.add(target)
            target = links[target]
        if target in canonical:
            aliases.setdefault(target, []).append(alias)
    return aliases


class TimezoneSelect(forms.Select):
    """A select of :func:`timezone_choices` whose options name their old
    aliases, so the browser's zone is found whatever name it reports."""

    def create_option(self, name, value, label, selected, index, **kwargs):
        option = super().create_option(name, value, label, selected, index, **kwargs)
        aliases = zone_aliases().get(str(value))
        if aliases:
            option["attrs"]["data-wm-aliases"] = " ".join(sorted(aliases))
        return option


@cache
def canonical_timezones() -> list[str]:
    """Sorted canonical IANA names this Python knows, with UTC."""
    available = zoneinfo.available_timezones()
    names = {
        line.split("\t")[2]
        for line in _zone_tab().splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    if not names:
        names = {name for name in available if name.split("/")[0] in AREAS}
    return sorted((names & available) | ({"UTC"} & available))


def _label(name: str) -> str:
    return name.partition("/")[2].replace("_", " ") or name


def timezone_choices(*, current: str = "", suggested=()) -> list:
    """Choices grouped by area, with ``suggested`` zones (by default the
    host's ``TIME_ZONE``) first; ``current`` stays choosable even when it is
    an old alias, so a saved profile is not refused for it."""
    canonical = canonical_timezones()
    known = zoneinfo.available_timezones()
    suggested = [
        name
        for name in dict.fromkeys([*suggested, settings.TIME_ZONE])
        if name in known
    ]
    groups: dict[str, list] = {}
    for name in canonical:
        area = name.partition("/")[0] if "/" in name else str(_("Universal"))
        groups.setdefault(area, []).append((name, _label(name)))
    choices = [(_("Suggested"), [(name, name) for name in suggested])]
    if current and current in known and current not in canonical:
        choices.append((_("Your current setting"), [(current, current)]))
    return choices + list(groups.items())
