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


def exported_by() -> str:
    """Who exports and when, for the document's properties and page footer: 导出：张三（zhangsan） 2026-12-01 16:30."""
    from flask import has_request_context
    from flask_login import current_user

    from portal.clock import now

    who = "系统"
    if has_request_context() and current_user.is_authenticated:
        who = f"{current_user.name}（{current_user.username}）"
    return f"导出：{who} {now():%Y-%m-%d %H:%M}"


def stamp(wb, title: str | None = None) -> None:
    """Mark a workbook with who made it and when: document properties and a footer on every printed page."""
    from portal.clock import now

    mark = exported_by()
    props = wb.properties
    props.creator = props.lastModifiedBy = mark.removeprefix("导出：").rsplit(" ", 2)[0][:200]
    props.created = props.modified = now()
    props.description = mark
    if title:
        props.title = title
    for ws in wb.worksheets:
        ws.oddFooter.left.text = ws.evenFooter.left.text = mark.replace("&", "&&")
        ws.oddFooter.right.text = ws.evenFooter.right.text = "第 &P 页 / 共 &N 页"


def workbook_bytes(wb, title: str | None = None) -> bytes:
    """Save a workbook of exported data: text kept as text, no control characters, stamped with who and when."""
    from io import BytesIO

    for ws in wb.worksheets:
        as_text(ws)
        strip_controls(ws)
    stamp(wb, title)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cells(values) -> list:
    """A row for ws.append: text without the control characters openpyxl refuses (one would fail the export)."""
    from portal.web.inputs import clean_text

    return [clean_text(v) if isinstance(v, str) else v for v in values]


def strip_controls(ws: Worksheet) -> Worksheet:
    """XLSX cannot hold most control characters (openpyxl refuses the whole file): drop them from every cell."""
    from portal.web.inputs import clean_text

    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value != clean_text(cell.value):
                cell.value = clean_text(cell.value)
    return ws
