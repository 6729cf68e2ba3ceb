"""What the browser tests check on every page: nothing wider than the screen, no title broken one
character per line, and axe-core's accessibility rules (0 serious or critical violations)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pyotp
from sqlalchemy import update

from portal.auth.models import User
from portal.auth.roles import SECOND_FACTOR_ROLES
from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, NAMED_ACCOUNTS
from portal.extensions import db

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = {"desk": DESK, "phone": PHONE}

# Elements whose text wraps one character per line: at least 3 characters, narrower than 2 characters.
_SQUEEZED = """() => {
  const out = [];
  for (const el of document.querySelectorAll('main h1, main h2, main th, main td, main a, main .btn, nav a, nav .btn, main .badge')) {
    const text = (el.innerText || '').trim();
    if (text.length < 3 || el.offsetParent === null) continue;
    const size = parseFloat(getComputedStyle(el).fontSize) || 16;
    const rect = el.getBoundingClientRect();
    if (rect.width > 0 && rect.width < 2.2 * size && rect.height > 2.5 * size) out.push(text.slice(0, 20));
  }
  // The navigation's short labels (首页, 消息, 修改密码, 退出) stay on one line.
  for (const el of document.querySelectorAll('nav a, nav .btn, nav [data-testid="whoami"]')) {
    const text = (el.innerText || '').trim();
    if (!text || el.offsetParent === null || text.length > 16) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
    if (!rects.length) continue;
    // A badge beside the label is a little taller than the text; a second line is a whole line lower.
    const top = Math.min(...rects.map(r => r.top)), bottom = Math.max(...rects.map(r => r.bottom));
    const size = parseFloat(getComputedStyle(el).fontSize) || 16;
    if (bottom - top > 2.4 * size) out.push('nav: ' + text);
  }
  return out;
}"""
# Elements that stick out of the viewport on the right (the usual culprit when the page scrolls sideways).
_WIDE = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      let scroller = el.parentElement, clipped = false;
      while (scroller && scroller !== document.body) {
        const o = getComputedStyle(scroller).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
        scroller = scroller.parentElement;
      }
      if (!clipped) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
    }
  }
  return out.slice(0, 5);
}"""


def layout_problems(page) -> list[str]:
    """Sideways scrolling of the whole page, and text squeezed one character per line."""
    problems = []
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"page is {scroll}px wide on a {inner}px screen: {page.evaluate(_WIDE)}")
    squeezed = page.evaluate(_SQUEEZED)
    if squeezed:
        problems.append(f"one character per line: {squeezed[:5]}")
    return problems


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page (injected by the test, never served)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate() is not subject to the page's CSP
    result = page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' +
             (n.any[0] && n.any[0].message || '')).join(' | '));
    }""")
    return result


def main_pages(page) -> list[str]:
    """The navigation's links: every main page this user has."""
    return page.eval_on_selector_all('[data-testid="nav"] a.nav-link', "els => els.map(e => e.getAttribute('href'))")


# The demo accounts that sign in with a second factor (the demo secret).
SECOND_STEP_ACCOUNTS = frozenset(u for u, _n, role, _u, _m in NAMED_ACCOUNTS if role in SECOND_FACTOR_ROLES)
# The live app (set by conftest): before each demo login the harness forgets the account's last used code
# step, so one account can sign in many times within 30 s. Replay protection is tested without this
# (tests/auth/test_second_factor.py, test_second_factor_journey.py).
LIVE_APP = None


def pass_second_step(page, username: str) -> None:
    """Answer the login's second step with the demo secret's current code."""
    page.wait_for_url("**/login/second-factor")
    with LIVE_APP.app_context():
        db.session.execute(update(User).where(User.username == username).values(totp_last_step=None))
        db.session.commit()
    page.get_by_label("动态口令").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="验证并登录").click()


def fill_login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Fill and send the login form the page shows (and the second step for a centre account)."""
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if username in SECOND_STEP_ACCOUNTS and password == DEMO_PASSWORD:
        pass_second_step(page, username)


@contextmanager
def logged_in(browser, base_url: str, username: str, size: str):
    """A fresh browser context of the given size, logged in as a demo account, on its home page."""
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/login")
        fill_login(page, username)
        page.wait_for_url(f"{base_url}/")
        yield page
    finally:
        context.close()


def switch_user(page, login, username: str, password: str | None = None) -> None:
    """Log in as someone else in the same browser. The old page is left first: a poll it sent just before
    (the notification badge) could otherwise answer after the cookies are cleared and set its session again."""
    page.goto("about:blank")
    page.context.clear_cookies()
    login(username) if password is None else login(username, password)
