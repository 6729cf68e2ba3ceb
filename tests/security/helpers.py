"""Two units with data of every kind, built through the factories and services, for the attack tests."""
from __future__ import annotations

import io
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage

from portal.auth.roles import Role
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.attachments import save_attachment
from portal.orders.enums import OrderState
from tests.factories import UserFactory
from tests.knowledge.factories import data, liaison
from tests.orders.factories import frozen, order_in, staffed_unit

HX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SECRET_NAME = "保密来电人甲"
SECRET_MOBILE = "13955554444"


@dataclass
class Two:
    a: object
    a_leader: object
    a_liaison: object
    b: object
    b_leader: object
    b_liaison: object
    orders: dict
    b_order: object
    attachment: object
    kb_draft: object
    notice: object


def upload(name: str = "照片.png", content: bytes = PNG) -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type="image/png")


def two_units() -> Two:
    """Unit A holds an order in every handling state (one confidential), a file, a KB draft, a notification."""
    a, a_leader, a_liaison = staffed_unit()
    b, b_leader, b_liaison = staffed_unit()
    staff = UserFactory(role=Role.CENTRE_STAFF, unit=None)
    with frozen():
        orders = {state: order_in(state, a, title=f"甲单位工单-{state.name}", caller_name=SECRET_NAME,
                                  caller_mobile=SECRET_MOBILE, confidential=True)
                  for state in (OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.RETURN_REQUESTED,
                                OrderState.EXTENSION_REQUESTED, OrderState.REPLIED)}
        b_order = order_in(OrderState.IN_PROGRESS, b, title="乙单位工单")
        attachment = save_attachment(orders[OrderState.IN_PROGRESS], upload(), staff)
        db.session.commit()
    from portal.knowledge import services as kb

    kb_draft = kb.create_entry(liaison(a), a.id, data("甲单位草稿条目"), submit=False)
    notice = notify(a_liaison, "order", "甲单位通知", "/orders/mine")[0]
    db.session.commit()
    return Two(a, a_leader, a_liaison, b, b_leader, b_liaison, orders, b_order, attachment, kb_draft, notice)


def log_in(client, user) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
