"""下级单位 pages: a unit leader (and an admin) keeps the tree of sub-units and their liaisons.

Every unit is loaded through get_scoped_or_404, so a unit outside the leader's sub-tree answers 404; the
services (portal/roster/tree.py) refuse what is inside the sub-tree but not the leader's to change (its own
unit, a move out of the tree).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders.queries import open_order_counts
from portal.roster import tree
from portal.roster.blueprint import bp
from portal.units import queries, services
from portal.units.forms import LiaisonForm, SubUnitForm
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.pages import Notice, render_form
from portal.web.scoping import get_scoped_or_404

MANAGERS = (Role.ADMIN, Role.UNIT_LEADER)


def _unit(unit_id: int) -> Unit:
    return get_scoped_or_404(Unit, unit_id, current_user)


def _top(unit_id: int | None) -> Unit:
    """The unit whose sub-tree the page shows: the leader's own unit by default."""
    if unit_id is None:
        if current_user.unit is None:
            abort(404)
        return current_user.unit
    return _unit(unit_id)


def _tree_page(top: Unit, notice: Notice | None = None, status: int = 200):
    nodes = queries.sub_tree(top)
    ids = [n.unit.id for n in nodes]
    return render_page_or_fragment(
        "units/sub_units.html", "units/_sub_units.html", top=top, nodes=nodes,
        lacking=queries.unit_ids_without_liaison(),
        open_tasks=tree.open_task_counts(ids),
        may_add=tree.may_add_under(current_user, top), notice=notice,
    ), status


@bp.get("/sub-units")
@roles(*MANAGERS)
def sub_units():
    """The sub-tree of `?unit_id=` (scoped), by default of the leader's own unit."""
    unit_id = request.args.get("unit_id", type=int)
    if unit_id is None and current_user.has_role(Role.ADMIN):
        return redirect(url_for("admin.units"))  # an admin opens a unit's tree from the unit list
    return _tree_page(_top(unit_id))[0]


def _parents(unit: Unit, moving: Unit | None = None) -> list[tuple[Unit, str]]:
    """Where a sub-unit may hang: the actor's manageable part of `unit`'s first-level tree, not under itself."""
    top = queries.first_level_of(unit)
    if current_user.role != Role.ADMIN:
        top = current_user.unit
    pairs = [(top, top.short_name)] + [(n.unit, "　" * n.depth + "└ " + n.unit.short_name)
                                        for n in queries.sub_tree(top)]
    if moving is not None:
        below = {n.unit.id for n in queries.sub_tree(moving)} | {moving.id}
        pairs = [(u, label) for u, label in pairs if u.id not in below]
    return pairs


@bp.route("/sub-units/<int:unit_id>/new", methods=["GET", "POST"])
@roles(*MANAGERS)
def new_sub_unit(unit_id: int):
    parent = _unit(unit_id)
    form = SubUnitForm(parents=_parents(parent), data=None if _posted() else {"parent_id": parent.id})
    if form.validate_on_submit():
        target = _unit(form.parent_id.data)
        try:
            unit = tree.add_sub_unit(current_user, target, short_name=form.short_name.data,
                                     full_name=form.full_name.data, display_order=form.display_order.data or None)
        except RuleViolation as exc:
            db.session.rollback()
            form.short_name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"已新增下级单位“{unit.path_name}”。", "success")
            return redirect_after_post(url_for("units.sub_units", unit_id=unit_id))
    return render_form(form, title=f"新增下级单位：{parent.path_name}", action=url_for("units.new_sub_unit", unit_id=unit_id),
                       submit="保存", cancel=url_for("units.sub_units", unit_id=unit_id),
                       status=422 if form.is_submitted() else 200,
                       intro="下级单位（乡镇、街道、科室、村等）可接收本单位下派的工单，并有自己的联络员。排序填 0 则排在最后。")


def _posted() -> bool:
    return request.method == "POST"


def _back(unit: Unit) -> str:
    """The tree page the actor came from: its own unit's, or the first-level unit's for an admin."""
    top = current_user.unit if current_user.role != Role.ADMIN else queries.first_level_of(unit)
    return url_for("units.sub_units", unit_id=top.id)


@bp.route("/sub-units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles(*MANAGERS)
def edit_sub_unit(unit_id: int):
    unit = _unit(unit_id)
    if unit.parent_id is None:
        abort(404)  # a first-level unit is edited on the admin's unit pages
    form = SubUnitForm(parents=_parents(unit, moving=unit), obj=None if _posted() else unit)
    if form.validate_on_submit():
        try:
            target = _unit(form.parent_id.data)
            moved = tree.move_sub_unit(current_user, unit, target)
            changed = tree.update_sub_unit(current_user, unit, short_name=form.short_name.data,
                                           full_name=form.full_name.data or form.short_name.data,
                                           display_order=form.display_order.data)
        except RuleViolation as exc:
            db.session.rollback()
            form.short_name.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"已保存下级单位“{unit.path_name}”。" if moved or changed else "下级单位没有变化。",
                  "success" if moved or changed else "info")
            return redirect_after_post(_back(unit))
    return render_form(form, title=f"编辑下级单位：{unit.path_name}", action=url_for("units.edit_sub_unit", unit_id=unit_id),
                       submit="保存", cancel=_back(unit), status=422 if form.is_submitted() else 200)


def _sub_unit_action(unit_id: int, action, done: str):
    unit = _unit(unit_id)
    top = current_user.unit if current_user.role != Role.ADMIN else queries.first_level_of(unit)
    try:
        action(current_user, unit)
    except RuleViolation as exc:
        db.session.rollback()
        return _tree_page(top, Notice(exc.message, "danger"), 422)
    db.session.commit()
    return _tree_page(top, Notice(f"已{done}下级单位“{unit.path_name}”。"))


@bp.post("/sub-units/<int:unit_id>/deactivate")
@roles(*MANAGERS)
def deactivate_sub_unit(unit_id: int):
    return _sub_unit_action(unit_id, tree.deactivate_sub_unit, "停用")


@bp.post("/sub-units/<int:unit_id>/reactivate")
@roles(*MANAGERS)
def reactivate_sub_unit(unit_id: int):
    return _sub_unit_action(unit_id, tree.reactivate_sub_unit, "启用")


@bp.get("/sub-units/<int:unit_id>/people")
@roles(*MANAGERS)
def sub_unit_people(unit_id: int):
    unit = _unit(unit_id)
    return render_page_or_fragment("units/sub_unit_people.html", "units/_roster.html", unit=unit,
                                   people=queries.roster(unit.id), open_counts=open_order_counts(unit.id),
                                   back=_back(unit), notice=None)


@bp.route("/sub-units/<int:unit_id>/people/new", methods=["GET", "POST"])
@roles(*MANAGERS)
def new_sub_unit_liaison(unit_id: int):
    unit = _unit(unit_id)
    form = LiaisonForm()
    people = url_for("units.sub_unit_people", unit_id=unit.id)
    if form.validate_on_submit():
        try:
            user, password = services.add_liaison(current_user, username=form.username.data, name=form.name.data,
                                                  mobile=form.mobile.data, unit=unit)
        except RuleViolation as exc:
            db.session.rollback()
            form.username.errors.append(exc.message)
        else:
            db.session.commit()
            return render_page_or_fragment("admin/password_once.html", "admin/_password_once.html", user=user,
                                           password=password, heading="联络员已添加", back=people)
    return render_form(form, title=f"添加联络员：{unit.path_name}", action=url_for("units.new_sub_unit_liaison", unit_id=unit.id),
                       submit="添加", cancel=people, status=422 if form.is_submitted() else 200,
                       intro="添加后系统生成临时密码，只显示一次；请告知本人，首次登录须修改密码。")
