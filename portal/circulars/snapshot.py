"""The frozen figures of a circular: taken from the statistics and knowledge queries, never computed here.

A snapshot is a JSON-ready dict:

    period          {"start": "2018-08-01", "end": "2018-08-31", "as_of": "2018-09-29 09:00:00"}
    calls           {"calls": 6196, "direct": 5235, "to_order": 961}
    totals          the table's 合计 row (see _row)
    undispatched    orders of the period never dispatched (待派单), left out of the table
    units           the per-unit table rows, in the table's order
    kinds           [{"kind": "consult", "label": "咨询", "count": 138, "share_text": "14.4%"}, ...]
    tags            [["优化营商环境", 1], ["生态环境保护", 29]]
    hot_topics      [["噪音扰民", 120], ...]
    overdue_units   [{"unit_id", "short_name", "full_name", "overdue_open"}]
    co_tasks        [{"unit_id", "short_name", "co_tasks", "co_due", "co_on_time", "co_rate_text"}]: 协办数 and
                    协办及时率 of the units with 协办 parts (portal/stats/cotasks.py); absent in older snapshots
    non_submitters  [{"campaign_id", "title", "deadline", "units": [{"unit_id", "short_name", "full_name"}]}]
    cases           typical cases, frozen when picked (kept across refreshes)
    scores          the month's 考核 scores (portal.scores.snapshot.freeze), only for a whole-month period with a
                    scheme in force; older snapshots have none and simply print no 考核得分表
    problem_orders  问题工单 flagged in the period by T: [{"order_id", "number", "title", "unit_id", "unit", "at",
                    "reason"}] (portal/orders/escalation.py); absent from snapshots frozen before issue 13
    listed_orders   orders 列入通报 after a 督办单 in the period by T, same shape, "reason" = the centre's words
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.orders.enums import KIND_LABELS, OrderKind
from portal.orders.models import Tag
from portal.units.models import Unit

DT_FORMAT = "%Y-%m-%d %H:%M:%S"
KINDS = list(KIND_LABELS)  # the table's column order: 咨询 求助 投诉 建议 举报 表扬


def _kind_key(kind) -> str:
    return OrderKind(kind).value


def _row(row) -> dict:
    by_kind = {_kind_key(k): int(v) for k, v in (row.by_kind or {}).items()}
    return {
        "unit_id": row.unit_id,
        "short_name": row.short_name,
        "group": row.group,
        "display_order": row.display_order,
        "total": int(row.total),
        "by_kind": {k.value: by_kind.get(k.value, 0) for k in KINDS},
        "on_time": int(row.on_time),
        "late": int(row.late),
        "overdue_open": int(row.overdue_open),
        "in_progress": int(row.in_progress),
        "rate_text": row.rate_text,
    }


def _unit_ref(unit: Unit) -> dict:
    return {"unit_id": unit.id, "short_name": unit.short_name, "full_name": unit.full_name}


def _co_tasks(period) -> list[dict]:
    from portal.stats.cotasks import co_task_counts
    from portal.stats.rates import UnitRates

    counts = co_task_counts(period)
    units = db.session.scalars(select(Unit).where(Unit.id.in_(counts)).order_by(Unit.display_order, Unit.id))
    rows = []
    for unit in units:
        n, due, on_time = counts[unit.id]
        rate = UnitRates(unit.id, co_tasks=n, co_due=due, co_on_time=on_time).co_rate_text
        rows.append({"unit_id": unit.id, "short_name": unit.short_name, "co_tasks": n, "co_due": due,
                     "co_on_time": on_time, "co_rate_text": rate})
    return rows


def build(start: date, end: date, as_of: datetime) -> dict:
    """Take every figure of the period as of `as_of` from the query layers."""
    from portal.knowledge.queries import non_submitters
    from portal.scores.queries import month_scores
    from portal.scores.snapshot import freeze
    from portal.stats import queries as stats

    period = stats.Period(start=start, end=end, as_of=as_of)
    table = stats.unit_table(period)
    calls = stats.call_totals(period)
    overdue = stats.overdue_units(period)
    tags = stats.tag_counts(period)
    # Name tags in the order they were created (优化营商环境 before 生态环境保护, as the seed does).
    tag_order = {name: i for i, name in enumerate(db.session.scalars(select(Tag.name).order_by(Tag.id)))}
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.strftime(DT_FORMAT)},
        "calls": {"calls": int(calls.calls), "direct": int(calls.direct), "to_order": int(calls.to_order)},
        "totals": _row(table.total),
        "undispatched": int(table.undispatched),
        "units": [_row(r) for r in table.rows],
        "kinds": [
            {"kind": _kind_key(s.kind), "label": OrderKind(s.kind).label, "count": int(s.count),
             "share_text": s.share_text}
            for s in stats.kind_shares(period, table)
        ],
        "tags": [[name, int(tags[name])] for name in sorted(tags, key=lambda n: (tag_order.get(n, 0), n))],
        "hot_topics": [[name, int(n)] for name, n in stats.hot_topics(period, limit=4)],
        "overdue_units": [
            {"unit_id": r.unit_id, "short_name": r.short_name, "full_name": getattr(r, "full_name", "") or r.short_name,
             "overdue_open": int(r.overdue_open)}
            for r in overdue
        ],
        "co_tasks": _co_tasks(period),
        "non_submitters": [
            {"campaign_id": gap.campaign_id, "title": gap.title, "deadline": gap.deadline.strftime(DT_FORMAT),
             "units": [_unit_ref(u) for u in gap.units]}
            for gap in non_submitters(as_of)
        ],
        "cases": [],
        **({"scores": frozen} if whole_month(start, end) and (frozen := freeze(month_scores(start, as_of))) else {}),
        **_escalations(period),
    }


def _escalations(period) -> dict:
    from portal.orders.escalation import listed_orders, problem_orders

    return {"problem_orders": problem_orders(period.start_at, period.as_of),
            "listed_orders": listed_orders(period.start_at, period.as_of)}


def whole_month(start: date, end: date) -> bool:
    nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.day == 1 and end == nxt - timedelta(days=1)


def parse_dt(text: str) -> datetime:
    return datetime.strptime(text, DT_FORMAT)


def non_submitter_units(snapshot: dict) -> list[dict]:
    """Every unit missing from any campaign, once, in the order first named."""
    seen, units = set(), []
    for gap in snapshot.get("non_submitters", []):
        for unit in gap["units"]:
            if unit["unit_id"] not in seen:
                seen.add(unit["unit_id"])
                units.append(unit)
    return units
