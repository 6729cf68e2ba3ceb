"""Rules for scheme versions and for deductions/bonuses. Services take the actor and the time, flush, never
commit; every change is an audit event (portal.audit) in the same transaction.

Scheme versions: the first version of a site may start in any month (so past months can be scored); every
later version starts in a month that has not begun yet, so the scheme a month was scored with never changes.
A version whose month has not begun may still be edited or deleted (no month was scored with it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from portal.audit.services import Actor, record
from portal.errors import RuleViolation
from portal.extensions import db
from portal.scores.indicators import REGISTRY
from portal.scores.models import (
    Adjustment,
    AdjustmentKind,
    BoardScope,
    Scheme,
    SchemeGroup,
    SchemeItem,
)
from portal.units.models import UNIT_GROUPS, Unit

STARTED = "该版本的考核月份已经开始，不能修改或删除；请新建一个从以后月份起执行的版本。"


@dataclass(frozen=True)
class ItemSpec:
    indicator: str
    weight: int
    threshold: int | None


@dataclass(frozen=True)
class SchemeSpec:
    name: str
    effective_from: date
    full_marks: dict[str, int]
    items: list[ItemSpec]
    red_size: int = 5
    black_size: int = 5
    board_scope: BoardScope = BoardScope.GROUP
    note: str = ""


def month_started(month: date, at: datetime) -> bool:
    return (month.year, month.month) <= (at.year, at.month)


def problems(spec: SchemeSpec) -> list[str]:
    """Every reason the scheme cannot be saved, in Chinese (the form shows the same checks per field)."""
    out = []
    if not spec.name.strip():
        out.append("请填写方案名称。")
    if not spec.items:
        out.append("请至少选择一项考核指标。")
    unknown = [i.indicator for i in spec.items if i.indicator not in REGISTRY]
    if unknown:
        out.append(f"未知的考核指标：{'、'.join(unknown)}。")
    if len({i.indicator for i in spec.items}) != len(spec.items):
        out.append("同一指标只能选择一次。")
    if any(not 1 <= i.weight <= 100 for i in spec.items):
        out.append("每项指标的权重应为 1 至 100 之间的整数。")
    elif spec.items and sum(i.weight for i in spec.items) != 100:
        out.append(f"各项指标的权重合计应为 100%，现为 {sum(i.weight for i in spec.items)}%。")
    if any(i.threshold is not None and not 0 <= i.threshold <= 100 for i in spec.items):
        out.append("门槛应为 0 至 100 之间的整数（百分比）。")
    missing = [g for g in UNIT_GROUPS if g not in spec.full_marks]
    if missing:
        out.append(f"请填写这些分组的满分：{'、'.join(missing)}。")
    if any(not 1 <= v <= 1000 for v in spec.full_marks.values()):
        out.append("满分应为 1 至 1000 之间的整数。")
    if spec.red_size < 0 or spec.black_size < 0 or spec.red_size > 50 or spec.black_size > 50:
        out.append("红榜、黑榜单位数应为 0 至 50 之间的整数。")
    return out


def _check(spec: SchemeSpec) -> None:
    found = problems(spec)
    if found:
        raise RuleViolation("".join(found))


def _fill(scheme: Scheme, spec: SchemeSpec) -> None:
    scheme.name, scheme.note = spec.name.strip(), spec.note.strip()
    scheme.red_size, scheme.black_size, scheme.board_scope = spec.red_size, spec.black_size, spec.board_scope
    scheme.groups = [SchemeGroup(group=g, full_marks=v) for g, v in spec.full_marks.items()]
    scheme.items = [SchemeItem(indicator=i.indicator, weight=i.weight, threshold=i.threshold, position=n)
                    for n, i in enumerate(spec.items)]


def _describe(scheme: Scheme) -> str:
    items = "，".join(f"{REGISTRY[i.indicator].label}{i.weight}%" + (f"（门槛{i.threshold}%）" if i.threshold is not None
                                                                      else "") for i in scheme.items)
    marks = "，".join(f"{g.group}{g.full_marks}分" for g in scheme.groups)
    return (f"{scheme.month_label}起：{items}；满分 {marks}；红榜{scheme.red_size}、黑榜{scheme.black_size}"
            f"（{scheme.board_scope.label}）")[:500]


def create_scheme(actor, spec: SchemeSpec, at: datetime) -> Scheme:
    """A new version. Only the site's first version may start in a month that has already begun."""
    _check(spec)
    month = spec.effective_from.replace(day=1)
    exists = db.session.scalar(select(func.count(Scheme.id))) or 0
    if exists and month_started(month, at):
        raise RuleViolation(f"新版本只能从尚未开始的月份起执行（最早 {_next_month_label(at)}），"
                            "已经开始的月份仍按原方案考核。")
    if db.session.scalars(select(Scheme).where(Scheme.effective_from == month)).first() is not None:
        raise RuleViolation(f"已有从{month.year}年{month.month}月起执行的版本，请直接修改该版本。")
    scheme = Scheme(effective_from=month, created_by_id=getattr(actor, "id", None), created_at=at)
    _fill(scheme, spec)
    db.session.add(scheme)
    db.session.flush()
    record("score.scheme_created", actor=_actor(actor), object_type="score_scheme", object_id=scheme.id,
           detail=_describe(scheme))
    return scheme


def update_scheme(actor, scheme: Scheme, spec: SchemeSpec, at: datetime) -> Scheme:
    """Change a version whose first month has not begun (its month stays; a new month is a new version)."""
    if month_started(scheme.effective_from, at):
        raise RuleViolation(STARTED)
    _check(spec)
    scheme.groups.clear()
    scheme.items.clear()
    db.session.flush()  # the old rows go first: the new ones reuse their unique keys
    _fill(scheme, spec)
    db.session.flush()
    record("score.scheme_changed", actor=_actor(actor), object_type="score_scheme", object_id=scheme.id,
           detail=_describe(scheme))
    return scheme


def delete_scheme(actor, scheme: Scheme, at: datetime) -> None:
    if month_started(scheme.effective_from, at):
        raise RuleViolation(STARTED)
    record("score.scheme_deleted", actor=_actor(actor), object_type="score_scheme", object_id=scheme.id,
           detail=_describe(scheme))
    db.session.delete(scheme)
    db.session.flush()


def next_month(at: datetime) -> date:
    return date(at.year + 1, 1, 1) if at.month == 12 else date(at.year, at.month + 1, 1)


def _next_month_label(at: datetime) -> str:
    return f"{next_month(at).year}年{next_month(at).month}月"


def _actor(user) -> Actor | None:
    return Actor.of(user) if user is not None else None


REASON_MAX = 500


def add_adjustment(actor, *, unit: Unit, month: date, kind: AdjustmentKind, hundredths: int, reason: str,
                   at: datetime) -> Adjustment:
    """A deduction or bonus of `unit` for `month`, with its reason."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写加扣分原因。")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"原因不超过 {REASON_MAX} 个字。")
    if not 1 <= hundredths <= 100_00:
        raise RuleViolation("分值应大于 0、不超过 100 分，最多两位小数。")
    if month.replace(day=1) > at.date().replace(day=1):
        raise RuleViolation("不能为尚未开始的月份加扣分。")
    adj = Adjustment(unit_id=unit.id, month=month.replace(day=1), kind=kind, hundredths=hundredths, reason=reason,
                     created_by_id=getattr(actor, "id", None), created_at=at)
    db.session.add(adj)
    db.session.flush()
    record(f"score.{kind.value}", actor=_actor(actor), object_type="score_adjustment", object_id=adj.id,
           detail=f"{unit.short_name} {month:%Y-%m} {kind.label}{hundredths / 100:g}分：{reason}"[:500])
    return adj


def revoke_adjustment(actor, adj: Adjustment, reason: str, at: datetime) -> Adjustment:
    """撤销: the row stays (scores as of earlier times still count it), marked revoked from `at` on."""
    reason = (reason or "").strip()
    if adj.revoked_at is not None:
        raise RuleViolation("该加扣分已撤销。")
    if not reason:
        raise RuleViolation("请填写撤销原因。")
    if len(reason) > REASON_MAX:
        raise RuleViolation(f"原因不超过 {REASON_MAX} 个字。")
    adj.revoked_at, adj.revoked_by_id, adj.revoke_reason = at, getattr(actor, "id", None), reason
    db.session.flush()
    record("score.revoked", actor=_actor(actor), object_type="score_adjustment", object_id=adj.id,
           detail=f"{adj.unit.short_name} {adj.month:%Y-%m} 撤销{adj.kind.label}{adj.hundredths / 100:g}分：{reason}"[:500])
    return adj
