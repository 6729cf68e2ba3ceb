"""Units import: encodings, XLSX, every kind of bad row, all-or-nothing, CLI and upload."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.extensions import db
from portal.units.importing import import_units
from portal.units.models import RosterEvent, Unit
from tests.factories import UnitFactory

HEADER = ["单位全称", "简称", "分组", "排序"]
GOOD = [
    ["安康市汉滨区人民政府", "汉滨区政府", "区县政府", "1"],
    ["安康市人力资源和社会保障局", "市人社局", "市直部门", "14"],
    ["安康市自来水公司", "安康自来水公司", "公共企事业单位", "27"],
]


def _csv(rows, encoding="utf-8") -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _units() -> dict[str, Unit]:
    return {u.full_name: u for u in db.session.scalars(select(Unit))}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_excel_saves(encoding):
    outcome = import_units(_csv([HEADER, *GOOD], encoding), "units.csv")
    db.session.commit()
    assert not outcome.errors
    assert (outcome.created, outcome.updated, outcome.unchanged) == (3, 0, 0)
    units = _units()
    assert units["安康市汉滨区人民政府"].short_name == "汉滨区政府"
    assert units["安康市自来水公司"].group == "公共企事业单位"
    assert units["安康市人力资源和社会保障局"].display_order == 14


def test_xlsx_with_numeric_order_and_optional_columns():
    rows = [[*HEADER, "别名", "牵头负责人", "负责人手机"],
            ["安康市恒口示范区管理委员会", "恒口示范区", "区县政府", 4, "恒口示范区市民服务中心、恒口", "刘洋", "13991500003"]]
    outcome = import_units(_xlsx(rows), "units.xlsx")
    db.session.commit()
    assert outcome.created == 1 and not outcome.errors
    unit = _units()["安康市恒口示范区管理委员会"]
    assert unit.display_order == 4
    assert unit.aliases == ["恒口示范区市民服务中心", "恒口"]
    assert (unit.lead_name, unit.lead_mobile) == ("刘洋", "13991500003")
    event = db.session.scalars(select(RosterEvent)).one()
    assert event.action == "update_lead" and "刘洋" in event.detail


def test_existing_full_name_updates_that_unit_and_reports_counts():
    unit = UnitFactory(full_name="安康市汉滨区人民政府", short_name="汉滨区", group="其他", display_order=9,
                       aliases=["汉滨"], lead_name="原负责人")
    UnitFactory(full_name="安康市人力资源和社会保障局", short_name="市人社局", group="市直部门", display_order=14)
    outcome = import_units(_csv([HEADER, *GOOD]), "units.csv")
    db.session.commit()
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 1, 1)
    assert outcome.summary == "导入完成：新增 1 个，更新 1 个，未变化 1 个单位。"
    db.session.refresh(unit)
    assert (unit.short_name, unit.group, unit.display_order) == ("汉滨区政府", "区县政府", 1)
    # Empty optional columns (here: absent) keep what the unit had.
    assert unit.aliases == ["汉滨"] and unit.lead_name == "原负责人"


def test_every_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_written():
    UnitFactory(full_name="安康市公安局", short_name="市公安局")
    UnitFactory(full_name="安康市住房和城乡建设局", short_name="市住建局", aliases=["住建局"])
    rows = [
        HEADER,
        ["安康市汉滨区人民政府", "汉滨区政府", "区县政府", "1"],   # 2: good
        ["", "旬阳县政府", "区县政府", "2"],                       # 3: empty full name
        ["汉阴县人民政府", "汉阴县政府", "县级", "3"],             # 4: unknown group
        ["白河县人民政府", "白河县政府", "区县政府", "3.5"],       # 5: order not whole
        ["平利县人民政府", "平利县政府", "区县政府", "第六"],       # 6: order not a number
        ["安康市汉滨区人民政府", "汉滨区", "区县政府", "7"],       # 7: duplicate full name in file
        ["紫阳县人民政府", "汉滨区政府", "区县政府", "8"],         # 8: duplicate short name in file
        ["安康市公安局交通警察支队", "市公安局", "市直部门", "10"],  # 9: short name of an existing unit
        ["石泉县人民政府", "住建局", "区县政府", "9"],              # 10: an existing unit's alias
        ["", "", "", ""],                                         # blank line: skipped, numbering kept
        ["岚皋县人民政府", "岚皋县政府", "", ""],                   # 12: two empty cells
    ]
    before = db.session.scalar(select(func.count(Unit.id)))
    outcome = import_units(_csv(rows), "bad.csv")
    db.session.commit()
    lines = outcome.errors.lines()
    assert [row for row, _ in sorted(outcome.errors.items)] == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    text = "\n".join(lines)
    assert "第 3 行：单位全称不能为空" in text
    assert "第 4 行：分组“县级”不存在" in text
    assert "第 5 行：排序“3.5”不是整数" in text
    assert "第 6 行：排序“第六”不是整数" in text
    assert "第 7 行：单位全称“安康市汉滨区人民政府”与第 2 行重复" in text
    assert "第 8 行：简称“汉滨区政府”与第 2 行重复" in text
    assert "第 9 行：简称“市公安局”已是现有单位“安康市公安局”的简称" in text
    assert "第 10 行：简称“住建局”已是现有单位“安康市住房和城乡建设局”的别名" in text
    assert "第 12 行：分组、排序不能为空" in text
    assert db.session.scalar(select(func.count(Unit.id))) == before
    assert "安康市汉滨区人民政府" not in _units()


def test_a_bad_mobile_and_an_alias_clashing_with_another_row_are_reported():
    rows = [[*HEADER, "别名", "负责人手机"],
            ["安康市民政局", "市民政局", "市直部门", "1", "", "13900000000"],
            ["安康市残疾人联合会", "市残联", "市直部门", "2", "市民政局", "1234"]]
    outcome = import_units(_csv(rows), "u.csv")
    text = "\n".join(outcome.errors.lines())
    assert "第 3 行：负责人手机“1234”格式不正确" in text
    rows[2][5] = ""
    text = "\n".join(import_units(_csv(rows), "u.csv").errors.lines())
    assert text == "第 3 行：别名“市民政局”与第 2 行的单位名称重复。"


def test_short_names_may_swap_between_existing_units_in_one_file():
    a = UnitFactory(full_name="甲单位全称", short_name="甲")
    b = UnitFactory(full_name="乙单位全称", short_name="乙")
    outcome = import_units(_csv([HEADER, ["甲单位全称", "乙", "其他", "1"], ["乙单位全称", "甲", "其他", "2"]]), "s.csv")
    db.session.commit()
    assert not outcome.errors and outcome.updated == 2
    db.session.refresh(a), db.session.refresh(b)
    assert (a.short_name, b.short_name) == ("乙", "甲")


def test_dry_run_reports_and_writes_nothing():
    outcome = import_units(_csv([HEADER, *GOOD]), "units.csv", dry_run=True)
    db.session.commit()
    assert outcome.created == 3
    assert outcome.summary.startswith("预检通过（未写入）")
    assert db.session.scalar(select(func.count(Unit.id))) == 0


# --- CLI ---------------------------------------------------------------------------------------------


def test_cli_imports_and_prints_a_summary(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(_csv([HEADER, *GOOD], "gbk"))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "导入完成：新增 3 个，更新 0 个" in result.stdout
    assert len(_units()) == 3


def test_cli_reports_bad_rows_on_stderr_with_exit_status_1(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(_csv([HEADER, GOOD[0], ["x", "y", "无此分组", "1"], ["z", "w", "其他", "abc"]]))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "第 3 行：分组“无此分组”不存在" in result.stderr
    assert "第 4 行：排序“abc”不是整数" in result.stderr
    assert "未写入任何数据" in result.stderr
    assert result.stdout == ""
    assert _units() == {}


def test_cli_unreadable_file_exits_1(runner, tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(_csv([["单位全称", "简称"], ["a", "b"]]))
    result = runner.invoke(args=["units", "import", str(path)])
    assert result.exit_code == 1
    assert "表头缺少列：分组、排序" in result.stderr


def test_cli_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(_xlsx([HEADER, *GOOD]))
    result = runner.invoke(args=["units", "import", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "预检通过（未写入）：将新增 3 个" in result.stdout
    assert _units() == {}


# --- upload through the admin page ------------------------------------------------------------------


def _upload(client, data: bytes, name: str, **extra):
    return client.post("/admin/units/import", data={"file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data", headers={"HX-Request": "true"})


def test_upload_through_the_admin_page(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin/units/import")
    assert page.status_code == 200 and "单位全称，简称，分组，排序" in page.text
    resp = _upload(client, _csv([HEADER, *GOOD], "utf-8-sig"), "units.csv")
    assert resp.status_code == 200
    assert "导入完成：新增 3 个，更新 0 个，未变化 0 个单位。" in resp.text
    assert len(_units()) == 3


def test_upload_with_bad_rows_lists_them_all_and_writes_nothing(client, login_as):
    login_as(Role.ADMIN)
    resp = _upload(client, _csv([HEADER, GOOD[0], ["", "b", "其他", "1"], ["c", "d", "其他", "-1"]]), "u.csv")
    assert resp.status_code == 422
    assert "共 2 处错误" in resp.text
    assert "第 3 行：单位全称不能为空" in resp.text and "第 4 行：排序“-1”不能为负数" in resp.text
    assert _units() == {}


def test_upload_dry_run_and_missing_file(client, login_as):
    login_as(Role.ADMIN)
    resp = _upload(client, _xlsx([HEADER, *GOOD]), "u.xlsx", dry_run="y")
    assert resp.status_code == 200 and "预检通过（未写入）" in resp.text
    assert _units() == {}
    empty = client.post("/admin/units/import", data={}, headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "请选择要导入的文件" in empty.text
    wrong = _upload(client, b"%PDF-1.4", "u.pdf")
    assert wrong.status_code == 422 and "只支持 CSV 或 XLSX 文件" in wrong.text
