"""事项分类 page (ADMIN): the tree, add, edit (rename, move, reorder), retire, reactivate, import."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user

from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.imports.runner import upload_import
from portal.orders.models import Subject
from portal.subjects import queries, services
from portal.subjects.forms import SubjectForm, SubjectImportForm
from portal.subjects.importing import OPTIONAL, REQUIRED, import_subjects
from portal.web.access import roles
from portal.web.errors import abort_zh
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment

bp = Blueprint("subjects", __name__, url_prefix="/settings/subjects")


def _subject_or_404(subject_id: int) -> Subject:
    subject = db.session.get(Subject, subject_id)
    if subject is None:
        abort_zh(404, "该事项分类不存在。")
    return subject


def _new_form() -> SubjectForm:
    form = SubjectForm(formdata=None)
    form.set_parents(queries.first_level())
    return form


def _refused(exc: RuleViolation, form: SubjectForm | None = None):
    db.session.rollback()
    return _page(form or _new_form(), notice=exc.message, level="danger", status=422)


def _page(form: SubjectForm, notice: str | None = None, level: str = "success", status: int = 200):
    nodes, counts = queries.tree()
    return render_page_or_fragment("subjects/page.html", "subjects/_tree.html", form=form, nodes=nodes,
                                   counts=counts, notice=notice, level=level), status


@bp.get("/")
@roles(Role.ADMIN)
def index():
    return _page(_new_form())


@bp.post("/")
@roles(Role.ADMIN)
def create():
    form = SubjectForm()
    form.set_parents(queries.first_level())
    if not form.validate_on_submit():
        return _page(form, status=422)
    parent = db.session.get(Subject, form.parent_id.data) if form.parent_id.data else None
    try:
        subject = services.add_subject(current_user, form.name.data, parent, form.display_order.data)
    except RuleViolation as exc:
        return _refused(exc, form)
    db.session.commit()
    return _page(_new_form(), notice=f"已新增事项分类“{subject.path}”。")


@bp.route("/<int:subject_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(subject_id: int):
    subject = _subject_or_404(subject_id)
    posted = request.method == "POST"
    form = SubjectForm() if posted else SubjectForm(obj=subject)
    form.set_parents(queries.first_level(), excluding=subject)
    if not posted:
        form.parent_id.data = subject.parent_id or 0
        return render_page_or_fragment("subjects/edit.html", "subjects/_edit.html", form=form, subject=subject)
    if not form.validate_on_submit():
        return render_page_or_fragment("subjects/edit.html", "subjects/_edit.html", form=form, subject=subject), 422
    parent = db.session.get(Subject, form.parent_id.data) if form.parent_id.data else None
    order = subject.display_order if form.display_order.data is None else form.display_order.data
    try:
        changes = services.update_subject(current_user, subject, name=form.name.data, parent=parent,
                                          display_order=order)
    except RuleViolation as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, exc.message]
        return render_page_or_fragment("subjects/edit.html", "subjects/_edit.html", form=form, subject=subject), 422
    db.session.commit()
    notice = f"已保存“{subject.path}”：{'；'.join(changes)}。" if changes else "没有变化。"
    if wants_fragment():
        return _page(_new_form(), notice=notice)
    return redirect_after_post(url_for("subjects.index"))


@bp.post("/<int:subject_id>/retire")
@roles(Role.ADMIN)
def retire(subject_id: int):
    subject = _subject_or_404(subject_id)
    try:
        retired = services.retire(current_user, subject)
    except RuleViolation as exc:
        return _refused(exc)
    db.session.commit()
    names = "、".join(s.name for s in retired)
    return _page(_new_form(), notice=f"已停用：{names}。已有工单和统计仍保留这些分类，新建工单时不再可选。")


@bp.post("/<int:subject_id>/reactivate")
@roles(Role.ADMIN)
def reactivate(subject_id: int):
    subject = _subject_or_404(subject_id)
    try:
        services.reactivate(current_user, subject)
    except RuleViolation as exc:
        return _refused(exc)
    db.session.commit()
    return _page(_new_form(), notice=f"已启用“{subject.path}”。")


@bp.route("/import", methods=["GET", "POST"])
@roles(Role.ADMIN)
def import_page():
    form = SubjectImportForm()
    context = {"form": form, "required": REQUIRED, "optional": OPTIONAL, "outcome": None, "failure": None}
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        context["outcome"], context["failure"], status = upload_import(
            lambda: import_subjects(upload.read(), upload.filename or "", current_user, dry_run=form.dry_run.data),
            dry_run=form.dry_run.data)
    elif form.is_submitted():
        status = 422
    return render_page_or_fragment("subjects/import.html", "subjects/_import.html", **context), status
