"""The one POST endpoint for every order action: validate the action's form, check the version, run the service.

A rule refusal re-renders the action's panel with the user's input (422); someone acting first gives 409
with the Conflict message and the input kept, so nothing typed is lost.
"""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.roles import ALL_ROLES
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders import forms as f
from portal.orders import handling, queries, services, tasks
from portal.orders.detail import PANEL_OF, detail_context, namespace_ids
from portal.orders.enums import CallbackResult
from portal.orders.models import WorkOrder
from portal.orders.transitions import ACTION_ROLES, CONFLICT_MESSAGE, ActionForbidden, check_version
from portal.orders.blueprint import bp
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, wants_fragment
from portal.web.once import first_result, run_once
from portal.web.scoping import get_scoped_or_404


def _files():
    return [s for s in request.files.getlist("files") if s and s.filename]


def _merge(order, actor, form):
    number = form.target_number.data.strip()
    target = queries.order_by_number(number)
    if target is None:
        raise RuleViolation(f"找不到工单 {number}。")
    services.merge(order, actor, target, form.text.data)


def _reply(order, actor, form):
    """办结回复; handling decides whether it goes to the unit leader first (回复签发)."""
    return handling.submit_reply(
        order, actor, result=form.result.data, contact_way=form.contact_way.data, contacted_at=form.contacted_at.data,
        resolved=form.resolved.data == "1", unresolved_reason=form.unresolved_reason.data or "", files=_files())


# action -> (form class, runner(order, actor, form))
ACTIONS = {
    "dispatch": (f.DispatchForm, lambda o, a, fm: tasks.dispatch_with_co_units(
        o, a, db.session.get(Unit, fm.unit_id.data), designate=fm.designate.data, text=fm.text.data or "",
        co_units=[db.session.get(Unit, i) for i in fm.co_unit_ids.data or []], co_text=fm.co_text.data or "")),
    "merge": (f.MergeForm, _merge),
    "sign": (f.NoteForm, lambda o, a, fm: handling.sign(o, a, fm.text.data or "")),
    "reply": (f.ReplyForm, _reply),
    "submit_reply_for_signoff": (f.ReplyForm, _reply),
    "leader_approve_reply": (f.ReviewForm, lambda o, a, fm: handling.leader_decide_reply(o, a, True, fm.text.data or "")),
    "leader_reject_reply": (f.RejectForm, lambda o, a, fm: handling.leader_decide_reply(o, a, False, fm.text.data)),
    "request_return": (f.ReturnForm, lambda o, a, fm: handling.request_return(o, a, fm.reason.data,
                                                                              fm.duty_basis.data)),
    "leader_approve_return": (f.ReviewForm, lambda o, a, fm: handling.leader_decide_return(o, a, True, fm.text.data or "")),
    "leader_reject_return": (f.RejectForm, lambda o, a, fm: handling.leader_decide_return(o, a, False, fm.text.data)),
    "approve_return": (f.ReviewForm, lambda o, a, fm: handling.centre_decide_return(o, a, True, fm.text.data or "")),
    "reject_return": (f.RejectForm, lambda o, a, fm: handling.centre_decide_return(o, a, False, fm.text.data)),
    "request_extension": (f.ExtensionForm, lambda o, a, fm: handling.request_extension(
        o, a, fm.reason.data, fm.working_days.data)),
    "approve_extension": (f.ReviewForm, lambda o, a, fm: handling.decide_extension(o, a, True, fm.text.data or "")),
    "reject_extension": (f.RejectForm, lambda o, a, fm: handling.decide_extension(o, a, False, fm.text.data)),
    "accept_reply": (f.ReplyReviewForm, lambda o, a, fm: handling.review_reply(
        o, a, True, fm.text.data or "", override=fm.override.data or "")),
    "reject_reply": (f.RejectForm, lambda o, a, fm: handling.review_reply(o, a, False, fm.text.data)),
    "supervise": (f.SuperviseForm, lambda o, a, fm: services.supervise(o, a, fm.text.data)),
    "issue_notice": (f.SuperviseForm, lambda o, a, fm: services.issue_notice(o, a, fm.text.data)),
    "list_in_circular": (f.NoteForm, lambda o, a, fm: services.list_in_circular(o, a, fm.text.data or "")),
    "acknowledge": (f.VersionForm, lambda o, a, fm: services.acknowledge(o, a)),
    "callback": (f.CallbackForm, lambda o, a, fm: services.record_callback(
        o, a, CallbackResult(fm.result.data), fm.note.data or "", reopen_order=fm.reopen.data)),
    "reopen": (f.ReopenForm, lambda o, a, fm: services.reopen(o, a, fm.text.data)),
}


def _panel_response(order, action, form, message=None, status=422):
    panel = PANEL_OF[action]
    if wants_fragment():
        namespace_ids(form, panel)
        return render_template("orders/_panel.html", order=order, panel=panel, form=form, buttons=panel.buttons,
                               message=message), status
    ctx = detail_context(order, current_user, overrides={panel.key: form}, message=message)
    return render_template("orders/detail.html", **ctx), status


@bp.post("/<int:order_id>/act/<action>")
@roles(*ALL_ROLES)
def act(order_id: int, action: str):
    """Perform one action of the transition table on an order."""
    if action not in ACTIONS:
        abort(404)
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    if current_user.role not in ACTION_ROLES[action]:
        abort(403)
    form_class, run = ACTIONS[action]
    form = form_class()
    if not form.validate_on_submit():
        return _panel_response(order, action, form)
    try:
        try:
            if hasattr(form, "once"):  # a counted fact: a repeated POST shows the first result
                if first_result(form.once.data, f"order_{action}") is not False:
                    return redirect_after_post(url_for("orders.detail", order_id=order.id))
            check_version(order, form.version.data)
            if hasattr(form, "once"):
                run_once(form.once.data, f"order_{action}", lambda: run(order, current_user, form).id)
            else:
                run(order, current_user, form)
            db.session.commit()
        except StaleDataError as exc:  # an autoflush found the newer version before transition() did
            raise Conflict(CONFLICT_MESSAGE) from exc
    except ActionForbidden:
        raise
    except RuleViolation as exc:
        db.session.rollback()
        # Conflict (409) is a RuleViolation too. Reload: the order may have moved on (even left the unit);
        # the panel shows only the user's own input and the message.
        order = db.session.get(WorkOrder, order_id)
        return _panel_response(order, action, form, message=exc.message, status=exc.status)
    return redirect_after_post(url_for("orders.detail", order_id=order.id))

