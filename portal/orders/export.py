"""The current filtered order list as XLSX (openpyxl). Unit users get no caller identity."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from portal.clock import now
from portal.orders.detail import handle_clock
from portal.orders.privacy import shown
from portal.web.spreadsheet import cells, workbook_bytes

HEADERS = ["工单编号", "受理时间", "诉求类型", "标题", "事项分类", "状态", "承办单位", "派单时间", "办理时限",
           "剩余时间", "办结时间"]
CALLER_HEADERS = ["来电人", "联系电话", "地址"]


def _fmt(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def export_workbook(orders, user, title: str) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    with_caller = not user.is_unit_user
    ws.append(HEADERS + (CALLER_HEADERS if with_caller else ["地址"]))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    at = now()
    for order in orders:
        left = handle_clock(order, at)
        row = [
            order.number, _fmt(order.accepted_at), order.kind.label, shown(order, "title", user),
            order.subject.path if order.subject else "", order.state.label,
            (order.unit or order.last_unit).short_name if (order.unit or order.last_unit) else "",
            _fmt(order.dispatched_at), _fmt(order.handle_deadline), left.text if left else "",
            _fmt(order.completed_at),
        ]
        if with_caller:
            row += [order.caller_name or "", order.caller_mobile or "", order.address or ""]
        else:
            row += [shown(order, "address", user)]
        ws.append(cells(row))
    for column, width in zip("ABCDEFGHIJKLMN", (13, 17, 8, 40, 20, 10, 16, 17, 17, 18, 17, 10, 14, 30)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    return io.BytesIO(workbook_bytes(wb, title=title))
