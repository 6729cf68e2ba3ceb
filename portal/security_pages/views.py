"""安全管理 pages: accounts with their roles, second factors and lockouts; the second-factor policy."""
from __future__ import annotations

from flask import Blueprint, flash, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal.auth import passwords
from portal.auth.models import User
from portal.auth.roles import ADMIN_ROLES, Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.security_pages import services
from portal.security_pages.forms import AccountSearchForm, AdminRolesForm, PolicyForm
from portal.auth.second_factor import policy
from portal.units.models import Unit
from portal.units.queries import paginate_select
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, render_page_or_fragment
from portal.web.pages import Notice, page_number, per_page, render_form, row_action
from portal.web.scoping import get_scoped_or_404

bp = Blueprint("security", __name__, url_prefix="/admin/security")


def _accounts(notice: Notice | None = None, status: int = 200):
    search = AccountSearchForm(request.values)
    stmt = (select(User).options(selectinload(User.duties))
            .order_by(User.unit_id.is_(None).desc(), User.role, User.username))
    q = (search.q.data or "").strip().lower()
    if q:
        stmt = stmt.where(or_(func.lower(User.username).contains(q, autoescape=True),
                              func.lower(User.name).contains(q, autoescape=True)))
    results = paginate_select(stmt, page_number(), per_page())
    locks = {u.id: services.locks(u) for u in results.items}
    return render_page_or_fragment("security/accounts.html", "security/_accounts.html", search=search,
                                   results=results, locks=locks, notice=notice,
                                   args={"q": q} if q else {},
                                   can_hold=services.can_hold_admin_roles), status


@bp.get("/")
@roles(Role.SECURITY_ADMIN)
def accounts():
    return _accounts()


def _account_action(user_id: int, action):
    return row_action(get_scoped_or_404(User, user_id, current_user), action, _accounts)


@bp.post("/<int:user_id>/reset-second-factor")
@roles(Role.SECURITY_ADMIN)
def reset_second_factor(user_id: int):
    def act(user):
        services.reset_second_factor(current_user, user)
        return Notice(f"已重置 {user.name}（{user.username}）的两步验证，其登录会话已全部失效；下次登录时须重新绑定。")

    return _account_action(user_id, act)


@bp.post("/<int:user_id>/unlock")
@roles(Role.SECURITY_ADMIN)
def unlock(user_id: int):
    def act(user):
        services.unlock(current_user, user)
        return Notice(f"已解除 {user.name}（{user.username}）的账号锁定。")

    return _account_action(user_id, act)


@bp.route("/<int:user_id>/roles", methods=["GET", "POST"])
@roles(Role.SECURITY_ADMIN)
def admin_roles(user_id: int):
    user = get_scoped_or_404(User, user_id, current_user)
    form = AdminRolesForm()
    if not form.is_submitted():
        form.roles.data = [r.value for r in user.roles if r in ADMIN_ROLES]
    if form.validate_on_submit():
        try:
            services.set_admin_roles(current_user, user, [Role(v) for v in form.roles.data or []])
        except RuleViolation as exc:
            db.session.rollback()
            form.roles.errors.append(exc.message)
        else:
            db.session.commit()
            flash(f"{user.name} 现在的角色：{user.roles_label}。其登录会话已失效，重新登录后生效。", "success")
            return redirect_after_post(url_for("security.accounts", q=user.username))
    return render_form(form, title=f"管理员角色：{user.name}（{user.username}）",
                       action=url_for("security.admin_roles", user_id=user_id), submit="保存",
                       cancel=url_for("security.accounts"), status=422 if form.is_submitted() else 200,
                       intro="三权分立：系统管理员管理单位、用户和业务设置；安全管理员管理角色、两步验证、账号锁定和安全策略；"
                             "审计管理员只查看和导出审计日志。人手少的中心可由一人兼任。不选任何角色即改为中心工作人员。")


def _policy_form(formdata=None) -> PolicyForm:
    form = PolicyForm(formdata=formdata)
    units = list(db.session.scalars(select(Unit).order_by(Unit.display_order, Unit.id)))
    form.units.choices = [SelectChoice(u.id, u.short_name) for u in units]
    if formdata is None:
        form.for_all.data = policy().second_factor_for_all
        form.units.data = [u.id for u in units if u.second_factor_required]
    return form


def _policy_page(form, status: int = 200):
    rules = {"min_length": passwords.MIN_LENGTH, "max_length": passwords.MAX_LENGTH}
    return render_page_or_fragment("security/policy.html", "security/_policy.html", form=form, rules=rules), status


@bp.route("/policy", methods=["GET", "POST"])
@roles(Role.SECURITY_ADMIN)
def policy_page():
    if request.method == "GET":
        return _policy_page(_policy_form())
    form = _policy_form(request.form)
    if not form.validate():
        return _policy_page(form, 422)
    services.save_policy(current_user, for_all=form.for_all.data, unit_ids=form.units.data or [])
    db.session.commit()
    flash("安全策略已保存。", "success")
    return redirect_after_post(url_for("security.policy_page"))
