"""Demo step 工单: the subject tree, tags, 961 orders accepted in August 2018 that reproduce the seed's
attachment table as of 2018-09-29 (DOMAIN.md §4 definitions), the two praise cases of its 二、典型案例 with
the earlier orders they cite, and a few dozen open orders around today for the demo liaisons.

Counting rules the August orders satisfy for any as-of time on 2018-09-29: every 按期/逾期办结 order was
completed before 2018-09-29 00:00; each of 恒口示范区's 20 逾期未办结 orders had its deadline before then and
was completed only in October 2018 (after the circular), so nothing is 在办.
"""
from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from portal.calendar.workdays import nth_working_day_after
from portal.demo.order_build import Actors, Steps, load_subjects, load_tags, units_by_name
from portal.demo.order_cases import EARLIER_CASES, PRAISE_CASES
from portal.demo.order_subjects import (
    COUNTY_WEIGHTS, ECOLOGY_SUBJECTS, ISSUES, REPLIES, SUBJECT_TREE, TAG_BUSINESS, TAG_ECOLOGY, UNIT_SUBJECTS,
)
from portal.demo.order_table import KIND_COLUMNS, SEED_TABLE
from portal.demo.order_texts import caller, mobile, place, wording
from portal.extensions import db
from portal.orders.deadlines import handle_deadline, sign_deadline
from portal.orders.enums import CallbackResult, OrderKind
from portal.orders.models import Callback, WorkOrder
from portal.orders.transitions import transition

SEED = 20180929
AS_OF = datetime(2018, 9, 29)
AUGUST = [date(2018, 8, d) for d in range(1, 32)]
TOP_OF = {leaf: top for top, leaves in SUBJECT_TREE for leaf in leaves}


@dataclass
class Plan:
    unit: object
    kind: OrderKind
    outcome: str  # on_time, late, open
    subject: str = ""
    accepted_at: datetime | None = None
    case: dict | None = None
    tags: list[str] = field(default_factory=list)
    number: str = ""


def _quotas(weights: dict[str, int], n: int) -> list[str]:
    """Exactly n subjects in proportion to the weights (largest remainder)."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k, c in counts.items() for _ in range(c)]


def _plan_units(rng: random.Random, units: dict) -> list[Plan]:
    plans = []
    for short, _total, *rest in SEED_TABLE:
        kinds = [kind for kind, n in zip(KIND_COLUMNS, rest[:6]) for _ in range(n)]
        on_time, late, open_ = rest[6:]
        rng.shuffle(kinds)
        kinds.sort(key=lambda k: k == OrderKind.PRAISE)  # praise orders are never late
        outcomes = ["late"] * late + ["open"] * open_ + ["on_time"] * on_time
        plans += [Plan(units[short], kind, outcome) for kind, outcome in zip(kinds, outcomes)]
    return plans


def _assign_subjects(rng: random.Random, plans: list[Plan]) -> None:
    pools = defaultdict(list)
    for p in plans:
        if p.kind == OrderKind.PRAISE:
            continue
        short = p.unit.short_name
        pools[short if short in UNIT_SUBJECTS else "county"].append(p)
    for name, members in sorted(pools.items()):
        subjects = _quotas(COUNTY_WEIGHTS if name == "county" else UNIT_SUBJECTS[name], len(members))
        rng.shuffle(subjects)
        for p, subject in zip(members, subjects):
            p.subject = subject


def _assign_times(rng: random.Random, plans: list[Plan]) -> None:
    weights = [0.55 if d.weekday() >= 5 else 1.0 for d in AUGUST]
    hours = list(range(8, 21))
    hour_weights = [6, 9, 9, 8, 5, 7, 8, 8, 7, 5, 3, 2, 1]
    for p in plans:
        day = rng.choices(AUGUST, weights)[0]
        p.accepted_at = datetime(day.year, day.month, day.day, rng.choices(hours, hour_weights)[0],
                                 rng.randrange(60), rng.randrange(60))


def _number(plans: list[Plan]) -> None:
    per_day = defaultdict(int)
    for p in sorted(plans, key=lambda p: p.accepted_at):
        per_day[p.accepted_at.date()] += 1
        p.number = f"{p.accepted_at:%Y%m%d}{per_day[p.accepted_at.date()]:02d}"


def _tag(plans: list[Plan]) -> None:
    by_number = sorted(plans, key=lambda p: p.number)
    business = next(p for p in by_number if p.subject == "企业登记")
    business.tags.append(TAG_BUSINESS)
    eco = [p for p in by_number if p.subject in ECOLOGY_SUBJECTS[:3]]
    eco.sort(key=lambda p: (p.unit.short_name != "市环保局", p.number))
    for p in eco[:29]:
        p.tags.append(TAG_ECOLOGY)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(1, int((end - start).total_seconds()))))


def _daytime(rng: random.Random, value: datetime, low: datetime, high: datetime) -> datetime:
    """Move a time at night to office hours (same morning, else the next) when that stays within [low, high]."""
    if 8 <= value.hour < 21:
        return value
    base = datetime.combine(value.date(), datetime.min.time())
    for day in (base, base + timedelta(days=1)) if value.hour < 8 else (base + timedelta(days=1),):
        moved = day + timedelta(hours=8, minutes=30 + rng.randrange(240))
        if low <= moved <= high:
            return moved
    return value


def _timeline(rng: random.Random, p: Plan) -> dict:
    """When each step of the order happens, chosen so the order lands in its planned outcome."""
    dispatched = p.accepted_at + timedelta(minutes=rng.randint(6, 75))
    sign_by = sign_deadline(dispatched, False)
    deadline = handle_deadline(dispatched, p.kind, False)
    if p.outcome == "open":
        signed = _daytime(rng, sign_by + timedelta(hours=rng.uniform(2, 70)), sign_by, sign_by + timedelta(days=4))
        completed = datetime(2018, 10, 8, 9) + timedelta(days=rng.randrange(8), minutes=rng.randrange(480))
    else:
        low, high = dispatched + timedelta(minutes=10), min(sign_by, dispatched + timedelta(hours=20))
        signed = _daytime(rng, _between(rng, low, high), low, high)
        if p.outcome == "late":
            day = nth_working_day_after(deadline.date(), rng.randint(1, 3))
            completed = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randint(540, 1050))
        else:
            low, high = signed + timedelta(hours=2), min(deadline - timedelta(minutes=30), signed + timedelta(days=4))
            completed = _daytime(rng, _between(rng, low, high), low, high)
    closed = completed + timedelta(hours=rng.uniform(1, 18))
    closed = _daytime(rng, closed, completed, closed + timedelta(days=1))
    signed, completed, closed = (v.replace(microsecond=0) for v in (signed, completed, closed))
    timeline = {"dispatched": dispatched, "signed": signed, "completed": completed, "closed": closed,
                "contacted": completed - timedelta(minutes=rng.randint(20, 300))}
    if p.outcome == "open":
        supervised = datetime(2018, 9, 29, 9, 30) + timedelta(minutes=rng.randrange(90))
        timeline["supervised"] = supervised
        timeline["acknowledged"] = supervised + timedelta(minutes=rng.randint(60, 1200))
    return timeline


def _build(rng: random.Random, p: Plan, subjects, tags, steps: Steps) -> WorkOrder:
    """One August order (or an earlier case), taken through the lifecycle at its planned times."""
    if p.case:
        c = p.case
        title, content, who, phone, address = c["title"], c["content"], c["caller"], mobile(rng), c["address"]
        result = c["reply"]
    else:
        who, phone = caller(rng), mobile(rng)
        short_place, address = place(rng, p.unit.short_name)
        title, content = wording(rng, p.kind, rng.choice(ISSUES[p.subject]), who, short_place)
        result = f"经核实，{REPLIES[TOP_OF[p.subject]]}。已电话告知{who}，{who}表示认可。"
    order = WorkOrder(number=p.number, accepted_at=p.accepted_at, kind=p.kind, title=title, content=content,
                      subject=subjects[p.subject], caller_name=who, caller_mobile=phone, address=address,
                      urgent=False, tags=[tags[t] for t in p.tags])
    t = _timeline(rng, p)
    steps.create(order, p.accepted_at)
    steps.dispatch(order, p.unit, t["dispatched"])
    steps.sign(order, t["signed"])
    if "supervised" in t:
        steps.supervise(order, t["supervised"], "该工单已逾期未办结，请立即办理并回复。", t["acknowledged"])
    reply = steps.reply(order, t["completed"], result, t["contacted"])
    steps.accept(order, reply, t["closed"])
    if rng.random() < 0.3 or p.case:
        result = CallbackResult.SATISFIED if rng.random() < 0.85 or p.case else CallbackResult.BASICALLY_SATISFIED
        at = t["closed"] + timedelta(minutes=rng.randint(120, 2880))
        transition(order, "callback", steps.actors.centre, at=at, text=f"回访结果：{result.label}",
                   data={"result": result.value}, flush=False)
        db.session.add(Callback(order=order, result=result, at=at, closure=1,
                                actor_id=getattr(steps.actors.centre, "id", None), note="来电人对办理结果表示满意。"))
    return order


def load_orders() -> str:
    from portal.demo.order_cohandled import load_cohandled_orders
    from portal.demo.order_current import load_current_orders

    rng = random.Random(SEED)
    subjects, tags = load_subjects(), load_tags()
    units = units_by_name()
    steps = Steps(Actors.load())
    plans = _plan_units(rng, units)
    _assign_subjects(rng, plans)
    _assign_times(rng, plans)
    for case in PRAISE_CASES:
        p = next(p for p in plans if p.kind == OrderKind.PRAISE and p.unit.short_name == case["unit"])
        p.case, p.subject, p.accepted_at = case, case["subject"], case["accepted_at"]
    _number(plans)
    _tag(plans)
    earlier = [Plan(units[c["unit"]], c["kind"], "on_time", c["subject"], c["accepted_at"], c, list(c["tags"]),
                    c["number"]) for c in EARLIER_CASES]
    for i, p in enumerate([*earlier, *plans], start=1):
        _build(rng, p, subjects, tags, steps)
        if i % 100 == 0:
            db.session.flush()
    db.session.flush()
    current = load_current_orders(subjects, units, steps, rng)
    cohandled = load_cohandled_orders(subjects, units, steps, rng)
    return (f"{len(subjects)} 个二级事项分类，{len(plans)} 件 2018 年 8 月工单（另 {len(earlier)} 件典型案例前期工单），"
            f"{current} 件近期工单，{cohandled} 件主办/协办工单")
