"""`flask units ...`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.imports.tabular import ImportFailed

units_cli = AppGroup("units", help="承办单位 / units.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import units from CSV (UTF-8/GBK) or XLSX: 单位全称,简称,分组,排序[,别名,牵头负责人,负责人手机]."""
    from portal.units.importing import import_units

    try:
        outcome = import_units(file.read_bytes(), file.name, actor=None, dry_run=dry_run)
    except ImportFailed as exc:
        db.session.rollback()
        click.echo(f"导入失败：{exc.message}", err=True)
        sys.exit(1)
    if outcome.errors:
        db.session.rollback()
        click.echo(f"导入失败：共 {len(outcome.errors)} 处错误，未写入任何数据。", err=True)
        for line in outcome.errors.lines():
            click.echo(line, err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(outcome.summary)
