"""`flask demo generate`: a city-sized data set in bulk, for benchmarks and trying the portal at scale.

Units (one big one holding ~2% of the orders), accounts, subjects, tags, KB entries, then orders with their
whole 流转记录 (events, replies, return and extension requests, callbacks) and the calls they came from,
plus direct-reply calls. Rows go straight into the schema's own tables (executemany on SQLite, COPY on
PostgreSQL) in chunks; every order's life follows the transition table (portal/demo/order_life.py).
Deterministic for a seed and an end time.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from bisect import bisect_right
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from portal.auth.models import User, UserDuty
from portal.auth.roles import SECOND_FACTOR_ROLES, Role
from portal.orders.limits import current_limits
from portal.calls.models import Call, CallOutcome, call_kb_entry
from portal.calendar import workdays
from portal.clock import now
from portal.demo import order_texts as texts
from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET
from portal.demo.bulk import BulkWriter, seconds
from portal.demo.order_build import load_subjects, load_tags
from portal.demo.order_life import (
    CALLBACK_COLUMNS, DAY, EVENT_COLUMNS, EXTENSION_COLUMNS, FACT_COLUMNS, ORDER_COLUMNS, REPLY_COLUMNS, RETURN_COLUMNS,
    Ids, Limits, OrderLife, Person, Rows, day_of, order_row,
)
from portal.demo.order_subjects import ECOLOGY_SUBJECTS, ISSUES, REPLIES, TAG_BUSINESS, TAG_ECOLOGY
from portal.demo.units import ALL_UNITS
from portal.extensions import db
from portal.stats.aggregates import rebuild as rebuild_sums
from portal.knowledge import categories, search
from portal.orders import search as order_search
from portal.knowledge.models import EntryStatus, KBEntry, KBEntryVersion, KBSearchDoc
from portal.knowledge.search import doc_values
from portal.orders.enums import OrderKind
from portal.orders.history import OrderFact
from portal.orders.models import Callback, OrderEvent, WorkOrder, order_tag
from portal.orders.records import ExtensionRequest, Reply, ReturnRequest
from portal.units.models import UNIT_GROUPS, Unit

CHUNK = 50_000
BIG_UNIT_SHARE = 0.02
KIND_WEIGHTS = {OrderKind.CONSULT: 14, OrderKind.HELP: 72, OrderKind.COMPLAINT: 10, OrderKind.SUGGESTION: 4,
                OrderKind.REPORT: 1, OrderKind.PRAISE: 1}
DIRECT_CALLS_PER_ORDER = 0.5
KB_PER_UNIT = 3
MERGE_SHARE = 0.005
CALL_COLUMNS = ("id", "received_at", "mobile", "summary", "outcome", "order_id", "operator_id", "created_at")
CALL_ORDER, CALL_DIRECT = CallOutcome.ORDER.value, CallOutcome.DIRECT.value
# Loaded without their secondary indexes, which are built once at the end. (Keeping the indexes whose keys grow
# with the rows' order, e.g. order_event's, costs as much in the writes as it saves in the build: measured.)
BULK_TABLES = (WorkOrder.__table__, OrderEvent.__table__, Call.__table__, OrderFact.__table__)


@dataclass(frozen=True)
class Plan:
    orders: int
    units: int
    years: float = 2.0
    seed: int = 12345
    end: datetime | None = None  # default: now


@dataclass
class Summary:
    units: int = 0
    users: int = 0
    orders: int = 0
    events: int = 0
    replies: int = 0
    calls: int = 0
    kb_entries: int = 0
    big_unit: str = ""
    big_unit_orders: int = 0
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)  # name → (CPU seconds, wall seconds)


def generate(plan: Plan, echo=print) -> Summary:
    """Build the data set into an empty database (no units yet); commits chunk by chunk."""
    if (db.session.scalar(select(func.count(Unit.id))) or 0) > 0:
        raise ValueError("数据库中已有单位；批量数据只能生成到空库。")
    if plan.orders < 1 or plan.units < 2:
        raise ValueError("至少 1 件工单、2 个单位。")
    clock = Phases()
    rng = random.Random(plan.seed)
    end = (plan.end or now()).replace(microsecond=0)
    summary = Summary()
    units = _units(plan.units)
    summary.units, summary.big_unit = len(units), units[0].short_name
    people = _accounts(units)
    summary.users = len(people["all"])
    leaves = load_subjects()
    tags = load_tags()
    entries = _knowledge(units, people, end, rng)
    summary.kb_entries = len(entries)
    db.session.commit()
    echo(f"单位 {summary.units} 个，账号 {summary.users} 个，知识库条目 {summary.kb_entries} 条")
    limits = current_limits()
    unit_names = {u.id: u.short_name for u in units}
    # Plain tuples, not ORM objects: an attribute read of a mapped object costs more than a random draw.
    subjects = [(leaf.id, name in ECOLOGY_SUBJECTS, ISSUES[name]) for name, leaf in leaves.items() if name in ISSUES]
    ecology, business = tags[TAG_ECOLOGY].id, tags[TAG_BUSINESS].id
    unit_ids = [u.id for u in units]
    cumulative = _cumulative(unit_weights(len(units)))
    operator = people["operator"].id
    workdays.overrides()  # the admins' calendar arrangements, read (and cached) before the load takes the lock
    clock.lap("单位、账号、知识库")

    # From here on the session stays idle (on SQLite the load's own connection holds the write lock).

    writer = BulkWriter()
    try:
        writer.written.update({KBEntry.__tablename__, KBEntryVersion.__tablename__})  # explicit ids: move the sequences
        life = OrderLife(rng, end, Limits(limits.handle_days, limits.sign_working_days, limits.urgent_sign_minutes,
                                          limits.urgent_handle_hours), Ids(), centre=people["centre"],
                         operator=people["operator"], liaisons=people["liaisons"], leaders=people["leaders"],
                         unit_names=unit_names)
        draw = rng.random
        pools = texts.Pools(rng)

        def other_unit(unit_id: int) -> int:
            while (picked := rng.choice(unit_ids)) == unit_id:
                pass
            return picked

        # Secondary indexes and the keyword search structures are built once at the end: several times faster
        # than keeping them up to date row by row.
        writer.drop_indexes(BULK_TABLES)
        for ddl in order_search.drop_ddl(writer.dialect):
            writer.execute(ddl)
        end_at = seconds(end)
        span = int(plan.years * 365 * DAY) - 60
        accepted = sorted(end_at - 60 - int(draw() * span) for _ in range(plan.orders))
        kinds, kind_cumulative = list(KIND_WEIGHTS), _cumulative(list(KIND_WEIGHTS.values()))
        day_seq: dict[int, int] = {}
        day_text: dict[int, str] = {}
        merged: set[int] = set()
        call_id = 0
        for start in range(0, plan.orders, CHUNK):
            rows = Rows()
            for index in range(start, min(start + CHUNK, plan.orders)):
                oid = index + 1
                at = accepted[index]
                day = at // DAY
                day_seq[day] = seq = day_seq.get(day, 0) + 1
                if day not in day_text:
                    day_text[day] = f"{day_of(at):%Y%m%d}"
                unit_id = unit_ids[_pick(cumulative, draw())]
                unit = unit_names[unit_id]
                kind = kinds[_pick(kind_cumulative, draw())]
                subject_id, is_ecology, issues = subjects[int(draw() * len(subjects))]
                where, address = pools.place(unit)
                title, content = texts.wording(rng, kind, issues[int(draw() * len(issues))], pools.caller(), where)
                call_id += 1
                mobile = pools.mobile()
                rows.calls.append((call_id, at - 60 * (1 + int(draw() * 9)), mobile, content[:200], CALL_ORDER, oid,
                                   operator, at))
                o = {"id": oid, "number": f"{day_text[day]}{seq:02d}", "accepted_at": at, "kind": kind, "title": title,
                     "content": content, "subject_id": subject_id, "caller_name": pools.caller(),
                     "caller_mobile": mobile, "address": address, "urgent": draw() < 0.02, "confidential": draw() < 0.01,
                     "unit_id": None, "last_unit_id": None, "handler_id": None, "dispatched_at": None,
                     "sign_deadline": None, "signed_at": None, "handle_deadline": None, "completed_at": None,
                     "closed_at": None, "return_count": 0, "extension_count": 0, "reopen_count": 0, "designated": False,
                     "merged_into_id": None, "created_by_id": operator, "created_at": at, "call_id": call_id}
                merge_into = None
                if oid > 1 and draw() < MERGE_SHARE:
                    target = oid - 1 - int(draw() * (min(oid, 300) - 1))
                    if target not in merged and accepted[target - 1] < at:
                        merge_into = target
                        merged.add(oid)
                life.run(rows, o, unit_id, other_unit, merge_into)
                rows.orders.append(order_row(o))
                if is_ecology and draw() < 0.3:
                    rows.tags.append((oid, ecology))
                elif draw() < 0.005:
                    rows.tags.append((oid, business))
                if o["last_unit_id"] == unit_ids[0]:
                    summary.big_unit_orders += 1
            for _ in range(int(len(rows.orders) * DIRECT_CALLS_PER_ORDER)):
                call_id += 1
                received = end_at - 60 - int(draw() * span)
                rows.calls.append((call_id, received, pools.mobile(), "咨询政策，已按知识库直接答复。", CALL_DIRECT, None,
                                   operator, received))
            clock.lap("模拟工单流转")
            _write(writer, rows, entries, rng, summary)
            writer.commit()
            clock.lap("写入数据行")
            echo(f"  工单 {summary.orders:,} / {plan.orders:,}（{clock.elapsed():.0f} 秒）")
        echo("  建立索引……")
        writer.create_indexes(BULK_TABLES)
        writer.commit()
        clock.lap("建立索引")
        for ddl in order_search.create_ddl(writer.dialect):  # SQLite: FTS5 filled once ('rebuild'); PostgreSQL: pg_trgm
            writer.execute(ddl)
    except BaseException:
        writer.close(commit=False)
        raise
    writer.close()
    clock.lap("关键词检索结构")
    echo("  按单位、按日汇总统计……")
    rebuild_sums(db.session.connection())
    db.session.commit()
    clock.lap("按单位、按日汇总统计")
    writer.fix_sequences()
    writer.analyze()
    db.session.commit()
    clock.lap("统计信息（ANALYZE）")
    summary.seconds = clock.elapsed()
    summary.phases = clock.phases
    return summary


class Phases:
    """CPU and wall seconds per phase of the build (summed over the chunks)."""

    def __init__(self):
        self.started = self.wall = time.perf_counter()
        self.cpu = time.process_time()
        self.phases: dict[str, tuple[float, float]] = {}

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        before = self.phases.get(name, (0.0, 0.0))
        self.phases[name] = (before[0] + cpu - self.cpu, before[1] + wall - self.wall)
        self.wall, self.cpu = wall, cpu

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def unit_weights(count: int) -> list[float]:
    """Shares of the orders per unit: a long tail, led by one big unit with ~2% (at least 1.5× the next)."""
    tail = [1 / (i ** 0.3) for i in range(1, count)]
    big = max(BIG_UNIT_SHARE, 1.5 * tail[0] / (sum(tail) + 1.5 * tail[0]))
    scale = (1 - big) / sum(tail)
    return [big] + [w * scale for w in tail]


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(cumulative: list[float], r: float) -> int:
    return min(bisect_right(cumulative, r * cumulative[-1]), len(cumulative) - 1)


def _write(writer: BulkWriter, rows: Rows, entries: list[int], rng: random.Random, summary: Summary) -> None:
    summary.orders += writer.write(WorkOrder.__table__, ORDER_COLUMNS, rows.orders)
    writer.write(order_tag, ("order_id", "tag_id"), rows.tags)
    summary.calls += writer.write(Call.__table__, CALL_COLUMNS, rows.calls)
    summary.events += writer.write(OrderEvent.__table__, EVENT_COLUMNS, rows.events)
    summary.replies += writer.write(Reply.__table__, REPLY_COLUMNS, rows.replies)
    writer.write(ReturnRequest.__table__, RETURN_COLUMNS, rows.returns)
    writer.write(ExtensionRequest.__table__, EXTENSION_COLUMNS, rows.extensions)
    writer.write(Callback.__table__, CALLBACK_COLUMNS, rows.callbacks)
    writer.write(OrderFact.__table__, FACT_COLUMNS, rows.facts)
    if entries:
        direct = [c[0] for c in rows.calls if c[4] == CALL_DIRECT]
        links = {(cid, rng.choice(entries)) for cid in direct if rng.random() < 0.3}
        writer.write(call_kb_entry, ("call_id", "entry_id"), sorted(links))


def _units(count: int) -> list[Unit]:
    """The demo's Ankang units first (汉滨区政府, the biggest, leads), then numbered ones."""
    rows = []
    for i in range(count):
        if i < len(ALL_UNITS):
            short, full, group, aliases = ALL_UNITS[i]
        else:
            group = UNIT_GROUPS[i % 3]
            short = {"区县政府": f"第{i + 1}街道办", "市直部门": f"市直第{i + 1}部门",
                     "公共企事业单位": f"公共服务{i + 1}公司"}[group]
            full, aliases = f"安康市{short}", []
        rows.append({"short_name": short, "full_name": full, "group": group, "aliases": list(aliases),
                     "display_order": i + 1, "lead_name": f"{short}牵头负责人", "lead_mobile": f"139{i + 1:08d}"})
    db.session.execute(insert(Unit), rows)
    return list(db.session.scalars(select(Unit).order_by(Unit.display_order)))


def _accounts(units: list[Unit]) -> dict:
    """admin, zhongxin (centre), huawu (operator), and a leader and a liaison per unit: uNNN_leader, uNNN."""
    hashed = User(username="", name="", role=Role.LIAISON)
    hashed.set_password(DEMO_PASSWORD)
    rows = [
        {"username": "admin", "name": "系统管理员", "role": Role.ADMIN, "unit_id": None, "mobile": "13800000001"},
        {"username": "zhongxin", "name": "王晓梅", "role": Role.CENTRE_STAFF, "unit_id": None, "mobile": "13800000002"},
        {"username": "huawu", "name": "李娜", "role": Role.OPERATOR, "unit_id": None, "mobile": "13800000003"},
    ]
    for u in units:
        rows.append({"username": f"u{u.display_order:03d}_leader", "name": f"{u.short_name}负责人",
                     "role": Role.UNIT_LEADER, "unit_id": u.id, "mobile": f"137{u.display_order:08d}"})
        rows.append({"username": f"u{u.display_order:03d}", "name": f"{u.short_name}联络员", "role": Role.LIAISON,
                     "unit_id": u.id, "mobile": f"136{u.display_order:08d}"})
    for r in rows:
        r.update(password_hash=hashed.password_hash, must_change_password=False, active=True, session_version=1,
                 totp_secret=DEMO_TOTP_SECRET if r["role"] in SECOND_FACTOR_ROLES else None)
    db.session.execute(insert(User), rows)
    users = list(db.session.scalars(select(User)))
    # One person holds all three administrator roles here, as in a centre of one (issue 16).
    admin_id = next(u.id for u in users if u.username == "admin")
    db.session.execute(insert(UserDuty), [{"user_id": admin_id, "role": Role.SECURITY_ADMIN},
                                          {"user_id": admin_id, "role": Role.AUDITOR}])
    person = lambda u: Person(u.id, u.role, u.unit_id)  # noqa: E731
    by_role = lambda role: next(person(u) for u in users if u.role == role)  # noqa: E731
    return {
        "all": users, "centre": by_role(Role.CENTRE_STAFF), "operator": by_role(Role.OPERATOR),
        "liaisons": {u.unit_id: person(u) for u in users if u.role == Role.LIAISON},
        "leaders": {u.unit_id: person(u) for u in users if u.role == Role.UNIT_LEADER},
    }


def _knowledge(units: list[Unit], people: dict, end: datetime, rng: random.Random) -> list[int]:
    """KB_PER_UNIT published entries per unit, with their search rows (as the KB services index them)."""
    centre = people["centre"].id
    subjects = list(REPLIES.items())
    categories.ensure_categories(None, [topic for topic, _answer in subjects])  # the 类目 the entries use
    entries, versions, docs = [], [], []
    for u in units:
        author = people["liaisons"][u.id].id
        for k in range(KB_PER_UNIT):
            topic, answer = subjects[(u.display_order * KB_PER_UNIT + k) % len(subjects)]
            at = end - timedelta(days=rng.randrange(30, 700))
            eid = len(entries) + 1
            title = f"{u.short_name}{topic}常见问题{k + 1}"
            entries.append({"id": eid, "unit_id": u.id, "title": title, "status": EntryStatus.PUBLISHED,
                            "current_version_id": eid, "published_version_id": eid, "first_submitted_at": at,
                            "created_by_id": author, "created_at": at, "updated_at": at})
            version = KBEntryVersion(
                id=eid, entry_id=eid, number=1, status=EntryStatus.PUBLISHED, category=topic, title=title,
                answer=f"{answer}。如有疑问请咨询{u.full_name}。", issuer=u.full_name, keywords=[topic],
                author_id=author, created_at=at, submitted_at=at, reviewed_at=at + timedelta(days=1),
                reviewer_id=centre, review_date=(end + timedelta(days=rng.randrange(30, 300))).date())
            versions.append({c.key: getattr(version, c.key) for c in KBEntryVersion.__table__.columns
                             if getattr(version, c.key) is not None})
            docs.append(doc_values(eid, u.id, version))
    if hasattr(search, "ensure_fts"):
        search.ensure_fts()  # SQLite's trigram table follows kb_search_doc through its triggers
    db.session.execute(insert(KBEntry), entries)
    db.session.execute(insert(KBEntryVersion), versions)
    db.session.execute(insert(KBSearchDoc), docs)
    return [e["id"] for e in entries]
