"""The compliance matrix as XLSX."""
from __future__ import annotations


from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.knowledge.models import CampaignStatus
from portal.knowledge.queries import Matrix
from portal.web.spreadsheet import cells, workbook_bytes

FILLS = {
    CampaignStatus.NOT_SUBMITTED: "F8D7DA",
    CampaignStatus.LATE: "FFF3CD",
    CampaignStatus.MAKE_UP: "CFE2FF",
    CampaignStatus.SUBMITTED: "D1E7DD",
}


def cell_text(cell) -> str:
    if cell is None:
        return "—"
    return f"{cell.status.label}（{cell.count}）"


def matrix_xlsx(matrix: Matrix) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "报送情况"
    ws.append([f"知识库报送情况（统计时点 {matrix.as_of:%Y-%m-%d %H:%M}）"])
    ws.append(["序号", "承办单位", "分组", *[f"{c.title}（截止 {c.deadline:%Y-%m-%d %H:%M}）" for c in matrix.campaigns]])
    for n, row in enumerate(matrix.rows, start=1):
        ws.append(cells([n, row.unit.short_name, row.unit.group, *[cell_text(c) for c in row.cells]]))
        for i, cell in enumerate(row.cells):
            if cell is not None:
                ws.cell(ws.max_row, 4 + i).fill = PatternFill("solid", fgColor=FILLS[cell.status])
    ws.append([])
    for status in CampaignStatus:
        ws.append(["", f"{status.label}单位数", "", *[t[status] for t in matrix.totals()]])
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 14
    for i in range(len(matrix.campaigns)):
        ws.column_dimensions[get_column_letter(4 + i)].width = 24
    return workbook_bytes(wb)
