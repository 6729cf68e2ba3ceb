"""`flask circular render`: the draft circular of a period, as PDF, DOCX or XLSX."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.clock import now

circular_cli = AppGroup("circular", help="通报 / circulars.")

FORMATS = {".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx"}


def _as_of(value: str | None) -> datetime:
    if not value:
        return now()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise click.BadParameter("格式应为 YYYY-MM-DD HH:MM[:SS]。", param_hint="--as-of")


@circular_cli.command("render")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="开始日期 YYYY-MM-DD")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="结束日期 YYYY-MM-DD")
@click.option("--as-of", "as_of", default=None, help="统计截止时间 YYYY-MM-DD HH:MM[:SS]，默认现在")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件；格式由扩展名决定：.pdf .docx .xlsx")
def render(start: datetime, end: datetime, as_of: str | None, out: Path) -> None:
    """Render the draft circular of a period (nothing is saved)."""
    from portal.circulars import document, drafting, outputs, services, snapshot

    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise click.BadParameter("扩展名须为 .pdf、.docx 或 .xlsx。", param_hint="--out")
    moment = _as_of(as_of)
    if end.date() < start.date():
        raise click.BadParameter("结束日期不能早于开始日期。", param_hint="--to")
    snap = snapshot.build(start.date(), end.date(), moment)
    doc = document.build(
        snap, title=drafting.default_title(start.date(), end.date()), doc_number="",
        issuer=services.issuer_default(), addressee_line=drafting.DEFAULT_ADDRESSEES,
        texts=drafting.draft_all(snap, None), issue_date=moment.date(), cc=drafting.DEFAULT_CC,
    )
    out.write_bytes(outputs.render(doc, fmt))
    click.echo(f"已生成 {out}（{fmt.upper()}，工单 {snap['totals']['total']} 件，统计截止 {moment:%Y-%m-%d %H:%M:%S}）")
