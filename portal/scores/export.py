"""XLSX of a month's scores: the score table (one block per group, as the circular prints it) and the
deductions/bonuses with their reasons. Points are numbers with two decimals, so they sort and sum."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portal.scores import snapshot
from portal.scores.queries import MonthScores
from portal.web.spreadsheet import cells, workbook_bytes


def _value(text: str):
    """"30.00" → 30.0 (shown 0.00); anything else stays text."""
    try:
        return float(text) if text and text[0].isdigit() and "." in text else text
    except ValueError:
        return text


def sheet_rows(frozen: dict) -> list[list]:
    """The score table's rows for a sheet: a group's heading alone in its first cell, then its units."""
    return table_rows(snapshot.header(frozen), snapshot.table(frozen))


def table_rows(header: list[str], table: list[tuple[str, list[str]]]) -> list[list]:
    width = len(header)
    rows = []
    for kind, values in table:
        if kind == "group":
            rows.append([values[0], *[None] * (width - 1)])
        else:
            rows.append([values[0], values[1], *(_value(v) for v in values[2:-1]), values[-1]])
    return rows


def month_xlsx(ms: MonthScores) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "考核得分"
    frozen = snapshot.freeze(ms)
    if frozen is None:
        ws.append([f"{ms.label}没有适用的考核方案。"])
    else:
        head = snapshot.header(frozen)
        ws.append([f"{ms.label}各承办单位考核得分（统计截止 {ms.as_of:%Y-%m-%d %H:%M}）"])
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.append(head)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in sheet_rows(frozen):
            ws.append(cells(row))
            if row[1] is None:
                ws.cell(ws.max_row, 1).font = Font(bold=True)
            for c in ws[ws.max_row][2:-1]:
                if isinstance(c.value, float):
                    c.number_format = "0.00"
        ws.append([])
        ws.append([snapshot.notes(frozen)])
        for i, width in enumerate([10, 24, *[11] * (len(head) - 3), 8], start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "C3"
        ws.print_title_rows = "2:2"
    detail = wb.create_sheet("加扣分明细")
    detail.append(["承办单位", "类型", "分值", "原因", "录入人", "录入时间"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    entries = [(e, "") for group in ms.groups.values() for e in group] + [(e, "（未参加本月考核）") for e in ms.unscored]
    for e, note in entries:
        for a in e.adjustments:
            detail.append(cells([e.short_name + note, a.kind.label, a.hundredths / 100, a.reason,
                                 a.created_by.name if a.created_by else "", a.created_at.strftime("%Y-%m-%d %H:%M")]))
    for i, width in enumerate([24, 8, 8, 60, 12, 18], start=1):
        detail.column_dimensions[get_column_letter(i)].width = width
    for ws_ in wb.worksheets:
        ws_.page_setup.orientation = ws_.ORIENTATION_LANDSCAPE
        ws_.page_setup.paperSize = ws_.PAPERSIZE_A4
        ws_.page_setup.fitToWidth, ws_.page_setup.fitToHeight = 1, 0
        ws_.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook_bytes(wb, title=f"{ms.label}考核得分")
