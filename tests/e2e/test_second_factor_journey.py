"""The second factor in a browser: enrol at the first login (QR and secret drawn by the server), log out,
log in with a code computed from the page's own secret, then with a recovery code, which works only once."""
from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from portal.auth.models import User
from portal.auth.roles import Role
from portal.extensions import db

PASSWORD = "Zweiter-Faktor-2026"


def _account(app) -> None:
    with app.app_context():
        user = User(username="e2e_2fa", name="两步验证测试", role=Role.CENTRE_STAFF, unit=None,
                    must_change_password=False)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()


def _password_step(page, base_url):
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill("e2e_2fa")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/login/second-factor")


def _log_out(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_enrol_then_log_in_with_a_code_and_with_a_recovery_code_once(live_app, page, base_url):
    _account(live_app)
    _password_step(page, base_url)
    # Half logged in: another page sends back to the login.
    page.goto(f"{base_url}/orders/queues")
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto(f"{base_url}/login/second-factor")
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the browser drew it (CSP allows data: images)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("动态口令").fill(totp.now())
    page.get_by_role("button", name="绑定并登录").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("两步验证测试")
    _log_out(page)

    # The next code (the enrolment used this step's): accepted once.
    _password_step(page, base_url)
    page.get_by_label("动态口令").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("两步验证测试")
    _log_out(page)

    _password_step(page, base_url)
    page.get_by_label("动态口令").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_text("已使用一个恢复码")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_contain_text("两步验证测试")
    _log_out(page)

    _password_step(page, base_url)
    page.get_by_label("动态口令").fill(codes[0])
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_text("动态口令或恢复码不正确，或已使用过")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/second-factor"))
