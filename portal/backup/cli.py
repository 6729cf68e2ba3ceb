"""`flask --app wsgi backup --out FILE` and `flask --app wsgi restore FILE --yes`."""
from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.backup.services import BackupError, backup, restore
from portal.extensions import db

log = logging.getLogger("portal.backup")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file (SQLite: a database file; PostgreSQL: pg_dump custom format).")
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the live database to FILE (safe while the portal runs)."""
    _run("backup", backup, out)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database with the backup FILE. Stop the portal (every server) first."""
    if not yes:
        click.confirm("将用备份覆盖当前数据库的全部数据（请先停止所有门户服务）。确定继续？", abort=True)
    db.session.remove()
    db.engine.dispose()  # no connection of ours stays open on the database being replaced
    _run("restore", restore, file)


def _run(what: str, action, path: Path) -> None:
    """Run backup() or restore() on the app's database; a failure is a Chinese message and exit status 1."""
    try:
        message = action(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        log.error("%s failed: %s", what, exc)
        raise click.ClickException(str(exc)) from exc
    (log.warning if what == "restore" else log.info)("%s done: %s", what, path)
    click.echo(message)
