"""考核 pages: the centre's scores of a month, a unit's own score, the scheme versions, deductions/bonuses."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.roles import CENTRE_ROLES, UNIT_ROLES, Role
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.scores import queries, services
from portal.scores.export import month_xlsx
from portal.scores.forms import AdjustmentForm, MonthForm, RevokeForm, SchemeForm, last_month, options, parse_month
from portal.scores.indicators import REGISTRY
from portal.scores.models import Adjustment, AdjustmentKind, Scheme
from portal.scores.scoring import GENERAL_RULES, formula
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment
from portal.web.scoping import get_scoped_or_404

bp = Blueprint("scores", __name__, url_prefix="/scores")
READERS = (*CENTRE_ROLES, *UNIT_ROLES)


def _month_form() -> MonthForm:
    return MonthForm(request.args, meta={"csrf": False})


def _picked():
    """(form, month, T, status): an invalid pick shows its Chinese errors over last month as of now."""
    form, at = _month_form(), now()
    if not form.validate():
        return form, last_month(at), at, 422 if wants_fragment() else 200
    month, as_of = form.chosen(at)
    form.fill(month, as_of)
    return form, month, as_of, 200


@bp.get("/")
@roles(*CENTRE_ROLES)
def index():
    form, month, as_of, status = _picked()
    board = queries.month_scores(month, as_of) if status == 200 else None
    return render_page_or_fragment("scores/index.html", "scores/_board.html", form=form, board=board,
                                   endpoint="scores.index"), status


@bp.get("/export.xlsx")
@roles(*CENTRE_ROLES)
def export():
    _form, month, as_of, status = _picked()
    if status != 200:
        abort(422)
    body = month_xlsx(queries.month_scores(month, as_of))
    resp = Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = f"attachment; filename=scores-{month:%Y%m}.xlsx"
    return resp


def _unit_page(unit: Unit):
    form, month, as_of, status = _picked()
    board = queries.month_scores(month, as_of) if status == 200 else None
    entry = board.entry(unit.id) if board else None
    own = queries.adjustments_at(month, as_of, unit.id) if board else []
    endpoint = "scores.mine" if current_user.is_unit_user else "scores.unit"
    return render_page_or_fragment(
        "scores/unit.html", "scores/_unit.html", form=form, board=board, unit=unit, entry=entry,
        adjustments=own, endpoint=endpoint, endpoint_args={} if endpoint == "scores.mine" else {"unit_id": unit.id},
    ), status


@bp.get("/unit/<int:unit_id>")
@roles(*READERS)
def unit(unit_id: int):
    return _unit_page(get_scoped_or_404(Unit, unit_id, current_user))


@bp.get("/mine")
@roles(*UNIT_ROLES)
def mine():
    if current_user.unit_id is None:
        abort(404)
    return _unit_page(get_scoped_or_404(Unit, current_user.unit_id, current_user))


# Scheme versions: read by everyone they apply to, maintained by admins.

def _scheme_or_404(scheme_id: int) -> Scheme:
    scheme = db.session.get(Scheme, scheme_id)
    if scheme is None:
        abort(404)
    return scheme


@bp.get("/schemes")
@roles(*READERS)
def schemes():
    at = now()
    return render_template("scores/schemes.html", schemes=queries.all_schemes(),
                           in_force=queries.scheme_in_force(at.date()), started=lambda s: services.month_started(
                               s.effective_from, at))


@bp.get("/schemes/<int:scheme_id>")
@roles(*READERS)
def scheme(scheme_id: int):
    s = _scheme_or_404(scheme_id)
    marks = {g.group: g.full_marks for g in s.groups}
    return render_template("scores/scheme.html", scheme=s, formulas=[formula(r, marks) for r in queries.rules_of(s)],
                           general=GENERAL_RULES, started=services.month_started(s.effective_from, now()))


def _scheme_form_page(form, title: str, action: str, status: int = 200):
    return render_template("scores/scheme_form.html", form=form, title=title, action=action,
                           registry=REGISTRY), status


@bp.route("/schemes/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_scheme():
    form, at = SchemeForm(), now()
    if request.method == "GET":
        versions = queries.all_schemes()
        if versions:
            form.load(versions[0])  # the next version starts as a copy of the latest one
        form.effective_from.data = f"{services.next_month(at):%Y-%m}"
        return _scheme_form_page(form, "新建考核方案版本", url_for("scores.new_scheme"))
    if not form.validate():
        return _scheme_form_page(form, "新建考核方案版本", url_for("scores.new_scheme"), 422)
    created = services.create_scheme(current_user, form.spec(), at)
    db.session.commit()
    return redirect_after_post(url_for("scores.scheme", scheme_id=created.id))


@bp.route("/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_scheme(scheme_id: int):
    s, at = _scheme_or_404(scheme_id), now()
    if services.month_started(s.effective_from, at):
        return render_template("scores/scheme_locked.html", scheme=s), 409
    form = SchemeForm()
    action = url_for("scores.edit_scheme", scheme_id=s.id)
    if request.method == "GET":
        form.load(s)
        form.effective_from.data = f"{s.effective_from:%Y-%m}"
        return _scheme_form_page(form, f"修改{s.month_label}起执行的考核方案", action)
    form.effective_from.data = f"{s.effective_from:%Y-%m}"  # a version keeps its month
    if not form.validate():
        return _scheme_form_page(form, f"修改{s.month_label}起执行的考核方案", action, 422)
    services.update_scheme(current_user, s, form.spec(), at)
    db.session.commit()
    return redirect_after_post(url_for("scores.scheme", scheme_id=s.id))


@bp.post("/schemes/<int:scheme_id>/delete")
@roles(Role.ADMIN)
def delete_scheme(scheme_id: int):
    services.delete_scheme(current_user, _scheme_or_404(scheme_id), now())
    db.session.commit()
    return redirect_after_post(url_for("scores.schemes"))


# Deductions and bonuses (加扣分), entered by centre staff.

def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.display_order, Unit.id)))


def _adjustment_page(month, form: AdjustmentForm | None = None, status: int = 200):
    at = now()
    form = form or AdjustmentForm(month=f"{month:%Y-%m}")
    form.unit_id.choices = options((u.id, u.short_name + ("" if u.active else "（已停用）")) for u in _units())
    rows = list(db.session.scalars(select(Adjustment).where(Adjustment.month == month)
                                   .order_by(Adjustment.created_at.desc(), Adjustment.id.desc())))
    return render_page_or_fragment("scores/adjustments.html", "scores/_adjustments.html", form=form, month=month,
                                   rows=rows, revoke_form=RevokeForm(), at=at), status


@bp.get("/adjustments")
@roles(*CENTRE_ROLES)
def adjustments():
    month = parse_month(request.args.get("month")) or last_month(now())
    return _adjustment_page(month)


@bp.post("/adjustments")
@roles(*CENTRE_ROLES)
def add_adjustment():
    form = AdjustmentForm()
    form.unit_id.choices = options((u.id, u.short_name) for u in _units())
    month = parse_month(form.month.data) or last_month(now())
    if not form.validate():
        return _adjustment_page(month, form, 422)
    unit = db.session.get(Unit, form.unit_id.data)
    services.add_adjustment(current_user, unit=unit, month=month, kind=AdjustmentKind(form.kind.data),
                            hundredths=form.hundredths(), reason=form.reason.data, at=now())
    db.session.commit()
    return redirect_after_post(url_for("scores.adjustments", month=f"{month:%Y-%m}"))


@bp.post("/adjustments/<int:adjustment_id>/revoke")
@roles(*CENTRE_ROLES)
def revoke_adjustment(adjustment_id: int):
    adj = db.session.get(Adjustment, adjustment_id)
    if adj is None:
        abort(404)
    form = RevokeForm()
    if not form.validate():
        raise RuleViolation("".join(e for errors in form.errors.values() for e in errors))
    services.revoke_adjustment(current_user, adj, form.reason.data, now())
    db.session.commit()
    return redirect_after_post(url_for("scores.adjustments", month=f"{adj.month:%Y-%m}"))
