"""Import units from CSV or XLSX: all-or-nothing, every bad row reported with its row number.

Columns: 单位全称, 简称, 分组, 排序 (required); 别名, 牵头负责人, 负责人手机 (optional).
A row whose 单位全称 is an existing unit updates that unit; any other row adds a unit.
An empty optional cell leaves the existing value as it is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.imports.tabular import ImportErrors, read_table
from portal.units.forms import MOBILE_RE
from portal.units.models import UNIT_GROUPS, Unit
from portal.units.services import UnitData, apply_data, record_roster_event, person, split_aliases
from portal.units.queries import first_level

REQUIRED = ["单位全称", "简称", "分组", "排序"]
OPTIONAL = ["别名", "牵头负责人", "负责人手机"]
_WHOLE = re.compile(r"^\d{1,9}$")
LIMITS = {"单位全称": 100, "简称": 50, "牵头负责人": 50}


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: ImportErrors = field(default_factory=ImportErrors)

    @property
    def summary(self) -> str:
        head = "预检通过（未写入）：将" if self.dry_run else "导入完成："
        return f"{head}新增 {self.created} 个，更新 {self.updated} 个，未变化 {self.unchanged} 个单位。"


@dataclass
class _Parsed:
    row: int
    data: UnitData
    aliases_given: bool
    lead_name_given: bool
    lead_mobile_given: bool
    target: Unit | None = None


def _parse(row, errors: ImportErrors) -> _Parsed | None:
    values = {c: row.text(c) for c in REQUIRED + OPTIONAL}
    problems = []
    empty = [c for c in REQUIRED if not values[c]]
    if empty:
        problems.append(f"{'、'.join(empty)}不能为空")
    for column, limit in LIMITS.items():
        if len(values[column]) > limit:
            problems.append(f"{column}超过 {limit} 个字")
    if values["分组"] and values["分组"] not in UNIT_GROUPS:
        problems.append(f"分组“{values['分组']}”不存在，应为 {'、'.join(UNIT_GROUPS)} 之一")
    order = values["排序"]
    if order and not _WHOLE.match(order):
        if re.match(r"^-\d+$", order):
            problems.append(f"排序“{order}”不能为负数")
        elif order.isascii() and order.isdigit():
            problems.append(f"排序“{order}”过大（不超过 9 位数）")
        else:
            problems.append(f"排序“{order}”不是整数")
    if values["负责人手机"] and not MOBILE_RE.match(values["负责人手机"]):
        problems.append(f"负责人手机“{values['负责人手机']}”格式不正确，应为 11 位手机号")
    aliases = split_aliases(values["别名"])
    if any(len(a) > 100 for a in aliases):
        problems.append("别名每个不超过 100 个字")
    if problems:
        errors.add(row.number, "；".join(problems) + "。")
        return None
    data = UnitData(full_name=values["单位全称"], short_name=values["简称"], group=values["分组"],
                    display_order=int(values["排序"]), aliases=aliases,
                    lead_name=values["牵头负责人"] or None, lead_mobile=values["负责人手机"] or None)
    return _Parsed(row.number, data, bool(aliases), bool(values["牵头负责人"]), bool(values["负责人手机"]))


def _final(p: _Parsed) -> UnitData:
    """The unit as it will be after the import (empty optional cells keep existing values)."""
    t = p.target
    d = p.data
    return UnitData(
        full_name=d.full_name, short_name=d.short_name, group=d.group, display_order=d.display_order,
        aliases=d.aliases if p.aliases_given or t is None else list(t.aliases or []),
        lead_name=d.lead_name if p.lead_name_given or t is None else t.lead_name,
        lead_mobile=d.lead_mobile if p.lead_mobile_given or t is None else t.lead_mobile,
    )


def _check_within_file(parsed: list[_Parsed], errors: ImportErrors) -> list[_Parsed]:
    first_full: dict[str, int] = {}
    first_short: dict[str, int] = {}
    kept = []
    for p in parsed:
        problems = []
        if p.data.full_name in first_full:
            problems.append(f"单位全称“{p.data.full_name}”与第 {first_full[p.data.full_name]} 行重复")
        if p.data.short_name in first_short:
            problems.append(f"简称“{p.data.short_name}”与第 {first_short[p.data.short_name]} 行重复")
        first_full.setdefault(p.data.full_name, p.row)
        first_short.setdefault(p.data.short_name, p.row)
        if problems:
            errors.add(p.row, "；".join(problems) + "。")
        else:
            kept.append(p)
    return kept


def _check_names(parsed: list[_Parsed], existing: list[Unit], errors: ImportErrors) -> None:
    """After the import every name (full, short, alias) must still belong to exactly one unit."""
    touched = {p.target.id for p in parsed if p.target is not None}
    owners: dict[str, Unit] = {}
    for unit in existing:
        if unit.id not in touched:
            for name in unit.names:
                owners.setdefault(name, unit)
    claimed: dict[str, int] = {}
    for p in parsed:
        final = _final(p)
        problems = []
        own = {final.full_name, final.short_name}
        for kind, name in [("单位全称", final.full_name), ("简称", final.short_name),
                           *[("别名", a) for a in final.aliases if a not in own]]:
            other = owners.get(name)
            if other is not None:
                what = "简称" if other.short_name == name else ("全称" if other.full_name == name else "别名")
                problems.append(f"{kind}“{name}”已是现有单位“{other.full_name}”的{what}")
            elif claimed.get(name, p.row) != p.row:
                problems.append(f"{kind}“{name}”与第 {claimed[name]} 行的单位名称重复")
            claimed.setdefault(name, p.row)
        if problems:
            errors.add(p.row, "；".join(dict.fromkeys(problems)) + "。")


def _changed(unit: Unit, data: UnitData) -> bool:
    own = {data.full_name, data.short_name}
    return (unit.short_name, unit.group, unit.display_order, list(unit.aliases or []),
            unit.lead_name, unit.lead_mobile) != (
        data.short_name, data.group, data.display_order, [a for a in data.aliases if a not in own],
        data.lead_name, data.lead_mobile)


def import_units(data: bytes, filename: str, actor: User | None = None, dry_run: bool = False) -> ImportOutcome:
    """Validate every row, then write all of them or none. ImportFailed when the file is unreadable."""
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    outcome = ImportOutcome(dry_run=dry_run)
    parsed = [p for p in (_parse(row, outcome.errors) for row in table.rows) if p is not None]
    parsed = _check_within_file(parsed, outcome.errors)
    existing = list(db.session.scalars(first_level(select(Unit)).order_by(Unit.id)))  # imports add first-level units
    by_full = {u.full_name: u for u in existing}
    for p in parsed:
        p.target = by_full.get(p.data.full_name)
    _check_names(parsed, existing, outcome.errors)
    if outcome.errors:
        return outcome
    finals = [(p, _final(p)) for p in parsed]
    for p, final in finals:
        if p.target is None:
            outcome.created += 1
        elif _changed(p.target, final):
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    if dry_run:
        return outcome
    # Short names may move between units within one file: park the moving ones first so the
    # unique constraint never sees two units holding one name mid-way.
    moving = [p.target for p, final in finals if p.target is not None and p.target.short_name != final.short_name]
    for unit in moving:
        unit.short_name = f"#{unit.id}#"
    if moving:
        db.session.flush()
    for p, final in finals:
        if p.target is None:
            unit = Unit(active=True)
            apply_data(unit, final, actor)
            db.session.add(unit)
            db.session.flush()
            if unit.lead_name or unit.lead_mobile:
                record_roster_event(unit.id, "update_lead", actor,
                                    f"导入新建单位，牵头负责人 {person(unit.lead_name, unit.lead_mobile)}")
        else:
            apply_data(p.target, final, actor)
    db.session.flush()
    return outcome
