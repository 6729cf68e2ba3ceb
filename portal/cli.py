"""Flask commands: `flask --app wsgi <group> <command>`."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="演示数据 / demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has units.")
def demo_load(if_empty: bool) -> None:
    """Load the Ankang August 2018 demo data set."""
    from portal.demo.accounts import DEMO_PASSWORD, NAMED_ACCOUNTS
    from portal.demo.loader import is_loaded, load_demo

    if is_loaded():
        if if_empty:
            click.echo("演示数据已载入，跳过。")
            return
        raise click.ClickException("数据库中已有数据；演示数据只能载入到空库。")
    load_demo(click.echo)
    click.echo("演示账号（密码均为 %s）：" % DEMO_PASSWORD)
    for username, _name, role, unit, _m in NAMED_ACCOUNTS:
        click.echo(f"  {username:16} {role.label:8} {unit or '市12345便民服务中心'}")
    click.echo("  unitNN           联络员   其余各承办单位（NN 为单位排序号）")


def register_commands(app: Flask) -> None:
    from portal.audit.cli import audit_cli
    from portal.auth.cli import users_cli
    from portal.backup.cli import backup_command, restore_command
    from portal.call_import.cli import import_calls_command
    from portal.calls.cli import calls_cli
    from portal.circulars.cli import circular_cli
    from portal.knowledge.cli import kb_cli
    from portal.order_import.cli import import_orders_command
    from portal.orders.cli import orders_cli
    from portal.stats.cli import stats_cli
    from portal.subjects.cli import subjects_cli
    from portal.units.cli import units_cli

    for group in (demo_cli, users_cli, units_cli, subjects_cli, stats_cli, orders_cli, kb_cli, calls_cli, circular_cli, audit_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    orders_cli.add_command(import_orders_command)  # `orders import` (calendar and import feature)
    calls_cli.add_command(import_calls_command)  # `calls import` (links calls to orders)
