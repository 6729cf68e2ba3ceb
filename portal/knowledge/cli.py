"""`flask kb ...`."""
from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask.cli import AppGroup

from portal.extensions import db

kb_cli = AppGroup("kb", help="知识库 / knowledge base.")


@kb_cli.command("remind")
@click.option("--days", default=3, show_default=True, help="Remind units whose deadline is within this many days.")
@click.option("--at", "at_", default=None, help="Pretend the time is this (YYYY-MM-DD HH:MM:SS), for testing.")
def remind_command(days: int, at_: str | None) -> None:
    """Remind units still 未报送 before a campaign deadline; safe to run from cron (each reminder once)."""
    from portal.clock import now
    from portal.knowledge.campaigns import send_reminders

    at = datetime.strptime(at_, "%Y-%m-%d %H:%M:%S") if at_ else now()
    sent = send_reminders(at, timedelta(days=days))
    db.session.commit()
    click.echo(f"已发送 {len(sent)} 条报送提醒。")
