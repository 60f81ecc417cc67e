"""Reasons in words: the engine's ``(code, params)`` rendered translatably.

The engine stores English ``text`` as a fallback; everything the admin reads is
built here from the code and its parameters, so it follows the active language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.formats import number_format
from django.utils.text import get_text_list
from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _

#: Factor names as the admin sees them (engine FACTORS order).
FACTOR_LABELS = {
    "skills": gettext_lazy("Skills wanted and offered"),
    "goals": gettext_lazy("Shared goals"),
    "seniority": gettext_lazy("Seniority gap"),
    "cross_department": gettext_lazy("Cross-department"),
    "location": gettext_lazy("Location and time zone"),
    "languages": gettext_lazy("Languages"),
    "availability": gettext_lazy("Availability"),
    "interests": gettext_lazy("Interests in their own words"),
    "topic": gettext_lazy("Fit with the circle's topic"),
}

#: Hard rules (engine rule codes) in words.
RULE_LABELS = {
    "same_person": gettext_lazy("same person"),
    "reporting_line": gettext_lazy("in the mentee's reporting line"),
    "same_manager": gettext_lazy("same manager"),
    "previous_partner": gettext_lazy("were paired before"),
    "opted_out": gettext_lazy("opted out"),
    "rejected": gettext_lazy("rejected by an admin"),
    "seniority": gettext_lazy("not senior enough"),
    "department": gettext_lazy("department rule"),
    "time_zone": gettext_lazy("outside the time-zone window"),
    "language": gettext_lazy("no shared language"),
    "below_min_score": gettext_lazy("below the minimum score"),
}

#: Hard rule (engine rule code) → the matching setting that switches it on.
RULE_SETTINGS = {
    "reporting_line": "reporting_line_depth",
    "same_manager": "exclude_same_manager",
    "seniority": "min_seniority",
    "department": "department_rule",
    "time_zone": "max_timezone_hours",
    "language": "require_shared_language",
    "below_min_score": "min_score",
}

#: Why someone is not in the pool (``pools.Pool.excluded`` codes).
EXCLUSION_LABELS = {
    "inactive": gettext_lazy("left the company (inactive)"),
    "pending": gettext_lazy("application not yet approved"),
    "withdrawn": gettext_lazy("withdrew"),
    "declined": gettext_lazy("application declined"),
    "full": gettext_lazy("no capacity left"),
}


def _names(values: Iterable[Any]) -> str:
    return get_text_list([str(v) for v in values], _("and"))


def reason_text(reason: dict) -> str:
    """One stored reason (``{"code", "params", "text"}``) in the active language."""
    code = reason.get("code")
    params = reason.get("params") or {}
    if code == "shared_skills":
        return _("shares %(names)s") % {"names": _names(params.get("names", []))}
    if code == "shared_goals":
        return _("common goals: %(names)s") % {"names": _names(params.get("names", []))}
    if code == "shared_languages":
        names = [_language_name(c) for c in params.get("names", [])]
        return _("speaks %(names)s") % {"names": _names(names)}
    if code == "availability":
        count = int(params.get("count", 0))
        return ngettext(
            "%(count)d shared time slot", "%(count)d shared time slots", count
        ) % {"count": count}
    if code == "shared_interests":
        terms = params.get("terms") or []
        if terms:
            return _("both mention %(terms)s") % {"terms": _names(terms)}
        return _("similar interests")
    if code == "circle_topic":
        terms = params.get("terms") or []
        if terms:
            return _("fits the circle's topic: %(terms)s") % {"terms": _names(terms)}
        return _("fits the circle's topic")
    if code == "seniority_gap":
        levels = int(params.get("levels", 0))
        if levels >= 0:
            return ngettext("%(n)d level senior", "%(n)d levels senior", levels) % {
                "n": levels
            }
        return ngettext("%(n)d level junior", "%(n)d levels junior", -levels) % {
            "n": -levels
        }
    if code == "cross_department":
        if params.get("mentor_department"):
            return _("cross-department (%(department)s)") % {
                "department": params["mentor_department"]
            }
        return _("cross-department")
    if code == "same_location":
        if params.get("location"):
            return _("same location (%(location)s)") % {"location": params["location"]}
        return _("same location")
    if code == "time_zone":
        hours = float(params.get("hours", 0))
        if hours == 0:
            return _("same time zone")
        return _("%(hours)s h time difference") % {
            "hours": number_format(hours, decimal_pos=1 if hours % 1 else 0)
        }
    if code == "no_mentors":
        return _("there are no mentors with room in this program")
    if code == "no_mentor_passes_rules":
        counts = params.get("counts") or {}
        detail = rule_counts_text(counts)
        if detail:
            return _("no mentor passes the rules (%(detail)s)") % {"detail": detail}
        return _("no mentor passes the rules")
    if code == "all_compatible_full":
        n = int(params.get("compatible", 0))
        return ngettext(
            "the %(n)d compatible mentor is full (the place went to another mentee)",
            "all %(n)d compatible mentors are full (their places went to other "
            "mentees)",
            n,
        ) % {"n": n}
    if code == "capacity":
        return _("the mentor has no capacity left")
    return str(reason.get("text") or code or "")


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def rule_counts_text(counts: dict) -> str:
    """``{"reporting_line": 4, …}`` → "4 in the mentee's reporting line, …"."""
    return ", ".join(
        f"{int(n)} {RULE_LABELS.get(rule, rule)}" for rule, n in counts.items() if n
    )


def rule_label(code: str) -> str:
    return str(RULE_LABELS.get(code, code))


def reasons_text(reasons: list[dict]) -> list[str]:
    return [reason_text(r) for r in reasons]


def factor_labels() -> dict[str, str]:
    """:data:`FACTOR_LABELS` in the active language, for a listing to
    translate once rather than once per row."""
    return {name: str(label) for name, label in FACTOR_LABELS.items()}


def factor_rows(factors: dict, labels: dict | None = None) -> list[tuple[str, int]]:
    """``(label, percentage points)`` of each factor, largest first; ``labels``
    from :func:`factor_labels` when the caller has them already."""
    labels = labels or FACTOR_LABELS
    rows = [
        (str(labels.get(name, name)), round(value * 100))
        for name, value in factors.items()
    ]
    return sorted(rows, key=lambda row: -row[1])


def stored_reason(reason) -> dict:
    """An engine ``Reason`` as JSON-safe data (numpy scalars become Python)."""
    return {
        "code": reason.code,
        "params": _json_safe(reason.params),
        "text": reason.text,
    }


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
