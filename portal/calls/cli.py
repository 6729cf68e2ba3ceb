"""`flask calls ...`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.imports.tabular import ImportFailed

calls_cli = AppGroup("calls", help="来电 / calls.")


@calls_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import calls exported by the telephone system (CSV or XLSX); all rows or none."""
    from portal.calls.imports import import_calls
    from portal.calls.models import CallOutcome

    try:
        count, by_outcome, errors = import_calls(file.read_bytes(), file.name)
    except ImportFailed as exc:
        db.session.rollback()
        click.echo(f"导入失败：{exc.message}", err=True)
        raise SystemExit(1) from exc
    if errors:
        db.session.rollback()
        click.echo(f"导入失败，共 {len(errors)} 处问题，未写入任何来电：", err=True)
        for line in errors.lines():
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)
    db.session.commit()
    click.echo(f"已导入 {count} 条来电：直接答复 {by_outcome[CallOutcome.DIRECT]} 条，"
               f"形成工单 {by_outcome[CallOutcome.ORDER]} 条。")
