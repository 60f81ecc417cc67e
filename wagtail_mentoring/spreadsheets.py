"""Spreadsheets the package exports: text that a spreadsheet never runs.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel,
LibreOffice and Google Sheets, and text in our exports comes from people (a
department an HRIS sent, a name, a program title): such a cell is written with
a leading apostrophe, which the spreadsheet shows as text. Numbers stay numbers.
"""

from __future__ import annotations

import csv

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a cell that is never read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, *args, **kwargs) -> _SafeWriter:
    """``csv.writer`` whose every text cell goes through :func:`safe_cell`."""
    return _SafeWriter(csv.writer(out, *args, **kwargs))
