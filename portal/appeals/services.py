"""Filing and deciding appeals. Services take the actor, flush, never commit.

What may be appealed (DOMAIN.md §1 申诉): a 回访 rating that does not count as satisfied, and the lateness of an
order completed after its deadline (逾期办结), within N working days (a setting, default 3) of the judgment:
the callback, or the centre's acceptance of the late reply. An open order that is overdue is not appealed:
its unit asks for an extension in time instead.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from portal.appeals import lifecycle
from portal.appeals.models import Appeal, AppealFile, AppealKind, AppealStatus
from portal.auth.roles import Role
from portal.calendar.deadlines import end_of_working_day_after
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.services import notify, notify_centre
from portal.orders.callbacks import satisfied_levels
from portal.orders.enums import OrderState
from portal.orders.events import append_event
from portal.orders.handling import unit_leaders
from portal.orders.history import LATENESS_EXCUSED
from portal.orders.limits import current_limits
from portal.orders.models import Callback, WorkOrder
from portal.uploads import display_name, read_upload, resolve_ole, write_file
from portal.web.links import link_for
from portal.web.scoping import scope


@dataclass(frozen=True)
class Judgment:
    """Something of an order its unit may appeal: a rating or a lateness, when it was made, until when."""

    kind: AppealKind
    target: str
    judged_at: datetime
    window_end: datetime
    label: str
    callback: Callback | None = None
    completed_at: datetime | None = None


def window_end(judged_at: datetime) -> datetime:
    """23:59:59 of the N-th working day after the judgment's date (N: 申诉期限, a setting)."""
    return end_of_working_day_after(judged_at.date(), current_limits().appeal_window_days)


def judgments(order: WorkOrder) -> list[Judgment]:
    """Every rating and lateness of the order that an appeal could contest (whatever the window)."""
    found = []
    good = satisfied_levels()
    callbacks = db.session.scalars(select(Callback).where(Callback.order_id == order.id, Callback.closure.is_not(None))
                                   .order_by(Callback.id))
    for cb in callbacks:
        if cb.result not in good:
            found.append(Judgment(AppealKind.RATING, f"callback:{cb.id}", cb.at, window_end(cb.at),
                                  f"回访评价“{cb.result.label}”（{cb.at:%Y-%m-%d %H:%M}）", callback=cb))
    if (order.state == OrderState.CLOSED and order.completed_at and order.handle_deadline
            and order.completed_at > order.handle_deadline and order.closed_at):
        found.append(Judgment(AppealKind.LATENESS, f"late:{order.id}:{order.completed_at:%Y%m%d%H%M%S}",
                              order.closed_at, window_end(order.closed_at),
                              f"逾期办结（时限 {order.handle_deadline:%Y-%m-%d %H:%M}，"
                              f"办结回复 {order.completed_at:%Y-%m-%d %H:%M}）", completed_at=order.completed_at))
    return found


def open_judgments(order: WorkOrder, user, at: datetime | None = None) -> list[Judgment]:
    """What `user` may appeal on this order now: own unit, within the window, not appealed yet."""
    if not user.is_unit_user or user.unit_id is None or user.unit_id != order.unit_id:
        return []
    at = at or now()
    taken = set(db.session.scalars(select(Appeal.target).where(Appeal.order_id == order.id)))
    return [j for j in judgments(order) if j.target not in taken and at <= j.window_end]


def appeals_of(order: WorkOrder, user) -> list[Appeal]:
    """The order's appeals the user may see (the unit's own, or all for the centre)."""
    stmt = scope(select(Appeal).where(Appeal.order_id == order.id), Appeal, user).order_by(Appeal.id)
    return list(db.session.scalars(stmt))


def appeal_link(appeal: Appeal) -> str:
    return link_for("appeals.detail", appeal_id=appeal.id)


def file_appeal(order: WorkOrder, actor, target: str, reason: str, files=(), *, at: datetime | None = None) -> Appeal:
    """申诉: a liaison's appeal goes to the unit leader first (when the unit has an active one); a leader's
    goes straight to the centre."""
    from portal.appeals.lifecycle import AppealForbidden

    if not actor.is_unit_user or actor.unit_id is None or actor.unit_id != order.unit_id:
        raise AppealForbidden("只能对本单位办理的工单提出申诉。")
    if not (reason or "").strip():
        raise RuleViolation("请填写申诉理由。")
    at = at or now()
    judgment = next((j for j in judgments(order) if j.target == target), None)
    if judgment is None:
        raise RuleViolation("该工单没有可申诉的回访评价或逾期判定。")
    if at > judgment.window_end:
        raise RuleViolation(f"已超过申诉期限（{judgment.window_end:%Y-%m-%d %H:%M} 前，"
                            f"即判定后{current_limits().appeal_window_days}个工作日内）。")
    if db.session.scalar(select(Appeal.id).where(Appeal.target == target)) is not None:
        raise RuleViolation("该评价或逾期判定已提出申诉，不能重复申诉。")
    leaders = unit_leaders(order.unit_id)
    straight = actor.role == Role.UNIT_LEADER or not leaders
    appeal = Appeal(order_id=order.id, unit_id=order.unit_id, kind=judgment.kind, target=target,
                    callback_id=judgment.callback.id if judgment.callback else None,
                    completed_at=judgment.completed_at, reason=reason.strip(), filed_by_id=actor.id, filed_at=at,
                    status=AppealStatus.CENTRE_REVIEW if straight else AppealStatus.LEADER_REVIEW)
    if actor.role == Role.UNIT_LEADER:
        appeal.leader_id, appeal.leader_decided_at = actor.id, at
    db.session.add(appeal)
    db.session.flush()
    for storage in files:
        _save_file(appeal, storage, actor)
    append_event(order, lifecycle.EVENT_ACTIONS["file"], actor, at=at, text=f"{judgment.label}：{appeal.reason}",
                 data={"appeal_id": appeal.id, "kind": appeal.kind.value, "status": appeal.status.value})
    if straight:
        _tell_centre(appeal)
    else:
        for leader in leaders:
            notify(leader, "appeal_leader", f"工单 {order.number} 的申诉待您审批：{judgment.label}", appeal_link(appeal))
    db.session.flush()
    return appeal


def _tell_centre(appeal: Appeal) -> None:
    unit = appeal.unit.short_name if appeal.unit else ""
    notify_centre("appeal_waiting", f"{unit}对工单 {appeal.order.number} 提出申诉（{appeal.kind.label}），待审核",
                  appeal_link(appeal))


def _save_file(appeal: Appeal, storage, actor) -> AppealFile:
    data, ext, ctype = read_upload(storage)
    ext, ctype = resolve_ole(ext, ctype, storage.filename)
    relative = Path("appeals") / str(appeal.id) / f"{secrets.token_hex(16)}.{ext}"
    item = AppealFile(appeal_id=appeal.id, original_name=display_name(storage.filename, ext),
                      stored_name=relative.as_posix(), content_type=ctype, size=len(data), uploaded_by_id=actor.id,
                      uploaded_at=now())
    db.session.add(item)
    write_file(relative, data)
    return item


NEEDS_REASON = {"leader_reject": "不同意申诉时，请填写理由。", "uphold": "请填写审核意见（申诉成立的理由）。",
                "reject": "申诉不成立时，请填写理由。"}


def decide(appeal: Appeal, action: str, actor, note: str = "", *, at: datetime | None = None) -> Appeal:
    """One step of the lifecycle: the leader approves or rejects; the centre upholds or rejects with a reason.
    Upholding records, at the decision time, the fact the figures leave out from then on."""
    note = (note or "").strip()
    message = lifecycle.why_not(appeal, action, actor)
    if message is None and action in NEEDS_REASON and not note:
        raise RuleViolation(NEEDS_REASON[action])
    lifecycle.move(appeal, action, actor)
    at = at or now()
    order = appeal.order
    if action.startswith("leader_"):
        appeal.leader_id, appeal.leader_decided_at, appeal.leader_note = actor.id, at, note
    else:
        appeal.decided_by_id, appeal.decided_at, appeal.decision_note = actor.id, at, note
    event, data = lifecycle.EVENT_ACTIONS[action], {"appeal_id": appeal.id, "kind": appeal.kind.value}
    if action == "uphold" and appeal.kind == AppealKind.LATENESS:
        event, data["completed_at"] = LATENESS_EXCUSED, appeal.completed_at.isoformat()
    if action == "uphold" and appeal.kind == AppealKind.RATING:
        appeal.callback.excluded_at = at
    append_event(order, event, actor, at=at, text=note, data=data)
    if action == "leader_approve":
        _tell_centre(appeal)
    else:
        verdict = {"leader_reject": "未获单位负责人同意", "uphold": "中心认定申诉成立", "reject": "中心认定申诉不成立"}[action]
        notify(appeal.unit, "appeal_decision", f"工单 {order.number} 的申诉{verdict}：{note}", appeal_link(appeal))
    db.session.flush()
    return appeal
