"""Regenerate the screenshots of docs/user-guide.md: each role's day on a desk (1366×768) and a phone (390×844).

    make user-guide        (or: .venv/bin/python docs/user_guide.py)

Builds a throwaway SQLite database with the demo (as `make run` does), serves the app on 127.0.0.1 in a
thread, and drives Debian's chromium with Playwright (never `playwright install`). The PNGs are reduced to a
256-colour palette so the whole set stays small enough to keep in the repository.
"""
from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "user-guide"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
SIZES = {"desk": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

# (file stem, username, path or None for the first order of the list, what the picture shows)
SHOTS = [
    ("staff-home", "zhongxin", "/", "中心工作人员的首页：待派单、审核、逾期"),
    ("staff-queues", "zhongxin", "/orders/queues?tab=replies", "工单中心 · 回复审核"),
    ("staff-stats", "zhongxin", "/stats/", "统计分析"),
    ("operator-home", "huawu", "/", "话务员的首页：今日来电与待建工单"),
    ("operator-console", "huawu", "/calls/", "来电登记与知识库检索"),
    ("leader-home", "hanbin_leader", "/", "单位负责人的首页：待审批退单"),
    ("leader-roster", "hanbin_leader", "/unit/roster", "本单位人员"),
    ("liaison-home", "hanbin", "/", "联络员的首页：待签收、即将到期、已逾期、督办"),
    ("liaison-orders", "hanbin", "/orders/mine?tab=to_sign", "我的工单 · 待签收"),
    ("liaison-order", "hanbin", None, "工单页面：签收、回复、延期、退单"),
]


def build_app(root: Path):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo.loader import load_demo
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'guide.sqlite3'}", "SECRET_KEY": "user-guide",
                      "RATELIMIT_ENABLED": False, "UPLOAD_FOLDER": str(root / "uploads")})
    with app.app_context():
        upgrade()
        load_demo(echo=lambda *_: None)
        db.session.remove()
    return app


def second_step(app, page, username: str) -> None:
    """The demo's centre accounts: a code of the demo secret (the step used last is forgotten first, so the
    same account can sign in again for the next size within 30 seconds)."""
    import pyotp
    from sqlalchemy import update

    from portal.auth.models import User
    from portal.demo.accounts import DEMO_TOTP_SECRET
    from portal.extensions import db

    with app.app_context():
        db.session.execute(update(User).where(User.username == username).values(totp_last_step=None))
        db.session.commit()
    page.get_by_label("动态口令").fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
    page.get_by_role("button", name="验证并登录").click()


def shrink(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main() -> int:
    import logging

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from portal.demo.accounts import DEMO_PASSWORD

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for size, viewport in SIZES.items():
                    for username in dict.fromkeys(s[1] for s in SHOTS):
                        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
                        page = context.new_page()
                        page.goto(f"{base}/login")
                        page.get_by_label("用户名").fill(username)
                        page.get_by_label("密码").fill(DEMO_PASSWORD)
                        page.get_by_role("button", name="登录").click()
                        page.wait_for_load_state("networkidle")
                        if page.url.endswith("/login/second-factor"):
                            second_step(app, page, username)
                        page.wait_for_url(f"{base}/")
                        for stem, who, path, _caption in SHOTS:
                            if who != username:
                                continue
                            if path is None:
                                page.goto(f"{base}/orders/mine?tab=working")
                                path = page.locator('[data-testid="order-row"] a').first.get_attribute("href")
                            page.goto(base + path)
                            page.wait_for_load_state("networkidle")
                            page.wait_for_timeout(1200)  # let the charts finish their animation
                            target = OUT / f"{stem}-{size}.png"
                            page.screenshot(path=str(target), full_page=False)
                            shrink(target)
                            print(target.relative_to(ROOT))
                        context.close()
                browser.close()
        finally:
            server.shutdown()
    total = sum(f.stat().st_size for f in OUT.glob("*.png"))
    print(f"{len(list(OUT.glob('*.png')))} screenshots, {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
