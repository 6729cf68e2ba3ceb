"""Admin pages: units (list, create, edit, (de)activate, import) and the centre's roster views.

The users pages live in portal/admin/user_views.py on the same blueprint (portal/admin/blueprint.py).
"""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from portal.admin.blueprint import bp
from portal.admin.forms import RosterLogFilterForm
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.imports.runner import upload_import
from portal.units import queries
from portal.units.forms import UnitForm, UnitImportForm, UnitSearchForm
from portal.units.importing import OPTIONAL, REQUIRED, import_units
from portal.units.models import Unit
from portal.roster.services import deactivate_unit
from portal.units.services import UnitData, create_unit, reactivate_unit, update_unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.pages import Notice, page_number, per_page, render_form
from portal.web.scoping import get_scoped_or_404



# --- units -----------------------------------------------------------------------------------------


def _units_context(notice: Notice | None = None) -> dict:
    search = UnitSearchForm(request.values)
    page = queries.search_units(q=search.q.data or "", group=search.group.data or "",
                                active=search.active.data or "", no_liaison=bool(search.no_liaison.data),
                                page=page_number(), per_page=per_page())
    args = {k: v for k, v in (("q", search.q.data), ("group", search.group.data), ("active", search.active.data),
                              ("no_liaison", "y" if search.no_liaison.data else "")) if v}
    return {"search": search, "results": page, "args": args, "notice": notice,
            "lacking": queries.unit_ids_without_liaison(), "trees": queries.sub_trees(page.items)}


def _units_list(notice: Notice | None = None, status: int = 200):
    return render_page_or_fragment("admin/units.html", "admin/_units.html", **_units_context(notice)), status


@bp.get("/units")
@roles(Role.ADMIN)
def units():
    return _units_list()


def _unit_data(form: UnitForm) -> UnitData:
    return UnitData(full_name=form.full_name.data, short_name=form.short_name.data, group=form.group.data,
                    display_order=form.display_order.data, aliases=form.alias_list,
                    lead_name=form.lead_name.data, lead_mobile=form.lead_mobile.data,
                    reply_signoff=form.reply_signoff.data)


@bp.route("/units/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_unit():
    form = UnitForm()
    if form.validate_on_submit():
        unit = create_unit(current_user, _unit_data(form), active=form.active.data)
        db.session.commit()
        flash(f"已新增单位“{unit.full_name}”。", "success")
        return redirect_after_post(url_for("admin.units", q=unit.short_name))
    return render_form(form, title="新增单位", action=url_for("admin.new_unit"), submit="保存",
                       cancel=url_for("admin.units"), status=422 if form.is_submitted() else 200,
                       alias_help=True)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_unit(unit_id: int):
    unit = get_scoped_or_404(Unit, unit_id, current_user)
    form = UnitForm(unit=unit)
    if form.validate_on_submit():
        update_unit(current_user, unit, _unit_data(form))
        db.session.commit()
        flash(f"已保存单位“{unit.full_name}”。", "success")
        return redirect_after_post(url_for("admin.units", q=unit.short_name))
    return render_form(form, title=f"编辑单位：{unit.full_name}", action=url_for("admin.edit_unit", unit_id=unit.id),
                       submit="保存", cancel=url_for("admin.units"), status=422 if form.is_submitted() else 200,
                       alias_help=True)


def _unit_action(unit_id: int, action, done: str):
    unit = get_scoped_or_404(Unit, unit_id, current_user)
    try:
        action(current_user, unit)
    except RuleViolation as exc:
        db.session.rollback()
        return _units_list(Notice(exc.message, "danger"), 422)
    db.session.commit()
    return _units_list(Notice(f"已{done}单位“{unit.full_name}”。"))


@bp.post("/units/<int:unit_id>/deactivate", endpoint="deactivate_unit")
@roles(Role.ADMIN)
def deactivate_unit_view(unit_id: int):
    return _unit_action(unit_id, deactivate_unit, "停用")


@bp.post("/units/<int:unit_id>/reactivate", endpoint="reactivate_unit")
@roles(Role.ADMIN)
def reactivate_unit_view(unit_id: int):
    return _unit_action(unit_id, reactivate_unit, "启用")


@bp.route("/units/import", methods=["GET", "POST"], endpoint="import_units")
@roles(Role.ADMIN)
def import_units_view():
    form = UnitImportForm()
    context = {"form": form, "required": REQUIRED, "optional": OPTIONAL, "outcome": None, "failure": None}
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        context["outcome"], context["failure"], status = upload_import(
            lambda: import_units(upload.read(), upload.filename or "", current_user, dry_run=form.dry_run.data),
            dry_run=form.dry_run.data,
        )
    elif form.is_submitted():
        status = 422
    return render_page_or_fragment("admin/units_import.html", "admin/_units_import.html", **context), status


# --- the centre's roster views -----------------------------------------------------------------------


@bp.get("/units/without-liaison")
@roles(Role.ADMIN, Role.CENTRE_STAFF)
def units_without_liaison():
    units = queries.units_without_liaison()
    last = queries.last_roster_change([u.id for u in units])
    return render_page_or_fragment("admin/units_without_liaison.html", "admin/_units_without_liaison.html",
                                   units=units, last=last)


@bp.get("/roster-changes")
@roles(Role.ADMIN, Role.CENTRE_STAFF)
def roster_changes():
    search = RosterLogFilterForm(request.args)
    date_from, date_to = search.date_value(search.date_from), search.date_value(search.date_to)
    page = queries.roster_events(unit_id=search.unit_id.data or None, date_from=date_from, date_to=date_to,
                                 page=page_number(), per_page=per_page())
    args = {k: v for k, v in (("unit_id", search.unit_id.data), ("date_from", search.date_from.data),
                              ("date_to", search.date_to.data)) if v}
    return render_page_or_fragment("admin/roster_changes.html", "admin/_roster_changes.html",
                                   search=search, results=page, args=args)

