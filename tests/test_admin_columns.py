"""Listing cells rendered once and reused are the cells Wagtail's own columns
render, row by row, whatever Wagtail version renders them."""

from __future__ import annotations

import uuid

import pytest
from django.test import RequestFactory
from django.utils import translation
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, StatusTagColumn, Table

from wagtail_mentoring.admin_base import BulkCheckboxColumn, StatusColumn


class Item:
    def __init__(self, pk, status: str):
        self.pk, self.status = pk, status


ITEMS = [
    Item(1, "proposed"),
    Item(22, "approved"),
    Item(333, "proposed"),
    Item(uuid.UUID(int=7), "rejected"),
    Item('<b>"odd"</b>', "approved"),  # a key is quoted, never markup
]


def _cells(column) -> list[str]:
    table = Table([column], ITEMS)
    context = {"table": table, "request": RequestFactory().get("/")}
    cells = []
    for row in table.rows:
        context["row"] = row
        cells.append(str(column.render_cell_html(row.instance, context)))
    return cells


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_checkbox_cell_is_wagtails_for_every_row(language):
    with translation.override(language):
        ours = _cells(BulkCheckboxColumn("bulk", obj_type="matchproposal"))
        theirs = _cells(BulkActionsCheckboxColumn("bulk", obj_type="matchproposal"))
    assert ours == theirs
    assert "matchproposal_22_title" in ours[1]
    assert "<b>" not in ours[4] and '"odd"' not in ours[4]


def test_the_status_cell_is_wagtails_for_every_row():
    def primary(item):
        return item.status == "approved"

    ours = StatusColumn("status", primary=primary, classname="wm-status")
    theirs = StatusTagColumn("status", primary=primary, classname="wm-status")
    assert _cells(ours) == _cells(theirs)
    assert len(ours._cells) == 3  # one render for each status shown
