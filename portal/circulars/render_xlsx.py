"""XLSX of a circular's tables: the per-unit table with 合计, the kinds with their shares, and the
units that did not submit KB entries. Counts are numbers; rates and shares are numbers with percent
formats ('0%', '0.0%'), worth exactly what the circular prints (98% is 0.98), so they sort and sum.
Every sheet prints on A4 landscape, one page wide, its header row repeated on every page."""
from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from portal.circulars.document import Doc
from portal.web.spreadsheet import workbook_bytes

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Named styles, registered once per workbook: a cell takes one style id instead of a border, an alignment,
# a font and a format of its own (openpyxl hashes every style part it is given; 500 rows took 4 s).
STYLES = {
    "circ-cell": {}, "circ-head": {"font": Font(bold=True)},
    "circ-pct0": {"number_format": "0%"}, "circ-pct1": {"number_format": "0.0%"},
    "circ-head-pct0": {"font": Font(bold=True), "number_format": "0%"},
    "circ-head-pct1": {"font": Font(bold=True), "number_format": "0.0%"},
}


def _styles(wb) -> None:
    for name, parts in STYLES.items():
        wb.add_named_style(NamedStyle(name=name, border=BOX, alignment=CENTRE, **parts))


def _number(text: str):
    return int(text) if text.isdigit() else text


def _percent(text: str):
    """"98%" -> 0.98 shown as 98%; "14.4%" -> 0.144 shown as 14.4%; "—" (no rate) stays text."""
    if not text.endswith("%"):
        return text, None
    digits = text[:-1]
    places = len(digits.split(".")[1]) if "." in digits else 0
    return float(Decimal(digits) / 100), "0." + "0" * places + "%" if places else "0%"


def _put_percent(cell, text: str, head: bool = False) -> None:
    cell.value, fmt = _percent(text)
    if fmt:
        cell.style = ("circ-head-" if head else "circ-") + ("pct0" if fmt == "0%" else "pct1")


def _print_setup(ws) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def _sheet(ws, title: str, header: list[str], rows: list[list], widths: list[int], total: bool = False) -> None:
    """Title, header and rows; the last row is a 合计 (bold) when `total`; the last column may hold rates."""
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = CENTRE
    ws.append(header)
    for row in rows:
        ws.append(row)
    last = ws.max_row
    for r, cells in enumerate(ws.iter_rows(min_row=2, max_row=last, max_col=len(header)), start=2):
        head = r == 2 or (total and r == last)
        for cell in cells:
            cell.style = "circ-head" if head else "circ-cell"
        if r > 2 and isinstance(cells[-1].value, str) and cells[-1].value.endswith("%"):
            _put_percent(cells[-1], cells[-1].value, head)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    _print_setup(ws)


def render(doc: Doc) -> bytes:
    wb = Workbook()
    _styles(wb)
    ws = wb.active
    ws.title = "各单位办理情况"
    rows = [[_number(c) if i != 1 else c for i, c in enumerate(r)] for r in doc.rows]
    total = [_number(c) if i > 1 else c for i, c in enumerate(doc.total_row)]
    total[1] = "合计"
    _sheet(ws, doc.attachment_title, doc.header, [*rows, total], [6, 24, *[9] * (len(doc.header) - 2)], total=True)

    kinds = wb.create_sheet("诉求类型")
    _sheet(kinds, "诉求类型占比", ["诉求类型", "件数", "占比"],
           [[f"{k['label']}类", k["count"], k["share_text"]] for k in doc.kinds]
           + [["合计", doc.totals.get("total", 0), "100.0%" if doc.totals.get("total") else "—"]], [12, 10, 10],
           total=True)

    missing = wb.create_sheet("未报送单位")
    rows = []
    for gap in doc.non_submitters:
        for unit in gap["units"]:
            rows.append([len(rows) + 1, unit["short_name"], unit["full_name"], gap["title"],
                         gap["deadline"].strftime("%Y-%m-%d %H:%M")])
    _sheet(missing, "知识库信息未报送单位", ["序号", "单位", "单位全称", "报送任务", "报送截止时间"], rows,
           [6, 26, 40, 30, 18])
    if doc.score_rows:
        scores = wb.create_sheet("考核得分表")
        rows = sheet_rows_of(doc)
        _sheet(scores, doc.score_title, doc.score_header, rows, [10, 24, *[10] * (len(doc.score_header) - 3), 8])
        for r, row in enumerate(rows, start=3):
            if row[1] is None:  # a group's heading across the table
                scores.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(doc.score_header))
                scores.cell(r, 1).style = "circ-head"
            else:
                for cell in scores[r][2:-1]:
                    if isinstance(cell.value, float):
                        cell.number_format = "0.00"
        scores.append([doc.score_notes])
    return workbook_bytes(wb)


def sheet_rows_of(doc: Doc) -> list[list]:
    """The score table's rows with points as numbers (portal.scores.export.sheet_rows reads the same table)."""
    from portal.scores.export import table_rows

    return table_rows(doc.score_header, doc.score_rows)
