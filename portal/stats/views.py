"""统计分析: the centre's dashboard, a unit's own dashboard, the table as CSV, and the home panel."""
from __future__ import annotations

import io

from flask import Blueprint, Response, request, send_file, url_for
from flask_login import current_user

from portal.auth.roles import CENTRE_ROLES, UNIT_ROLES
from portal.clock import now
from portal.stats import dashboard as dash
from portal.stats._sql import KINDS
from portal.stats.export import table_csv
from portal.stats.forms import PeriodForm
from portal.stats import subunits
from portal.stats.period import Period
from portal.stats.queries import unit_table
from portal.web.access import roles
from portal.web.htmx import render_page_or_fragment, wants_fragment

bp = Blueprint("stats", __name__, url_prefix="/stats")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form() -> PeriodForm:
    return PeriodForm(request.args, meta={"csrf": False})


def _presets(at) -> list[tuple[str, str, str]]:
    """Quick picks for the period picker: 上月, 本月, 本年 (to date)."""
    last = Period.last_month(at)
    today = at.date()
    return [
        ("上月", last.start.isoformat(), last.end.isoformat()),
        ("本月", today.replace(day=1).isoformat(), today.isoformat()),
        ("本年", today.replace(month=1, day=1).isoformat(), today.isoformat()),
    ]


def _render(page: str, fragment: str, form: PeriodForm, at, **ctx):
    return render_page_or_fragment(page, fragment, form=form, presets=_presets(at), kinds_order=KINDS,
                                   now_at=at, **ctx)


def _invalid(page: str, fragment: str, form: PeriodForm, at):
    """Re-render the picker with its Chinese errors and what the user typed (422 for htmx)."""
    status = 422 if wants_fragment() else 200
    return _render(page, fragment, form, at, board=None), status


@bp.get("/")
@roles(*CENTRE_ROLES)
def dashboard():
    form, at = _form(), now()
    if not form.validate():
        return _invalid("stats/dashboard.html", "stats/_dashboard.html", form, at)
    period = form.period(at)
    sort = form.sort.data or "order"
    descending = (form.dir.data or "desc") == "desc"
    board = dash.centre_dashboard(period, sort, descending)
    form.fill(period)
    return _render("stats/dashboard.html", "stats/_dashboard.html", form, at, board=board, sort=sort,
                   descending=descending)


@bp.get("/units.csv")
@roles(*CENTRE_ROLES)
def export_csv():
    form, at = _form(), now()
    if not form.validate():
        return _invalid("stats/dashboard.html", "stats/_dashboard.html", form, at)
    period = form.period(at)
    name = f"units-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    # A BOM so that Excel on Chinese Windows opens the UTF-8 file correctly.
    return Response("\ufeff" + table_csv(unit_table(period)), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/unit")
@roles(*UNIT_ROLES)
def unit_dashboard():
    form, at = _form(), now()
    if not form.validate():
        return _invalid("stats/unit_dashboard.html", "stats/_unit_dashboard.html", form, at)
    period = form.period(at)
    board = dash.unit_dashboard(current_user, period, at)
    form.fill(period)
    return _render("stats/unit_dashboard.html", "stats/_unit_dashboard.html", form, at, board=board,
                   order_url=lambda order: url_for("orders.detail", order_id=order.id),
                   subunits=subunits.sub_unit_rows(current_user.unit, period))


@bp.get("/unit/sub-units.xlsx")
@roles(*UNIT_ROLES)
def sub_units_xlsx():
    """The unit's 下级单位 figures for the dashboard's period (its own sub-tree only)."""
    form, at = _form(), now()
    if not form.validate():
        return _invalid("stats/unit_dashboard.html", "stats/_unit_dashboard.html", form, at)
    period = form.period(at)
    name = f"sub-units-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    return send_file(io.BytesIO(subunits.sub_units_xlsx(current_user.unit, period)), as_attachment=True,
                     download_name=name, mimetype=XLSX)
