"""Admin pages: users (list, create, edit, deactivate, reactivate, reset password)."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from portal.admin import services
from portal.admin.forms import UserForm, UserSearchForm
from portal.admin.blueprint import bp
from portal.web.pages import Notice, page_number, per_page, render_form, row_action
from portal.auth.models import User
from portal.auth.roles import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.units import queries
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.scoping import get_scoped_or_404


def _users_list(notice: Notice | None = None, status: int = 200):
    search = UserSearchForm(request.values)
    page = queries.search_users(q=search.q.data or "", role=search.role_value, unit_id=search.unit_id.data or None,
                                active=search.active.data or "", page=page_number(), per_page=per_page())
    args = {k: v for k, v in (("q", search.q.data), ("role", search.role_value),
                              ("unit_id", search.unit_id.data if (search.unit_id.data or 0) > 0 else None),
                              ("active", search.active.data)) if v}
    return render_page_or_fragment("admin/users.html", "admin/_users.html", search=search, results=page,
                                   args=args, notice=notice), status


@bp.get("/users")
@roles(Role.ADMIN)
def users():
    return _users_list()


def _user_data(form: UserForm) -> services.UserData:
    unit = db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None
    return services.UserData(username=form.username.data, name=form.name.data, mobile=form.mobile.data,
                             role=Role(form.role.data), unit=unit)


def _password_once(user: User, password: str, heading: str):
    return render_page_or_fragment("admin/password_once.html", "admin/_password_once.html", user=user,
                                   password=password, heading=heading, back=url_for("admin.users"))


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user():
    form = UserForm()
    if form.validate_on_submit():
        user, password = services.create_user(current_user, _user_data(form))
        db.session.commit()
        return _password_once(user, password, "账号已创建")
    return render_form(form, title="新增用户", action=url_for("admin.new_user"), submit="创建账号",
                       cancel=url_for("admin.users"), status=422 if form.is_submitted() else 200,
                       intro="创建后系统生成临时密码，只显示一次；用户首次登录须修改密码。")


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_user(user_id: int):
    user = get_scoped_or_404(User, user_id, current_user)
    form = UserForm(user=user)
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, _user_data(form))
        except RuleViolation as exc:
            db.session.rollback()
            form.role.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"已保存 {user.name} 的账号信息。", "success")
            return redirect_after_post(url_for("admin.users", q=user.username))
    return render_form(form, title=f"编辑用户：{user.name}（{user.username}）",
                       action=url_for("admin.edit_user", user_id=user_id), submit="保存",
                       cancel=url_for("admin.users"), status=422 if form.is_submitted() else 200)


def _user_action(user_id: int, action):
    return row_action(get_scoped_or_404(User, user_id, current_user), action, _users_list)


@bp.post("/users/<int:user_id>/deactivate")
@roles(Role.ADMIN)
def deactivate_user(user_id: int):
    def act(user):
        open_orders = services.deactivate_user(current_user, user)
        text = f"已停用 {user.name} 的账号，其登录会话已全部失效。"
        if open_orders:
            return Notice(text + f"注意：其仍是 {open_orders} 件未办结工单的经办人，请通知单位负责人移交。", "warning")
        return Notice(text)

    return _user_action(user_id, act)


@bp.post("/users/<int:user_id>/reactivate")
@roles(Role.ADMIN)
def reactivate_user(user_id: int):
    def act(user):
        services.reactivate_user(current_user, user)
        return Notice(f"已启用 {user.name} 的账号。")

    return _user_action(user_id, act)


@bp.post("/users/<int:user_id>/reset-password")
@roles(Role.ADMIN)
def reset_password(user_id: int):
    def act(user):
        password = services.reset_password(current_user, user)
        return Notice(f"已重置 {user.name}（{user.username}）的密码，其登录会话已全部失效。临时密码只显示这一次，"
                      "请当面或电话告知本人，登录后须立即修改：", "warning", secret=password)

    return _user_action(user_id, act)
