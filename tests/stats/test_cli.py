"""`flask stats units`: CSV and JSON of the per-unit table, Chinese errors."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from portal.orders.enums import OrderKind, OrderState
from portal.stats.export import HEADER
from tests.factories import UnitFactory
from tests.stats.factories import OrderFactory, closed

DEADLINE = datetime(2018, 8, 20, 23, 59, 59)
ARGS = ["stats", "units", "--from", "2018-08-01", "--to", "2018-08-31", "--as-of", "2018-09-29 12:00"]


def _data():
    big = UnitFactory(short_name="汉滨区政府", display_order=1)
    small = UnitFactory(short_name="恒口示范区", display_order=4)
    for _ in range(3):
        closed(DEADLINE, last_unit=big, unit=big, kind=OrderKind.CONSULT)
    closed(DEADLINE + timedelta(seconds=1), last_unit=big, unit=big, kind=OrderKind.PRAISE)
    OrderFactory(last_unit=small, unit=small, kind=OrderKind.HELP)
    OrderFactory(last_unit=small, unit=small, kind=OrderKind.HELP, handle_deadline=datetime(2018, 10, 8, 23, 59, 59))
    OrderFactory(last_unit=None, unit=None, state=OrderState.PENDING, handle_deadline=None)


def test_csv_has_the_header_one_row_per_unit_then_the_total(runner):
    _data()
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == HEADER == ("序号,承办单位,工单总量,咨询类,求助类,投诉类,建议类,举报类,表扬类,"
                                 "按期办结,逾期办结,未办结,在办,按期办结率").split(",")
    assert rows[1:] == [
        ["1", "汉滨区政府", "4", "3", "0", "0", "0", "0", "1", "3", "1", "0", "0", "75%"],
        ["2", "恒口示范区", "2", "0", "2", "0", "0", "0", "0", "0", "0", "1", "1", "0%"],
        ["", "合计", "6", "3", "2", "0", "0", "0", "1", "3", "1", "1", "1", "60%"],
    ]
    assert "1 件工单尚未派单" in result.stderr


def test_json_carries_the_same_rows_with_raw_counts(runner, tmp_path):
    _data()
    out = tmp_path / "units.json"
    result = runner.invoke(args=[*ARGS, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["index"], r["short_name"], r["total"], r["rate"]) for r in data["rows"]] == [
        (1, "汉滨区政府", 4, "75%"), (2, "恒口示范区", 2, "0%")]
    assert data["rows"][0]["by_kind"] == {"consult": 3, "help": 0, "complaint": 0, "suggestion": 0,
                                          "report": 0, "praise": 1}
    assert (data["total"]["on_time"], data["total"]["late"], data["total"]["overdue_open"],
            data["total"]["in_progress"]) == (3, 1, 1, 1)
    assert (data["undispatched"], data["as_of"]) == (1, "2018-09-29 12:00:00")


def test_csv_to_a_file_is_utf8(runner, tmp_path):
    _data()
    out = tmp_path / "units.csv"
    result = runner.invoke(args=[*ARGS, "--out", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("1,汉滨区政府,4,")


def test_as_of_defaults_to_now_and_seconds_are_accepted(runner):
    closed(DEADLINE)
    result = runner.invoke(args=["stats", "units", "--from", "2018-08-01", "--to", "2018-08-31"])
    assert result.exit_code == 0 and result.stdout.splitlines()[-1].endswith(",1,0,0,0,100%")
    early = runner.invoke(args=[*ARGS[:-1], "2018-08-20 23:59:58"])
    assert early.stdout.splitlines()[-1].endswith(",0,0,0,1,—")


def test_bad_input_gets_a_chinese_usage_error(runner):
    bad_date = runner.invoke(args=["stats", "units", "--from", "2018-02-30", "--to", "2018-08-31"])
    assert bad_date.exit_code == 2 and "日期“2018-02-30”无效" in bad_date.output
    bad_time = runner.invoke(args=[*ARGS[:-1], "明天"])
    assert bad_time.exit_code == 2 and "时间“明天”无效" in bad_time.output
    reversed_ = runner.invoke(args=["stats", "units", "--from", "2018-08-31", "--to", "2018-08-01"])
    assert reversed_.exit_code == 2 and "结束日期（--to）不能早于开始日期（--from）" in reversed_.output


def test_rebuild_recomputes_the_sums_the_pages_read(runner):
    from sqlalchemy import delete, func, select

    from portal.extensions import db
    from portal.stats.aggregates import stat_change, stat_day, stat_month

    _data()
    before = runner.invoke(args=ARGS).stdout
    for table in (stat_change, stat_day, stat_month):
        db.session.execute(delete(table))
    db.session.commit()
    assert runner.invoke(args=ARGS).stdout != before  # the table is read from the sums
    result = runner.invoke(args=["stats", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "统计汇总已按工单历史和来电重算" in result.output
    assert db.session.scalar(select(func.count()).select_from(stat_day)) > 0
    assert runner.invoke(args=ARGS).stdout == before
