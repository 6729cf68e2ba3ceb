"""`flask --app wsgi orders import FILE [--dry-run]` (attached to the orders group in portal/cli.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.imports.runner import cli_import


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
@click.option("--create-subjects", is_flag=True, help="Create the 事项分类 the file names that do not exist yet.")
@with_appcontext
def import_orders_command(file: Path, dry_run: bool, create_subjects: bool) -> None:
    """Import orders from CSV (UTF-8/GBK) or XLSX: 工单编号,受理时间,诉求类型,标题,诉求内容[,…]."""
    from portal.order_import.importing import import_orders

    cli_import(lambda: import_orders(file.read_bytes(), file.name, actor=None, dry_run=dry_run,
                                     create_subjects=create_subjects), dry_run=dry_run)
