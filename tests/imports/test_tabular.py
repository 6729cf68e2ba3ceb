from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from portal.imports.tabular import ImportErrors, ImportFailed, parse_date, parse_datetime, read_table

HEADER = ["单位全称", "简称", "分组", "排序"]


def _csv(rows, encoding):
    return "\n".join(",".join(r) for r in rows).encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_excel_saves(encoding):
    data = _csv([HEADER, ["安康市汉滨区人民政府", "汉滨区政府", "区县政府", "1"]], encoding)
    table = read_table(data, "units.csv", HEADER)
    assert table.header == HEADER
    assert table.rows[0].number == 2
    assert table.rows[0].text("简称") == "汉滨区政府"


def test_xlsx_with_numbers_and_dates():
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "受理时间"])
    ws.append([2018072106, datetime(2018, 7, 21, 9, 30)])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "orders.xlsx", ["工单编号", "受理时间"])
    row = table.rows[0]
    assert row.text("工单编号") == "2018072106"
    assert parse_datetime(row.values["受理时间"]) == datetime(2018, 7, 21, 9, 30)


def test_blank_lines_are_ignored_and_row_numbers_follow_the_sheet():
    data = _csv([HEADER, ["a", "b", "区县政府", "1"], ["", "", "", ""], ["c", "d", "区县政府", "2"]], "utf-8")
    rows = read_table(data, "u.csv", HEADER).rows
    assert [r.number for r in rows] == [2, 4]


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "u.csv", "文件为空"),
        (_csv([["单位全称", "简称"], ["a", "b"]], "utf-8"), "u.csv", "表头缺少列：分组、排序"),
        (_csv([[*HEADER, "备注x"], ["a", "b", "c", "1"]], "utf-8"), "u.csv", "无法识别的列：备注x"),
        (_csv([HEADER], "utf-8"), "u.csv", "只有表头"),
        (b"PK\x03\x04broken", "u.xlsx", "无法读取 XLSX"),
        (b"x", "u.pdf", "只支持 CSV 或 XLSX"),
        ("\ufffe".encode("utf-16"), "u.csv", "无法识别文件编码"),
    ],
)
def test_unreadable_files_get_a_chinese_message(data, name, message):
    with pytest.raises(ImportFailed) as exc:
        read_table(data, name, HEADER)
    assert message in exc.value.message


def test_errors_are_listed_by_row():
    errors = ImportErrors()
    errors.add(5, "分组不正确")
    errors.add(2, "简称为空")
    assert len(errors) == 2 and errors
    assert errors.lines() == ["第 2 行：简称为空", "第 5 行：分组不正确"]


def test_time_formats():
    assert parse_datetime("2018-09-28 14:00") == datetime(2018, 9, 28, 14, 0)
    assert parse_datetime("2018/9/28 14:00:05") == datetime(2018, 9, 28, 14, 0, 5)
    assert parse_date("2018/9/28") == date(2018, 9, 28)
    with pytest.raises(ValueError, match="格式不正确"):
        parse_datetime("28.09.2018")
