"""A centre's own GBK export with `一级/二级` subjects the portal does not know yet."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.extensions import db
from portal.orders.models import Subject, WorkOrder
from tests.factories import UnitFactory

HEADER = "工单编号,受理时间,诉求类型,标题,诉求内容,事项分类,承办单位,派单时间,办结时间,办理结果"
ROWS = [
    "2018080101,2018/8/1 9:05,咨询,养老金发放时间,退休职工询问养老金每月发放日期,社会保障/养老保险,市人社局,2018/8/1 9:30,2018/8/2 10:00,已答复",
    "2018080102,2018/8/1 9:40,投诉,夜间施工噪音,工地夜间施工影响休息,生态环境／噪音扰民,市人社局,2018/8/1 10:00,,",
    "2018080103,2018/8/1 10:12,求助,养老保险转移,跨省转移养老保险关系,社会保障 / 养老保险,市人社局,2018/8/1 10:30,,",
    "2018080104,2018/8/1 11:00,咨询,社保卡补办,社保卡丢失如何补办,社会保障>社保卡,市人社局,2018/8/1 11:20,,",
    "2018080105,2018/8/1 14:00,建议,增设公交线路,建议增设公交线路,交通运输,,,,",
    "2018080106,2018/8/1 15:00,咨询,医保报销,异地就医报销,医疗保障/异地就医,市人社局,2018/8/1 15:10,,",
    "2018080107,2018/8/1 16:00,咨询,养老金调整,2018年养老金调整,社会保障/养老保险,市人社局,2018/8/1 16:20,,",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def gbk_file(tmp_path):
    UnitFactory(short_name="市人社局", full_name="安康市人力资源和社会保障局")
    db.session.add(Subject(name="生态环境"))
    db.session.commit()
    path = tmp_path / "2018年8月工单.csv"
    path.write_bytes(("\r\n".join([HEADER, *ROWS]) + "\r\n").encode("gbk"))
    return path


def _paths() -> set[str]:
    return {s.path for s in db.session.scalars(select(Subject))}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_unknown_subjects_are_listed_once_with_their_rows_and_nothing_is_written(runner, gbk_file):
    result = runner.invoke(args=["orders", "import", str(gbk_file)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "事项分类“社会保障›养老保险”不存在，第 2、4、8 行使用了它。" in lines
    assert "事项分类“生态环境›噪音扰民”不存在，第 3 行使用了它。" in lines
    assert "事项分类“社会保障›社保卡”不存在，第 5 行使用了它。" in lines
    assert "事项分类“交通运输”不存在，第 6 行使用了它。" in lines
    assert "事项分类“医疗保障›异地就医”不存在，第 7 行使用了它。" in lines
    assert sum("不存在，第" in line for line in lines) == 5
    assert any("--create-subjects" in line for line in lines)
    assert _count(WorkOrder) == 0 and _paths() == {"生态环境"}


def test_dry_run_names_what_it_would_create_and_writes_nothing(runner, gbk_file):
    result = runner.invoke(args=["orders", "import", str(gbk_file), "--create-subjects", "--dry-run"])
    assert result.exit_code == 0, result.output
    # by first use, a new parent before its child
    assert ("将新建事项分类 7 个：社会保障、社会保障›养老保险、生态环境›噪音扰民、社会保障›社保卡、交通运输、"
            "医疗保障、医疗保障›异地就医") in result.output
    assert _count(WorkOrder) == 0 and _paths() == {"生态环境"}


def test_create_subjects_imports_every_row_and_says_how_many_it_created(runner, gbk_file):
    result = runner.invoke(args=["orders", "import", str(gbk_file), "--create-subjects"])
    assert result.exit_code == 0, result.output
    assert "导入完成：共导入 7 件工单" in result.output and "新建事项分类 7 个" in result.output
    assert _paths() == {"生态环境", "生态环境 › 噪音扰民", "社会保障", "社会保障 › 养老保险", "社会保障 › 社保卡",
                        "交通运输", "医疗保障", "医疗保障 › 异地就医"}
    by_number = {o.number: o.subject.path for o in db.session.scalars(select(WorkOrder))}
    assert by_number["2018080101"] == by_number["2018080103"] == by_number["2018080107"] == "社会保障 › 养老保险"
    assert by_number["2018080105"] == "交通运输"
    again = runner.invoke(args=["orders", "import", str(gbk_file), "--create-subjects"])
    assert again.exit_code == 1 and "已存在" in again.output
    assert _count(Subject) == 8


def test_the_upload_page_checkbox_creates_them(client, login_as, gbk_file):
    login_as(Role.ADMIN)
    data = {"file": (gbk_file.open("rb"), gbk_file.name), "create_subjects": "y"}
    response = client.post("/orders/import/", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.text
    assert "新建事项分类 7 个" in response.text
    assert _count(WorkOrder) == 7
