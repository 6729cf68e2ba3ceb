"""来电登记: the operator logs a call beside a live KB search, and ends it as 直接答复 or an order."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, url_for
from flask_login import current_user
from portal.auth.roles import Role
from portal.calls import queries, services
from portal.calls.forms import CallForm, DirectReplyForm
from portal.calls.models import Call
from portal.extensions import db
from portal.web.access import roles
from portal.web.htmx import hx_redirect, is_htmx, redirect_after_post
from portal.web.once import run_once

bp = Blueprint("calls", __name__, url_prefix="/calls")
CALL_ROLES = (Role.OPERATOR, Role.CENTRE_STAFF, Role.ADMIN)


def _page(form: CallForm, status: int = 200):
    return render_template("calls/console.html", form=form, recent=queries.recent_calls(current_user),
                           waiting=queries.waiting_for_order(current_user)), status


def _form_fragment(form: CallForm, status: int):
    if is_htmx():
        return render_template("calls/_call_form.html", form=form), status
    return _page(form, status)


@bp.get("/")
@roles(*CALL_ROLES)
def console():
    return _page(CallForm())


@bp.post("/answer")
@roles(*CALL_ROLES)
def answer():
    form = DirectReplyForm()
    if not form.validate_on_submit():
        return _form_fragment(form, 422)
    call_id, _fresh = run_once(form.once.data, "call_direct", lambda: services.log_direct_reply(
        current_user, received_at=form.received_at.data, mobile=form.mobile.data, summary=form.summary.data,
        entry_ids=form.entry_ids.data or [], no_entry_reason=form.no_entry_reason.data or "").id)
    db.session.commit()
    call = db.session.get(Call, call_id)
    used = f"，采用 {len(call.entries)} 条知识库答复" if call.entries else ""
    flash(f"来电已登记为直接答复{used}。", "success")
    return redirect_after_post(url_for("calls.console"))


@bp.post("/order")
@roles(*CALL_ROLES)
def to_order():
    form = CallForm()
    if not form.validate_on_submit():
        return _form_fragment(form, 422)
    call_id, _fresh = run_once(form.once.data, "call_order", lambda: services.log_for_order(
        current_user, received_at=form.received_at.data, mobile=form.mobile.data, summary=form.summary.data).id)
    db.session.commit()
    call = db.session.get(Call, call_id)
    target = url_for("orders.detail", order_id=call.order_id) if call.order_id else services.order_url(call)
    return hx_redirect(target) if is_htmx() else redirect_after_post(target)
