"""`flask --app wsgi calls import FILE` (attached to the calls group in portal/cli.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.imports.runner import Result, cli_import


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_calls_command(file: Path) -> None:
    """Import calls exported by the telephone system (CSV or XLSX); all rows or none."""
    from portal.call_import.importing import import_calls
    from portal.calls.models import CallOutcome

    def run() -> Result:
        count, by_outcome, errors = import_calls(file.read_bytes(), file.name)
        return Result(errors, f"已导入 {count} 条来电：直接答复 {by_outcome[CallOutcome.DIRECT]} 条，"
                              f"形成工单 {by_outcome[CallOutcome.ORDER]} 条。")

    cli_import(run)
