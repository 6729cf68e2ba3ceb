"""What people feel: demo load, page latency, KB search, circular rendering; plus peak memory.

Builds the demo in a temporary SQLite database (as `make run` does), then times, with the test client
logged in as the demo accounts, the pages each role opens first. Appends a table to RESULTS.md.
Run: .venv/bin/python benchmarks/portal_bench.py  (or `make bench`).
"""
from __future__ import annotations

import platform
import resource
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from portal import create_app
from portal.extensions import db

RESULTS = Path(__file__).with_name("RESULTS.md")
RUNS = 5


def timed(fn, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def login(app, client, username: str) -> None:
    from portal.auth.models import User

    with app.app_context():
        session_id = db.session.scalars(db.select(User).where(User.username == username)).one().get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_id
        sess["_fresh"] = True


def main() -> None:
    from flask_migrate import upgrade

    from portal.circulars import document, drafting, outputs, services, snapshot
    from portal.demo.loader import load_demo
    from portal.knowledge.search import search

    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "UPLOAD_FOLDER": str(tmp / "uploads"), "RATELIMIT_ENABLED": False})
    rows: list[tuple[str, float]] = []
    with app.app_context():
        upgrade()
        start = time.perf_counter()
        load_demo(echo=lambda *_: None)
        rows.append(("demo load (66 units, 1,008 orders, 6,196 calls, 106 KB entries)", (time.perf_counter() - start) * 1000))
        db.session.remove()

    pages = [
        ("hanbin", "/", "liaison: home"),
        ("hanbin", "/orders/mine", "liaison: 我的工单"),
        ("hanbin", "/orders/mine?tab=closed", "liaison: 已办结 tab (239 orders, paged)"),
        ("zhongxin", "/orders/queues", "centre: 工单中心"),
        ("zhongxin", "/stats/?start=2018-08-01&end=2018-08-31&as_of=2018-09-29T12:00", "centre: dashboard, Aug 2018"),
        ("zhongxin", "/circulars/", "centre: 通报 list"),
        ("huawu", "/calls/", "operator: 来电登记"),
        ("huawu", "/knowledge/?q=低保", "operator: KB search page"),
    ]
    # Each request gets its own app context, as under gunicorn.
    for username, url, label in pages:
        client = app.test_client()
        login(app, client, username)
        status = client.get(url).status_code
        assert status == 200, (url, status)
        rows.append((f"GET {label}", timed(lambda u=url, c=client: c.get(u))))
    with app.app_context():
        for query in ("水", "低保", "公积金", "城乡低保如何申请", "小区周边垃圾清运不及时怎么办"):
            search(query)  # first call loads jieba's dictionary once per process
            rows.append((f"KB search “{query}” ({len(query)} chars)", timed(lambda q=query: search(q))))
        snap = snapshot.build(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12))
        rows.append(("circular snapshot (every figure, Aug 2018)",
                     timed(lambda: snapshot.build(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12)))))
        doc = document.build(snap, title=drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)), doc_number="",
                             issuer=services.issuer_default(), addressee_line=drafting.DEFAULT_ADDRESSEES,
                             texts=drafting.draft_all(snap, None), issue_date=date(2018, 9, 29), cc=drafting.DEFAULT_CC)
        for fmt in ("pdf", "docx", "xlsx"):
            outputs.render(doc, fmt)  # fonts load once per process
            rows.append((f"circular {fmt.upper()} render", timed(lambda f=fmt: outputs.render(doc, f), runs=3)))
        db.session.remove()
        db.engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        f"\n## portal_bench — {datetime.now():%Y-%m-%d %H:%M}, sqlite, the demo data set\n",
        f"Python {platform.python_version()} on {platform.machine()}; median of {RUNS} runs (renders: 3) "
        f"after one warm-up; peak RSS of the process {peak_mb:.0f} MB.\n",
        "| what | ms |", "|---|---:|",
        *[f"| {label} | {ms:.1f} |" for label, ms in rows],
    ]
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
