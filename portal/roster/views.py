"""Unit-side pages: the unit leader's roster (DOMAIN.md §2).

Everything is scoped to the leader's own unit: people are loaded through get_scoped_or_404, so a
user id of another unit answers 404.
"""
from __future__ import annotations

from flask import flash, url_for
from flask_login import current_user

from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.queries import open_order_counts
from portal.roster import services as leaving
from portal.roster.blueprint import bp
from portal.units import queries, services
from portal.units.forms import DeactivateLiaisonForm, HandoverForm, LeadForm, LiaisonForm
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.pages import Notice, render_form
from portal.web.scoping import get_scoped_or_404



def _roster_page(notice: Notice | None = None, status: int = 200, unit=None):
    unit = unit or current_user.unit
    page = "units/roster.html" if unit.id == current_user.unit_id else "units/sub_unit_people.html"
    return render_page_or_fragment(
        page, "units/_roster.html", unit=unit, people=queries.roster(unit.id),
        open_counts=open_order_counts(unit.id), notice=notice, back=url_for("units.sub_units"),
    ), status


def _roster_url(liaison: User) -> str:
    """Back to the roster the liaison is on: the leader's own, or a sub-unit's (下级单位)."""
    if liaison.unit_id == current_user.unit_id:
        return url_for("units.roster")
    return url_for("units.sub_unit_people", unit_id=liaison.unit_id)


@bp.get("/roster")
@roles(Role.UNIT_LEADER)
def roster():
    return _roster_page()


@bp.route("/roster/new", methods=["GET", "POST"])
@roles(Role.UNIT_LEADER)
def new_liaison():
    form = LiaisonForm()
    if form.validate_on_submit():
        user, password = services.add_liaison(current_user, username=form.username.data, name=form.name.data,
                                              mobile=form.mobile.data)
        db.session.commit()
        return render_page_or_fragment("admin/password_once.html", "admin/_password_once.html", user=user,
                                       password=password, heading="联络员已添加", back=url_for("units.roster"))
    return render_form(form, title="添加联络员", action=url_for("units.new_liaison"), submit="添加",
                       cancel=url_for("units.roster"), status=422 if form.is_submitted() else 200,
                       intro="添加后系统生成临时密码，只显示一次；请告知本人，首次登录须修改密码。")


def _liaison(user_id: int) -> User:
    return get_scoped_or_404(User, user_id, current_user)


@bp.route("/roster/<int:user_id>/handover", methods=["GET", "POST"])
@roles(Role.UNIT_LEADER)
def handover(user_id: int):
    liaison = _liaison(user_id)
    form = HandoverForm(candidates=queries.active_liaisons(liaison.unit_id, exclude_id=liaison.id))
    if form.validate_on_submit():
        target = _liaison(form.to_user.data)
        try:
            moved = leaving.handover_orders(current_user, liaison, target)
        except RuleViolation as exc:
            db.session.rollback()
            form.to_user.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"已将 {liaison.name} 的 {moved} 件未办结工单移交给 {target.name}。", "success")
            return redirect_after_post(_roster_url(liaison))
    count = open_order_counts(liaison.unit_id).get(liaison.id, 0)
    return render_form(form, title=f"移交工单：{liaison.name}", action=url_for("units.handover", user_id=user_id),
                       submit="移交", cancel=_roster_url(liaison), status=422 if form.is_submitted() else 200,
                       intro=f"{liaison.name} 目前是 {count} 件未办结工单的经办人。移交后每件工单的流转记录都会写明经办人变更。")


@bp.route("/roster/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles(Role.UNIT_LEADER)
def deactivate_liaison(user_id: int):
    liaison = _liaison(user_id)
    form = DeactivateLiaisonForm(candidates=queries.active_liaisons(liaison.unit_id, exclude_id=liaison.id))
    if form.validate_on_submit():
        successor = _liaison(form.to_user.data) if form.to_user.data else None
        try:
            moved = leaving.deactivate_liaison(current_user, liaison, successor)
        except RuleViolation as exc:
            db.session.rollback()
            form.to_user.errors.append(exc.message)
        else:
            db.session.commit()
            moved_text = f"，{moved} 件未办结工单已移交给 {successor.name}" if moved else ""
            flash(f"已停用联络员 {liaison.name}{moved_text}。", "success")
            return redirect_after_post(_roster_url(liaison))
    count = open_order_counts(liaison.unit_id).get(liaison.id, 0)
    intro = f"停用后 {liaison.name} 将无法登录，已登录的会话立即失效。"
    if count:
        intro += f"其仍是 {count} 件未办结工单的经办人，请选择接手的联络员。"
    return render_form(form, title=f"停用联络员：{liaison.name}",
                       action=url_for("units.deactivate_liaison", user_id=user_id), submit="停用",
                       cancel=_roster_url(liaison), status=422 if form.is_submitted() else 200, intro=intro,
                       danger=True)


@bp.post("/roster/<int:user_id>/reactivate")
@roles(Role.UNIT_LEADER)
def reactivate_liaison(user_id: int):
    liaison = _liaison(user_id)
    try:
        services.reactivate_liaison(current_user, liaison)
    except RuleViolation as exc:
        db.session.rollback()
        return _roster_page(Notice(exc.message, "danger"), 422, unit=liaison.unit)
    db.session.commit()
    return _roster_page(Notice(f"已启用联络员 {liaison.name}。"), unit=liaison.unit)


@bp.route("/roster/lead", methods=["GET", "POST"])
@roles(Role.UNIT_LEADER)
def edit_lead():
    unit = current_user.unit
    form = LeadForm(obj=unit)
    if form.validate_on_submit():
        changed = services.update_lead(current_user, unit, form.lead_name.data, form.lead_mobile.data)
        db.session.commit()
        flash("已更新牵头负责人。" if changed else "牵头负责人没有变化。", "success" if changed else "info")
        return redirect_after_post(url_for("units.roster"))
    return render_form(form, title="修改牵头负责人", action=url_for("units.edit_lead"), submit="保存",
                       cancel=url_for("units.roster"), status=422 if form.is_submitted() else 200)
