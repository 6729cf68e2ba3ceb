"""`flask units ...`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.imports.runner import cli_import

units_cli = AppGroup("units", help="承办单位 / units.")


@units_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import units from CSV (UTF-8/GBK) or XLSX: 单位全称,简称,分组,排序[,别名,牵头负责人,负责人手机]."""
    from portal.units.importing import import_units

    cli_import(lambda: import_units(file.read_bytes(), file.name, actor=None, dry_run=dry_run), dry_run=dry_run)
