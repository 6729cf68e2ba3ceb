"""`flask --app wsgi stats units --from … --to … [--as-of …] [--format csv|json] [--out FILE]`."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.clock import now

stats_cli = AppGroup("stats", help="统计分析 / statistics.")


def _bad(param, ctx, message: str):
    """A usage error (exit status 2) whose message is all Chinese."""
    name = param.opts[0] if param is not None else "参数"
    raise click.UsageError(f"{name} {message}", ctx)


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return datetime.strptime(value.strip(), "%Y-%m-%d").date()
        except ValueError:
            _bad(param, ctx, f"日期“{value}”无效，应为 YYYY-MM-DD，例如 2018-08-01。")


class DateTimeType(click.ParamType):
    name = "YYYY-MM-DD HH:MM[:SS]"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                return datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
        _bad(param, ctx, f"时间“{value}”无效，应为 YYYY-MM-DD HH:MM[:SS]，例如 2018-09-29 12:00。")


@stats_cli.command("units")
@click.option("--from", "start", type=DateType(), required=True, help="统计开始日期（含）。")
@click.option("--to", "end", type=DateType(), required=True, help="统计结束日期（含）。")
@click.option("--as-of", "as_of", type=DateTimeType(), help="统计截止时间，默认为现在。")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), help="写入文件（默认输出到屏幕）。")
def units_command(start: date, end: date, as_of: datetime | None, fmt: str, out: Path | None) -> None:
    """Print the per-unit table (按期办结率 etc.) for a period."""
    from portal.stats.export import table_csv, table_json
    from portal.stats.period import Period
    from portal.stats.queries import unit_table

    if end < start:
        raise click.UsageError("结束日期（--to）不能早于开始日期（--from）。")
    period = Period(start, end, as_of or now())
    table = unit_table(period)
    text = table_csv(table) if fmt == "csv" else table_json(table, period)
    if out:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"无法写入文件 {out}：{exc.strerror or exc}") from exc
        click.echo(f"已写入 {out}（{len(table.rows)} 个承办单位）。", err=True)
    else:
        click.echo(text, nl=False)
    if table.undispatched:
        click.echo(f"另有 {table.undispatched} 件工单尚未派单（待派单），未列入本表。", err=True)


@stats_cli.command("rebuild")
def rebuild_command():
    """重算按单位、按日的统计汇总（stat_day、stat_month、stat_change、call_day），例如从备份恢复部分表之后。"""
    from portal.extensions import db
    from portal.stats.aggregates import rebuild

    rebuild(db.session.connection())
    db.session.commit()
    click.echo("统计汇总已按工单历史和来电重算。")
