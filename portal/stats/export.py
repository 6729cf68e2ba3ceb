"""The per-unit table as CSV and JSON (the CLI; the circular's XLSX builds on the same rows)."""
from __future__ import annotations

import csv
import io
import json

from portal.stats.period import Period
from portal.stats.table import UnitRow, UnitTable
from portal.web.spreadsheet import csv_safe

HEADER = ["序号", "承办单位", "工单总量", "咨询类", "求助类", "投诉类", "建议类", "举报类", "表扬类",
          "按期办结", "逾期办结", "未办结", "在办", "按期办结率"]


def table_cells(table: UnitTable) -> list[list]:
    """The table's rows as cells under HEADER, 合计 last with an empty 序号."""
    def cells(index, row: UnitRow) -> list:
        return [index, row.short_name, row.total, *row.by_kind.values(),
                row.on_time, row.late, row.overdue_open, row.in_progress, row.rate_text]

    return [cells(i, r) for i, r in enumerate(table.rows, start=1)] + [cells("", table.total)]


def table_csv(table: UnitTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([csv_safe(cell) for cell in row] for row in table_cells(table))
    return out.getvalue()


def table_json(table: UnitTable, period: Period) -> str:
    data = {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "as_of": period.as_of.isoformat(sep=" "),
        "rows": [{"index": i, **r.as_dict()} for i, r in enumerate(table.rows, start=1)],
        "total": table.total.as_dict(),
        "undispatched": table.undispatched,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
