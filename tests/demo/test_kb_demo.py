"""Demo step 知识库: its entries use 类目 from the maintained list, all active."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select

from portal.demo.loader import STEPS
from portal.extensions import db
from portal.knowledge.models import KBCategory, KBEntryVersion

TODAY = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_entries_use_categories_of_the_list(monkeypatch):
    monkeypatch.setattr("portal.auth.models._hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    with time_machine.travel(TODAY, tick=False):
        said = {}
        for label, step in STEPS:
            if label in ("单位", "账号", "知识库"):
                said[label] = step()
        db.session.commit()
    listed = {c.name: c.active for c in db.session.scalars(select(KBCategory))}
    used = set(db.session.scalars(select(KBEntryVersion.category)))
    assert used and used <= set(listed) and all(listed.values())
    assert f"类目 {len(listed)} 个" in said["知识库"]
