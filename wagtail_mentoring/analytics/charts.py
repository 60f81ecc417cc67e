"""Charts as server-rendered SVG: no JavaScript, nothing inline a strict
Content-Security-Policy would block (presentation attributes, no ``style``).

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` that
say what it shows in words; the page puts the same numbers in a table beside
it. Every bar and point carries its value as text, so colour never carries
meaning alone, and the two series of a line chart differ in dash and marker
shape as well as colour. Colours come from CSS classes in
``css/dashboard.css`` (light and dark), with AA-contrast fallbacks here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from lxml import etree

SVG = "http://www.w3.org/2000/svg"
#: Fallback fills, ≥ 3:1 against white (graphics) — the stylesheet themes them.
BAR_FILL = "#2b5f8a"
SECOND_FILL = "#8a4b08"

_counter = iter(range(1, 1 << 62))


def _element(parent, tag, text=None, **attributes):
    names = {key.replace("_", "-"): str(value) for key, value in attributes.items()}
    node = etree.SubElement(parent, tag, names)
    if text is not None:
        node.text = str(text)
    return node


def _svg(title: str, description: str, width: int, height: int):
    ident = f"wm-chart-{next(_counter)}"
    root = etree.Element(
        "svg",
        {
            "xmlns": SVG,
            "viewBox": f"0 0 {width} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "class": "wm-chart",
            "focusable": "false",
        },
    )
    _element(root, "title", title, id=f"{ident}-title")
    _element(root, "desc", description, id=f"{ident}-desc")
    return root


def _render(root) -> str:
    # lxml escapes every text and attribute value it serialises.
    return mark_safe(etree.tostring(root, encoding="unicode"))  # noqa: S308


def _format(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value)}"


def bars(
    title: str,
    rows: Sequence[tuple[str, float]],
    *,
    description: str | None = None,
    suffix: str = "",
    width: int = 560,
) -> str:
    """Horizontal bars, one per ``(label, value)``, each labelled with its value."""
    label_width, bar_height, gap = 190, 22, 8
    height = max(len(rows), 1) * (bar_height + gap) + gap
    description = description or "; ".join(
        f"{label}: {_format(value)}{suffix}" for label, value in rows
    )
    root = _svg(title, description, width, height)
    most = max((value for _label, value in rows), default=0) or 1
    room = width - label_width - 70
    for index, (label, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        _element(
            root,
            "text",
            label,
            x=label_width - 8,
            y=y + bar_height * 0.7,
            text_anchor="end",
            fill="currentColor",
            font_size=13,
        )
        length = max(room * value / most, 1 if value else 0)
        _element(
            root,
            "rect",
            x=label_width,
            y=y,
            width=f"{length:.1f}",
            height=bar_height,
            fill=BAR_FILL,
            **{"class": "wm-chart__bar"},
        )
        _element(
            root,
            "text",
            f"{_format(value)}{suffix}",
            x=f"{label_width + length + 6:.1f}",
            y=y + bar_height * 0.7,
            fill="currentColor",
            font_size=13,
        )
    return _render(root)


def lines(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    description: str | None = None,
    width: int = 560,
    height: int = 240,
) -> str:
    """Up to two monthly series; the second is dashed with square markers. A
    ``None`` value (a month with nothing to measure) leaves a gap."""
    left, right, top, bottom = 40, 16, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    description = description or ". ".join(
        f"{name}: "
        + ", ".join(
            f"{x} {_format(v) if v is not None else _('no data')}"
            for x, v in zip(x_labels, values, strict=True)
        )
        for name, values in series
    )
    root = _svg(title, description, width, height)
    most = (
        max(
            (v for _n, values in series for v in values if v is not None),
            default=0,
        )
        or 1
    )
    count = max(len(x_labels) - 1, 1)

    def point(i, value):
        return left + plot_w * i / count, top + plot_h * (1 - value / most)

    # Axis and three gridlines labelled with their values.
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        _element(
            root,
            "line",
            x1=left,
            x2=width - right,
            y1=f"{y:.1f}",
            y2=f"{y:.1f}",
            stroke="currentColor",
            stroke_opacity="0.3" if fraction else "0.8",
        )
        _element(
            root,
            "text",
            _format(most * fraction),
            x=left - 6,
            y=f"{y + 4:.1f}",
            text_anchor="end",
            fill="currentColor",
            font_size=11,
        )
    step = max(1, len(x_labels) // 6)
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == len(x_labels) - 1:
            x, _y = point(i, 0)
            _element(
                root,
                "text",
                label,
                x=f"{x:.1f}",
                y=height - bottom + 18,
                text_anchor="middle",
                fill="currentColor",
                font_size=11,
            )
    styles = [
        {"stroke": BAR_FILL, "class": "wm-chart__line"},
        {
            "stroke": SECOND_FILL,
            "class": "wm-chart__line wm-chart__line--second",
            "stroke-dasharray": "6 4",
        },
    ]
    labels = []  # the y of each series' end label
    for (name, values), style in zip(series, styles, strict=False):
        # One line per run of months with a value: a gap stays a gap.
        runs = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(point(i, value))
        points = [at for run in runs for at in run]
        group = _element(root, "g")
        _element(group, "title", name)
        for line in filter(None, runs):
            _element(
                group,
                "polyline",
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in line),
                fill="none",
                stroke_width=2,
                **style,
            )
        for x, y in points:
            if "--second" in style["class"]:
                _element(
                    group,
                    "rect",
                    x=f"{x - 3.5:.1f}",
                    y=f"{y - 3.5:.1f}",
                    width=7,
                    height=7,
                    fill=style["stroke"],
                    **{"class": "wm-chart__marker wm-chart__marker--second"},
                )
            else:
                _element(
                    group,
                    "circle",
                    cx=f"{x:.1f}",
                    cy=f"{y:.1f}",
                    r=3.5,
                    fill=style["stroke"],
                    **{"class": "wm-chart__marker"},
                )
        if points:
            x, y = points[-1]
            last = [v for v in values if v is not None][-1]
            label_y = max(y - 8, 12)
            # Two series ending close together: the second's label goes
            # above the first's rather than over it.
            for taken in labels:
                if abs(label_y - taken) < 13:
                    label_y = taken - 13 if taken - 13 >= 12 else taken + 13
            labels.append(label_y)
            _element(
                group,
                "text",
                f"{name}: {_format(last)}",
                x=f"{min(x, width - right):.1f}",
                y=f"{label_y:.1f}",
                text_anchor="end",
                fill="currentColor",
                font_size=11,
            )
    return _render(root)
