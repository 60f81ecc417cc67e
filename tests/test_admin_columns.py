"""Listing cells rendered once and reused, and rows joined in Python, are the
cells and rows Wagtail's own columns and table render, whatever Wagtail
version renders them."""

from __future__ import annotations

import uuid

import pytest
from bs4 import BeautifulSoup
from django.test import RequestFactory
from django.utils import translation
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    StatusTagColumn,
    Table,
)

from wagtail_mentoring.admin_base import BulkCheckboxColumn, ListingTable, StatusColumn


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


class RowsTable(Table):
    def get_row_classname(self, instance):
        return "wm-odd" if instance.status == "approved" else ""

    def get_row_attrs(self, instance):
        attrs = super().get_row_attrs(instance)
        attrs["data-key"] = f'"{instance.pk}"'  # quoted, never markup
        return attrs


class OurRowsTable(ListingTable, RowsTable):
    pass


def _text(html) -> list[str]:
    """The table's tags and text, whitespace between tags aside."""
    soup = BeautifulSoup(str(html), "html.parser")
    return [str(tag) for tag in soup.find_all(["tr", "th", "td"])]


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_listing_table_is_wagtails_table(language):
    def columns():
        return [
            BulkActionsCheckboxColumn("bulk", obj_type="matchproposal"),
            # A template-rendered cell, which reads its row from the context.
            Column("status", label="Status", sort_key="status"),
            StatusTagColumn("status_tag", accessor="status", primary=bool),
        ]

    context = {"request": RequestFactory().get("/")}
    with translation.override(language):
        ours = OurRowsTable(columns(), ITEMS, ordering="status").render_html(context)
        theirs = RowsTable(columns(), ITEMS, ordering="status").render_html(context)
    assert _text(ours) == _text(theirs)
    assert len(_text(ours)) > len(ITEMS) * 4
    assert 'class="wm-odd"' in ours and 'data-key="&quot;22&quot;"' in ours
