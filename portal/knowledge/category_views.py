"""知识库类目 page (centre): the list, add, edit (rename, reorder), retire, reactivate."""
from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from portal.auth.roles import CENTRE_ROLES
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import categories
from portal.knowledge.blueprint import bp
from portal.knowledge.forms import CategoryForm
from portal.knowledge.models import KBCategory
from portal.web.access import roles
from portal.web.errors import abort_zh
from portal.web.htmx import redirect_after_post, render_page_or_fragment, wants_fragment


def _category_or_404(category_id: int) -> KBCategory:
    category = db.session.get(KBCategory, category_id)
    if category is None:
        abort_zh(404, "该类目不存在。")
    return category


def _page(form: CategoryForm | None = None, notice: str | None = None, level: str = "success", status: int = 200):
    return render_page_or_fragment(
        "knowledge/categories.html", "knowledge/_categories.html", form=form or CategoryForm(formdata=None),
        items=categories.all_categories(), counts=categories.entry_counts(), notice=notice, level=level), status


def _refused(exc: RuleViolation, form: CategoryForm | None = None):
    db.session.rollback()
    return _page(form, notice=exc.message, level="danger", status=422)


@bp.get("/categories")
@roles(*CENTRE_ROLES)
def categories_page():
    return _page()


@bp.post("/categories")
@roles(*CENTRE_ROLES)
def create_category():
    form = CategoryForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        category = categories.add_category(current_user, form.name.data, form.display_order.data)
    except RuleViolation as exc:
        return _refused(exc, form)
    db.session.commit()
    return _page(notice=f"已新增类目“{category.name}”。")


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@roles(*CENTRE_ROLES)
def edit_category(category_id: int):
    category = _category_or_404(category_id)
    posted = request.method == "POST"
    form = CategoryForm() if posted else CategoryForm(obj=category)
    if not posted or not form.validate_on_submit():
        return render_page_or_fragment("knowledge/category_edit.html", "knowledge/_category_edit.html", form=form,
                                       category=category), 422 if posted else 200
    order = category.display_order if form.display_order.data is None else form.display_order.data
    try:
        changes = categories.update_category(current_user, category, name=form.name.data, display_order=order)
    except RuleViolation as exc:
        db.session.rollback()
        form.name.errors = [*form.name.errors, exc.message]
        return render_page_or_fragment("knowledge/category_edit.html", "knowledge/_category_edit.html", form=form,
                                       category=category), 422
    db.session.commit()
    notice = f"已保存类目“{category.name}”：{'；'.join(changes)}。" if changes else "没有变化。"
    if wants_fragment():
        return _page(notice=notice)
    return redirect_after_post(url_for("knowledge.categories_page"))


def _set_active(category_id: int, active: bool, notice: str):
    category = _category_or_404(category_id)
    try:
        categories.set_active(current_user, category, active)
    except RuleViolation as exc:
        return _refused(exc)
    db.session.commit()
    return _page(notice=notice.format(name=category.name))


@bp.post("/categories/<int:category_id>/retire")
@roles(*CENTRE_ROLES)
def retire_category(category_id: int):
    return _set_active(category_id, False, "已停用类目“{name}”。已有条目仍保留该类目，新建条目时不再可选。")


@bp.post("/categories/<int:category_id>/reactivate")
@roles(*CENTRE_ROLES)
def reactivate_category(category_id: int):
    return _set_active(category_id, True, "已启用类目“{name}”。")
