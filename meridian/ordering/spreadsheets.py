"""Uploaded Excel workbooks as CSV text, for the quick-order upload (`services.quick_order_upload`).

Quick order reads CSV (`ordering.engine.parse_csv`); a workbook's first sheet becomes
the same CSV, one line per sheet row (empty rows stay empty lines), so the line numbers in the
report are the sheet's row numbers.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException


class SpreadsheetError(Exception):
    """The upload is not a readable workbook (shown on the form's file field)."""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores every number as a float: 12.0 is "12", 0.25 is "0.25"
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def xlsx_as_csv(content: bytes, *, max_rows: int) -> str:
    """The first sheet as CSV text. Stops after `max_rows` rows (the caller passes one more than it
    takes, so a sheet that is too large is still reported as such)."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise SpreadsheetError(
            "This is not an Excel workbook (XLSX) that can be read; save the sheet as CSV or .xlsx again."
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise SpreadsheetError("The workbook has no sheet.")
        output = io.StringIO()
        writer = csv.writer(output, lineterminator="\n")
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > max_rows:
                break
            cells = [_cell_text(value) for value in row]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
    finally:
        workbook.close()
    return output.getvalue()
