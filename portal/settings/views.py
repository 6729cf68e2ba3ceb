"""系统设置: time limits and holiday arrangements (ADMIN only)."""
from __future__ import annotations

from flask import Blueprint, flash, url_for
from flask_login import current_user

from portal.auth.roles import Role
from portal.calendar import arrangements as arr
from portal.orders import recompute
from portal.orders.limits import DEFAULT_HANDLE_DAYS, current_limits, save_limits
from portal.calendar.workdays import package_knows
from portal.clock import now
from portal.extensions import db
from portal.orders.callbacks import save_satisfied_levels, satisfied_levels
from portal.settings.forms import ArrangementForm, EscalationForm, SatisfiedLevelsForm, TimeLimitForm
from portal.web.access import roles
from portal.web.errors import abort_zh
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment

bp = Blueprint("settings", __name__, url_prefix="/settings")

YEARS_AHEAD = 5


def _limits_form(formdata=None) -> TimeLimitForm:
    form = TimeLimitForm(formdata=formdata)
    if formdata is None:
        form.fill(current_limits().as_values())
    return form


def _years_context() -> dict:
    this_year = now().year
    entered = arr.entered_arrangements()
    entered_years = {a.year for a in entered}
    open_years = [y for y in range(this_year, this_year + YEARS_AHEAD + 1)
                  if y not in entered_years and not package_knows(y)]
    return {"arrangements": entered, "open_years": open_years, "missing": arr.missing_years(now().date())}


def _levels_form(formdata=None) -> SatisfiedLevelsForm:
    form = SatisfiedLevelsForm(formdata=formdata)
    if formdata is None:
        form.levels.data = [r.value for r in satisfied_levels()]
    return form


def _escalation_form(formdata=None) -> EscalationForm:
    form = EscalationForm(formdata=formdata)
    if formdata is None:
        form.fill(current_limits().as_values())
    return form


def _page(form: TimeLimitForm, saved: str | None = None, status: int = 200, levels_form=None, escalation_form=None):
    return render_page_or_fragment("settings/page.html", "settings/_limits.html", form=form,
                                   defaults=DEFAULT_HANDLE_DAYS, saved=saved, levels_form=levels_form or _levels_form(),
                                   escalation_form=escalation_form or _escalation_form(), **_years_context()), status


@bp.get("/")
@roles(Role.ADMIN)
def index():
    return _page(_limits_form())


@bp.post("/limits")
@roles(Role.ADMIN)
def limits():
    form = TimeLimitForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    changed = save_limits(form.values(), current_user)
    db.session.commit()
    saved = (f"已保存，{len(changed)} 项时限有变化；新时限用于此后派单、重办的工单，已有工单的时限不变。"
             if changed else "已保存，时限没有变化。")
    if not wants_fragment():
        flash(saved, "success")
        return redirect_after_post(url_for("settings.index"))
    return _page(_limits_form(), saved=saved)


@bp.post("/callback-levels")
@roles(Role.ADMIN)
def callback_levels():
    """Which 回访 levels count as satisfied; 回访满意率 uses it for every period (also past ones)."""
    form = SatisfiedLevelsForm()
    if not form.validate_on_submit():
        return _page(_limits_form(), status=422, levels_form=form)
    save_satisfied_levels(form.levels.data)
    db.session.commit()
    flash("回访满意率的统计口径已保存。", "success")
    return redirect_after_post(url_for("settings.index"))


@bp.post("/escalation")
@roles(Role.ADMIN)
def escalation():
    """申诉期限 and the 问题工单 thresholds; they apply from now on (orders already flagged stay flagged)."""
    form = EscalationForm()
    if not form.validate_on_submit():
        return _page(_limits_form(), status=422, escalation_form=form)
    save_limits(form.values(), current_user)
    db.session.commit()
    flash("申诉期限和问题工单标准已保存，自即日起适用。", "success")
    return redirect_after_post(url_for("settings.index"))


def _year_or_404(year: int) -> int:
    this_year = now().year
    if not 2000 <= year <= this_year + YEARS_AHEAD:
        abort_zh(404, f"只能录入 {this_year + YEARS_AHEAD} 年及以前的节假日安排。")
    if package_knows(year) and arr.load_arrangement(year) is None:
        abort_zh(404, f"{year} 年的节假日安排已内置于官方日历，无需录入。")
    return year


def _outcome_message(outcome: recompute.SaveOutcome, verb: str) -> str:
    head = f"{outcome.year}年节假日安排已{verb}"
    if not outcome.changed_days:
        return f"{head}，工作日没有变化。"
    return (f"{head}：{len(outcome.changed_days)} 天的工作日/休息日有变化，"
            f"{len(outcome.recomputed)} 件未办结工单的时限已重新计算。")


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def calendar_year(year: int):
    year = _year_or_404(year)
    existing = arr.load_arrangement(year)
    form = ArrangementForm(year=year)
    if not form.is_submitted() and existing is not None:
        form.fill(existing)
    status = 200
    if form.is_submitted():
        if form.validate():
            outcome = recompute.save_arrangement(form.arrangement, current_user)
            db.session.commit()
            flash(_outcome_message(outcome, "保存"), "success")
            return redirect_after_post(url_for("settings.index"))
        status = 422
    return render_page_or_fragment("calendar/year.html", "calendar/_year_form.html", form=form, year=year,
                                   existing=existing), status


@bp.post("/calendar/<int:year>/delete")
@roles(Role.ADMIN)
def delete_calendar_year(year: int):
    if arr.load_arrangement(year) is None:
        abort_zh(404, f"{year} 年没有录入的节假日安排。")
    outcome = recompute.delete_arrangement(year, current_user)
    db.session.commit()
    flash(_outcome_message(outcome, "删除"), "success")
    return redirect_after_post(url_for("settings.index"))
