"""The second factor at login: enrolment, TOTP codes (replay refused), recovery codes, its own lockout."""
from __future__ import annotations

import re
import time
from datetime import datetime

import pyotp
import time_machine
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import second_factor
from portal.auth.models import RecoveryCode, SecurityPolicy, User
from portal.auth.roles import Role
from portal.extensions import db
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UnitFactory, UserFactory

STEP = "/login/second-factor"


def _password(client, username):
    return client.post("/login", data={"username": username, "password": TEST_PASSWORD})


def _events(name):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.id)))


def _enrol_secret(page: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


def test_an_administrator_without_a_second_factor_enrols_at_login_before_reaching_any_page(client):
    UserFactory(username="newadmin", role=Role.ADMIN, unit=None, totp_secret=None)
    resp = _password(client, "newadmin")
    assert resp.status_code == 302 and resp.location == STEP
    # Half logged in: every other page still sees an anonymous visitor.
    for url in ("/", "/admin/users", "/account/second-factor", "/password"):
        assert client.get(url).status_code == 302 and client.get(url).location.startswith("/login")
    page = client.get(STEP).text
    assert 'src="data:image/svg+xml' in page and "绑定并登录" in page
    secret = _enrol_secret(page)
    assert client.get(STEP).text.count(secret[:4]) >= 1  # the same secret until enrolment is confirmed
    wrong = client.post(STEP, data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert wrong.status_code == 422 and "动态口令不正确" in wrong.text
    assert db.session.scalar(select(User.totp_secret).where(User.username == "newadmin")) is None
    done = client.post(STEP, data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "只显示这一次" in done.text
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = db.session.scalar(select(User).where(User.username == "newadmin"))
    assert user.totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2") for h in stored)
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    assert client.get("/").status_code == 200
    assert [e.object_id for e in _events("second_factor.enrolled")] == [str(user.id)]


def test_a_code_is_accepted_once_and_from_the_neighbouring_steps_only(client):
    user = UserFactory(username="staff1", role=Role.CENTRE_STAFF, unit=None)
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    start = time.time()
    with time_machine.travel(start, tick=False):
        _password(client, "staff1")
        assert client.post(STEP, data={"code": totp.at(start - 120)}).status_code == 422  # 4 steps old
        assert client.post(STEP, data={"code": totp.at(start - 30)}).status_code == 302  # previous step: drift
        client.post("/logout")
        # The same code again (a replay), and any code of an earlier step: refused.
        _password(client, "staff1")
        replay = client.post(STEP, data={"code": totp.at(start - 30)})
        assert replay.status_code == 422 and "已使用过" in replay.text
        assert client.get("/").status_code == 302
        assert client.post(STEP, data={"code": totp.at(start)}).status_code == 302
    db.session.refresh(user)
    assert user.totp_last_step == totp.timecode(datetime.fromtimestamp(start))


def test_a_recovery_code_signs_in_once(client):
    user = UserFactory(username="admin2", role=Role.ADMIN, unit=None)
    codes = second_factor.new_recovery_codes(user)
    db.session.commit()
    _password(client, "admin2")
    resp = client.post(STEP, data={"code": codes[3].upper()})
    assert resp.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "已使用一个恢复码" in home.text and "还剩 9 个" in home.text
    client.post("/logout")
    _password(client, "admin2")
    again = client.post(STEP, data={"code": codes[3]})
    assert again.status_code == 422 and client.get("/").status_code == 302
    assert second_factor.recovery_codes_left(user) == 9
    assert [e.detail for e in _events("second_factor.ok")] == ["恢复码"]


def test_the_second_step_locks_like_the_login_with_its_own_purpose(client):
    UserFactory(username="admin3", role=Role.ADMIN, unit=None)
    _password(client, "admin3")
    for _ in range(5):
        resp = client.post(STEP, data={"code": "12345x"})
    assert resp.status_code == 429 and "已锁定至" in resp.text
    locked = client.post(STEP, data={"code": pyotp.TOTP(TEST_TOTP_SECRET).now()})
    assert locked.status_code == 429 and client.get("/").status_code == 302
    assert len(_events("second_factor.failed")) == 5 and _events("second_factor.locked")
    assert _events("second_factor.refused") and not _events("login.failed")


def test_the_half_login_expires_after_five_minutes(client):
    UserFactory(username="admin4", role=Role.ADMIN, unit=None)
    start = time.time()
    with time_machine.travel(start, tick=False):
        _password(client, "admin4")
    with time_machine.travel(start + 6 * 60, tick=False):
        resp = client.post(STEP, data={"code": pyotp.TOTP(TEST_TOTP_SECRET).now()})
        assert resp.status_code == 302 and resp.location == "/login"
        assert client.get("/").status_code == 302


def test_unit_people_use_it_when_their_unit_or_the_policy_says_so(client):
    unit = UnitFactory()
    UserFactory(username="liaison1", role=Role.LIAISON, unit=unit)
    UserFactory(username="op1", role=Role.OPERATOR, unit=None)
    assert _password(client, "liaison1").location == "/"
    client.post("/logout")
    unit.second_factor_required = True
    db.session.commit()
    assert _password(client, "liaison1").location == STEP
    assert "绑定并登录" in client.get(STEP).text
    other = client.application.test_client()
    assert _password(other, "op1").location == "/"
    other.post("/logout")
    db.session.add(SecurityPolicy(id=1, second_factor_for_all=True))
    db.session.commit()
    assert _password(other, "op1").location == STEP


def test_a_session_older_than_the_requirement_must_enrol_before_anything_else(client, login_as):
    user = login_as(Role.LIAISON)
    assert client.get("/").status_code == 200
    user.unit.second_factor_required = True
    db.session.commit()
    resp = client.get("/")
    assert resp.status_code == 302 and resp.location == "/account/second-factor"
    assert client.get("/orders/mine", headers={"HX-Request": "true"}).status_code == 403
    page = client.get("/account/second-factor")
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text
    secret = _enrol_secret(page.text)
    done = client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now(), "action": "enrol"})
    assert done.status_code == 200 and "只显示这一次" in done.text
    assert client.get("/").status_code == 200


def test_optional_second_factor_is_turned_off_with_a_code_and_a_required_one_is_not(client, login_as):
    user = login_as(Role.LIAISON, totp_secret=TEST_TOTP_SECRET)
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    wrong = client.post("/account/second-factor", data={"code": "000001", "action": "disable"})
    assert wrong.status_code == 422 and user.totp_secret == TEST_TOTP_SECRET
    assert client.post("/account/second-factor", data={"code": totp.now(), "action": "disable"}).status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None and _events("second_factor.removed")
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with client.session_transaction() as sess:
        sess["_user_id"] = staff.get_id()
    refused = client.post("/account/second-factor", data={"code": totp.now(), "action": "disable"})
    assert refused.status_code == 422 and "不能停用" in refused.text
    db.session.refresh(staff)
    assert staff.totp_secret == TEST_TOTP_SECRET


def test_cli_reset_is_audited_and_the_user_enrols_again(runner, client):
    user = UserFactory(username="onlysec", role=Role.SECURITY_ADMIN, unit=None)
    second_factor.new_recovery_codes(user)
    db.session.commit()
    result = runner.invoke(args=["users", "reset-2fa", "OnlySec"])
    assert result.exit_code == 0 and "已重置“onlysec”的两步验证" in result.output
    db.session.refresh(user)
    assert user.totp_secret is None and second_factor.recovery_codes_left(user) == 0
    (event,) = _events("second_factor.reset")
    assert event.username == "命令行" and event.object_id == str(user.id)
    assert runner.invoke(args=["users", "reset-2fa", "onlysec"]).exit_code == 1
    assert runner.invoke(args=["users", "reset-2fa", "nobody"]).exit_code == 1
    assert _password(client, "onlysec").location == STEP and "绑定并登录" in client.get(STEP).text
