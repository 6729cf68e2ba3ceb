"""Import the 事项分类 tree from CSV (UTF-8/BOM/GBK) or XLSX: 一级分类,二级分类[,排序]. All-or-nothing.

A row names a first-level subject (二级分类 empty) or a second-level one under it. Missing first-level
subjects are added; an existing subject only takes the row's 排序 when one is given. Nothing is ever
retired or deleted by an import.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.extensions import db
from portal.imports.tabular import ImportErrors, read_table
from portal.orders.models import Subject
from portal.subjects.forms import ORDER_MAX
from portal.subjects.queries import find_path
from portal.subjects.services import add_subject, name_problem

REQUIRED = ["一级分类", "二级分类"]
OPTIONAL = ["排序"]
_WHOLE = re.compile(r"^\d{1,9}$")


@dataclass
class ImportOutcome:
    dry_run: bool = False
    errors: ImportErrors = field(default_factory=ImportErrors)
    created_first: int = 0
    created_second: int = 0
    reordered: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        head = "预检通过（未写入）：将" if self.dry_run else "导入完成："
        return (f"{head}新增一级分类 {self.created_first} 个、二级分类 {self.created_second} 个，"
                f"更新排序 {self.reordered} 个，未变化 {self.unchanged} 个。")


@dataclass
class _Row:
    number: int
    parts: list[str]
    order: int | None


def _parse(row, errors: ImportErrors) -> _Row | None:
    first, second, order = row.text("一级分类"), row.text("二级分类"), row.text("排序")
    problems = []
    if not first:
        problems.append("一级分类不能为空")
    for column, name in (("一级分类", first), ("二级分类", second)):
        problem = name_problem(name) if name else None
        if problem:
            problems.append(f"{column}“{name}”：{problem.rstrip('。')}")
    if order and not _WHOLE.match(order):
        problems.append(f"排序“{order}”应为 0 到 {ORDER_MAX} 的整数")
    if problems:
        errors.add(row.number, "；".join(problems) + "。")
        return None
    return _Row(row.number, [first, second] if second else [first], int(order) if order else None)


def import_subjects(data: bytes, filename: str, actor=None, dry_run: bool = False) -> ImportOutcome:
    """Check every row, then add and reorder subjects, or write nothing. ImportFailed when unreadable."""
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    outcome = ImportOutcome(dry_run=dry_run)
    rows, seen = [], {}
    for row in table.rows:
        key = "›".join(p for p in (row.text("一级分类"), row.text("二级分类")) if p)
        if key and key in seen:
            outcome.errors.add(row.number, f"分类“{key}”与第 {seen[key]} 行重复。")
            continue
        seen.setdefault(key, row.number)
        parsed = _parse(row, outcome.errors)
        if parsed is not None:
            rows.append(parsed)
    if outcome.errors:
        return outcome
    subjects = list(db.session.scalars(select(Subject)))
    for row in rows:
        parent = find_path(row.parts[:1], subjects)
        if parent is None:
            parent = add_subject(actor, row.parts[0], None, row.order if len(row.parts) == 1 else None)
            subjects.append(parent)
            outcome.created_first += 1
            if len(row.parts) == 1:
                continue
        target = parent if len(row.parts) == 1 else find_path(row.parts, subjects)
        if target is None:
            subjects.append(add_subject(actor, row.parts[1], parent, row.order, active=parent.active))
            outcome.created_second += 1
        elif row.order is not None and row.order != target.display_order:
            target.display_order = row.order
            outcome.reordered += 1
        else:
            outcome.unchanged += 1
    db.session.flush()
    return outcome
