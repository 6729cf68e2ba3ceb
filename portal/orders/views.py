"""Order pages: the unit's 我的工单, the centre's 工单中心 queues, create, the order page, files, export.

Operators create orders and see the queues and order pages read-only (their actions are empty in the
transition table except create).
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from portal.auth.roles import ALL_ROLES, Role
from portal.calls.models import Call
from portal.calls.services import conversion_problem
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders import queries
from portal.orders.blueprint import bp
from portal.orders.attachments import INLINE_TYPES, attachment_path, save_attachment
from portal.orders.detail import detail_context, extension_preview, handle_clock, sign_clock
from portal.orders.enums import OrderKind
from portal.orders.export import export_workbook
from portal.orders.forms import AttachmentForm, FilterForm, OrderForm
from portal.orders.models import Subject, Tag, WorkOrder
from portal.orders.services import create_order, reveal_mobile
from portal.orders.tasks import upload_right
from portal.orders.transitions import CONFLICT_MESSAGE
from portal.orders.privacy import quoted, shown
from portal.web.access import roles
from portal.web.htmx import is_htmx, redirect_after_post, render_page_or_fragment, wants_fragment
from portal.web.inputs import arg_int, arg_page
from portal.web.once import first_result, run_once
from portal.web.errors import abort_zh
from portal.web.scoping import get_scoped_or_404


CENTRE = (Role.ADMIN, Role.CENTRE_STAFF)
CREATORS = (*CENTRE, Role.OPERATOR)
UNIT = (Role.UNIT_LEADER, Role.LIAISON)
FILE_ROLES = (*CENTRE, *UNIT)


@bp.app_errorhandler(StaleDataError)
def stale_order(_exc):
    """An UPDATE that found a newer version outside transition()'s flush (an autoflush): same message."""
    db.session.rollback()
    template = "errors/_toast.html" if is_htmx() else "errors/error.html"
    return render_template(template, status=409, message=CONFLICT_MESSAGE), 409


@bp.app_template_global()
def order_clock(order):
    """Time left on the handle deadline (None when the unit does not hold the order)."""
    return handle_clock(order)


@bp.app_template_global()
def order_sign_clock(order):
    """Time left to sign (None unless 待签收)."""
    return sign_clock(order)


@bp.app_template_global()
def order_extension_preview(order):
    """The deadline an approval of the pending extension would set (the review panel shows it)."""
    return extension_preview(order)


@bp.app_template_global()
def order_waiting_co_units(order):
    """The co-units whose 协办 part the reply review still waits for (names)."""
    from portal.orders.transitions import open_co_tasks

    return [t.unit.short_name for t in open_co_tasks(order)]


@bp.app_template_global()
def unit_choices(term: str = ""):
    return queries.search_units(term, limit=500)


@bp.app_template_global()
def order_text(order, field: str) -> str:
    """An order's field as the current user may read it (portal.orders.privacy)."""
    return shown(order, field, current_user._get_current_object())


@bp.app_template_global()
def order_quote(order, text: str | None) -> str:
    """Text about an order (its events, 督办 messages) as the current user may read it."""
    return quoted(order, text, current_user._get_current_object())


@bp.app_template_global()
def attachment_max_mb() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)


def _filters(form: FilterForm) -> queries.Filters:
    form.validate()  # a bad field is ignored, the rest still filters
    ok = lambda f: None if f.errors else f.data  # noqa: E731
    return queries.Filters(kind=ok(form.kind) or None, date_from=ok(form.date_from), date_to=ok(form.date_to),
                           keyword=ok(form.keyword) or "", sort=ok(form.sort) or "deadline")


def _sort_default(form: FilterForm, tab) -> None:
    if not request.args.get("sort"):
        form.sort.data = tab.default_sort


def _list(tabs, endpoint: str, page_template: str, **extra):
    user = current_user._get_current_object()  # the proxy costs a lookup on every attribute
    form = FilterForm(request.args)
    tab = queries.find_tab(tabs, request.args.get("tab"))
    form.tab.data = tab.key
    _sort_default(form, tab)
    filters = _filters(form)
    counts = queries.tab_counts(user, tabs)
    page = queries.page_of(user, tab, filters, arg_page(),
                           current_app.config["PAGE_SIZE"], cursor=request.args.get("c"),
                           total=None if filters.any else counts.get(tab.key))
    args = {k: v for k, v in request.args.items() if k not in ("page", "c") and v}
    args["tab"] = tab.key
    return render_page_or_fragment(
        page_template, "orders/_list.html", tabs=tabs, tab=tab, counts=counts,
        form=form, results=page, endpoint=endpoint, args=args, now=now(), **extra,
    )


@bp.get("/mine")
@roles(*UNIT)
def my_orders():
    # The unit's own parts of orders (协办, passed down) and its sub-units' answers, above its list.
    user = current_user._get_current_object()
    todo = [] if wants_fragment() else queries.tasks_to_do(user)
    return _list(queries.unit_tabs(user), "orders.my_orders", "orders/my_orders.html", task_todo=todo)


@bp.get("/queues")
@roles(*CREATORS)
def queues():
    return _list(queries.CENTRE_QUEUES, "orders.queues", "orders/queues.html")


@bp.get("/export.xlsx")
@roles(*ALL_ROLES)
def export():
    """The current filtered list as XLSX (scoped like the list itself)."""
    tabs = queries.unit_tabs(current_user) if current_user.is_unit_user else queries.CENTRE_QUEUES
    tab = queries.find_tab(tabs, request.args.get("tab"))
    form = FilterForm(request.args)
    _sort_default(form, tab)
    orders = queries.export_rows(current_user, tab, _filters(form))
    buffer = export_workbook(orders, current_user, title=tab.label)
    name = f"工单-{tab.label}-{now():%Y%m%d%H%M}.xlsx"
    return send_file(buffer, as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _order_form_choices(form: OrderForm) -> None:
    form.subject_id.choices = [SelectChoice(0, "（未分类）")] + [
        SelectChoice(child.id, child.name, optgroup=parent.name)
        for parent, children in queries.subject_groups() for child in children
    ]
    form.tag_ids.choices = [SelectChoice(t.id, t.name) for t in queries.all_tags()]


def _call(call_id, *, for_update: bool = False) -> Call | None:
    """The call an order is made from; locked when creating, so two clicks at once make one order."""
    try:
        ident = int(call_id) if call_id else None
    except (TypeError, ValueError):
        return None
    if ident is None or not 0 < ident < 2**31:
        return None
    stmt = select(Call).where(Call.id == ident)
    return db.session.scalars(stmt.with_for_update() if for_update else stmt).first()


@bp.route("/new", methods=["GET", "POST"])
@roles(*CREATORS)
def new():
    """Create an order; ?call_id= prefills it from a stored call (a call turned into an order)."""
    form = OrderForm()
    _order_form_choices(form)
    if request.method == "GET":
        call = _call(request.args.get("call_id"))
        if call is not None and conversion_problem(current_user, call):
            # Another operator's call, or one already answered: nothing of it is shown (not even that it exists).
            abort_zh(404, "来电记录不存在，或不能由您转为工单。")
        form.caller_mobile.data = (call.mobile if call else "") or ""
        form.content.data = (call.summary if call else "") or ""
        form.call_id.data = str(call.id) if call else ""
    elif form.validate_on_submit():
        call = _call(form.call_id.data, for_update=True)
        first = first_result(form.once.data, "order_new")
        if first:  # a repeated POST (double-click, resend): the order it created first
            return redirect_after_post(url_for("orders.detail", order_id=first))
        if form.call_id.data and call is None:
            form.call_id.errors.append("关联的来电记录不存在。")
        elif call is not None and conversion_problem(current_user, call):
            form.call_id.errors.append(conversion_problem(current_user, call))
        else:
            subject = db.session.get(Subject, form.subject_id.data) if form.subject_id.data else None
            tags = [db.session.get(Tag, i) for i in form.tag_ids.data or []]
            order_id, _fresh = run_once(form.once.data, "order_new", lambda: create_order(
                current_user, kind=OrderKind(form.kind.data), content=form.content.data, title=form.title.data or "",
                subject=subject, tags=[t for t in tags if t], caller_name=form.caller_name.data or "",
                caller_mobile=(form.caller_mobile.data or "").strip(), address=form.address.data or "",
                urgent=form.urgent.data, confidential=form.confidential.data, call=call,
            ).id)
            db.session.commit()
            return redirect_after_post(url_for("orders.detail", order_id=order_id))
    status = 422 if request.method == "POST" else 200
    dups = queries.possible_duplicates(form.caller_mobile.data or "", form.content.data or "")
    call = _call(form.call_id.data)
    if call is not None and conversion_problem(current_user, call):
        call = None  # a refused call's words are not shown back
    return render_template("orders/new.html", form=form, duplicates=dups, call=call), status


@bp.get("/duplicates")
@roles(*CREATORS)
def duplicates():
    """Possible duplicates while the operator types (htmx)."""
    found = queries.possible_duplicates(request.args.get("caller_mobile", "") or request.args.get("mobile", ""),
                                        request.args.get("content", ""),
                                        exclude_id=arg_int("exclude"))
    return render_template("orders/_duplicates.html", duplicates=found)


@bp.get("/units")
@roles(*CENTRE)
def unit_picker():
    """Units matching the typed text, as radio buttons for the dispatch form (htmx)."""
    return render_template("orders/_unit_options.html", units=queries.search_units(request.args.get("q", "")),
                           selected=arg_int("unit_id"))


@bp.get("/<int:order_id>")
@roles(*ALL_ROLES)
def detail(order_id: int):
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    return render_template("orders/detail.html", **detail_context(order, current_user))


@bp.post("/<int:order_id>/reveal")
@roles(*ALL_ROLES)
def reveal(order_id: int):
    """Show the full mobile to a unit user; the reveal is recorded on the order."""
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    mobile = reveal_mobile(order, current_user)
    db.session.commit()
    return render_template("orders/_mobile.html", order=order, mobile=mobile)


@bp.post("/<int:order_id>/attachments")
@roles(*FILE_ROLES)
def upload(order_id: int):
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    allowed, task = upload_right(order, current_user)
    if not allowed:
        raise RuleViolation("工单当前不在办理中，不能上传附件（办结回复时可附带附件）。")
    form = AttachmentForm()
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not form.validate_on_submit() or not files:
        raise RuleViolation("请选择要上传的文件。")
    for storage in files:
        save_attachment(order, storage, current_user, task=task)
    db.session.commit()
    return redirect_after_post(url_for("orders.detail", order_id=order.id) + "#attachments")


@bp.get("/<int:order_id>/attachments/<int:attachment_id>")
@roles(*ALL_ROLES)
def attachment(order_id: int, attachment_id: int):
    """Serve a file only to users who may see its order; another unit's file answers 404."""
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    item = queries.attachment_of(order, attachment_id)
    if item is None:
        abort(404)
    path = attachment_path(item)
    if not path.is_file():
        abort(404)
    inline = item.content_type in INLINE_TYPES and not wants_fragment()
    return send_file(path, mimetype=item.content_type, as_attachment=not inline, download_name=item.original_name)

