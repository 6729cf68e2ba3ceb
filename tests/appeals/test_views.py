"""Appeal pages: a liaison files with a file, the leader approves, staff uphold; the order page and the home
pages show them; a denied step changes nothing."""
from __future__ import annotations

import io
import re
from datetime import datetime

from sqlalchemy import func, select

from portal.appeals.models import Appeal, AppealFile, AppealStatus
from portal.extensions import db
from portal.orders.models import OrderEvent
from tests.appeals.helpers import figures, late_order, world
from tests.orders.factories import frozen

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6bd0a0000000049454e44ae426082")
FILED = datetime(2025, 3, 10, 9, 30)


def _as(client, user):
    """Log in afresh (the frozen clock jumps; an idle session would end)."""
    with client.session_transaction() as sess:
        sess.clear()
        sess["_user_id"], sess["_fresh"] = user.get_id(), True


def _todo(page: str) -> int:
    assert 'data-testid="todo-appeals"' in page, page[-3000:]
    return int(re.search(r'data-testid="todo-appeals">\s*<span class="todo-count">(\d+)</span>', page).group(1))


def _state(appeal_id):
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal_id)
    return appeal.status, appeal.version, db.session.scalar(select(func.count(OrderEvent.id)))


def test_an_appeal_walks_from_the_liaison_to_the_leader_to_the_centre(client):
    w = world()
    unit, leader, liaison = w["a"]
    order = late_order(w, rating=None)
    with frozen(FILED):
        _as(client, liaison)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'data-testid="file-appeal"' in page and "可申诉：逾期办结" in page
        form = client.get(f"/appeals/orders/{order.id}/new").get_data(as_text=True)
        target = re.search(r'name="target"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="target"', form)
        target = target.group(1) or target.group(2)
        empty = client.post(f"/appeals/orders/{order.id}/new", data={"target": target, "reason": ""})
        assert empty.status_code == 422 and "请填写申诉理由" in empty.get_data(as_text=True)
        assert db.session.scalar(select(func.count(Appeal.id))) == 0
        resp = client.post(f"/appeals/orders/{order.id}/new", data={
            "target": target, "reason": "群众预约周末上门，时限后才能处理",
            "files": (io.BytesIO(PNG), "预约记录.png")}, content_type="multipart/form-data")
        assert resp.status_code in (302, 303)
    appeal = db.session.scalars(select(Appeal)).one()
    assert appeal.status == AppealStatus.LEADER_REVIEW
    item = db.session.scalars(select(AppealFile)).one()
    download = client.get(f"/appeals/{appeal.id}/files/{item.id}")
    assert download.data == PNG
    download.close()

    # The liaison may not approve: nothing changes.
    before = _state(appeal.id)
    _as(client, liaison)
    assert client.post(f"/appeals/{appeal.id}/leader_approve", data={"version": appeal.version}).status_code == 403
    assert _state(appeal.id) == before
    with frozen(FILED):
        _as(client, leader)
        assert _todo(client.get("/").get_data(as_text=True)) == 1
    with frozen(datetime(2025, 3, 10, 11)):
        _as(client, leader)
        resp = client.post(f"/appeals/{appeal.id}/leader_approve", data={"version": appeal.version, "note": "属实"})
        assert resp.status_code in (302, 303)
    with frozen(datetime(2025, 3, 10, 12)):
        _as(client, w["centre"])
        assert _todo(client.get("/").get_data(as_text=True)) == 1
        assert "待审核" in client.get("/appeals/?tab=to_decide").get_data(as_text=True)
        version = db.session.get(Appeal, appeal.id).version
        no_reason = client.post(f"/appeals/{appeal.id}/uphold", data={"version": version, "note": ""})
        assert no_reason.status_code == 422 and "请填写审核意见" in no_reason.get_data(as_text=True)
        stale = client.post(f"/appeals/{appeal.id}/uphold", data={"version": version - 1, "note": "属实"})
        assert stale.status_code == 409 and _state(appeal.id)[0] == AppealStatus.CENTRE_REVIEW
        resp = client.post(f"/appeals/{appeal.id}/uphold", data={"version": version, "note": "预约属实"})
        assert resp.status_code in (302, 303)
    assert _state(appeal.id)[0] == AppealStatus.UPHELD
    row, _ = figures(unit.id, datetime(2025, 3, 31))
    assert (row.on_time, row.late) == (1, 0)
    with frozen(datetime(2025, 3, 10, 13)):
        _as(client, liaison)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "申诉成立" in page and 'data-testid="order-appeal"' in page


def test_another_unit_never_sees_or_decides_an_appeal(client):
    w = world()
    _unit, leader, liaison = w["a"]
    order = late_order(w, rating=None)
    from portal.appeals import services

    with frozen(FILED):
        appeal = services.file_appeal(order, liaison, services.judgments(order)[-1].target, "理由")
        db.session.commit()
    other_leader = w["b"][1]
    _as(client, other_leader)
    before = _state(appeal.id)
    assert client.get(f"/appeals/{appeal.id}").status_code == 404
    assert client.post(f"/appeals/{appeal.id}/leader_approve", data={"version": appeal.version}).status_code == 404
    assert client.get(f"/appeals/orders/{order.id}/new").status_code == 404
    assert "appeal-row" not in client.get("/appeals/?tab=all").get_data(as_text=True)
    assert _state(appeal.id) == before
    _as(client, leader)
    assert client.post(f"/appeals/{appeal.id}/uphold", data={"version": appeal.version, "note": "x"}).status_code == 403
    assert _state(appeal.id) == before
