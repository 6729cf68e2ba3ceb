"""`flask audit prune`: remove audit rows past the retention period (never younger than 180 days)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete

from portal.audit.models import RETENTION_DAYS, AuditEvent
from portal.clock import now
from portal.extensions import db

audit_cli = AppGroup("audit", help="审计日志 / audit log.")


@audit_cli.command("prune")
@click.option("--days", type=int, default=365, show_default=True, help=f"Keep this many days (at least {RETENTION_DAYS}).")
def prune(days: int) -> None:
    """Delete audit rows older than --days days (refuses fewer than 180)."""
    if days < RETENTION_DAYS:
        raise click.UsageError(f"审计日志至少保存 {RETENTION_DAYS} 天，--days 不能小于 {RETENTION_DAYS}。")
    # One day of margin over the database trigger, which counts in its own clock.
    cutoff = now() - timedelta(days=days + 1)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    db.session.commit()
    click.echo(f"已删除 {result.rowcount} 条 {cutoff:%Y-%m-%d %H:%M} 之前的审计记录。")
