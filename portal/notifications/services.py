"""notify(): send an in-app notification to a user, or to every active user of a unit."""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select, update

from portal.database import add_once
from portal.auth.models import User
from portal.clock import now
from portal.extensions import db
from portal.notifications.models import Notification
from portal.units.models import Unit

KIND_LABELS = {
    "new_order": "新工单",
    "supervise": "督办",
    "return_leader": "退单待审批",
    "return_decision": "退单审核结果",
    "extension_decision": "延期审核结果",
    "reply_decision": "回复审核结果",
    "reopen": "重办",
    "due_soon": "即将到期",
    "sign_due": "签收提醒",
    "review_waiting": "待审核",
}


def recipients(user_or_unit) -> list[User]:
    if isinstance(user_or_unit, Unit):
        stmt = select(User).where(User.unit_id == user_or_unit.id, User.active.is_(True)).order_by(User.id)
        return list(db.session.scalars(stmt))
    return [user_or_unit] if user_or_unit is not None and user_or_unit.active else []


def centre_staff() -> list[User]:
    """The centre staff who review returns, extensions and replies (admins manage, they are not paged)."""
    from portal.auth.roles import Role

    stmt = select(User).where(User.role == Role.CENTRE_STAFF, User.active.is_(True)).order_by(User.id)
    return list(db.session.scalars(stmt))


def notify_centre(kind: str, text: str, link: str = "", *, key: str | None = None) -> list[Notification]:
    """Notify every active centre staff member (a return, an extension or a reply waits for review)."""
    return [n for user in centre_staff() for n in notify(user, kind, text, link, key=key)]


def notify(user_or_unit, kind: str, text: str, link: str = "", *, key: str | None = None) -> list[Notification]:
    """Notify a user or each active user of a unit; with a key, a user already notified is skipped."""
    users = recipients(user_or_unit)
    if key is not None and users:
        already = set(db.session.scalars(
            select(Notification.user_id).where(Notification.key == key, Notification.user_id.in_([u.id for u in users]))
        ))
        users = [u for u in users if u.id not in already]
    made = [Notification(user_id=u.id, kind=kind, text=text, link=link, key=key, created_at=now()) for u in users]
    if key is None:
        db.session.add_all(made)
        db.session.flush()
        return made
    # A reminder run overlapping another (cron) may insert the same key first: that one counts.
    return [n for n in made if add_once(n)]


def notifications_of(user, *, unread_only: bool = False):
    """The user's own notifications, newest first (a SELECT to paginate)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


def own_notification(user, notification_id: int) -> Notification | None:
    stmt = select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    return db.session.scalars(stmt).first()


@cache
def _unread():
    """Every page's badge (statement built once)."""
    return select(db.func.count(Notification.id)).where(Notification.user_id == bindparam("user_id"),
                                                         Notification.read_at.is_(None))


def unread_count(user) -> int:
    return db.session.scalar(_unread(), {"user_id": user.id}) or 0


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of the user read; return how many."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return db.session.execute(stmt.values(read_at=now())).rowcount
