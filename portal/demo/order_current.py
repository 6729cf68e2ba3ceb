"""Open orders around today (portal.clock.now()) in every state, so the demo liaisons have work to do.

汉滨区政府, 恒口示范区 and 市人社局 get the full set; a few other units get some. Times are relative to
the moment the demo is loaded, and deadlines come from the calendar, so 即将到期 and 已逾期 are true then.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from portal.calendar.workdays import is_working_day
from portal.clock import now
from portal.demo.order_subjects import ISSUES, REPLIES, UNIT_SUBJECTS
from portal.demo.order_texts import caller, mobile, place, wording
from portal.extensions import db
from portal.orders.conditions import DUE_SOON
from portal.orders.deadlines import handle_deadline
from portal.orders.enums import OrderKind, ReturnStage
from portal.orders.models import WorkOrder
from portal.orders.records import ExtensionRequest, ReturnRequest
from portal.orders.transitions import transition

MAIN_UNITS = ("汉滨区政府", "恒口示范区", "市人社局")
SCENARIOS = ("dispatched", "dispatched_urgent", "in_progress", "in_progress", "due_soon", "overdue", "return",
             "extension", "replied", "closed", "closed")
OTHER_UNITS = {"旬阳县政府": ("dispatched", "in_progress"), "高新区": ("in_progress", "overdue"),
               "市城管局": ("dispatched", "replied"), "市交警支队": ("in_progress",), "市房管局": ("extension",)}
PENDING_COUNT = 4
COUNTY_SUBJECTS = ("噪音扰民", "市容环境", "贫困户认定", "居民用水用电", "道路建设", "低保救助", "拖欠工资")


def _working_moment(at: datetime, working_days_back: int) -> datetime:
    """10:xx on the working day `working_days_back` working days before `at`'s date."""
    day = at.date()
    while working_days_back:
        day -= timedelta(days=1)
        if is_working_day(day):
            working_days_back -= 1
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=10, minutes=at.minute % 50)


def _due_soon_dispatch(kind: OrderKind, t: datetime) -> datetime | None:
    """A dispatch time (a working-day morning) whose handle deadline falls within the next 24 hours."""
    for back in range(1, 40):
        candidate = datetime.combine(t.date() - timedelta(days=back), datetime.min.time()) + timedelta(hours=9, minutes=20)
        remaining = handle_deadline(candidate, kind, False) - t
        if timedelta(hours=1) < remaining < DUE_SOON:
            return candidate
    return None


class _Numbers:
    def __init__(self):
        self.per_day = defaultdict(int)

    def next(self, at: datetime) -> str:
        self.per_day[at.date()] += 1
        return f"{at:%Y%m%d}{self.per_day[at.date()]:02d}"


def _subject_for(unit_name: str, rng: random.Random) -> str:
    if unit_name in UNIT_SUBJECTS:
        return rng.choice(list(UNIT_SUBJECTS[unit_name]))
    return rng.choice(COUNTY_SUBJECTS)


def _office_time(at: datetime) -> datetime:
    """The latest office-hours moment not after `at` (loaded at night, the day's work happened in the evening)."""
    if 8 <= at.hour < 22:
        return at
    day = at.date() - timedelta(days=1 if at.hour < 8 else 0)
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=21, minutes=30)


def load_current_orders(subjects, units, steps, rng: random.Random) -> int:
    real_now = now()
    t = _office_time(real_now)
    plans = [(name, s) for name in MAIN_UNITS for s in SCENARIOS]
    plans += [(name, s) for name, scenarios in OTHER_UNITS.items() for s in scenarios]
    plans += [(None, "pending")] * PENDING_COUNT
    built = []
    for i, (unit_name, scenario) in enumerate(plans):
        subject = _subject_for(unit_name or "汉滨区政府", rng)
        kind = rng.choice([OrderKind.HELP, OrderKind.HELP, OrderKind.COMPLAINT, OrderKind.CONSULT])
        urgent = scenario == "dispatched_urgent"
        dispatched = {
            "pending": None,
            "dispatched": t - timedelta(minutes=rng.randint(20, 150)),
            "dispatched_urgent": real_now - timedelta(minutes=rng.randint(5, 15)),
            "in_progress": _working_moment(t, 1),
            "return": t - timedelta(minutes=rng.randint(150, 240)),
            "extension": _working_moment(t, 2),
            "replied": _working_moment(t, 2),
            "closed": _working_moment(t, 6),
            "overdue": _working_moment(t, 12),
        }.get(scenario)
        if scenario == "in_progress":
            kind = OrderKind.COMPLAINT  # 10 working days: well clear of 即将到期
        if scenario == "extension":
            kind = OrderKind.COMPLAINT
        if scenario == "overdue":
            kind = OrderKind.CONSULT
        if scenario == "due_soon":
            dispatched = _due_soon_dispatch(kind, real_now)
            if dispatched is None:  # no working-day deadline ends within 24 hours (e.g. a long holiday)
                urgent, dispatched = True, real_now - timedelta(hours=14)
        accepted = (dispatched or t - timedelta(minutes=rng.randint(10, 240))) - timedelta(minutes=rng.randint(5, 40))
        who, phone = caller(rng), mobile(rng)
        short_place, address = place(rng, unit_name or "汉滨区政府")
        title, content = wording(rng, kind, rng.choice(ISSUES[subject]), who, short_place)
        order = WorkOrder(accepted_at=accepted, kind=kind, title=title, content=content, subject=subjects[subject],
                          caller_name=who, caller_mobile=phone, address=address, urgent=urgent,
                          confidential=(i % 9 == 4))
        built.append((order, unit_name, scenario, dispatched, subject))
    numbers = _Numbers()
    for order, *_ in sorted(built, key=lambda b: b[0].accepted_at):
        order.number = numbers.next(order.accepted_at)
    for order, unit_name, scenario, dispatched, subject in built:
        steps.create(order, order.accepted_at)
        if unit_name is None:
            continue
        unit = units[unit_name]
        steps.dispatch(order, unit, dispatched)
        if scenario.startswith("dispatched"):
            continue
        steps.sign(order, min(dispatched + timedelta(minutes=rng.randint(15, 60)), t - timedelta(minutes=5)))
        _finish(order, unit, scenario, subject, steps, rng, t)
    db.session.flush()
    return len(built)


def _finish(order, unit, scenario, subject, steps, rng, t) -> None:
    liaison = steps.liaison(order)
    leader = steps.actors.leaders.get(unit.id)
    liaison_id = getattr(liaison, "id", None)
    if scenario == "overdue":
        at = min(order.handle_deadline + timedelta(hours=10), t - timedelta(hours=1))
        steps.supervise(order, at, "该工单已超过办理时限，请立即办理并回复。")
    elif scenario == "return":
        at = order.signed_at + timedelta(minutes=20)
        reason, basis = "该事项属于供电企业的服务范围，不属于本单位职责。", "《安康市政府部门权责清单》未列该事项"
        stage = ReturnStage.LEADER if leader is not None else ReturnStage.CENTRE
        request = ReturnRequest(order=order, unit_id=unit.id, requested_by_id=liaison_id, requested_at=at,
                                reason=reason, duty_basis=basis, stage=stage)
        db.session.add(request)
        transition(order, "request_return", liaison, at=at, text=reason,
                   data={"duty_basis": basis, "stage": stage.value})
        if leader is not None and unit.short_name == "恒口示范区":
            # Its leader has approved already: the request now waits for the centre.
            decided = at + timedelta(minutes=30)
            transition(order, "leader_approve_return", leader, at=decided, text="情况属实，同意退单。")
            request.stage, request.leader_id, request.leader_decided_at = ReturnStage.CENTRE, leader.id, decided
    elif scenario == "extension":
        at = order.signed_at + timedelta(minutes=rng.randint(120, 360))
        reason = "涉及多个部门协调，需现场勘查并组织协商，申请延期办理。"
        db.session.add(ExtensionRequest(order=order, unit_id=unit.id, requested_by_id=liaison_id, requested_at=at,
                                        reason=reason, working_days=5, old_deadline=order.handle_deadline))
        transition(order, "request_extension", liaison, at=at, text=reason, data={"working_days": 5})
    elif scenario in ("replied", "closed"):
        at = order.signed_at + timedelta(minutes=rng.randint(180, 1200))
        at = min(at, t - timedelta(hours=2))
        # A unit never learns a confidential caller's name, so its reply cannot contain it.
        told = "来电人" if order.confidential else order.caller_name
        result = f"经核实，{REPLIES[_top(subject)]}。已电话告知{told}，来电人表示认可。"
        reply = steps.reply(order, at, result, at - timedelta(minutes=30))
        if scenario == "closed":
            steps.accept(order, reply, min(at + timedelta(minutes=rng.randint(60, 360)), t - timedelta(minutes=30)))


def _top(subject: str) -> str:
    from portal.demo.order_subjects import SUBJECT_TREE

    return next(top for top, leaves in SUBJECT_TREE if subject in leaves)
