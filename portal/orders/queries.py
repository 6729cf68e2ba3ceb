"""Read-only order lists: the unit's tabs, the centre's queues, filters, duplicates. Scoped for unit users."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, exists, func, or_, select, text, true
from sqlalchemy.orm import joinedload, selectinload

from portal.auth.models import User
from portal.auth.roles import Role
from portal.calendar.workdays import overrides
from portal.clock import now
from portal.extensions import db
from portal.orders import pagination
from portal.orders.conditions import active_due_soon, active_overdue, open_sql
from portal.orders.enums import TASK_ORDER_STATES, OrderState, RequestStatus, ReturnStage, TaskState
from portal.orders.models import NOT_FINISHED_SQL, OPEN_SQL, OrderTask, Subject, Tag, WorkOrder
from portal.orders.records import Attachment, Reply, ReturnRequest, Supervision
from portal.orders.search import keyword_condition
from portal.units.models import Unit
from portal.web.scoping import scope
from portal.units.queries import first_level

DUPLICATE_WINDOW = timedelta(days=30)
S = OrderState


# A tab's condition is a callable of the time `at`. Those that do not depend on it are built once: a clause is
# immutable, and rebuilding it for every badge of every request was a good part of a list page's cost.
def _fixed(clause):
    return lambda at: clause


def _states(*states):
    return _fixed(WorkOrder.state.in_(states))


def _pending_return(stage: ReturnStage):
    pending = exists().where(ReturnRequest.order_id == WorkOrder.id, ReturnRequest.status == RequestStatus.PENDING,
                             ReturnRequest.stage == stage)
    return and_(WorkOrder.state == S.RETURN_REQUESTED, pending)


_return_review = _fixed(_pending_return(ReturnStage.CENTRE))
_leader_return_review = _fixed(_pending_return(ReturnStage.LEADER))
# 问题工单 (reopened or passed between units too often).
_problem = _fixed(WorkOrder.problem_at.is_not(None))
# A liaison's reply waiting for the unit leader's sign-off.
_leader_signoff = _fixed(exists().where(Reply.order_id == WorkOrder.id, Reply.status == RequestStatus.PENDING,
                                        Reply.stage == ReturnStage.LEADER))
# An open 督办 the unit has not acknowledged yet.
_supervised = _fixed(exists().where(Supervision.order_id == WorkOrder.id, Supervision.acknowledged_at.is_(None)))


# The partial indexes' own conditions, word for word (one clause object: parsed once, not per list).
_OPEN_CLAUSE = text(OPEN_SQL)
_NOT_FINISHED_CLAUSE = text(NOT_FINISHED_SQL)  # the 问题工单 queue's indexes (portal/orders/models.py)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    where: object  # callable(at) -> SQL condition
    default_sort: str = "deadline"
    # Only orders still moving (OPEN_STATES): the list can use the small partial indexes, and its size is
    # bounded by the work in hand, so it shows a count. 已办结 and 全部 grow for ever: no count, no badge.
    open: bool = True
    # How an open tab says "still moving": the condition of the partial indexes its list reads.
    still_moving: object = _OPEN_CLAUSE
    # Its rows may show time left on a deadline (counted in working days: the page reads the calendar).
    clocks: bool = True
    # May hold orders never dispatched, which have no deadline (sorted last when sorting by deadline).
    undispatched: bool = False


UNIT_TABS = (
    Tab("to_sign", "待签收", _states(S.DISPATCHED)),
    Tab("working", "办理中", _states(S.IN_PROGRESS, S.EXTENSION_REQUESTED)),
    Tab("due_soon", "即将到期", active_due_soon),
    Tab("overdue", "已逾期", active_overdue),
    Tab("supervised", "督办", _supervised),
    Tab("in_review", "待审核", _states(S.RETURN_REQUESTED, S.EXTENSION_REQUESTED, S.REPLIED)),
    Tab("closed", "已办结", _states(S.CLOSED), "accepted", open=False, clocks=False),
)
# A unit leader also approves the liaisons' return requests before they reach the centre.
LEADER_TABS = (*UNIT_TABS, Tab("leader_returns", "待审批退单", _leader_return_review),
               Tab("leader_replies", "待签发回复", _leader_signoff))
CENTRE_QUEUES = (
    Tab("pending", "待派单", _states(S.PENDING), undispatched=True),
    Tab("returns", "退单审核", _return_review),
    Tab("extensions", "延期审核", _states(S.EXTENSION_REQUESTED)),
    Tab("replies", "回复审核", _states(S.REPLIED)),
    Tab("due_soon", "即将到期", active_due_soon),
    Tab("overdue", "已逾期", active_overdue),
    Tab("problem", "问题工单", _problem, still_moving=_NOT_FINISHED_CLAUSE),
    Tab("closed", "已办结", _states(S.CLOSED), "accepted", open=False, clocks=False),
    Tab("all", "全部", _fixed(true()), "accepted", open=False, undispatched=True),
)


def find_tab(tabs, key: str | None) -> Tab:
    return next((t for t in tabs if t.key == key), tabs[0])


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    date_from: object = None
    date_to: object = None
    keyword: str = ""
    sort: str = "deadline"

    @property
    def any(self) -> bool:
        return bool(self.kind or self.date_from or self.date_to or (self.keyword or "").strip())


def _apply_filters(stmt, filters: Filters):
    if filters.kind:
        stmt = stmt.where(WorkOrder.kind == filters.kind)
    if filters.date_from:
        stmt = stmt.where(WorkOrder.accepted_at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        stmt = stmt.where(WorkOrder.accepted_at < datetime.combine(filters.date_to + timedelta(days=1), time.min))
    keyword = (filters.keyword or "").strip()
    if keyword:
        stmt = stmt.where(keyword_condition(keyword, db.session.get_bind().dialect.name))
    return stmt


# Each list order: the sort columns (all NOT NULL except handle_deadline) and whether they run descending.
SORTS = {
    "deadline": ((WorkOrder.handle_deadline, False), (WorkOrder.id, False)),
    "-deadline": ((WorkOrder.handle_deadline, True), (WorkOrder.id, True)),
    "accepted": ((WorkOrder.accepted_at, True), (WorkOrder.id, True)),
}


def _sort_keys(sort: str):
    return SORTS.get(sort, SORTS["deadline"])


def _keyset(tab: Tab, sort: str) -> bool:
    """Deep pages continue after the last row seen when no sort key can be NULL (a dispatched order always
    has a deadline)."""
    return _sort_keys(sort)[0][0] is not WorkOrder.handle_deadline or not tab.undispatched


def _order_by(stmt, sort: str, reverse: bool = False, undispatched: bool = True):
    clauses = []
    for col, desc in _sort_keys(sort):
        clause = col.desc() if desc != reverse else col.asc()
        if undispatched and col is WorkOrder.handle_deadline:
            # Orders never dispatched have no deadline: last in both directions.
            clause = clause.nulls_first() if reverse else clause.nulls_last()
        clauses.append(clause)
    return stmt.order_by(*clauses)


def _in_tab(stmt, user, tab: Tab, at: datetime | None):
    """`stmt` (on work_order) restricted to the user's scope and the tab's condition."""
    stmt = scope(stmt, WorkOrder, user)
    return stmt.where(tab.where(at or now()), tab.still_moving) if tab.open else stmt.where(tab.where(at or now()))


def _base(user, tab: Tab, filters: Filters, at: datetime | None):
    return _apply_filters(_in_tab(select(WorkOrder), user, tab, at), filters)


def order_select(user, tab: Tab, filters: Filters, at: datetime | None = None):
    """The SELECT behind a list: scoped to the user's unit, the tab's condition, filters, sorted."""
    return _order_by(_base(user, tab, filters, at), filters.sort, undispatched=tab.undispatched)


# What a list row shows besides the order (承办单位), joined into the page's own query: the same single
# query whatever units the rows hold (a selectin load skips the units already in the session, so its query
# came and went with the page's length).
@cache
def row_options() -> tuple:
    """Each list row's 承办单位 (built on first use: building it configures the mappers)."""
    return (joinedload(WorkOrder.unit), joinedload(WorkOrder.last_unit))


def export_rows(user, tab: Tab, filters: Filters, limit: int = 20000) -> list[WorkOrder]:
    """The orders of a list for the XLSX export (same scope, filters and order as the list)."""
    stmt = order_select(user, tab, filters).options(*row_options()).limit(limit)
    return list(db.session.scalars(stmt))


def page_of(user, tab: Tab, filters: Filters, page: int, per_page: int, cursor: str | None = None,
            at: datetime | None = None, total: int | None = None) -> pagination.ListPage:
    """One page of a list (portal/orders/pagination.py). Open tabs are counted (pass `total` when the tab's
    badge already holds it); 已办结 and 全部 are not: the pager offers the pages it knows exist."""
    base = _base(user, tab, filters, at)
    if tab.open and total is None:
        total = count(base)
    elif not tab.open:
        total = None
    if tab.clocks:
        # Read the working-day calendar whatever the rows: a row's time left needs it only when its deadline is
        # more than a day away, and the page's queries would otherwise depend on which rows it shows.
        overrides()
    keys = _sort_keys(filters.sort)
    return pagination.fetch(
        base, lambda stmt, reverse: _order_by(stmt, filters.sort, reverse, tab.undispatched),
        keys=[c for c, _ in keys] if _keyset(tab, filters.sort) else None, descending=keys[0][1],
        page=page, per_page=per_page, total=total, cursor=cursor,
        options=() if user.is_unit_user else row_options())  # a unit's list shows no 承办单位 column


def _counted(stmt):
    return stmt.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)


def count(stmt, params=None) -> int:
    """count(*) of a list's SELECT (an index-only count on both databases)."""
    return int(db.session.scalar(_counted(stmt), params) or 0)


def tab_counts(user, tabs, at: datetime | None = None) -> dict[str, int]:
    """How many orders each open tab holds for this user (scoped); 已办结 and 全部 are not counted.

    One statement, each count its own scalar subquery (so each keeps its index-only plan): one round trip
    and one statement to look up in the compiled cache instead of one per badge."""
    at = at or now()
    counted = [tab for tab in tabs if tab.open]
    if not counted:
        return {}
    badge = select(func.count()).select_from(WorkOrder)
    row = db.session.execute(select(*(_in_tab(badge, user, tab, at).scalar_subquery() for tab in counted))).one()
    return {tab.key: int(value or 0) for tab, value in zip(counted, row)}


@dataclass(frozen=True)
class TodoCount:
    """One line of a home page's to-do list: a list tab, how many orders it holds, red when any."""

    key: str
    label: str
    count: int
    endpoint: str
    alarm: bool


# Which tabs make each kind of user's to-do list, in the order they are shown.
CENTRE_TODO = ("pending", "returns", "extensions", "replies", "overdue", "problem")
UNIT_TODO = ("to_sign", "due_soon", "overdue", "supervised")
LEADER_TODO = ("leader_returns", "leader_replies", *UNIT_TODO)
ALARMS = {"overdue", "supervised", "leader_returns", "leader_replies", "returns", "problem"}


@cache
def _tasks_to_do():
    """A unit's tasks waiting for it: its own parts to sign or answer, and the answers of the parts it passed
    down, waiting to be accepted or sent back. The unit is the bound parameter `unit_id` (built once: shown on
    every 我的工单 page, building it cost as much as running it)."""
    unit_id = bindparam("unit_id")
    mine = and_(OrderTask.unit_id == unit_id, OrderTask.state.in_((TaskState.DISPATCHED, TaskState.IN_PROGRESS)))
    answered = and_(OrderTask.assigner_unit_id == unit_id, OrderTask.state == TaskState.ANSWERED)
    return (select(OrderTask).join(WorkOrder, WorkOrder.id == OrderTask.order_id)
            .where(or_(mine, answered), WorkOrder.state.in_(TASK_ORDER_STATES)))


def tasks_to_do(user, limit: int = 50) -> list[OrderTask]:
    """The 我的工单 page's 协办 / 下派任务 panel, nearest deadline first."""
    if not user.is_unit_user or user.unit_id is None:
        return []
    return list(db.session.scalars(_tasks_panel(limit), {"unit_id": user.unit_id}))


@cache
def _tasks_panel(limit: int):
    return (_tasks_to_do().options(selectinload(OrderTask.order), selectinload(OrderTask.unit))
            .order_by(OrderTask.deadline, OrderTask.id).limit(limit))


def count_tasks_to_do(user) -> int:
    if not user.is_unit_user or user.unit_id is None:
        return 0
    return count(_tasks_to_do(), {"unit_id": user.unit_id})


def unit_tabs(user) -> tuple[Tab, ...]:
    return LEADER_TABS if user.role == Role.UNIT_LEADER else UNIT_TABS


def home_todo(user, at: datetime | None = None) -> list[TodoCount]:
    """The order lists this user has to work through, with their counts (scoped), for the home page."""
    if user.is_centre:
        tabs, keys, endpoint = CENTRE_QUEUES, CENTRE_TODO, "orders.queues"
    elif user.is_unit_user:
        keys = LEADER_TODO if user.role == Role.UNIT_LEADER else UNIT_TODO
        tabs, endpoint = unit_tabs(user), "orders.my_orders"
    else:
        return []
    chosen = [find_tab(tabs, key) for key in keys]
    counts = tab_counts(user, chosen, at)
    todo = [TodoCount(t.key, t.label, counts[t.key], endpoint, t.key in ALARMS) for t in chosen]
    if user.is_unit_user:
        todo.append(TodoCount("tasks", "协办/下派任务", count_tasks_to_do(user), endpoint, False))
    return todo


def bigrams(text: str) -> set[str]:
    chars = "".join(ch for ch in (text or "") if ch.isalnum())
    return {chars[i:i + 2] for i in range(len(chars) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: good enough for short Chinese requests, no segmenter."""
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def possible_duplicates(mobile: str = "", content: str = "", *, exclude_id: int | None = None,
                        threshold: float = 0.45, limit: int = 8) -> list[tuple[WorkOrder, str]]:
    """Orders of the last 30 days with the same mobile or similar content, with why they match."""
    since = now() - DUPLICATE_WINDOW
    stmt = select(WorkOrder).where(WorkOrder.accepted_at >= since, WorkOrder.state != S.MERGED)
    if exclude_id:
        stmt = stmt.where(WorkOrder.id != exclude_id)
    found: dict[int, tuple[WorkOrder, str]] = {}
    mobile = (mobile or "").strip()
    if len(mobile) >= 7:
        for order in db.session.scalars(stmt.where(WorkOrder.caller_mobile == mobile).limit(limit)):
            found[order.id] = (order, "同一来电号码")
    if len(bigrams(content)) >= 3:
        scored = []
        for order in db.session.scalars(stmt.order_by(WorkOrder.accepted_at.desc()).limit(2000)):
            score = similarity(content, order.content)
            if score >= threshold and order.id not in found:
                scored.append((score, order))
        for score, order in sorted(scored, key=lambda p: -p[0])[:limit]:
            found[order.id] = (order, f"内容相似（{round(score * 100)}%）")
    return sorted(found.values(), key=lambda p: p[0].accepted_at, reverse=True)[:limit]


def search_units(term: str = "", limit: int = 30) -> list[Unit]:
    """Active first-level units whose full name, short name or alias contains the term (the dispatch picker)."""
    units = db.session.scalars(first_level(select(Unit)).where(Unit.active.is_(True)).order_by(Unit.display_order))
    term = (term or "").strip()
    matched = [u for u in units if not term or any(term in name for name in u.names)]
    return matched[:limit]


def subject_groups() -> list[tuple[Subject, list[Subject]]]:
    """Active first-level subjects with their active children, in display order (the create form's picker)."""
    subjects = db.session.scalars(select(Subject).where(Subject.active.is_(True))
                                  .order_by(Subject.display_order, Subject.id)).all()
    return [(parent, [s for s in subjects if s.parent_id == parent.id]) for parent in subjects
            if parent.parent_id is None]


def all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.name)))


def order_by_number(number: str) -> WorkOrder | None:
    return db.session.scalars(select(WorkOrder).where(WorkOrder.number == number)).first()


def attachment_of(order: WorkOrder, attachment_id: int) -> Attachment | None:
    """One attachment of an order the caller has already loaded through the scoping helper."""
    stmt = select(Attachment).where(Attachment.id == attachment_id, Attachment.order_id == order.id)
    return db.session.scalars(stmt).first()


def open_orders_stmt(handler: User):
    """Orders of the handler's unit that the handler still works (not closed, not merged)."""
    return select(WorkOrder).where(
        WorkOrder.handler_id == handler.id,
        WorkOrder.unit_id == handler.unit_id,
        open_sql(),
    )


def open_order_counts(unit_id: int) -> dict[int, int]:
    """handler id -> number of the unit's open orders the handler works."""
    stmt = (
        select(WorkOrder.handler_id, func.count(WorkOrder.id))
        .where(WorkOrder.unit_id == unit_id, WorkOrder.handler_id.is_not(None),
               open_sql())
        .group_by(WorkOrder.handler_id)
    )
    return {handler_id: count for handler_id, count in db.session.execute(stmt)}
