"""`flask calls ...`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.imports.runner import Result, cli_import

calls_cli = AppGroup("calls", help="来电 / calls.")


@calls_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    """Import calls exported by the telephone system (CSV or XLSX); all rows or none."""
    from portal.calls.imports import import_calls
    from portal.calls.models import CallOutcome

    def run() -> Result:
        count, by_outcome, errors = import_calls(file.read_bytes(), file.name)
        return Result(errors, f"已导入 {count} 条来电：直接答复 {by_outcome[CallOutcome.DIRECT]} 条，"
                              f"形成工单 {by_outcome[CallOutcome.ORDER]} 条。")

    cli_import(run)
