"""知识库 pages: the unit's entries, the centre's review queue, search for everyone who answers calls."""
from __future__ import annotations

from flask import current_app, flash, render_template, request, send_file, url_for
from flask_login import current_user
from portal.auth.roles import ALL_ROLES, CENTRE_ROLES, UNIT_ROLES
from portal.errors import RuleViolation
from portal.clock import now
from portal.extensions import db
from portal.imports.tabular import ImportFailed
from portal.knowledge import attachments, imports, queries, search, services
from portal.knowledge.blueprint import bp
from portal.knowledge.forms import AttachmentForm, EntryFilterForm, EntryForm, ImportForm, ReturnForm
from portal.knowledge.models import EntryStatus, KBAttachment, KBEntry
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment
from portal.web.inputs import arg_int
from portal.web.once import first_result, run_once
from portal.web.scoping import get_scoped_or_404
from portal.web.errors import abort_zh



def _entries_stmt(form: EntryFilterForm):
    status = form.status.data
    if status is None and current_user.is_centre and "status" not in request.args:
        status = EntryStatus.SUBMITTED.value  # the centre lands on its review queue
        form.status.data = status
    return queries.entries_stmt(current_user, status=status, unit_id=form.unit.data, q=form.q.data,
                                due_before=now().date() if form.due.data else None)


@bp.get("/")
@roles(*ALL_ROLES)
def entries():
    form = EntryFilterForm(request.args)
    ctx = {"form": form, "page": None, "queue": 0}
    if current_user.is_centre or current_user.is_unit_user:
        ctx["page"] = db.paginate(_entries_stmt(form), page=max(form.page.data or 1, 1),
                                  per_page=current_app.config["PAGE_SIZE"], error_out=False)
        ctx["queue"] = queries.review_queue_count(current_user)
        ctx["units"] = queries.all_units() if current_user.is_centre else []
        ctx["today"] = now().date()
    if wants_fragment() and request.headers.get("HX-Target") == "kb-entries":
        return render_template("knowledge/_entries.html", **ctx)
    return render_template("knowledge/page.html", **ctx)


@bp.get("/search")
@roles(*ALL_ROLES)
def search_entries():
    query, hits = search.search(request.args.get("q", ""))
    pick = request.args.get("pick") == "1"
    return render_page_or_fragment("knowledge/search.html", "knowledge/_search_results.html",
                                   query=query, hits=hits, pick=pick, today=now().date())


def _entry_or_404(entry_id: int, *, for_update: bool = False) -> KBEntry:
    return get_scoped_or_404(KBEntry, entry_id, current_user, for_update=for_update)


def _visible_or_404(entry_id: int) -> tuple[KBEntry, bool]:
    """The entry and whether the user sees all of it (own unit, centre) or only its published version."""
    entry, full = queries.visible_entry(current_user, entry_id)
    if entry is None:
        abort_zh(404, "条目不存在，或您无权查看。")
    return entry, full


@bp.get("/<int:entry_id>")
@roles(*ALL_ROLES)
def detail(entry_id: int):
    entry, full = _visible_or_404(entry_id)
    shown = entry.current_version if full else entry.published_version
    number = arg_int("v")
    if full and number:
        shown = next((v for v in entry.versions if v.number == number), shown)
    return render_template("knowledge/detail.html", entry=entry, full=full, shown=shown,
                           actions=services.actions_for(entry, current_user) if full else set(),
                           return_form=ReturnForm(), attach_form=AttachmentForm(), today=now().date())


@bp.route("/new", methods=["GET", "POST"])
@roles(*UNIT_ROLES)
def new():
    form = EntryForm()
    if form.validate_on_submit():
        first = first_result(form.once.data, "kb_new")
        if first:  # a repeated POST: the entry the first one created
            return redirect_after_post(url_for("knowledge.detail", entry_id=first))
        try:
            entry_id, _fresh = run_once(form.once.data, "kb_new", lambda: services.create_entry(
                current_user, current_user.unit_id, form.to_data(), submit=request.form.get("action") == "submit").id)
        except RuleViolation as exc:
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            entry = db.session.get(KBEntry, entry_id)
            flash("条目已报送中心审核。" if entry.status == EntryStatus.SUBMITTED else "条目已保存为草稿。", "success")
            return redirect_after_post(url_for("knowledge.detail", entry_id=entry.id))
    status = 422 if form.is_submitted() else 200
    return render_template("knowledge/form.html", form=form, entry=None), status


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@roles(*UNIT_ROLES)
def edit(entry_id: int):
    entry = _entry_or_404(entry_id, for_update=request.method == "POST")
    if request.method == "POST" and first_result(request.form.get("once", ""), "kb_edit") is not False:
        return redirect_after_post(url_for("knowledge.detail", entry_id=entry.id))  # a repeated POST
    if "edit" not in services.actions_for(entry, current_user):
        abort_zh(422, f"条目{entry.status.label}，不能修改。")
    form = EntryForm(version=entry.current_version)
    if form.validate_on_submit():
        def save():
            services.update_entry(current_user, entry, form.to_data())
            if request.form.get("action") == "submit":
                services.submit_entry(current_user, entry)
            return entry.id

        try:
            run_once(form.once.data, "kb_edit", save)
        except RuleViolation as exc:
            form.title.errors.append(exc.message)
        else:
            db.session.commit()
            flash("修改已报送中心审核。" if entry.status == EntryStatus.SUBMITTED else "修改已保存。", "success")
            return redirect_after_post(url_for("knowledge.detail", entry_id=entry.id))
    status = 422 if form.is_submitted() else 200
    return render_template("knowledge/form.html", form=form, entry=entry), status


def _done(message: str, url: str):
    db.session.commit()
    flash(message, "success")
    return redirect_after_post(url)


def _act(entry_id: int, action, message: str):
    entry = _entry_or_404(entry_id, for_update=True)
    action(entry)
    return _done(message, url_for("knowledge.detail", entry_id=entry.id))


@bp.post("/<int:entry_id>/submit")
@roles(*UNIT_ROLES)
def submit(entry_id: int):
    token = request.form.get("once", "")
    if token and first_result(token, "kb_submit") is not False:  # a double-click: submitted once already
        return _done("条目已报送中心审核。", url_for("knowledge.detail", entry_id=entry_id))
    if token:
        return _act(entry_id, lambda e: run_once(token, "kb_submit", lambda: services.submit_entry(current_user, e).id),
                    "条目已报送中心审核。")
    return _act(entry_id, lambda e: services.submit_entry(current_user, e), "条目已报送中心审核。")


@bp.post("/<int:entry_id>/retire")
@roles(*UNIT_ROLES, *CENTRE_ROLES)
def retire(entry_id: int):
    return _act(entry_id, lambda e: services.retire_entry(current_user, e), "条目已设为失效，不再提供检索。")


@bp.post("/<int:entry_id>/publish")
@roles(*CENTRE_ROLES)
def publish(entry_id: int):
    return _act(entry_id, lambda e: services.publish_entry(current_user, e), "条目已发布。")


@bp.post("/<int:entry_id>/return")
@roles(*CENTRE_ROLES)
def return_entry(entry_id: int):
    entry = _entry_or_404(entry_id, for_update=True)
    form = ReturnForm()
    if not form.validate_on_submit():
        return render_template("knowledge/_return_form.html", entry=entry, return_form=form), 422
    services.return_entry(current_user, entry, form.reason.data)
    return _done("条目已退回单位。", url_for("knowledge.entries"))


@bp.post("/<int:entry_id>/delete")
@roles(*UNIT_ROLES)
def delete(entry_id: int):
    entry = _entry_or_404(entry_id, for_update=True)
    stored = services.delete_draft(current_user, entry)
    response = _done("草稿已删除。", url_for("knowledge.entries"))
    attachments.remove_files(stored)
    return response


@bp.post("/<int:entry_id>/attachments")
@roles(*UNIT_ROLES)
def upload_attachment(entry_id: int):
    entry = _entry_or_404(entry_id, for_update=True)
    form = AttachmentForm()
    if not form.validate_on_submit():
        abort_zh(422, "；".join(form.file.errors) or "请选择要上传的附件。")
    attachments.save(current_user, entry, form.file.data)
    return _done("附件已上传。", url_for("knowledge.detail", entry_id=entry.id))


@bp.get("/attachments/<int:attachment_id>")
@roles(*ALL_ROLES)
def attachment(attachment_id: int):
    item = db.session.get(KBAttachment, attachment_id)
    if item is None:
        abort_zh(404, "附件不存在，或您无权查看。")
    entry, full = _visible_or_404(item.entry_id)  # same rule as the entry: own unit, centre, or published
    if item not in entry.attachments_for(full):
        abort_zh(404, "附件不存在，或您无权查看。")  # a file still waiting for review
    path = attachments.path_of(item)
    if not path.exists():
        abort_zh(404, "附件文件已不存在。")
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.filename)


@bp.get("/import/template.xlsx")
@roles(*UNIT_ROLES)
def import_template():
    from io import BytesIO

    return send_file(BytesIO(imports.template_bytes()), as_attachment=True, download_name="知识库条目导入模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/import", methods=["GET", "POST"])
@roles(*UNIT_ROLES)
def import_entries():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = imports.import_entries(current_user, current_user.unit_id, upload.read(), upload.filename,
                                            submit=form.submit_now.data,
                                            create_categories=form.create_categories.data)
        except ImportFailed as exc:
            errors = [exc.message]
        else:
            errors = result.errors.lines()
        if errors:
            db.session.rollback()
        else:
            db.session.commit()
            made = (f"新建类目 {len(result.new_categories)} 个：{'、'.join(result.new_categories)}。"
                    if result.new_categories else "")
            flash(f"已导入 {len(result.entries)} 个条目" + ("并报送中心审核。" if form.submit_now.data else "（草稿）。")
                  + made, "success")
            return redirect_after_post(url_for("knowledge.entries"))
    elif form.is_submitted():
        errors = list(form.file.errors)
    status = 422 if errors else 200
    return render_page_or_fragment("knowledge/import.html", "knowledge/_import_form.html",
                                   form=form, errors=errors), status

