"""`flask --app wsgi orders ...` commands."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db

orders_cli = AppGroup("orders", help="工单 / work orders.")


@orders_cli.command("remind")
def remind() -> None:
    """Send handle and sign deadline reminders (safe to run from cron every few minutes)."""
    from portal.clock import now
    from portal.orders.reminders import send_handle_reminders, send_sign_reminders

    at = now()
    handle, sign = send_handle_reminders(at), send_sign_reminders(at)
    db.session.commit()
    click.echo(f"已发送到期提醒 {handle + sign} 条（办理时限 {handle}，签收时限 {sign}）。")
