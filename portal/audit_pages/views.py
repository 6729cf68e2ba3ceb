"""审计日志: admins search and export the audit log. There is no route that changes or deletes a row."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, request, send_file
from openpyxl import Workbook

from portal.audit import queries
from portal.audit_pages.forms import AuditFilterForm
from portal.auth.roles import Role
from portal.clock import now
from portal.web.access import roles
from portal.web.htmx import render_page_or_fragment
from portal.web.inputs import arg_page
from portal.web.spreadsheet import workbook_bytes

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

HEADER = ("时间", "事件", "结果", "用户名", "角色", "单位", "地址", "对象类型", "对象编号", "详情")


@bp.get("/")
@roles(Role.AUDITOR)
def index():
    form = AuditFilterForm(request.args)
    results = queries.page(form.to_filter(), arg_page(), current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_page_or_fragment("audit/index.html", "audit/_rows.html", form=form, results=results, args=args)


@bp.get("/export.xlsx")
@roles(Role.AUDITOR)
def export():
    form = AuditFilterForm(request.args)
    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    ws.append(HEADER)
    for e in queries.rows_for_export(form.to_filter()):
        ws.append((e.at, e.event, e.result_label, e.username, e.role, e.unit_name, e.address, e.object_type,
                   e.object_id, e.detail))
    ws.column_dimensions["A"].width = 20
    return send_file(io.BytesIO(workbook_bytes(wb, title="审计日志")), as_attachment=True,
                     download_name=f"审计日志-{now():%Y%m%d%H%M}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
