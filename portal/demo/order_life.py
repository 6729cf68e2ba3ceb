"""One generated order's life: the actions it went through, with their times, as bulk rows.

Each step is checked against the transition table (portal.orders.transitions.TABLE) and sets the lifecycle
columns the services set. The life is cut off at the data set's end time, so recent orders are caught
mid-way (待派单, 待签收, 办理中, 延期审核中, 退单审核中, 待审核) exactly as real ones would be.

Times are whole seconds since 1970-01-01 (naive, as the database stores them) held as ints: a million lives
are mostly time arithmetic, and ints are several times cheaper than datetime + timedelta. The bulk writer
turns them into the database's datetimes (portal/demo/bulk.py).

Besides the 流转记录, each life writes its `order_fact` rows (the history the statistics read as of T) as
migration b4c2e8f1a9d3's backfill derives them from these events; tests/demo/test_generate.py holds the
two equal.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal.auth.roles import Role
from portal.calendar.deadlines import END_OF_DAY
from portal.calendar.workdays import nth_working_day_after
from portal.demo.bulk import EPOCH, as_json, seconds
from portal.orders.enums import CallbackResult, OrderKind, RequestStatus, ReturnStage
from portal.orders.enums import OrderState as S
from portal.orders.transitions import RESUME, TABLE

MINUTE, HOUR, DAY = 60, 3600, 86400
EPOCH_ORDINAL = EPOCH.toordinal()
END_OF_DAY_SECONDS = END_OF_DAY.hour * HOUR + END_OF_DAY.minute * MINUTE + END_OF_DAY.second

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
FACT_COLUMNS = ("id", "order_id", "accepted_at", "kind", "valid_from", "valid_to", "unit_id", "dispatched_at",
                "sign_deadline", "signed_at", "handle_deadline", "completed_at", "extensions", "reopens")
# Positions in a fact row (a list until the order's life is over).
F_VALID_FROM, F_VALID_TO, F_UNIT, F_DISPATCHED, F_SIGN_DEADLINE, F_SIGNED, F_HANDLE_DEADLINE, F_COMPLETED, \
    F_EXTENSIONS, F_REOPENS = range(4, 14)


class Truncated(Exception):
    """The next step would happen after the end of the data set: the order stays where it is."""


@dataclass(frozen=True)
class Person:
    id: int
    role: Role
    unit_id: int | None = None


def day_of(at: int) -> date:
    return date.fromordinal(at // DAY + EPOCH_ORDINAL)


def as_datetime(at: int) -> datetime:
    return EPOCH + timedelta(seconds=at)


@dataclass
class Limits:
    """Deadline rules, read once (the calendar and the time limits are the app's own), memoised by
    (day, working days): a million orders fall on a few hundred days."""

    handle_days: dict
    sign_working_days: int
    urgent_sign_minutes: int
    urgent_handle_hours: int
    _days: dict = field(default_factory=dict, repr=False)

    def _workday(self, day: int, n: int) -> int:
        """Day number (days since 1970-01-01) of the n-th working day after `day`."""
        key = (day, n)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = nth_working_day_after(date.fromordinal(day + EPOCH_ORDINAL), n).toordinal() \
                - EPOCH_ORDINAL
        return found

    def sign_deadline(self, at: int, urgent: bool) -> int:
        if urgent:
            return at + self.urgent_sign_minutes * MINUTE
        return self._workday(at // DAY, self.sign_working_days) * DAY + END_OF_DAY_SECONDS

    def handle_deadline(self, at: int, kind: OrderKind, urgent: bool) -> int:
        if urgent:
            return at + self.urgent_handle_hours * HOUR
        return self._workday(at // DAY, self.handle_days[kind]) * DAY + END_OF_DAY_SECONDS

    def extend(self, deadline: int, days: int) -> int:
        return self._workday(deadline // DAY, days) * DAY + deadline % DAY


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
    facts: list = field(default_factory=list)


@dataclass
class Ids:
    event: int = 0
    reply: int = 0
    ret: int = 0
    ext: int = 0
    callback: int = 0
    fact: int = 0

    def next(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


RESULTS = list(CallbackResult)
RESULT_WEIGHTS = [6, 3, 1][:len(RESULTS)] + [1] * max(0, len(RESULTS) - 3)
# (cumulative weight, stored value, label) per callback result: enum attributes cost more than a list lookup.
RESULT_DRAW = [(sum(RESULT_WEIGHTS[:i + 1]), r.value, r.label) for i, r in enumerate(RESULTS)]
KIND_VALUES = {k: k.value for k in OrderKind}
EMPTY = as_json({})
VALUES = {None: None, **{s: s.value for s in S}, **{r: r.value for r in Role}}
PENDING, APPROVED, REJECTED = RequestStatus.PENDING.value, RequestStatus.APPROVED.value, RequestStatus.REJECTED.value


class OrderLife:
    """Simulates one order at a time, appending its rows to `rows`."""

    def __init__(self, rng: random.Random, end: datetime, limits: Limits, ids: Ids, *, centre: Person,
                 operator: Person, liaisons: dict[int, Person], leaders: dict[int, Person], unit_names: dict[int, str]):
        self.rng, self.end, self.limits, self.ids = rng, seconds(end), limits, ids
        self.random = rng.random
        self.centre, self.operator, self.liaisons, self.leaders = centre, operator, liaisons, leaders
        self.unit_names = unit_names

    # --- helpers ---------------------------------------------------------------------------------------

    def _at(self, after: int, low: int, high: int) -> int:
        """A time between after + low and after + high (seconds); Truncated past the end of the data set."""
        span = high - low
        at = after + low + (int(self.random() * span) if span > 1 else 0)
        if at > self.end:
            raise Truncated
        return at

    def _event(self, o: dict, action: str, actor: Person, at: int, text: str = "", data: str = EMPTY) -> None:
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

    def _fact(self, o: dict, start: int, like: list | None = None) -> list:
        """Open a fact row from `start` (the facts of `like`, else those of an order no unit holds)."""
        if like is None:
            row = [0, o["id"], o["accepted_at"], KIND_VALUES[o["kind"]], start, None, None, None, None, None, None, None, 0, 0]
        else:
            like[F_VALID_TO] = start
            row = like[:]
            row[F_VALID_FROM], row[F_VALID_TO] = start, None
        self.facts.append(row)
        return row

    # --- the life ----------------------------------------------------------------------------------------

    def run(self, rows: Rows, o: dict, unit_id: int, other_unit, merge_into: int | None) -> None:
        """Fill `o` (the order's columns, state None) by living its life from o['accepted_at']."""
        self.rows = rows
        self.facts, self.spell = [], []  # this order's fact rows; those of its current dispatch
        o.update(state=None, version=0)
        self._event(o, "create", self.operator, o["accepted_at"], o["title"], f'{{"call_id":{o.pop("call_id")}}}')
        self.fact = self._fact(o, o["accepted_at"])
        try:
            if merge_into is not None:
                at = self._at(o["accepted_at"], 10 * MINUTE, 2 * HOUR)
                o["merged_into_id"] = merge_into
                self._event(o, "merge", self.centre, at, "重复来电，并入前单。", as_json({"into_id": merge_into}))
                self.fact[F_VALID_TO] = at
                return
            at = self._dispatch_and_returns(o, unit_id, other_unit)
            at = self._sign(o, at)
            at = self._extension(o, at)
            self._replies(o, at)
        except Truncated:
            pass
        finally:
            if not o["version"]:
                o["version"] = 1
            self._close_facts(o)

    def _close_facts(self, o: dict) -> None:
        """The current dispatch's deadlines are the order's own (as the backfill takes them from the order);
        a dispatch that ended (its return approved) keeps none, nor does a deadline no event recorded."""
        spell = self.spell
        if spell and spell[-1][F_VALID_TO] is None:
            for row in spell:
                row[F_SIGN_DEADLINE] = o["sign_deadline"]
            if spell[-1][F_HANDLE_DEADLINE] is None:
                spell[-1][F_HANDLE_DEADLINE] = o["handle_deadline"]
        ids, out = self.ids, self.rows.facts
        for row in self.facts:
            ids.fact += 1
            row[0] = ids.fact
            out.append(tuple(row))

    def _dispatch(self, o: dict, unit_id: int, at: int) -> None:
        o["unit_id"] = o["last_unit_id"] = unit_id
        o["dispatched_at"] = at
        o["sign_deadline"] = self.limits.sign_deadline(at, o["urgent"])
        o["handle_deadline"] = self.limits.handle_deadline(at, o["kind"], o["urgent"])
        o["designated"] = o["return_count"] >= 3
        name = self.unit_names[unit_id]
        designated = "true" if o["designated"] else "false"
        self._event(o, "dispatch", self.centre, at, f"派至{name}",
                    f'{{"unit_id":{unit_id},"unit":"{name}","designated":{designated}}}')
        self.fact[F_UNIT], self.fact[F_DISPATCHED] = unit_id, at
        self.spell = [self.fact]

    def _dispatch_and_returns(self, o: dict, unit_id: int, other_unit) -> int:
        quick = (MINUTE, 10 * MINUTE) if o["urgent"] else (5 * MINUTE, 3 * HOUR)
        at = self._at(o["accepted_at"], *quick)
        self._dispatch(o, unit_id, at)
        if self.random() >= 0.03:
            return at
        # 退单: the liaison asks, the leader approves, the centre decides.
        liaison, leader = self.liaisons[unit_id], self.leaders[unit_id]
        asked = self._at(at, 10 * MINUTE, 20 * HOUR)
        rid = self.ids.next("ret")
        req = [rid, o["id"], unit_id, liaison.id, asked, "不属于本单位职责范围。", "本单位三定方案", ReturnStage.LEADER.value,
               PENDING, None, None, "", None, None, ""]
        self.rows.returns.append(req)
        self._event(o, "request_return", liaison, asked, "不属于本单位职责范围。",
                    as_json({"duty_basis": "本单位三定方案", "stage": ReturnStage.LEADER.value}))
        approved = self._at(asked, 30 * MINUTE, 8 * HOUR)
        req[7], req[9], req[10] = ReturnStage.CENTRE.value, leader.id, approved
        self._event(o, "leader_approve_return", leader, approved, "同意退单。")
        decided = self._at(approved, HOUR, DAY)
        accept = self.random() < 0.8
        req[8] = APPROVED if accept else REJECTED
        req[12], req[13] = self.centre.id, decided
        if not accept:
            req[14] = "属于本单位职责，请继续办理。"
            self._event(o, "reject_return", self.centre, decided, req[14])
            return decided
        self._event(o, "approve_return", self.centre, decided, "同意退单，重新派单。",
                    as_json({"unit": self.unit_names[unit_id]}))
        o["unit_id"] = o["handler_id"] = None
        o["return_count"] += 1
        self.fact[F_VALID_TO] = decided
        self.fact = self._fact(o, decided)
        at = self._at(decided, 10 * MINUTE, 4 * HOUR)
        self._dispatch(o, other_unit(unit_id), at)
        return at

    def _sign(self, o: dict, after: int) -> int:
        deadline = o["sign_deadline"]
        if self.random() < 0.95 and deadline > after + 2 * MINUTE:
            at = self._at(after, MINUTE, min(deadline - after, 20 * HOUR))
        else:
            at = self._at(max(after, deadline), HOUR, 2 * DAY)
        who = self.liaisons[o["unit_id"]]
        o["signed_at"], o["handler_id"] = at, who.id
        self._event(o, "sign", who, at)
        self.fact[F_SIGNED] = at
        return at

    def _extension(self, o: dict, after: int) -> int:
        deadline = o["handle_deadline"]
        if self.random() >= 0.05 or deadline - after < 2 * HOUR:
            return after
        who = self.liaisons[o["unit_id"]]
        asked = self._at(after, HOUR, (deadline - after) // 2)
        days = (3, 5, 10)[int(self.random() * 3)]
        eid = self.ids.next("ext")
        req = [eid, o["id"], o["unit_id"], who.id, asked, "需协调多个部门，申请延期。", days, PENDING,
               None, None, None, None, ""]
        self.rows.extensions.append(req)
        self._event(o, "request_extension", who, asked, req[5], as_json({"working_days": days}))
        decided = self._at(asked, 2 * HOUR, 2 * DAY)
        req[10], req[11] = self.centre.id, decided
        if self.random() < 0.85:
            new = self.limits.extend(deadline, days)
            req[7], req[8], req[9] = APPROVED, deadline, new
            o["handle_deadline"], o["extension_count"] = new, o["extension_count"] + 1
            self._event(o, "approve_extension", self.centre, decided, "",
                        as_json({"working_days": days, "from": as_datetime(deadline).isoformat(),
                                 "to": as_datetime(new).isoformat()}))
            if self.fact[F_HANDLE_DEADLINE] is None:
                self.fact[F_HANDLE_DEADLINE] = deadline
            self.fact = self._fact(o, decided, self.fact)
            self.fact[F_HANDLE_DEADLINE] = new
            self.fact[F_EXTENSIONS] += 1
            self.spell.append(self.fact)
        else:
            req[7], req[12] = REJECTED, "理由不充分。"
            self._event(o, "reject_extension", self.centre, decided, req[12])
        return decided

    def _replies(self, o: dict, after: int) -> None:
        if self.random() < 0.004:
            raise Truncated  # never answered: 逾期未办结 for ever
        for attempt in range(2):
            deadline = o["handle_deadline"]
            if self.random() < 0.95 and deadline - after > 2 * HOUR:
                submitted = self._at(after, 30 * MINUTE, deadline - after - HOUR)
            else:
                submitted = self._at(max(after, deadline), HOUR, 5 * DAY)
            who = self.liaisons[o["unit_id"]]
            rid = self.ids.next("reply")
            result = "已联系来电人，问题已按政策答复并处理完毕。"
            reply = [rid, o["id"], o["unit_id"], who.id, submitted, result, "电话", submitted - HOUR, True, "",
                     PENDING, None, None, ""]
            self.rows.replies.append(reply)
            self._event(o, "reply", who, submitted, result,
                        f'{{"reply_id":{rid},"resolved":true,"contact_way":"电话"}}')
            reviewed = self._at(submitted, 30 * MINUTE, 36 * HOUR)
            reply[11], reply[12] = self.centre.id, reviewed
            if attempt == 0 and self.random() < 0.02:
                reply[10], reply[13] = REJECTED, "答复不完整，请重新办理。"
                o["handle_deadline"] = self.limits.handle_deadline(reviewed, o["kind"], o["urgent"])
                o["reopen_count"] += 1
                self._event(o, "reject_reply", self.centre, reviewed, reply[13], as_json({"reply_id": rid}))
                self.fact = self._fact(o, reviewed, self.fact)
                self.fact[F_HANDLE_DEADLINE] = self.fact[F_COMPLETED] = None
                self.fact[F_REOPENS] += 1
                self.spell.append(self.fact)
                after = reviewed
                continue
            reply[10] = APPROVED
            o["completed_at"], o["closed_at"] = submitted, reviewed
            self._event(o, "accept_reply", self.centre, reviewed, "回复内容属实，同意办结。", f'{{"reply_id":{rid}}}')
            self.fact[F_COMPLETED] = submitted
            self._callback(o, reviewed)
            return

    def _callback(self, o: dict, after: int) -> None:
        if self.random() >= 0.4:
            return
        at = self._at(after, 2 * HOUR, 3 * DAY)
        r = self.random() * RESULT_DRAW[-1][0]
        _weight, value, label = next(d for d in RESULT_DRAW if r < d[0])
        self.ids.callback += 1
        self.rows.callbacks.append((self.ids.callback, o["id"], value, "", at, self.centre.id))
        self._event(o, "callback", self.centre, at, label, f'{{"result":"{value}"}}')


def order_row(o: dict) -> tuple:
    return (o["id"], o["number"], o["accepted_at"], KIND_VALUES[o["kind"]], o["title"], o["content"], o["subject_id"],
            o["caller_name"], o["caller_mobile"], o["address"], o["urgent"], o["confidential"], VALUES[o["state"]],
            o["unit_id"], o["last_unit_id"], o["handler_id"], o["dispatched_at"], o["sign_deadline"], o["signed_at"],
            o["handle_deadline"], o["completed_at"], o["closed_at"], o["return_count"], o["extension_count"],
            o["reopen_count"], o["designated"], o["merged_into_id"], o["created_by_id"], o["created_at"], o["version"])
