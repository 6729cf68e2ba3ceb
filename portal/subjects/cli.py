"""`flask --app wsgi subjects import FILE [--dry-run]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.imports.runner import cli_import

subjects_cli = AppGroup("subjects", help="事项分类 / subjects.")


@subjects_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import subjects from CSV (UTF-8/GBK) or XLSX: 一级分类,二级分类[,排序]."""
    from portal.subjects.importing import import_subjects

    cli_import(lambda: import_subjects(file.read_bytes(), file.name, actor=None, dry_run=dry_run), dry_run=dry_run)
