"""Spreadsheet exports keep user-entered text as text.

openpyxl stores any string that starts with "=" as a formula, so an order title such as
=HYPERLINK("http://…") typed from a call would become a live link or formula in Excel/WPS.
Call as_text(ws) before saving a workbook that holds user-entered text.
"""
from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet


def as_text(ws: Worksheet) -> Worksheet:
    """Turn every formula cell of the sheet back into the plain text it was written as."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"
    return ws


def csv_safe(value):
    """A CSV cell that spreadsheet programs will not read as a formula (OWASP: prefix with a quote)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def workbook_bytes(wb) -> bytes:
    """Save a workbook of exported data, every sheet's text kept as text."""
    from io import BytesIO

    for ws in wb.worksheets:
        as_text(ws)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
