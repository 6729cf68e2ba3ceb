"""The change-password form is no password-guessing oracle: wrong current passwords lock like the login."""
from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.extensions import db
from tests.factories import TEST_PASSWORD

NEW = "Neues-Kennwort-2026"


def _change(client, current):
    return client.post("/password", data={"current": current, "new": NEW, "confirm": NEW})


def test_five_wrong_current_passwords_lock_the_form_even_for_the_right_one(client, login_as):
    user = login_as(Role.LIAISON)
    before = user.password_hash
    first = _change(client, "guess-number-1")
    assert first.status_code == 422 and "当前密码不正确" in first.text and "将锁定" in first.text
    for n in range(2, 6):
        last = _change(client, f"guess-number-{n}")
    assert last.status_code == 429 and "已锁定至" in last.text
    right = _change(client, TEST_PASSWORD)
    assert right.status_code == 429 and "已锁定至" in right.text
    db.session.refresh(user)
    assert user.password_hash == before and user.check_password(TEST_PASSWORD)
    events = [e.event for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert events.count("reauth.failed") == 5 and "reauth.locked" in events and "reauth.refused" in events


def test_a_success_resets_the_count(client, login_as):
    user = login_as(Role.LIAISON)
    for n in range(4):
        _change(client, f"guess-number-{n}")
    assert _change(client, TEST_PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW)
    # Four more failures after the success: not locked.
    for n in range(4):
        assert client.post("/password", data={"current": f"x-{n}", "new": "Zweites-Kennwort-9", "confirm": "Zweites-Kennwort-9"}).status_code == 422
