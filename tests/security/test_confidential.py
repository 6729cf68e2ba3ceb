"""A confidential order's caller (name, mobile, address) never reaches a unit user; quotes are masked.
A unit leader hands over only liaisons' orders."""
from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import load_workbook

from portal.auth.roles import Role
from portal.circulars import services as circulars
from portal.extensions import db
from portal.notifications.models import Notification
from portal.orders import services as orders
from portal.orders.enums import OrderState
from portal.orders.models import WorkOrder
from portal.roster.services import handover_orders
from portal.errors import RuleViolation
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in
from tests.security.helpers import SECRET_MOBILE, SECRET_NAME, log_in, two_units

ADDRESS = "汉滨区江北街道幸福小区8号楼302室"
QUOTE = f"来电人{SECRET_NAME}（{SECRET_MOBILE}）反映{ADDRESS}楼上漏水，请回电13811112222。"


def _secrets_in(text: str) -> list[str]:
    return [s for s in (SECRET_NAME, SECRET_MOBILE, ADDRESS, "13811112222") if s in text]


def test_no_page_export_notification_or_circular_shows_the_caller_to_a_unit(client):
    world = two_units()
    db.session.execute(db.update(WorkOrder).where(WorkOrder.unit_id == world.a.id).values(
        title=f"{SECRET_NAME}反映漏水", content=QUOTE, address=ADDRESS))
    db.session.commit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        pending = order_in(OrderState.PENDING, title=f"{SECRET_NAME}反映漏水", content=QUOTE, caller_name=SECRET_NAME,
                           caller_mobile=SECRET_MOBILE, address=ADDRESS, confidential=True,
                           accepted_at=datetime(2026, 11, 10, 9))
        orders.dispatch(pending, staff, world.a)
        circular = circulars.draft(date(2026, 11, 1), date(2026, 11, 23), datetime(2026, 11, 24, 9), staff)
        circulars.add_case(circular, staff, pending.id)
        circulars.set_recipients(circular, [world.a.id])
        circulars.issue(circular, staff)
        db.session.commit()
        log_in(client, world.a_liaison)
        pages = [client.get(f"/orders/{o.id}").text for o in world.orders.values()]
        pages += [client.get("/orders/mine", query_string={"tab": tab}).text
                  for tab in ("dispatched", "in_progress", "review")]
        pages += [client.get("/notifications/").text, client.get(f"/circulars/{circular.id}").text,
                  client.get("/stats/unit").text]
        export = client.get("/orders/export.xlsx")
        cells = " ".join(str(v) for r in load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True)
                         for v in r if v)
        pdf = client.get(f"/circulars/{circular.id}/pdf")
        pdf.close()
        detail = client.get(f"/orders/{world.orders[OrderState.IN_PROGRESS].id}").text
    assert all("保***反映漏水" in p for p in pages[:5]), "the order pages were not shown"
    assert "来电人保***（139****4444）" in pages[-2]  # the circular's case, masked
    leaks = {n: _secrets_in(p) for n, p in enumerate(pages) if _secrets_in(p)}
    assert not leaks, leaks
    assert not _secrets_in(cells) and "汉滨区江北街****" in cells
    notes = " ".join(db.session.scalars(db.select(Notification.text)))
    assert not _secrets_in(notes) and "保***反映漏水" in notes
    case = circular.snapshot["cases"][0]
    assert not _secrets_in(case["title"] + case["text"])
    assert "保***" in detail and "139****4444" in detail and "138****2222" in detail


def test_the_centre_still_reads_the_caller(client):
    world = two_units()
    db.session.execute(db.update(WorkOrder).where(WorkOrder.unit_id == world.a.id).values(content=QUOTE))
    db.session.commit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        log_in(client, staff)
        page = client.get(f"/orders/{world.orders[OrderState.IN_PROGRESS].id}").text
    assert SECRET_NAME in page and SECRET_MOBILE in page


def test_a_leader_hands_over_only_liaisons_orders(client):
    world = two_units()
    other_leader = UserFactory(role=Role.UNIT_LEADER, unit=world.a)
    with frozen():
        order = order_in(OrderState.IN_PROGRESS, world.a, handler_id=other_leader.id)
    before = order.handler_id
    try:
        handover_orders(world.a_leader, other_leader, world.a_liaison)
    except RuleViolation as exc:
        assert "只能管理本单位的联络员" in exc.message
    else:
        raise AssertionError("a leader handed over another leader's orders")
    db.session.rollback()
    with frozen():
        log_in(client, world.a_leader)
        resp = client.post(f"/unit/roster/{other_leader.id}/handover", data={"to_user": str(world.a_liaison.id)})
    assert resp.status_code in (404, 422)
    db.session.expire_all()
    assert db.session.get(WorkOrder, order.id).handler_id == before == other_leader.id
    _ = NOW
