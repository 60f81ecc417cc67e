"""Formatting of the dashboard's KPI values (one place for the units)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kpi(value, kind="count") -> str:
    """A KPI value in its unit; "—" when there is nothing to measure."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.0f} %"
    if kind == "days":
        return _("%(days).1f days") % {"days": value}
    if kind == "decimal":
        return f"{value:.1f}"
    return f"{value:,}".replace(",", "\u202f")


@register.filter
def kpi_change(tile) -> str:
    """The change since the previous period, in words and signs (never colour
    alone): "▲ 12 %", "▼ 3", "no change"."""
    change = tile["change"]
    if change is None:
        return _("no earlier figure")
    if abs(change) < 1e-9:
        return _("no change")
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {kpi(abs(change), tile['kind'])}"


@register.filter
def kpi_trend(tile) -> str:
    """``better``, ``worse`` or ``same``: a CSS hook; the words say the same."""
    change = tile["change"]
    if not change:
        return "same"
    improving = change > 0 if tile["better"] == "up" else change < 0
    return "better" if improving else "worse"
