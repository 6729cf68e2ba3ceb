"""`flask --app wsgi orders ...` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

orders_cli = AppGroup("orders", help="工单 / work orders.")


@orders_cli.command("remind")
def remind() -> None:
    """Send deadline reminders (safe to run from cron every few minutes)."""
    from portal.orders.reminders import send_deadline_reminders

    sent = send_deadline_reminders()
    db.session.commit()
    click.echo(f"已发送到期提醒 {sent} 条。")
