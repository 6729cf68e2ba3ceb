"""KB XLSX import (template, bad rows, nothing written on error) and the compliance matrix export."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge import categories, queries
from portal.knowledge.imports import COLUMNS
from portal.knowledge.models import CampaignStatus, EntryStatus, KBEntry
from tests.factories import UnitFactory
from tests.knowledge.factories import campaign, submitted_entry

DEADLINE = datetime(2018, 8, 25, 23, 59, 59)


def xlsx(rows, header=COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def listed_category():
    """The 类目 the rows below use is in the list (unknown ones are tested in test_categories.py)."""
    categories.add_category(None, "类目")
    db.session.commit()


def row(title="问题", answer="答复", kind="常见问题", keywords="关键", valid="2019-12-31", review="2019-06-30"):
    return ["类目", title, answer, "依据", "发文单位", kind, keywords, valid, review]


def upload(client, data, submit=False):
    form = {"file": (io.BytesIO(data), "entries.xlsx")}
    if submit:
        form["submit_now"] = "y"
    return client.post("/knowledge/import", data=form, content_type="multipart/form-data")


def count_entries():
    return db.session.scalar(db.select(db.func.count(KBEntry.id)))


def test_template_round_trip_imports_its_example_row(client, login_as):
    user = login_as(Role.LIAISON)
    template = client.get("/knowledge/import/template.xlsx").data
    sheet = load_workbook(io.BytesIO(template)).active
    assert [c.value for c in sheet[1]] == COLUMNS
    resp = upload(client, template, submit=True)
    assert resp.status_code == 303
    entry = db.session.scalars(db.select(KBEntry)).one()
    assert entry.unit_id == user.unit_id and entry.status == EntryStatus.SUBMITTED
    assert entry.current_version.keywords == ["停水", "报修"]


def test_every_bad_row_is_reported_and_nothing_is_written(client, login_as):
    user = login_as(Role.LIAISON)
    from portal.knowledge import services
    from tests.knowledge.factories import data

    services.create_entry(user, user.unit_id, data("已有标题"))
    db.session.commit()
    rows = [
        row("好的一行"),
        row(""),                                  # 3: no title
        row("标" * 129),                          # 4: title too long
        row("无答复", answer=""),                  # 5
        row("性质错", kind="通知"),                 # 6
        row("关键字太长", keywords="一二三四五六七八九十一二三四五六七八九十一"),  # 7
        row("日期错", valid="明年"),                # 8
        row("好的一行"),                            # 9: duplicate of row 2
        row("已有标题"),                            # 10: exists in the unit
        row("复核晚于有效期", valid="2019-01-01", review="2019-02-01"),  # 11
    ]
    resp = upload(client, xlsx(rows))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for expected in ("第 3 行：请填写标题", "第 4 行：标题不能超过 128 个字", "第 5 行：请填写答复内容",
                     "第 6 行：材料性质“通知”无效", "第 7 行：关键字", "第 8 行：有效期至", "第 9 行：标题“好的一行”与第 2 行重复",
                     "第 10 行：本单位已有标题为“已有标题”的条目", "第 11 行：复核日期不能晚于有效期至"):
        assert expected in body, expected
    assert "第 2 行" not in body.split("第 9 行")[0].split("import-errors")[-1]
    assert count_entries() == 1


def test_more_than_1000_rows_is_refused(client, login_as):
    login_as(Role.LIAISON)
    resp = upload(client, xlsx([row(f"问题{n}") for n in range(1001)]))
    assert resp.status_code == 422 and "一次最多导入 1000 行" in resp.get_data(as_text=True)
    assert count_entries() == 0


def test_1000_rows_are_imported(client, login_as):
    login_as(Role.LIAISON)
    assert upload(client, xlsx([row(f"问题{n}") for n in range(1000)])).status_code == 303
    assert count_entries() == 1000


def test_wrong_header_and_wrong_file_type_are_explained(client, login_as):
    login_as(Role.LIAISON)
    bad_header = upload(client, xlsx([["x"]], header=["名称"]))
    assert bad_header.status_code == 422 and "表头缺少列" in bad_header.get_data(as_text=True)
    resp = client.post("/knowledge/import", data={"file": (io.BytesIO(b"a,b"), "x.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "XLSX" in resp.get_data(as_text=True)


def test_compliance_export_has_every_unit_and_status(client, login_as):
    on_time, late, missing = UnitFactory(short_name="按时单位"), UnitFactory(short_name="迟交单位"), UnitFactory(short_name="未交单位")
    c = campaign(DEADLINE, units=[on_time, late, missing], title="八月报送")
    submitted_entry(on_time, DEADLINE)
    submitted_entry(late, datetime(2018, 8, 26))
    login_as(Role.CENTRE_STAFF)
    resp = client.get("/knowledge/campaigns/export.xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    cells = {r[1]: r[3] for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] in ("按时单位", "迟交单位", "未交单位")}
    assert sheet.cell(2, 4).value.startswith("八月报送")
    assert cells == {"按时单位": "已报送（1）", "迟交单位": "逾期报送（1）", "未交单位": "未报送（0）"}
    filtered = client.get(f"/knowledge/campaigns/export.xlsx?campaign={c.id}&status=not_submitted")
    rows = [r[1] for r in load_workbook(io.BytesIO(filtered.data)).active.iter_rows(min_row=3, values_only=True)]
    assert "未交单位" in rows and "按时单位" not in rows


def test_matrix_page_filters_by_group_and_units_see_their_campaign_time_left(client, login_as):
    county = UnitFactory(group="区县政府", short_name="某县政府")
    city = UnitFactory(group="市直部门", short_name="某市局")
    campaign(datetime(2030, 1, 1, 23, 59, 59), units=[county, city], title="长期任务")
    login_as(Role.CENTRE_STAFF)
    page = client.get("/knowledge/campaigns?group=区县政府", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "某县政府" in page and "某市局" not in page
    client.get("/logout")
    login_as(Role.LIAISON, unit=county)
    mine = client.get("/knowledge/campaigns").get_data(as_text=True)
    assert "长期任务" in mine and "剩余" in mine and "未报送" in mine


def test_centre_creates_a_campaign_for_groups_and_grants_an_extension(client, login_as):
    county = UnitFactory(group="区县政府")
    UnitFactory(group="市直部门")
    login_as(Role.CENTRE_STAFF)
    bad = client.post("/knowledge/campaigns/new", data={"title": "任务", "deadline_date": "2018-08-25",
                                                       "deadline_time": "25:00", "target_mode": "groups",
                                                       "min_entries": "0"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "时间格式不正确" in body and "请至少选择一个单位分组" in body and "最少条目数为 1–100" in body
    ok = client.post("/knowledge/campaigns/new", data={"title": "区县任务", "deadline_date": "2030-08-25",
                                                      "deadline_time": "23:59:59", "target_mode": "groups",
                                                      "groups": ["区县政府"], "min_entries": "2"})
    assert ok.status_code == 303
    from portal.knowledge.models import Campaign, CampaignUnit

    made = db.session.scalars(db.select(Campaign)).one()
    assert made.deadline == datetime(2030, 8, 25, 23, 59, 59) and made.min_entries == 2
    assert [t.unit_id for t in made.targets] == [county.id]
    resp = client.post(f"/knowledge/campaigns/{made.id}/units/{county.id}/extend",
                       data={"extended_date": "2030-10-12", "extended_time": "23:59:59"}, headers={"HX-Request": "true"})
    assert resp.status_code == 200
    db.session.expire_all()
    assert db.session.get(CampaignUnit, (made.id, county.id)).extended_deadline == datetime(2030, 10, 12, 23, 59, 59)
    too_early = client.post(f"/knowledge/campaigns/{made.id}/units/{county.id}/extend",
                            data={"extended_date": "2030-08-20"}, headers={"HX-Request": "true"})
    assert too_early.status_code == 422 and "晚于任务截止时间" in too_early.get_data(as_text=True)
    status = queries.statuses([made], datetime(2030, 9, 29))[(made.id, county.id)]
    assert status.status == CampaignStatus.NOT_SUBMITTED and status.extended_deadline.month == 10
