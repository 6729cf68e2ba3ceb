"""Appeal pages: the list (unit's own, leader's approvals, centre's queue), filing from an order, one appeal
with its decisions, its files."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_login import current_user

from portal.appeals import lifecycle, queries, services
from portal.appeals.forms import AppealForm, DecisionForm
from portal.appeals.models import Appeal, AppealFile
from portal.auth.roles import Role
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.models import WorkOrder
from portal.orders.transitions import check_version
from portal.uploads import INLINE_TYPES, stored_path
from portal.web.access import roles
from portal.web.htmx import redirect_after_post
from portal.web.scoping import get_scoped_or_404

bp = Blueprint("appeals", __name__, url_prefix="/appeals")

CENTRE = (Role.ADMIN, Role.CENTRE_STAFF)
UNIT = (Role.UNIT_LEADER, Role.LIAISON)
BUTTONS = {
    "leader_approve": ("同意，报中心审核", "success"),
    "leader_reject": ("不同意", "danger"),
    "uphold": ("申诉成立", "success"),
    "reject": ("申诉不成立", "danger"),
}


@bp.app_template_global()
def order_appeals(order):
    """The order page's 申诉 card: the appeals the user may see and what they may still appeal."""
    return {"appeals": services.appeals_of(order, current_user),
            "open": services.open_judgments(order, current_user)}


@bp.get("/")
@roles(*CENTRE, *UNIT)
def index():
    tabs = queries.tabs_for(current_user)
    tab = next((t for t in tabs if t.key == request.args.get("tab")), tabs[0])
    return render_template("appeals/index.html", tabs=tabs, tab=tab, appeals=queries.appeal_list(current_user, tab),
                           counts={t.key: queries.count(current_user, t.statuses) for t in tabs})


def _choices(order) -> list[tuple[str, str]]:
    return [(j.target, f"{j.label}，申诉截止 {j.window_end:%Y-%m-%d %H:%M}") for j in
            services.open_judgments(order, current_user)]


@bp.route("/orders/<int:order_id>/new", methods=["GET", "POST"])
@roles(*UNIT)
def new(order_id: int):
    """File an appeal about one of the unit's orders (a rating or a lateness judgment)."""
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    form = AppealForm()
    form.target.choices = _choices(order)
    message, status = None, 200
    if request.method == "GET" and len(form.target.choices) == 1:
        form.target.data = form.target.choices[0][0]
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            files = [f for f in request.files.getlist("files") if f and f.filename]
            try:
                appeal = services.file_appeal(order, current_user, form.target.data, form.reason.data, files=files)
                db.session.commit()
                return redirect_after_post(url_for("appeals.detail", appeal_id=appeal.id))
            except lifecycle.AppealForbidden:
                raise
            except RuleViolation as exc:
                db.session.rollback()
                message, status = exc.message, exc.status
                order = db.session.get(WorkOrder, order_id)
                form.target.choices = _choices(order)
    return render_template("appeals/new.html", order=order, form=form, message=message), status


def _page(appeal: Appeal, forms: dict | None = None, message: str | None = None, status: int = 200):
    actions = lifecycle.actions_for(appeal, current_user)
    forms = forms or {}
    buttons = [(a, *BUTTONS[a]) for a in BUTTONS if a in actions]
    form = next(iter(forms.values()), None) or DecisionForm(formdata=None, version=appeal.version)
    return render_template("appeals/detail.html", appeal=appeal, buttons=buttons, form=form, message=message), status


@bp.get("/<int:appeal_id>")
@roles(*CENTRE, *UNIT)
def detail(appeal_id: int):
    return _page(get_scoped_or_404(Appeal, appeal_id, current_user))


@bp.post("/<int:appeal_id>/<action>")
@roles(*CENTRE, *UNIT)
def decide(appeal_id: int, action: str):
    """The leader's approval or the centre's decision; a refusal keeps what was typed."""
    if action not in BUTTONS:
        abort(404)
    appeal = get_scoped_or_404(Appeal, appeal_id, current_user)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(appeal, {action: form}, status=422)
    try:
        check_version(appeal, form.version.data)
        services.decide(appeal, action, current_user, form.note.data or "")
        db.session.commit()
    except lifecycle.AppealForbidden:
        raise
    except RuleViolation as exc:  # Conflict included
        db.session.rollback()
        appeal = db.session.get(Appeal, appeal_id)
        message = "该申诉已被他人处理，请刷新后查看最新状态。" if isinstance(exc, Conflict) else exc.message
        return _page(appeal, {action: form}, message=message, status=exc.status)
    return redirect_after_post(url_for("appeals.detail", appeal_id=appeal.id))


@bp.get("/<int:appeal_id>/files/<int:file_id>")
@roles(*CENTRE, *UNIT)
def file(appeal_id: int, file_id: int):
    appeal = get_scoped_or_404(Appeal, appeal_id, current_user)
    item = db.session.get(AppealFile, file_id)
    if item is None or item.appeal_id != appeal.id:
        abort(404)
    path = stored_path(item.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=item.content_type not in INLINE_TYPES,
                     download_name=item.original_name)
