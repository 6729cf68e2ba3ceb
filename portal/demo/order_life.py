"""One generated order's life: the actions it went through, with their times, as bulk rows.

Each step is checked against the transition table (portal.orders.transitions.TABLE) and sets the lifecycle
columns the services set. The life is cut off at the data set's end time, so recent orders are caught
mid-way (待派单, 待签收, 办理中, 延期审核中, 退单审核中, 待审核) exactly as real ones would be.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from portal.auth.roles import Role
from portal.calendar.deadlines import END_OF_DAY
from portal.calendar.workdays import nth_working_day_after
from portal.demo.bulk import as_json
from portal.orders.enums import CallbackResult, OrderKind, RequestStatus, ReturnStage
from portal.orders.enums import OrderState as S
from portal.orders.transitions import RESUME, TABLE

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

ORDER_COLUMNS = (
    "id", "number", "accepted_at", "kind", "title", "content", "subject_id", "caller_name", "caller_mobile", "address",
    "urgent", "confidential", "state", "unit_id", "last_unit_id", "handler_id", "dispatched_at", "sign_deadline",
    "signed_at", "handle_deadline", "completed_at", "closed_at", "return_count", "extension_count", "reopen_count",
    "designated", "merged_into_id", "created_by_id", "created_at", "version",
)
EVENT_COLUMNS = ("id", "order_id", "action", "from_state", "to_state", "actor_id", "actor_role", "actor_unit_id", "at",
                 "text", "data")
REPLY_COLUMNS = ("id", "order_id", "unit_id", "submitted_by_id", "submitted_at", "result", "contact_way",
                 "contacted_at", "resolved", "unresolved_reason", "status", "reviewed_by_id", "reviewed_at",
                 "review_note")
RETURN_COLUMNS = ("id", "order_id", "unit_id", "requested_by_id", "requested_at", "reason", "duty_basis", "stage",
                  "status", "leader_id", "leader_decided_at", "leader_note", "decided_by_id", "decided_at",
                  "decision_note")
EXTENSION_COLUMNS = ("id", "order_id", "unit_id", "requested_by_id", "requested_at", "reason", "working_days",
                     "status", "old_deadline", "new_deadline", "decided_by_id", "decided_at", "decision_note")
CALLBACK_COLUMNS = ("id", "order_id", "result", "note", "at", "actor_id")


class Truncated(Exception):
    """The next step would happen after the end of the data set: the order stays where it is."""


@dataclass(frozen=True)
class Person:
    id: int
    role: Role
    unit_id: int | None = None


@dataclass
class Limits:
    """Deadline rules, read once (the calendar and the time limits are the app's own)."""

    handle_days: dict
    sign_working_days: int
    urgent_sign_minutes: int
    urgent_handle_hours: int

    def __post_init__(self):
        self._workday = lru_cache(maxsize=None)(nth_working_day_after)

    def sign_deadline(self, at: datetime, urgent: bool) -> datetime:
        if urgent:
            return at + timedelta(minutes=self.urgent_sign_minutes)
        return datetime.combine(self._workday(at.date(), self.sign_working_days), END_OF_DAY)

    def handle_deadline(self, at: datetime, kind: OrderKind, urgent: bool) -> datetime:
        if urgent:
            return at + timedelta(hours=self.urgent_handle_hours)
        return datetime.combine(self._workday(at.date(), self.handle_days[kind]), END_OF_DAY)

    def extend(self, deadline: datetime, days: int) -> datetime:
        return datetime.combine(self._workday(deadline.date(), days), deadline.time())


@dataclass
class Rows:
    """Bulk rows of one chunk of orders."""

    orders: list = field(default_factory=list)
    events: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    calls: list = field(default_factory=list)
    tags: list = field(default_factory=list)


@dataclass
class Ids:
    event: int = 0
    reply: int = 0
    ret: int = 0
    ext: int = 0
    callback: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


RESULTS = list(CallbackResult)
RESULT_WEIGHTS = [6, 3, 1][:len(RESULTS)] + [1] * max(0, len(RESULTS) - 3)
EMPTY = as_json({})
VALUES = {None: None, **{s: s.value for s in S}, **{r: r.value for r in Role}}


class OrderLife:
    """Simulates one order at a time, appending its rows to `rows`."""

    def __init__(self, rng: random.Random, end: datetime, limits: Limits, ids: Ids, *, centre: Person,
                 operator: Person, liaisons: dict[int, Person], leaders: dict[int, Person], unit_names: dict[int, str]):
        self.rng, self.end, self.limits, self.ids = rng, end, limits, ids
        self.centre, self.operator, self.liaisons, self.leaders = centre, operator, liaisons, leaders
        self.unit_names = unit_names

    # --- helpers ---------------------------------------------------------------------------------------

    def _at(self, after: datetime, low: timedelta, high: timedelta) -> datetime:
        span = max(int((high - low).total_seconds()), 1)
        at = after + low + timedelta(seconds=self.rng.randrange(span))
        if at > self.end:
            raise Truncated
        return at

    def _event(self, o: dict, action: str, actor: Person, at: datetime, text: str = "", data: str = EMPTY) -> None:
        from_state = o["state"]
        to_state = TABLE.get((from_state, action))
        if to_state is None:
            raise AssertionError(f"{action} from {from_state} is not in the transition table")
        if to_state == RESUME:
            to_state = S.IN_PROGRESS if o["signed_at"] else S.DISPATCHED
        self.ids.event += 1
        self.rows.events.append((self.ids.event, o["id"], action, VALUES[from_state], VALUES[to_state], actor.id,
                                 VALUES[actor.role], actor.unit_id, at, text, data))
        o["state"] = to_state
        o["version"] += 1

    # --- the life ----------------------------------------------------------------------------------------

    def run(self, rows: Rows, o: dict, unit_id: int, other_unit, merge_into: int | None) -> None:
        """Fill `o` (the order's columns, state None) by living its life from o['accepted_at']."""
        self.rows = rows
        o.update(state=None, version=0)
        self._event(o, "create", self.operator, o["accepted_at"], o["title"], f'{{"call_id":{o.pop("call_id")}}}')
        try:
            if merge_into is not None:
                at = self._at(o["accepted_at"], 10 * MINUTE, 2 * HOUR)
                o["merged_into_id"] = merge_into
                self._event(o, "merge", self.centre, at, "重复来电，并入前单。", as_json({"into_id": merge_into}))
                return
            at = self._dispatch_and_returns(o, unit_id, other_unit)
            at = self._sign(o, at)
            at = self._extension(o, at)
            self._replies(o, at)
        except Truncated:
            pass
        finally:
            o["version"] = max(o["version"], 1)

    def _dispatch(self, o: dict, unit_id: int, at: datetime) -> None:
        o["unit_id"] = o["last_unit_id"] = unit_id
        o["dispatched_at"] = at
        o["sign_deadline"] = self.limits.sign_deadline(at, o["urgent"])
        o["handle_deadline"] = self.limits.handle_deadline(at, o["kind"], o["urgent"])
        o["designated"] = o["return_count"] >= 3
        name = self.unit_names[unit_id]
        designated = "true" if o["designated"] else "false"
        self._event(o, "dispatch", self.centre, at, f"派至{name}",
                    f'{{"unit_id":{unit_id},"unit":"{name}","designated":{designated}}}')

    def _dispatch_and_returns(self, o: dict, unit_id: int, other_unit) -> datetime:
        quick = (MINUTE, 10 * MINUTE) if o["urgent"] else (5 * MINUTE, 3 * HOUR)
        at = self._at(o["accepted_at"], *quick)
        self._dispatch(o, unit_id, at)
        if self.rng.random() >= 0.03:
            return at
        # 退单: the liaison asks, the leader approves, the centre decides.
        liaison, leader = self.liaisons[unit_id], self.leaders[unit_id]
        asked = self._at(at, 10 * MINUTE, 20 * HOUR)
        rid = self.ids.next("ret")
        req = [rid, o["id"], unit_id, liaison.id, asked, "不属于本单位职责范围。", "本单位三定方案", ReturnStage.LEADER.value,
               RequestStatus.PENDING.value, None, None, "", None, None, ""]
        self.rows.returns.append(req)
        self._event(o, "request_return", liaison, asked, "不属于本单位职责范围。",
                    as_json({"duty_basis": "本单位三定方案", "stage": ReturnStage.LEADER.value}))
        approved = self._at(asked, 30 * MINUTE, 8 * HOUR)
        req[7], req[9], req[10] = ReturnStage.CENTRE.value, leader.id, approved
        self._event(o, "leader_approve_return", leader, approved, "同意退单。")
        decided = self._at(approved, HOUR, DAY)
        accept = self.rng.random() < 0.8
        req[8] = (RequestStatus.APPROVED if accept else RequestStatus.REJECTED).value
        req[12], req[13] = self.centre.id, decided
        if not accept:
            req[14] = "属于本单位职责，请继续办理。"
            self._event(o, "reject_return", self.centre, decided, req[14])
            return decided
        self._event(o, "approve_return", self.centre, decided, "同意退单，重新派单。",
                    as_json({"unit": self.unit_names[unit_id]}))
        o["unit_id"] = o["handler_id"] = None
        o["return_count"] += 1
        at = self._at(decided, 10 * MINUTE, 4 * HOUR)
        self._dispatch(o, other_unit(unit_id), at)
        return at

    def _sign(self, o: dict, after: datetime) -> datetime:
        deadline = o["sign_deadline"]
        if self.rng.random() < 0.95 and deadline > after + 2 * MINUTE:
            at = self._at(after, MINUTE, min(deadline - after, 20 * HOUR))
        else:
            at = self._at(max(after, deadline), HOUR, 2 * DAY)
        who = self.liaisons[o["unit_id"]]
        o["signed_at"], o["handler_id"] = at, who.id
        self._event(o, "sign", who, at)
        return at

    def _extension(self, o: dict, after: datetime) -> datetime:
        deadline = o["handle_deadline"]
        if self.rng.random() >= 0.05 or deadline - after < 2 * HOUR:
            return after
        who = self.liaisons[o["unit_id"]]
        asked = self._at(after, HOUR, (deadline - after) / 2)
        days = self.rng.choice((3, 5, 10))
        eid = self.ids.next("ext")
        req = [eid, o["id"], o["unit_id"], who.id, asked, "需协调多个部门，申请延期。", days, RequestStatus.PENDING.value,
               None, None, None, None, ""]
        self.rows.extensions.append(req)
        self._event(o, "request_extension", who, asked, req[5], as_json({"working_days": days}))
        decided = self._at(asked, 2 * HOUR, 2 * DAY)
        req[10], req[11] = self.centre.id, decided
        if self.rng.random() < 0.85:
            new = self.limits.extend(deadline, days)
            req[7], req[8], req[9] = RequestStatus.APPROVED.value, deadline, new
            o["handle_deadline"], o["extension_count"] = new, o["extension_count"] + 1
            self._event(o, "approve_extension", self.centre, decided, "",
                        as_json({"working_days": days, "from": deadline.isoformat(), "to": new.isoformat()}))
        else:
            req[7], req[12] = RequestStatus.REJECTED.value, "理由不充分。"
            self._event(o, "reject_extension", self.centre, decided, req[12])
        return decided

    def _replies(self, o: dict, after: datetime) -> None:
        if self.rng.random() < 0.004:
            raise Truncated  # never answered: 逾期未办结 for ever
        for attempt in range(2):
            deadline = o["handle_deadline"]
            if self.rng.random() < 0.95 and deadline - after > 2 * HOUR:
                submitted = self._at(after, 30 * MINUTE, deadline - after - HOUR)
            else:
                submitted = self._at(max(after, deadline), HOUR, 5 * DAY)
            who = self.liaisons[o["unit_id"]]
            rid = self.ids.next("reply")
            result = "已联系来电人，问题已按政策答复并处理完毕。"
            reply = [rid, o["id"], o["unit_id"], who.id, submitted, result, "电话", submitted - HOUR, True, "",
                     RequestStatus.PENDING.value, None, None, ""]
            self.rows.replies.append(reply)
            self._event(o, "reply", who, submitted, result,
                        f'{{"reply_id":{rid},"resolved":true,"contact_way":"电话"}}')
            reviewed = self._at(submitted, 30 * MINUTE, 36 * HOUR)
            reply[11], reply[12] = self.centre.id, reviewed
            if attempt == 0 and self.rng.random() < 0.02:
                reply[10], reply[13] = RequestStatus.REJECTED.value, "答复不完整，请重新办理。"
                o["handle_deadline"] = self.limits.handle_deadline(reviewed, o["kind"], o["urgent"])
                o["reopen_count"] += 1
                self._event(o, "reject_reply", self.centre, reviewed, reply[13], as_json({"reply_id": rid}))
                after = reviewed
                continue
            reply[10] = RequestStatus.APPROVED.value
            o["completed_at"], o["closed_at"] = submitted, reviewed
            self._event(o, "accept_reply", self.centre, reviewed, "回复内容属实，同意办结。", f'{{"reply_id":{rid}}}')
            self._callback(o, reviewed)
            return

    def _callback(self, o: dict, after: datetime) -> None:
        if self.rng.random() >= 0.4:
            return
        at = self._at(after, 2 * HOUR, 3 * DAY)
        result = self.rng.choices(RESULTS, RESULT_WEIGHTS)[0]
        self.rows.callbacks.append((self.ids.next("callback"), o["id"], result.value, "", at, self.centre.id))
        self._event(o, "callback", self.centre, at, result.label, f'{{"result":"{result.value}"}}')


def order_row(o: dict) -> tuple:
    values = dict(o)
    values["kind"] = o["kind"].value
    values["state"] = o["state"].value
    return tuple(values[c] for c in ORDER_COLUMNS)
