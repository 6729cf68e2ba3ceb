"""Parse and check one row of an orders import file; every problem of the row is reported together."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from portal.imports.tabular import Row, parse_datetime
from portal.orders.enums import OrderKind
from portal.orders.models import Subject
from portal.subjects.services import split_path

REQUIRED = ["工单编号", "受理时间", "诉求类型", "标题", "诉求内容"]
OPTIONAL = ["事项分类", "标签", "来电人", "联系电话", "地址", "承办单位", "派单时间", "紧急程度", "办理时限",
            "办结时间", "办理结果"]
LIMITS = {"工单编号": 20, "标题": 200, "来电人": 50, "地址": 200, "诉求内容": 20000, "办理结果": 20000}
NUMBER_RE = re.compile(r"^[0-9A-Za-z-]+$")
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")
TAG_SPLIT = re.compile(r"[;；]")
URGENCY = {"一般": False, "紧急": True, "": False}


@dataclass
class ParsedOrder:
    row: int
    number: str
    accepted_at: datetime
    kind: OrderKind
    title: str
    content: str
    subject: Subject | None = None
    subject_parts: tuple[str, ...] | None = None  # an unknown subject, created on request
    tag_names: list[str] = field(default_factory=list)
    caller_name: str | None = None
    caller_mobile: str | None = None
    address: str | None = None
    unit: object | None = None  # Unit
    dispatched_at: datetime | None = None
    urgent: bool = False
    handle_deadline: datetime | None = None
    completed_at: datetime | None = None
    result: str = ""


class Lookups:
    """Units by every name and subjects by path, loaded once per import."""

    def __init__(self, units, subjects):
        self.units: dict[str, list] = {}
        for unit in units:
            for name in {unit.full_name, unit.short_name, *(unit.aliases or [])}:
                self.units.setdefault(name, []).append(unit)
        self.subject_paths: dict[str, Subject] = {}
        self.subject_names: dict[str, list[Subject]] = {}
        by_id = {s.id: s for s in subjects}
        for s in subjects:
            parent = by_id.get(s.parent_id)
            self.subject_paths[f"{parent.name}›{s.name}" if parent else s.name] = s
            self.subject_names.setdefault(s.name, []).append(s)
        self.unknown_subjects: dict[tuple[str, ...], list[int]] = {}

    def unit(self, name: str):
        named = self.units.get(name, [])
        # The centre's orders go to first-level units; passing down is the unit's business in the portal.
        found = [u for u in named if u.parent_id is None]
        if not found and named:
            raise ValueError(f"“{name}”是下级单位（{named[0].path_name}），承办单位须填写一级单位，"
                             "由其在门户中下派")
        if not found:
            raise ValueError(f"承办单位“{name}”不存在（可填单位全称、简称或别名）")
        if len({u.id for u in found}) > 1:
            raise ValueError(f"承办单位“{name}”对应多个单位，请填写单位全称")
        return found[0]

    def subject(self, text: str, row: int) -> Subject | None:
        """The subject `text` names; None (and noted with the row) when it does not exist."""
        parts = split_path(text)
        if len(parts) > 2:
            raise ValueError(f"事项分类“{text}”超过两级（应为“一级分类/二级分类”）")
        if len(parts) == 2 and "›".join(parts) in self.subject_paths:
            return self.subject_paths["›".join(parts)]
        if len(parts) == 1:
            found = self.subject_names.get(parts[0], [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ValueError(f"事项分类“{text}”有多个同名分类，请写成“一级分类/二级分类”")
        self.unknown_subjects.setdefault(tuple(parts), []).append(row)
        return None


def _time(row: Row, column: str, problems: list[str]) -> datetime | None:
    value = row.values.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        problems.append(f"{column}{exc}")
        return None


def parse_row(row: Row, lookups: Lookups, now: datetime) -> tuple[ParsedOrder | None, list[str]]:
    """The order a row describes, or None and the row's problems in Chinese."""
    text = {c: row.text(c) for c in REQUIRED + OPTIONAL}
    problems: list[str] = []
    empty = [c for c in REQUIRED if not text[c]]
    if empty:
        problems.append(f"{'、'.join(empty)}不能为空")
    for column, limit in LIMITS.items():
        if len(text[column]) > limit:
            problems.append(f"{column}超过 {limit} 个字")
    if text["工单编号"] and not NUMBER_RE.match(text["工单编号"]):
        problems.append(f"工单编号“{text['工单编号']}”只能包含数字、字母和短横线")
    kind = None
    if text["诉求类型"]:
        try:
            kind = OrderKind.from_label(text["诉求类型"])
        except ValueError:
            problems.append(f"诉求类型“{text['诉求类型']}”不存在，应为 咨询、求助、投诉、建议、举报、表扬 之一")
    accepted_at = _time(row, "受理时间", problems) if text["受理时间"] else None
    dispatched_at = _time(row, "派单时间", problems)
    deadline = _time(row, "办理时限", problems)
    completed_at = _time(row, "办结时间", problems)
    if text["紧急程度"] not in URGENCY:
        problems.append(f"紧急程度“{text['紧急程度']}”应为 一般 或 紧急")
    if text["联系电话"] and not PHONE_RE.match(text["联系电话"]):
        problems.append(f"联系电话“{text['联系电话']}”格式不正确")
    subject = unit = None
    if text["事项分类"]:
        try:
            subject = lookups.subject(text["事项分类"], row.number)
        except ValueError as exc:
            problems.append(str(exc))
    if text["承办单位"]:
        try:
            unit = lookups.unit(text["承办单位"])
        except ValueError as exc:
            problems.append(str(exc))
    else:
        given = [c for c in ("派单时间", "办理时限", "办结时间", "办理结果") if text[c]]
        if given:
            problems.append(f"没有承办单位的工单为待派单，不能填写{'、'.join(given)}")
    if text["办理结果"] and not text["办结时间"] and text["承办单位"]:
        problems.append("填写了办理结果但没有办结时间")
    tags = list(dict.fromkeys(t.strip() for t in TAG_SPLIT.split(text["标签"]) if t.strip()))
    if any(len(t) > 30 for t in tags):
        problems.append("每个标签不超过 30 个字")
    if accepted_at:
        if accepted_at > now:
            problems.append("受理时间晚于当前时间")
        start = dispatched_at or accepted_at
        if dispatched_at and dispatched_at < accepted_at:
            problems.append("派单时间早于受理时间")
        if deadline and deadline <= start:
            problems.append("办理时限应晚于派单时间")
        if completed_at and completed_at < start:
            problems.append("办结时间早于派单时间")
    if dispatched_at and dispatched_at > now:
        problems.append("派单时间晚于当前时间")
    if completed_at and completed_at > now:
        problems.append("办结时间晚于当前时间")
    if problems:
        return None, problems
    return ParsedOrder(
        row=row.number, number=text["工单编号"], accepted_at=accepted_at, kind=kind, title=text["标题"],
        content=text["诉求内容"], subject=subject, tag_names=tags, caller_name=text["来电人"] or None,
        subject_parts=tuple(split_path(text["事项分类"])) if text["事项分类"] and subject is None else None,
        caller_mobile=text["联系电话"] or None, address=text["地址"] or None, unit=unit,
        dispatched_at=(dispatched_at or accepted_at) if unit else None, urgent=URGENCY[text["紧急程度"]],
        handle_deadline=deadline, completed_at=completed_at, result=text["办理结果"],
    ), []
