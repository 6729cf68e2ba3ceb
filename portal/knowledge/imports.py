"""KB entries from an XLSX made from the portal's template: every bad row reported, nothing written on error."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from portal.extensions import db
from portal.imports.tabular import ImportErrors, ImportFailed, parse_date, read_table, rows_text
from portal.knowledge import fields as rules
from portal.knowledge import categories, services
from portal.knowledge.fields import EntryData
from portal.knowledge.models import MATERIAL_KINDS, KBEntry

REQUIRED = ["标题", "答复内容"]
OPTIONAL = ["类目", "政策依据", "发文单位", "材料性质", "关键字", "有效期至", "复核日期"]
COLUMNS = ["类目", "标题", "答复内容", "政策依据", "发文单位", "材料性质", "关键字", "有效期至", "复核日期"]
MAX_ROWS = 1000
EXAMPLE = ["供水服务", "家中突然停水怎么办？", "请先查看小区是否有停水公告；如无公告，可拨打供水服务热线报修，"
           "工作人员将在 2 小时内到场。", "《城市供水条例》第二十二条", "安康市自来水公司", "常见问题", "停水、报修",
           "2019-12-31", "2019-06-30"]


def template_bytes() -> bytes:
    """The import template: header, one example row, material kinds as a drop-down, notes on a second sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "知识库条目"
    ws.append(COLUMNS)
    offered = categories.active_names()
    ws.append([offered[0] if offered else "", *EXAMPLE[1:]])  # a 类目 the import accepts
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for col, width in zip("ABCDEFGHI", (12, 30, 60, 30, 20, 12, 24, 12, 12)):
        ws.column_dimensions[col].width = width
    kinds = DataValidation(type="list", formula1='"' + ",".join(MATERIAL_KINDS) + '"', allow_blank=True)
    ws.add_data_validation(kinds)
    kinds.add(f"F2:F{MAX_ROWS + 1}")
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一个条目，第 2 行为示例，导入前请删除或改写。最多 1000 行。",
        "必填：标题（不超过 128 个字，本单位内不能重复）、答复内容。",
        f"类目：从中心维护的知识库类目中选择（目前可选：{'、'.join(categories.active_names()) or '暂无'}）；"
        "列表中没有的类目会被列出，勾选“新建文件中不存在的类目”可一并新建。",
        f"材料性质：{'、'.join(MATERIAL_KINDS)}，留空为“常见问题”。",
        "关键字：多个用顿号、逗号或空格分隔，每个不超过 20 个字。",
        "有效期至、复核日期：日期，如 2019-12-31；复核日期不能晚于有效期至。",
        "任何一行有误时整个文件都不会导入，请按提示修改后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _optional_date(row, column, errors, label):
    value = row.values.get(column)
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        errors.add(row.number, f"{label}：{exc}")
        return None


def parse_rows(data: bytes, filename: str, unit_id: int
               ) -> tuple[list[tuple[int, EntryData]], ImportErrors, dict[str, list[int]]]:
    """Check every row; return the entries to create, the row errors (both, so all errors show) and the
    类目 not in the list yet with the rows that use them."""
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    if len(table.rows) > MAX_ROWS:
        raise ImportFailed(f"一次最多导入 {MAX_ROWS} 行，文件有 {len(table.rows)} 行，请分批上传。")
    errors = ImportErrors()
    listed = {c.name: c.active for c in categories.all_categories()}
    unknown: dict[str, list[int]] = {}
    existing = set(db.session.scalars(select(KBEntry.title).where(KBEntry.unit_id == unit_id)))
    seen: dict[str, int] = {}
    parsed = []
    for row in table.rows:
        before = len(errors)
        title, answer = row.text("标题"), row.text("答复内容")
        for message in rules.title_errors(title):
            errors.add(row.number, message)
        if title in existing:
            errors.add(row.number, f"本单位已有标题为“{title}”的条目")
        elif title and title in seen:
            errors.add(row.number, f"标题“{title}”与第 {seen[title]} 行重复")
        seen.setdefault(title, row.number)
        if not answer:
            errors.add(row.number, "请填写答复内容")
        kind = row.text("材料性质") or "常见问题"
        for message in rules.material_kind_errors(kind):
            errors.add(row.number, message)
        keywords = rules.split_keywords(row.text("关键字"))
        for message in rules.keyword_errors(keywords):
            errors.add(row.number, message)
        if len(row.text("发文单位")) > 100:
            errors.add(row.number, "发文单位不能超过 100 个字")
        category = row.text("类目")
        if category and (problem := categories.name_problem(category)):
            errors.add(row.number, problem.rstrip("。"))
        elif category and category not in listed:
            unknown.setdefault(category, []).append(row.number)
        elif category and not listed[category]:
            errors.add(row.number, f"类目“{category}”已停用，请改用其他类目")
        valid_until = _optional_date(row, "有效期至", errors, "有效期至")
        review_date = _optional_date(row, "复核日期", errors, "复核日期")
        for message in rules.date_order_errors(valid_until, review_date):
            errors.add(row.number, message)
        if len(errors) == before:
            parsed.append((row.number, EntryData(
                title=title, answer=answer, category=category, policy_basis=row.text("政策依据"),
                issuer=row.text("发文单位"), material_kind=kind, keywords=keywords,
                valid_until=valid_until, review_date=review_date)))
    return parsed, errors, unknown


def _report_unknown(unknown: dict[str, list[int]], errors: ImportErrors) -> None:
    """Every unknown 类目 once, with the rows that use it, and how to have them created."""
    for name, rows in unknown.items():
        errors.add(0, f"类目“{name}”不在类目列表中，{rows_text(rows)}使用了它")
    errors.hint(f"以上 {len(unknown)} 个类目可由中心在「知识库类目」中添加；也可勾选“新建文件中不存在的类目”后重新上传。")


@dataclass
class ImportResult:
    entries: list[KBEntry] = field(default_factory=list)
    errors: ImportErrors = field(default_factory=ImportErrors)
    new_categories: list[str] = field(default_factory=list)


def import_entries(actor, unit_id: int, data: bytes, filename: str, *, submit: bool,
                   create_categories: bool = False) -> ImportResult:
    """Create every row's entry, or none: with any error nothing is written. Flushes, never commits.

    Unknown 类目 are listed once each with their rows; with `create_categories` they are created.
    """
    parsed, errors, unknown = parse_rows(data, filename, unit_id)
    if unknown and not create_categories:
        _report_unknown(unknown, errors)
    result = ImportResult(errors=errors)
    if errors:
        return result
    result.new_categories = [c.name for c in categories.ensure_categories(actor, list(unknown))]
    result.entries = [services.create_entry(actor, unit_id, entry, submit=submit) for _n, entry in parsed]
    return result
