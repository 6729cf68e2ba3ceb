"""Helpers that build KB entries and campaigns through the services (time frozen where it matters)."""
from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge import campaigns, services
from portal.knowledge.fields import EntryData
from portal.knowledge.models import TargetMode
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(value: datetime):
    """Freeze the clock at a naive Shanghai wall time."""
    return time_machine.travel(value.replace(tzinfo=TZ), tick=False)


def data(title: str | None = None, **kw) -> EntryData:
    return EntryData(title=title or f"测试问题{next(_seq)}", answer=kw.pop("answer", "答复内容"), **kw)


def liaison(unit):
    return UserFactory(role=Role.LIAISON, unit=unit)


def centre():
    return UserFactory(role=Role.CENTRE_STAFF, unit=None)


def submitted_entry(unit, when: datetime, title: str | None = None, actor=None, **kw):
    """An entry of `unit` first submitted at `when`."""
    actor = actor or liaison(unit)
    with at(when):
        entry = services.create_entry(actor, unit.id, data(title, **kw), submit=True)
    db.session.commit()
    return entry


def published_entry(unit, title: str | None = None, when: datetime = datetime(2018, 8, 20, 10), **kw):
    entry = submitted_entry(unit, when, title, **kw)
    with at(when):
        services.publish_entry(centre(), entry)
    db.session.commit()
    return entry


def campaign(deadline: datetime, *, units=None, starts_at=datetime(2018, 8, 15, 9), min_entries=1, **kw):
    actor = centre()
    mode = TargetMode.UNITS if units is not None else TargetMode.ALL
    ids = [u.id for u in units] if units is not None else []
    with at(starts_at):
        made = campaigns.create_campaign(actor, title=kw.pop("title", "知识库报送"), requirement="按职责报送",
                                         deadline=deadline, mode=mode, unit_ids=ids, min_entries=min_entries,
                                         starts_at=starts_at, **kw)
    db.session.commit()
    return made
