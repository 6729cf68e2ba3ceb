"""`flask users create-admin`: the first login of a fresh installation, without the demo."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db
from tests.factories import UserFactory


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.ADMIN)))


def test_creates_the_first_admin_from_stdin_who_can_log_in(runner, client):
    result = runner.invoke(args=["users", "create-admin", "zhangwei", "--name", "张伟"], input="Zhongxin2026\n")
    assert result.exit_code == 0, result.output
    assert "已创建管理员“zhangwei”（系统管理员、安全管理员、审计管理员）" in result.output
    (admin,) = _admins()
    assert (admin.name, admin.unit_id, admin.must_change_password) == ("张伟", None, False)
    assert admin.roles == {Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR}
    assert "Zhongxin2026" not in admin.password_hash and admin.check_password("Zhongxin2026")
    # The password leads to the second step, where the first administrator enrols the second factor.
    response = client.post("/login", data={"username": "zhangwei", "password": "Zhongxin2026"})
    assert response.status_code == 302 and response.location == "/login/second-factor"
    page = client.get("/login/second-factor").get_data(as_text=True)
    assert "绑定并登录" in page and 'src="data:image/svg+xml' in page


def test_refuses_when_an_active_admin_exists_and_changes_nothing(runner):
    UserFactory(role=Role.ADMIN, unit=None, username="admin")
    result = runner.invoke(args=["users", "create-admin", "second"], input="Zhongxin2026\n")
    assert result.exit_code == 1
    assert "已有系统管理员账号“admin”" in result.output
    assert [u.username for u in _admins()] == ["admin"]


def test_weak_password_and_bad_username_are_refused_with_the_portal_rules(runner):
    result = runner.invoke(args=["users", "create-admin", "zhangwei"], input="short1\n")
    assert result.exit_code == 1 and "密码至少 10 位" in result.output
    result = runner.invoke(args=["users", "create-admin", "zhangwei"], input="onlyletterspassword\n")
    assert result.exit_code == 1 and "至少三类" in result.output
    result = runner.invoke(args=["users", "create-admin", "张 伟"], input="Zhongxin2026\n")
    assert result.exit_code == 1 and "用户名为 3–50 位" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_password_is_never_an_argument(runner):
    result = runner.invoke(args=["users", "create-admin", "zhangwei", "--password", "Zhongxin2026"])
    assert result.exit_code == 2
    assert _admins() == []
