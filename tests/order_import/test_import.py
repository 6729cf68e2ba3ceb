"""Orders import: encodings, XLSX, every kind of bad row, all-or-nothing, dry run, CLI, upload page."""
from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.extensions import db
from portal.order_import.importing import import_orders
from portal.order_import.cli import import_orders_command
from portal.orders.enums import OrderKind, OrderState
from portal.orders.models import OrderEvent, Subject, Tag, WorkOrder
from tests.factories import UnitFactory

HEADER = "工单编号,受理时间,诉求类型,标题,诉求内容,事项分类,标签,来电人,联系电话,地址,承办单位,派单时间,紧急程度,办理时限,办结时间,办理结果"
GOOD = [
    "2018092801,2018-09-28 14:00,咨询,社保卡补办,咨询社保卡补办流程,社会保障 / 社保卡,优化营商环境；新标签,张先生,13912345678,"
    "汉滨区某街道,人社局,,一般,,2018-09-30 10:00:00,已电话答复",
    "2018092802,2018/9/28 15:30,投诉,夜间施工噪音,工地夜间施工,噪音扰民,生态环境保护,,,,,,,,,",
    "2018092803,2018-09-28 16:00,求助,路灯不亮,小区路灯不亮,,,,,,市人社局,2018-09-28 16:10,紧急,,,",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def setup():
    unit = UnitFactory(short_name="市人社局", full_name="安康市人力资源和社会保障局", aliases=["人社局"])
    social = Subject(name="社会保障")
    ecology = Subject(name="生态环境")
    db.session.add_all([social, ecology, Tag(name="优化营商环境"), Tag(name="生态环境保护")])
    db.session.flush()
    db.session.add_all([Subject(name="社保卡", parent_id=social.id), Subject(name="噪音扰民", parent_id=ecology.id)])
    db.session.commit()
    return unit


def csv_bytes(lines, encoding="utf-8") -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode(encoding)


def orders() -> dict[str, WorkOrder]:
    return {o.number: o for o in db.session.scalars(select(WorkOrder))}


def order_count() -> int:
    return db.session.scalar(select(func.count(WorkOrder.id)))


def check_good_import(unit) -> None:
    got = orders()
    closed, pending, open_ = got["2018092801"], got["2018092802"], got["2018092803"]
    assert closed.state == OrderState.CLOSED and closed.kind == OrderKind.CONSULT
    assert closed.unit_id == closed.last_unit_id == unit.id  # found by its alias 人社局
    assert closed.dispatched_at == closed.accepted_at == datetime(2018, 9, 28, 14)
    assert closed.completed_at == closed.closed_at == datetime(2018, 9, 30, 10)
    assert closed.handle_deadline == datetime(2018, 10, 8, 23, 59, 59)  # the DOMAIN example
    assert closed.subject.path == "社会保障 › 社保卡"
    assert sorted(t.name for t in closed.tags) == ["优化营商环境", "新标签"]
    assert closed.caller_mobile == "13912345678"
    assert pending.state == OrderState.PENDING and pending.unit_id is None and pending.dispatched_at is None
    assert pending.handle_deadline is None and [t.name for t in pending.tags] == ["生态环境保护"]
    assert pending.subject.name == "噪音扰民" and pending.accepted_at == datetime(2018, 9, 28, 15, 30)
    assert open_.state == OrderState.DISPATCHED and open_.urgent
    assert open_.dispatched_at == datetime(2018, 9, 28, 16, 10)
    assert open_.handle_deadline == datetime(2018, 9, 29, 16, 10)
    assert open_.sign_deadline == datetime(2018, 9, 28, 16, 40)
    # Each order reached its state through the lifecycle, at the file's times.
    history = {number: [(e.action, e.from_state, e.to_state, e.at) for e in order.events]
               for number, order in got.items()}
    S = OrderState
    assert history["2018092801"] == [
        ("import", None, S.PENDING, datetime(2018, 9, 28, 14)),
        ("dispatch", S.PENDING, S.DISPATCHED, datetime(2018, 9, 28, 14)),
        ("close_imported", S.DISPATCHED, S.CLOSED, datetime(2018, 9, 30, 10)),
    ]
    assert history["2018092802"] == [("import", None, S.PENDING, datetime(2018, 9, 28, 15, 30))]
    assert [h[0] for h in history["2018092803"]] == ["import", "dispatch"]
    assert "第" in closed.events[0].text and "已电话答复" in closed.events[-1].text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_good_csv_in_every_encoding(setup, login_as, encoding):
    admin = login_as("admin")
    outcome = import_orders(csv_bytes(GOOD, encoding), "orders.csv", admin)
    db.session.commit()
    assert not outcome.errors
    assert outcome.total == 3 and outcome.new_tags == ["新标签"]
    assert "共导入 3 件工单" in outcome.summary
    check_good_import(setup)
    assert all(o.created_by_id == admin.id for o in orders().values())


def test_xlsx_with_excel_date_cells(setup):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for line in GOOD:
        cells = line.split(",")
        for i in (1, 11, 14):  # 受理时间, 派单时间, 办结时间 as real date cells
            if cells[i]:
                cells[i] = datetime.strptime(cells[i].replace("/", "-").replace("-9-", "-09-"),
                                             "%Y-%m-%d %H:%M" if cells[i].count(":") == 1 else "%Y-%m-%d %H:%M:%S")
        ws.append([c if c != "" else None for c in cells])
    buf = io.BytesIO()
    wb.save(buf)
    wb.close()
    outcome = import_orders(buf.getvalue(), "orders.xlsx")
    db.session.commit()
    assert not outcome.errors
    check_good_import(setup)


BAD = [
    (",2018-09-28 14:00,咨询,标题,内容,,,,,,,,,,,", "工单编号不能为空"),
    ("X1,2018-09-28 14:00,咨询,,,,,,,,,,,,,", "标题、诉求内容不能为空"),
    ("X2,2018-09-28 14:00,闲聊,标题,内容,,,,,,,,,,,", "诉求类型“闲聊”不存在"),
    ("X3,2018.09.28,咨询,标题,内容,,,,,,,,,,,", "受理时间时间“2018.09.28”格式不正确"),
    ("X4,2018-09-28 14:00,咨询,标题,内容,,,,,,不存在局,,,,,", "承办单位“不存在局”不存在"),
    ("X5,2018-09-28 14:00,咨询,标题,内容,城乡建设›市容环境›没有,,,,,,,,,,", "事项分类“城乡建设›市容环境›没有”超过两级"),
    ("X6,2018-09-28 14:00,咨询,标题,内容,,,,,,,,特急,,,", "紧急程度“特急”应为 一般 或 紧急"),
    ("X7,2018-09-28 14:00,咨询,标题,内容,,,,abc,,,,,,,", "联系电话“abc”格式不正确"),
    ("X8,2018-09-28 14:00,咨询,标题,内容,,,,,,人社局,2018-09-27 10:00,,,,", "派单时间早于受理时间"),
    ("X9,2018-09-28 14:00,咨询,标题,内容,,,,,,,,,,2018-09-29 10:00,", "没有承办单位的工单为待派单，不能填写办结时间"),
    ("X10,2018-09-28 14:00,咨询,标题,内容,,,,,,人社局,,,,2018-09-27 10:00,", "办结时间早于派单时间"),
    ("X11,2030-01-01 10:00,咨询,标题,内容,,,,,,,,,,,", "受理时间晚于当前时间"),
    ("X12,2018-09-28 14:00,咨询,标题,内容,,,,,,人社局,,,2018-09-28 10:00,,", "办理时限应晚于派单时间"),
    ("X13,2018-09-28 14:00,咨询,标题,内容,,,,,,人社局,,,,,已办好", "填写了办理结果但没有办结时间"),
]


def test_every_bad_row_is_reported_and_nothing_is_written(setup):
    outcome = import_orders(csv_bytes([GOOD[0], *(line for line, _ in BAD)]), "bad.csv")
    lines = outcome.errors.lines()
    assert len(lines) == len(BAD)
    for number, (line, message) in enumerate(BAD, start=3):
        assert any(text.startswith(f"第 {number} 行：") and message in text for text in lines), (number, message, lines)
    db.session.rollback()
    assert order_count() == 0


def test_duplicate_numbers_in_the_file_and_in_the_database(setup):
    assert not import_orders(csv_bytes([GOOD[0]]), "first.csv").errors
    db.session.commit()
    again = GOOD[1].replace("2018092802", "2018092801")
    twice = GOOD[2]
    outcome = import_orders(csv_bytes([again, twice, twice]), "second.csv")
    assert outcome.errors.lines() == [
        "第 2 行：工单编号“2018092801”已存在。",
        "第 4 行：工单编号“2018092803”与第 3 行重复。",
    ]
    db.session.rollback()
    assert order_count() == 1


def test_dry_run_checks_but_writes_nothing(setup):
    outcome = import_orders(csv_bytes(GOOD), "orders.csv", dry_run=True)
    assert not outcome.errors and outcome.total == 3
    assert outcome.summary.startswith("预检通过（未写入）：将导入 3 件工单")
    db.session.rollback()
    assert order_count() == 0
    assert db.session.scalar(select(Tag).where(Tag.name == "新标签")) is None


def test_cli_exit_codes(setup, runner, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_bytes(GOOD, "gbk"))
    bad.write_bytes(csv_bytes([GOOD[0], BAD[2][0]]))
    result = runner.invoke(args=["orders", "import", str(bad)])
    assert result.exit_code == 1
    assert "导入失败：共 1 处错误，未写入任何数据。" in result.output and "第 3 行：" in result.output
    assert order_count() == 0
    result = runner.invoke(args=["orders", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "预检通过" in result.output and order_count() == 0
    result = runner.invoke(import_orders_command, [str(good)])
    assert result.exit_code == 0, result.output
    assert "共导入 3 件工单" in result.output
    db.session.expire_all()
    assert order_count() == 3
    header_only = tmp_path / "header.csv"
    header_only.write_text("工单编号,受理时间\n", encoding="utf-8")
    result = runner.invoke(import_orders_command, [str(header_only)])
    assert result.exit_code == 1 and "表头缺少列：诉求类型、标题、诉求内容" in result.output


def test_upload_page(setup, client, login_as):
    login_as("admin")
    assert "必填列" in client.get("/orders/import/").get_data(as_text=True)
    resp = client.post("/orders/import/", data={"file": (io.BytesIO(csv_bytes([BAD[2][0]])), "bad.csv")},
                       headers={"HX-Request": "true"}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "第 2 行：诉求类型“闲聊”不存在" in resp.get_data(as_text=True)
    assert order_count() == 0
    resp = client.post("/orders/import/", data={"file": (io.BytesIO(csv_bytes(GOOD)), "good.csv")},
                       headers={"HX-Request": "true"}, content_type="multipart/form-data")
    assert resp.status_code == 200 and "导入完成：共导入 3 件工单" in resp.get_data(as_text=True)
    assert order_count() == 3
    resp = client.post("/orders/import/", data={}, headers={"HX-Request": "true"})
    assert resp.status_code == 422 and "请选择要导入的文件。" in resp.get_data(as_text=True)
    event = db.session.scalar(select(OrderEvent).where(OrderEvent.action == "import").limit(1))
    assert event.actor_role.value == "admin"
