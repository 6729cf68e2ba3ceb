"""Circular outputs at city scale (issue 14): PDF, DOCX and XLSX of a circular with 48 and 500 units,
against reportlab drawing the same attachment table alone (same fonts, same style, no text pages).

Targets: PDF with 500 units within 3x of reportlab's table alone and under 300 ms with 48 units; DOCX
with 500 units under 1 s. Median of 5 runs after one warm-up (fonts are registered once per process).
Run: .venv/bin/python benchmarks/circular_bench.py  (or `make bench`); appends a section to RESULTS.md.
"""
from __future__ import annotations

import io
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import portal_bench  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
RUNS = 5


def timed(fn, runs: int = RUNS) -> tuple[float, float]:
    """Median wall time and median CPU time of the process, in ms. On a shared machine the CPU time is
    what the work costs; the wall time includes waiting for a core."""
    fn()  # warm-up: fonts load once per process
    cpu = []

    def counted():
        start = time.process_time()
        fn()
        cpu.append((time.process_time() - start) * 1000)

    return portal_bench.timed(counted, runs), statistics.median(cpu)


def snapshot(units: int) -> dict:
    """The seed's snapshot, or one with `units` synthetic rows (long and short names, some overdue)."""
    from tests.circulars.snapshots import row, seed_snapshot

    snap = seed_snapshot()
    if units == len(snap["units"]):
        return snap
    rows = []
    for i in range(1, units + 1):
        total = 5 + (i * 37) % 400
        overdue = i % 7
        name = ("市" + "某某" * (i % 5) + f"第{i}局")[:11]
        rows.append(row(name, total, [total - 10, 4, 3, 1, 1, 1], total - overdue - 2, 2, overdue,
                        f"{round(100 * (total - overdue - 2) / total)}%", unit_id=i, order=i))
    snap["units"] = rows
    return snap


def main() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from portal import create_app
    from portal.circulars import drafting, fonts, outputs, render_pdf
    from portal.circulars.document import build

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "bench", "TESTING": True})
    rows: list[tuple[str, tuple[float, float]]] = []
    ratio = {}
    with app.app_context():
        for units in (48, 500):
            snap = snapshot(units)
            doc = build(snap, title=drafting.default_title(date(2018, 8, 1), date(2018, 8, 31)), doc_number="",
                        issuer=drafting.DEFAULT_ISSUER, addressee_line=drafting.DEFAULT_ADDRESSEES,
                        texts=drafting.draft_all(snap, date(2018, 10, 12)), issue_date=date(2018, 9, 29),
                        cc=drafting.DEFAULT_CC)

            def table_alone():
                layout = render_pdf.Layout(fonts.register(fonts.faces()))
                out = io.BytesIO()
                frame = Frame(render_pdf.LEFT, render_pdf.BOTTOM, render_pdf.BLOCK_W, render_pdf.BLOCK_H, id="f")
                template = BaseDocTemplate(out, pagesize=A4, initialFontName=layout.names["body"])
                template.addPageTemplates([PageTemplate(id="p", frames=[frame])])
                template.build([render_pdf.table(layout, doc)])

            base = timed(table_alone)
            pdf = timed(lambda: outputs.render(doc, "pdf"))
            ratio[units] = (pdf[0] / base[0], pdf[1] / base[1])
            rows += [(f"reportlab LongTable alone, {units} units", base), (f"circular PDF, {units} units", pdf),
                     (f"circular DOCX, {units} units", timed(lambda: outputs.render(doc, "docx"))),
                     (f"circular XLSX, {units} units", timed(lambda: outputs.render(doc, "xlsx")))]
    import docx
    import openpyxl
    import reportlab

    lines = [
        f"\n## circular_bench — {datetime.now():%Y-%m-%d %H:%M}, circular outputs (issue 14)\n",
        f"Python {platform.python_version()}, reportlab {reportlab.Version}, python-docx {docx.__version__ if hasattr(docx, '__version__') else '1.2.0'}, "
        f"openpyxl {openpyxl.__version__}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        f"(a machine shared with other work). Median of {RUNS} runs after a warm-up.\n",
        "| what | wall ms | CPU ms |", "|---|---:|---:|",
        *(f"| {name} | {wall:.1f} | {cpu:.1f} |" for name, (wall, cpu) in rows),
        "",
        f"PDF / reportlab table alone (wall; CPU): {ratio[48][0]:.2f}x; {ratio[48][1]:.2f}x at 48 units, "
        f"{ratio[500][0]:.2f}x; {ratio[500][1]:.2f}x at 500 units. Targets: within 3x at 500 units, under "
        "300 ms at 48; DOCX under 1 s at 500 units.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    with RESULTS.open("a") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
