"""`flask calls import FILE`: CSV in UTF-8 / BOM / GBK and XLSX; all-or-nothing with row-numbered errors."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from portal.calls.models import Call, CallOutcome
from portal.extensions import db

HEADER = ["来电时间", "来电号码", "处理方式", "工单编号", "摘要"]


def make_order(number="2018082001"):
    from portal.orders.enums import OrderKind
    from portal.orders.models import WorkOrder

    order = WorkOrder(number=number, accepted_at=datetime(2018, 8, 20, 9), kind=OrderKind.CONSULT,
                      title="路灯不亮", content="路灯不亮")
    db.session.add(order)
    db.session.commit()
    return order


def csv_bytes(rows, encoding):
    text = "\n".join(",".join(r) for r in [HEADER, *rows]) + "\n"
    return text.encode(encoding)


def run(runner, tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["calls", "import", str(path)])


def calls():
    return list(db.session.scalars(db.select(Call).order_by(Call.received_at)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(runner, tmp_path, encoding):
    order = make_order()
    rows = [["2018-08-20 09:00:00", "13912345678", "直接答复", "", "咨询停水"],
            ["2018/8/20 09:05", "0915-3212345", "形成工单", "2018082001", "路灯不亮"]]
    result = run(runner, tmp_path, csv_bytes(rows, encoding), "calls.csv")
    assert result.exit_code == 0, result.output
    assert "已导入 2 条来电：直接答复 1 条，形成工单 1 条" in result.output
    imported = calls()
    assert [(c.outcome, c.order_id, c.mobile) for c in imported] == [
        (CallOutcome.DIRECT, None, "13912345678"), (CallOutcome.ORDER, order.id, "0915-3212345")]
    assert imported[0].summary == "咨询停水"
    # The statistics' calls per day follow the import (a bulk insert the flush hook does not see).
    from datetime import date

    from portal.stats import summed, trends
    from portal.stats.period import Period

    day = Period(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 5))
    assert summed.call_totals(day) == trends.call_totals(day) == trends.CallTotals(2, 1, 1)


def test_xlsx_with_excel_datetimes(runner, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([datetime(2018, 8, 21, 10, 30), 13912345678, "直接答复", None, "问公积金"])
    buf = io.BytesIO()
    wb.save(buf)
    result = run(runner, tmp_path, buf.getvalue(), "calls.xlsx")
    assert result.exit_code == 0, result.output
    assert [(c.received_at, c.mobile) for c in calls()] == [(datetime(2018, 8, 21, 10, 30), "13912345678")]


def test_every_bad_row_is_reported_and_nothing_is_written(runner, tmp_path):
    make_order()
    rows = [
        ["2018-08-20 09:00", "13912345678", "直接答复", "", "好的一行"],           # 2
        ["2018-08-20 09:01", "13912345678", "转办", "", ""],                      # 3 unknown 处理方式
        ["2018-08-20 09:02", "13912345678", "形成工单", "", ""],                   # 4 no order number
        ["2018-08-20 09:03", "13912345678", "形成工单", "2099999999", ""],         # 5 order does not exist
        ["8月20日", "13912345678", "直接答复", "", ""],                             # 6 bad time
        ["2018-08-20 09:05", "", "直接答复", "", ""],                               # 7 no number
        ["2018-08-20 09:00", "13912345678", "直接答复", "", "重复"],               # 8 same as row 2
        ["2018-08-20 09:06", "13912345678", "直接答复", "2018082001", ""],         # 9 direct with an order
        ["2018-08-20 09:07", "13912345678", "形成工单", "2018082001", ""],         # 10 fine
        ["2018-08-20 09:08", "13912345678", "形成工单", "2018082001", ""],         # 11 same order again
    ]
    result = run(runner, tmp_path, csv_bytes(rows, "utf-8"), "calls.csv")
    assert result.exit_code == 1
    out = result.output
    for expected in ("第 3 行：处理方式“转办”无效", "第 4 行：处理方式为形成工单，但未填写工单编号",
                     "第 5 行：工单编号“2099999999”不存在", "第 6 行：来电时间", "第 7 行：来电号码为空",
                     "第 8 行：与第 2 行是同一来电", "第 9 行：处理方式为直接答复，不应填写工单编号",
                     "第 11 行：工单“2018082001”与第 10 行重复"):
        assert expected in out, expected
    assert "第 2 行：" not in out and "第 10 行：" not in out
    assert calls() == []


def test_reimporting_the_same_file_is_refused(runner, tmp_path):
    data = csv_bytes([["2018-08-20 09:00", "13912345678", "直接答复", "", ""]], "utf-8")
    assert run(runner, tmp_path, data, "a.csv").exit_code == 0
    again = run(runner, tmp_path, data, "a.csv")
    assert again.exit_code == 1 and "已导入过" in again.output
    assert len(calls()) == 1


def test_unreadable_file_exits_1_with_a_chinese_message(runner, tmp_path):
    result = run(runner, tmp_path, "来电时间,号码\n".encode(), "calls.csv")
    assert result.exit_code == 1 and "表头缺少列" in result.output
