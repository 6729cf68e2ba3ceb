"""Demo steps 知识库 and 来电: the seed's figures (6,196 calls, 5,235 direct, 961 orders; 25 non-submitters)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.calls.models import Call, CallOutcome, call_kb_entry
from portal.demo.calls import load_calls
from portal.demo.knowledge import load_knowledge
from portal.demo.loader import load_units
from portal.demo.units import SEED_NON_SUBMITTERS
from portal.extensions import db
from portal.knowledge.models import CampaignStatus, KBEntry, KBSearchDoc
from portal.knowledge.queries import compliance_matrix, non_submitters
from portal.orders.enums import OrderKind
from portal.orders.models import WorkOrder


def _orders():
    made = []
    for n, at in enumerate([datetime(2018, 8, 2, 9, 15), datetime(2018, 8, 8, 10), datetime(2018, 8, 31, 23, 59),
                            datetime(2018, 7, 21, 9)], start=1):
        made.append(WorkOrder(number=f"20180800{n:02d}", accepted_at=at, kind=OrderKind.CONSULT, title=f"工单{n}",
                              content="内容", caller_mobile=f"1391234000{n}"))
    db.session.add_all(made)
    db.session.flush()
    return made


def test_demo_knowledge_and_calls_reproduce_the_seed():
    load_units()
    orders = _orders()
    load_knowledge()
    load_calls()
    db.session.commit()

    gaps = non_submitters(datetime(2018, 9, 29))
    assert len(gaps) == 1 and gaps[0].deadline == datetime(2018, 8, 25, 23, 59, 59)
    named = [next(n for n in SEED_NON_SUBMITTERS if n in u.names) for u in gaps[0].units]
    assert sorted(named) == sorted(SEED_NON_SUBMITTERS)
    assert [u.display_order for u in gaps[0].units] == sorted(u.display_order for u in gaps[0].units)
    totals = compliance_matrix(datetime(2018, 9, 29)).totals()[0]
    assert totals[CampaignStatus.NOT_SUBMITTED] == 25
    assert totals[CampaignStatus.LATE] >= 1 and totals[CampaignStatus.MAKE_UP] >= 1
    assert totals[CampaignStatus.SUBMITTED] > totals[CampaignStatus.LATE] + totals[CampaignStatus.MAKE_UP]
    assert db.session.scalar(select(func.count(KBEntry.id)).where(KBEntry.unit.has(short_name="市人社局"))) == 0

    count = lambda *w: db.session.scalar(select(func.count(Call.id)).where(*w))  # noqa: E731
    assert count(Call.received_at >= datetime(2018, 8, 1), Call.received_at < datetime(2018, 9, 1)) == 6196
    august = (Call.received_at >= datetime(2018, 8, 1), Call.received_at < datetime(2018, 9, 1))
    assert count(Call.outcome == CallOutcome.DIRECT, *august) == 5235
    assert count(Call.outcome == CallOutcome.ORDER, *august) == 961
    # Besides August 2018, the operator's day at load time: one direct reply and one call waiting for its order.
    assert count(Call.received_at >= datetime(2018, 9, 1)) == 2
    assert count(Call.outcome.is_(None)) == 1
    linked = {c.order_id: c.received_at for c in db.session.scalars(select(Call).where(Call.order_id.is_not(None)))}
    assert linked == {o.id: o.accepted_at for o in orders[:3]}  # August orders only, at their 受理时间
    unanswered = db.session.scalar(select(func.count(Call.id)).where(
        Call.outcome == CallOutcome.DIRECT, ~Call.id.in_(select(call_kb_entry.c.call_id))))
    assert unanswered == 0
    live = set(db.session.scalars(select(KBSearchDoc.entry_id)))
    assert set(db.session.scalars(select(call_kb_entry.c.entry_id))) <= live

    # The search box's own example finds the housing fund's answers (published before the campaign, so
    # the unit is still among the 25 non-submitters above), and a licence question finds licence entries only.
    from portal.knowledge.search import search

    fund = [h.doc.title for h in search("公积金提取")[1]]
    assert fund and fund[0] == "住房公积金提取需要什么材料？" and all("公积金" in t for t in fund)
    licence = search("营业执照办理")[1]
    assert licence and all("营业执照" in h.doc.title + h.doc.keywords + h.doc.body for h in licence)
    assert not any("信访" in h.doc.title or "网约车" in h.doc.title for h in licence)


def test_demo_entries_come_up_for_review_relative_to_the_load_day():
    from zoneinfo import ZoneInfo

    import time_machine

    from portal.knowledge.models import KBEntryVersion

    load_units()
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        load_knowledge()
    db.session.commit()
    today = datetime(2026, 11, 24).date()
    dates = list(db.session.scalars(select(KBEntryVersion.review_date).join(
        KBEntry, KBEntry.published_version_id == KBEntryVersion.id)))
    overdue = [d for d in dates if d < today]
    assert dates and 0 < len(overdue) <= len(dates) // 5
    assert all((today - d).days <= 45 for d in overdue)
    assert all(0 < (d - today).days <= 365 for d in dates if d >= today)
    assert db.session.scalar(select(func.min(KBEntryVersion.valid_until))) > today
