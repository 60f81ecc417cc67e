"""Reading an HRIS export (CSV or XLSX) into rows of target fields.

File-level problems (too large, unreadable, a mapped column missing) raise
``MentoringError``; problems of one row are the services' business.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.errors import MentoringError

#: Tried in this order; the dry run says which one read the file.
ENCODINGS = ("utf-8-sig", "cp1252")
ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}


@dataclass
class ParsedFile:
    rows: list[tuple[int, dict[str, str]]]
    encoding: str = ""
    headings: list[str] = field(default_factory=list)


def check_size(size: int) -> None:
    limit = mentoring_settings.HRIS_MAX_UPLOAD_BYTES
    if size > limit:
        raise MentoringError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code="too_large",
        )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    # openpyxl is imported only for XLSX files; CSV hosts never load it.
    import openpyxl  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise MentoringError(
            _("The file is not a readable XLSX workbook (%(error)s).")
            % {"error": error},
            code="unreadable",
        )
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        book.close()


def _decode(content: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise MentoringError(
        _(
            "The file is neither UTF-8 nor Windows-1252 text. Save it from "
            "your spreadsheet as “CSV UTF-8” and upload it again."
        ),
        code="encoding",
    )


def _csv_rows(content: bytes) -> tuple[Iterator[list[str]], str]:
    text, encoding = _decode(content)
    if "\x00" in text:
        raise MentoringError(
            _("The file contains NUL characters: it is not a CSV export."),
            code="encoding",
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return ([c.strip() for c in row] for row in reader), encoding


def parse(content: bytes, columns: dict[str, str], header_rows: int = 1) -> ParsedFile:
    """The file's people as ``(line number, {field: value})``, line numbers
    counted as a spreadsheet shows them (the first heading row is line 1)."""
    check_size(len(content))
    if content[:4] == b"PK\x03\x04":
        raw, encoding = _xlsx_rows(content), "XLSX"
    else:
        raw, encoding = _csv_rows(content)
    try:
        headings = next(raw)
    except StopIteration:
        raise MentoringError(_("The file is empty."), code="empty")
    except csv.Error as error:
        raise MentoringError(
            _("The file is not valid CSV: %(error)s") % {"error": error}, code="csv"
        )
    positions = {h.strip().lower(): i for i, h in enumerate(headings) if h}
    wanted = {f: c for f, c in columns.items() if (c or "").strip()}
    missing = [c for c in wanted.values() if c.strip().lower() not in positions]
    if missing:
        raise MentoringError(
            _("The file has no column %(columns)s (its columns: %(found)s).")
            % {
                "columns": ", ".join(f"“{c}”" for c in missing),
                "found": ", ".join(h for h in headings if h)[:500],
            },
            code="header",
        )
    index = {f: positions[c.strip().lower()] for f, c in wanted.items()}
    rows = []
    max_rows = mentoring_settings.HRIS_MAX_ROWS
    try:
        for line, values in enumerate(raw, start=2):
            if line <= header_rows:
                continue  # SuccessFactors' row of labels
            if not any(values):
                continue
            if len(rows) >= max_rows:
                raise MentoringError(
                    _("The file has more than %(n)s people; split it.")
                    % {"n": max_rows},
                    code="too_many",
                )
            rows.append(
                (
                    line,
                    {f: values[i] if i < len(values) else "" for f, i in index.items()},
                )
            )
    except csv.Error as error:
        raise MentoringError(
            _("The file is not valid CSV: %(error)s") % {"error": error}, code="csv"
        )
    return ParsedFile(
        rows, ENCODING_NAMES.get(encoding, encoding), [h for h in headings if h]
    )
