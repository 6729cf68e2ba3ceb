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
    from portal.auth.roles import SECOND_FACTOR_ROLES
    from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET, NAMED_ACCOUNTS
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
    centre = "、".join(u for u, _n, role, _u, _m in NAMED_ACCOUNTS if role in SECOND_FACTOR_ROLES)
    click.echo(f"中心账号（{centre}）须两步验证，已绑定演示密钥 {DEMO_TOTP_SECRET}：把它加入手机验证器，"
               "或运行 `flask --app wsgi demo code` 查看当前动态口令。")


@demo_cli.command("code")
def demo_code() -> None:
    """Show the current second-factor code of the demo's centre accounts (demo secret only)."""
    import pyotp

    from portal.demo.accounts import DEMO_TOTP_SECRET

    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


@demo_cli.command("generate")
@click.option("--orders", type=click.IntRange(min=1), required=True, help="How many orders.")
@click.option("--units", type=click.IntRange(min=2), required=True, help="How many units (the first holds ~2%).")
@click.option("--years", type=click.FloatRange(min=0.1, max=20), default=2.0, show_default=True,
              help="Years of history ending now.")
@click.option("--seed", type=int, default=12345, show_default=True, help="Random seed (same seed, same data).")
def demo_generate(orders: int, units: int, years: float, seed: int) -> None:
    """Generate a city-sized data set in bulk (benchmarks, trying the portal at scale) into an empty database."""
    from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
    from portal.demo.generate import Plan, generate

    try:
        s = generate(Plan(orders=orders, units=units, years=years, seed=seed), click.echo)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"完成：{s.orders:,} 件工单（{s.big_unit} {s.big_unit_orders:,} 件），{s.events:,} 条流转记录，"
               f"{s.replies:,} 条回复，{s.calls:,} 个来电，用时 {s.seconds:.0f} 秒。")
    click.echo("各阶段（CPU / 墙钟 秒）：" + "；".join(f"{name} {cpu:.0f} / {wall:.0f}" for name, (cpu, wall) in s.phases.items()))
    click.echo(f"账号（密码均为 {DEMO_PASSWORD}）：admin、zhongxin（中心，两步验证用演示密钥 {DEMO_TOTP_SECRET}）、"
               "huawu（话务员）、uNNN（第 NNN 个单位的联络员，u001 为最大单位）、uNNN_leader（单位负责人）。")


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
