"""`flask calls import FILE`: calls exported by the telephone system; all-or-nothing, row-numbered errors."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import insert, select, tuple_

from portal.calls.forms import PHONE_RE
from portal.calls.models import Call, CallOutcome
from portal.clock import now
from portal.extensions import db
from portal.stats.aggregates import calls_inserted
from portal.imports.tabular import ImportErrors, parse_datetime, read_table
from portal.orders.models import WorkOrder

REQUIRED = ["来电时间", "来电号码", "处理方式"]
OPTIONAL = ["工单编号", "摘要"]
OUTCOMES = {"直接答复": CallOutcome.DIRECT, "形成工单": CallOutcome.ORDER}


def parse_calls(data: bytes, filename: str) -> tuple[list[dict], ImportErrors]:
    table = read_table(data, filename, REQUIRED, OPTIONAL)
    errors = ImportErrors()
    numbers = {r.text("工单编号") for r in table.rows if r.text("工单编号")}
    orders = dict(db.session.execute(
        select(WorkOrder.number, WorkOrder.id).where(WorkOrder.number.in_(numbers))).all()) if numbers else {}
    linked = set(db.session.scalars(select(Call.order_id).where(Call.order_id.in_(orders.values())))) if orders else set()
    seen_orders: dict[str, int] = {}
    rows, keys = [], []
    for row in table.rows:
        before = len(errors)
        try:
            received_at = parse_datetime(row.values.get("来电时间"))
        except ValueError as exc:
            errors.add(row.number, f"来电时间：{exc}")
            received_at = None
        mobile = row.text("来电号码").replace(" ", "")
        if not mobile:
            errors.add(row.number, "来电号码为空")
        elif not PHONE_RE.match(mobile):
            errors.add(row.number, f"来电号码“{mobile}”格式不正确")
        how = row.text("处理方式")
        outcome = OUTCOMES.get(how)
        if outcome is None:
            errors.add(row.number, f"处理方式“{how}”无效，应为“直接答复”或“形成工单”")
        number = row.text("工单编号")
        order_id = None
        if outcome == CallOutcome.ORDER:
            if not number:
                errors.add(row.number, "处理方式为形成工单，但未填写工单编号")
            elif number not in orders:
                errors.add(row.number, f"工单编号“{number}”不存在")
            elif orders[number] in linked:
                errors.add(row.number, f"工单“{number}”已关联其他来电")
            elif number in seen_orders:
                errors.add(row.number, f"工单“{number}”与第 {seen_orders[number]} 行重复")
            else:
                order_id = orders[number]
                seen_orders[number] = row.number
        elif outcome == CallOutcome.DIRECT and number:
            errors.add(row.number, "处理方式为直接答复，不应填写工单编号")
        summary = row.text("摘要")
        if len(summary) > 2000:
            errors.add(row.number, "摘要不能超过 2000 个字")
        if received_at and received_at > now():
            errors.add(row.number, "来电时间晚于现在")
        if len(errors) == before:
            rows.append({"received_at": received_at, "mobile": mobile, "summary": summary, "outcome": outcome,
                         "order_id": order_id, "created_at": now()})
            keys.append((row.number, received_at, mobile))
    _check_duplicates(keys, errors)
    return rows, errors


def _check_duplicates(keys, errors: ImportErrors) -> None:
    """The same call (time and number) twice in the file, or already imported, is refused."""
    counts = Counter((at, mobile) for _n, at, mobile in keys)
    pairs = list(counts)
    existing = set()
    for i in range(0, len(pairs), 500):
        chunk = pairs[i:i + 500]
        existing |= set(db.session.execute(
            select(Call.received_at, Call.mobile).where(tuple_(Call.received_at, Call.mobile).in_(chunk))))
    first: dict[tuple, int] = {}
    for number, at, mobile in keys:
        key = (at, mobile)
        if key in existing:
            errors.add(number, f"该来电（{at:%Y-%m-%d %H:%M:%S}，{mobile}）已导入过")
        elif key in first:
            errors.add(number, f"与第 {first[key]} 行是同一来电（时间、号码相同）")
        first.setdefault(key, number)


def import_calls(data: bytes, filename: str) -> tuple[int, Counter, ImportErrors]:
    """Insert every row, or none. Returns (count, per-outcome counts, errors); flushes, never commits."""
    rows, errors = parse_calls(data, filename)
    if errors:
        return 0, Counter(), errors
    if rows:
        db.session.execute(insert(Call), rows)
        calls_inserted(rows)
    db.session.flush()
    return len(rows), Counter(r["outcome"] for r in rows), errors
