"""Import orders: validate every row, then write all of them or none.

States: a row with 办结时间 is 已办结 (completed_at = closed_at = 办结时间); a row without 承办单位 is 待派单;
a dispatched row without 办结时间 is 待签收 — the unit acknowledges it in the portal, with the sign deadline
from 派单时间 like any dispatch. A missing 办理时限 comes from 派单时间 and the kind's limit on the calendar.
Every order goes through the lifecycle (portal.orders.transitions) at the file's times: an "import" event
naming the file and row at 受理时间, a dispatch at 派单时间, a close_imported at 办结时间. Tags not yet known
are created.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.imports.tabular import ImportErrors, read_table, rows_text
from portal.order_import.rows import OPTIONAL, REQUIRED, Lookups, ParsedOrder, parse_row
from portal.orders.enums import OrderState, RequestStatus
from portal.orders.models import Subject, Tag, WorkOrder
from portal.subjects.queries import find_path
from portal.subjects.services import ensure_path, missing_paths
from portal.orders.transitions import transition
from portal.units.models import Unit

IMPORT_ACTION = "import"


@dataclass
class ImportOutcome:
    dry_run: bool = False
    errors: ImportErrors = field(default_factory=ImportErrors)
    states: Counter = field(default_factory=Counter)
    new_tags: list[str] = field(default_factory=list)
    new_subjects: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def summary(self) -> str:
        head = "预检通过（未写入）：将导入" if self.dry_run else "导入完成：共导入"
        parts = "，".join(f"{state.label} {n} 件" for state, n in sorted(self.states.items(), key=lambda x: x[0].label))
        tags = f"；新建标签：{'、'.join(self.new_tags)}" if self.new_tags else ""
        verb = "将新建" if self.dry_run else "新建"
        subjects = (f"；{verb}事项分类 {len(self.new_subjects)} 个：{'、'.join(self.new_subjects)}"
                    if self.new_subjects else "")
        return f"{head} {self.total} 件工单（{parts}）{tags}{subjects}。"


def _existing_numbers(numbers: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(numbers), 500):
        chunk = numbers[i:i + 500]
        found.update(db.session.scalars(select(WorkOrder.number).where(WorkOrder.number.in_(chunk))))
    return found


def _check_numbers(parsed: list[ParsedOrder], errors: ImportErrors) -> list[ParsedOrder]:
    existing = _existing_numbers([p.number for p in parsed])
    first: dict[str, int] = {}
    kept = []
    for p in parsed:
        if p.number in first:
            errors.add(p.row, f"工单编号“{p.number}”与第 {first[p.number]} 行重复。")
        elif p.number in existing:
            errors.add(p.row, f"工单编号“{p.number}”已存在。")
        else:
            kept.append(p)
        first.setdefault(p.number, p.row)
    return kept


def _state(p: ParsedOrder) -> OrderState:
    if p.unit is None:
        return OrderState.PENDING
    return OrderState.CLOSED if p.completed_at else OrderState.DISPATCHED


def _build(p: ParsedOrder, tags: dict[str, Tag], actor, filename: str, at) -> WorkOrder:
    """The row's order, brought to its state through the lifecycle at the file's times: imported at
    受理时间, dispatched at 派单时间 (with the file's 办理时限 when given), closed at 办结时间."""
    state = _state(p)
    order = WorkOrder(
        number=p.number, accepted_at=p.accepted_at, kind=p.kind, title=p.title, content=p.content,
        subject_id=p.subject.id if p.subject else None, caller_name=p.caller_name, caller_mobile=p.caller_mobile,
        address=p.address, urgent=p.urgent, created_by_id=getattr(actor, "id", None), created_at=at,
        tags=[tags[name] for name in p.tag_names],
    )
    text = f"从文件“{filename}”第 {p.row} 行导入，状态：{state.label}"
    transition(order, IMPORT_ACTION, actor, at=p.accepted_at, text=text, data={
        "file": filename, "row": p.row, "imported_at": at.isoformat(timespec="seconds"),
        "handle_deadline_given": p.handle_deadline is not None,
        "unit": p.unit.short_name if p.unit else None,
    })
    if p.unit is not None:
        transition(order, "dispatch", actor, at=p.dispatched_at, text="导入的派单", unit=p.unit,
                   handle_deadline=p.handle_deadline, imported=True)
    if state == OrderState.CLOSED:
        transition(order, "close_imported", actor, at=p.completed_at,
                   text=f"办理结果：{p.result}" if p.result else "导入的办结")
    return order


def _add_reply(order: WorkOrder, p: ParsedOrder, actor) -> None:
    """The imported 办理结果 as the accepted reply, so the order page shows it like any other."""
    from portal.orders.records import Reply

    db.session.add(Reply(order_id=order.id, unit_id=p.unit.id, submitted_at=p.completed_at, result=p.result,
                         contact_way="其他", resolved=True, status=RequestStatus.APPROVED,
                         reviewed_by_id=getattr(actor, "id", None), reviewed_at=p.completed_at,
                         review_note="导入的办理结果"))


def _report_unknown_subjects(unknown: dict[tuple[str, ...], list[int]], errors: ImportErrors) -> None:
    """Every unknown subject once, with the rows that use it, and how to have them created."""
    for parts, rows in unknown.items():
        errors.add(0, f"事项分类“{'›'.join(parts)}”不存在，{rows_text(rows)}使用了它。")
    errors.hint(f"以上 {len(unknown)} 个事项分类可由管理员先在「事项分类」中添加或导入；也可在导入时一并新建"
                  "（命令加 --create-subjects，上传页勾选“新建文件中不存在的事项分类”）。")


def _create_subjects(parsed: list[ParsedOrder], unknown, actor, outcome: ImportOutcome) -> None:
    """Create the unknown subjects (all of them, or in a dry run only name them) and attach them to the rows."""
    existing = list(db.session.scalars(select(Subject)))
    for parts in unknown:
        outcome.new_subjects.extend("›".join(p) for p in missing_paths(list(parts), existing)
                                    if "›".join(p) not in outcome.new_subjects)
    if outcome.dry_run:
        return
    for parts in unknown:
        existing.extend(ensure_path(actor, list(parts)))
    for p in parsed:
        if p.subject_parts:
            p.subject = find_path(list(p.subject_parts), existing)


def import_orders(data: bytes, filename: str, actor=None, dry_run: bool = False,
                  create_subjects: bool = False) -> ImportOutcome:
    """Validate every row, then write all orders or none. ImportFailed when the file is unreadable.

    Unknown 事项分类 are listed once each with their rows; with `create_subjects` they are created.
    """
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    outcome = ImportOutcome(dry_run=dry_run)
    lookups = Lookups(list(db.session.scalars(select(Unit))), list(db.session.scalars(select(Subject))))
    at = now()
    parsed = []
    for row in table.rows:
        order, problems = parse_row(row, lookups, at)
        if problems:
            outcome.errors.add(row.number, "；".join(problems) + "。")
        else:
            parsed.append(order)
    parsed = _check_numbers(parsed, outcome.errors)
    if lookups.unknown_subjects and not create_subjects:
        _report_unknown_subjects(lookups.unknown_subjects, outcome.errors)
    if outcome.errors:
        return outcome
    if lookups.unknown_subjects:
        _create_subjects(parsed, lookups.unknown_subjects, actor, outcome)
    known = {t.name: t for t in db.session.scalars(select(Tag))}
    wanted = list(dict.fromkeys(name for p in parsed for name in p.tag_names))
    outcome.new_tags = [name for name in wanted if name not in known]
    outcome.states.update(_state(p) for p in parsed)
    if dry_run:
        return outcome
    for name in outcome.new_tags:
        known[name] = Tag(name=name)
        db.session.add(known[name])
    built = [(p, _build(p, known, actor, filename, at)) for p in parsed]
    db.session.flush()
    for p, order in built:
        if p.result and p.completed_at:
            _add_reply(order, p, actor)
    db.session.flush()
    return outcome
