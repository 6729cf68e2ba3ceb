"""Demo step 知识库: entries for every unit that submitted, and the August 2018 campaign.

Exactly the 25 units named in the seed's 三、存在问题 (SEED_NON_SUBMITTERS) submit nothing, so they are
未报送 as of 2018-09-29; every other unit submits (mostly by 2018-08-25 23:59:59, a few late, one
within an extended deadline). Deterministic: one seeded Random.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.demo.knowledge_data import COUNTY, GENERIC, UNITS
from portal.demo.units import SEED_NON_SUBMITTERS
from portal.extensions import db
from portal.knowledge import categories, search
from portal.knowledge.models import (Campaign, CampaignUnit, EntryStatus, KBEntry, KBEntryVersion, KBSearchDoc,
                                     TargetMode)
from portal.units.models import Unit

CAMPAIGN_START = datetime(2018, 8, 15, 9, 0)
CAMPAIGN_DEADLINE = datetime(2018, 8, 25, 23, 59, 59)
CAMPAIGN_TITLE = "2018年8月知识库信息报送"
CAMPAIGN_REQUIREMENT = ("根据8月15日全市12345便民服务平台系统动员暨业务培训会议要求，各承办单位于8月25日前按本单位"
                        "职责报送知识库内容（办事指南、政策文件、常见问题等），每单位至少1条。")
# Units that first submitted after the deadline; the last one was granted 补报截止 and made it.
LATE = {"市信访局": datetime(2018, 8, 27, 10, 12), "市体育局": datetime(2018, 8, 29, 15, 40),
        "中国人民保险安康分公司": datetime(2018, 9, 3, 9, 5), "市总工会": datetime(2018, 8, 30, 11, 20)}
EXTENDED = {"市总工会": datetime(2018, 8, 31, 23, 59, 59)}
# Non-submitters whose entries were published before the campaign opened: operators find them, and the
# unit is still 未报送 (only a first submission inside the campaign window counts for it).
BEFORE_CAMPAIGN = {"市住房公积金管理中心": datetime(2018, 7, 10, 9, 30)}
# A few entries still with the centre or sent back, so the review queue has something to show.
IN_REVIEW = {("汉滨区政府", 4), ("市城管局", 3), ("市公安局", 2)}
RETURNED = {("汉滨区政府", 3): "答复内容未写明申报材料清单和办理时限，请补充后重新报送。",
            ("安康自来水公司", 3): "请补充政策依据（文件名称及条款）。"}


def review_dates(k: int, today: date) -> tuple[date, date]:
    """复核日期 and 有效期至 of the k-th demo entry, relative to the day the demo is loaded.

    Every tenth entry is some days past its review date, so the 已过复核日期 flag has something to show;
    the others come up for review within the next year. Deterministic for a given load day.
    """
    if k % 10 == 3:
        review = today - timedelta(days=5 + (k * 7) % 40)
    else:
        review = today + timedelta(days=30 + (k * 37) % 335)
    return review, date(review.year + 1, 12, 31)


def submitting_units(units: list[Unit]) -> list[Unit]:
    missing = set(SEED_NON_SUBMITTERS) - set(BEFORE_CAMPAIGN)
    return [u for u in units if not (set(u.names) & missing)]


def _items_for(unit: Unit, rng: random.Random) -> list[tuple]:
    if unit.short_name in UNITS:
        return UNITS[unit.short_name]
    fill = {"name": unit.short_name.removesuffix("政府"), "full": unit.full_name}
    if unit.group == "区县政府":
        count = 5 if unit.short_name == "汉滨区政府" else rng.randint(3, 5)
        chosen = COUNTY[:count]
    else:
        chosen = GENERIC
    return [(c, t.format(**fill), a.format(**fill), b, k, kw) for c, t, a, b, k, kw in chosen]


def _first_submission(unit: Unit, rng: random.Random) -> datetime:
    if unit.short_name in LATE:
        return LATE[unit.short_name]
    if unit.short_name in BEFORE_CAMPAIGN:
        return BEFORE_CAMPAIGN[unit.short_name]
    day = CAMPAIGN_START.date() + timedelta(days=rng.randint(1, 10))
    at = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.randint(8, 17), minutes=rng.randint(0, 59))
    return min(at, CAMPAIGN_DEADLINE)


def load_knowledge() -> str:
    rng = random.Random(20180825)
    made = categories.ensure_categories(None, [item[0] for items in (COUNTY, GENERIC, *UNITS.values()) for item in items])
    units = list(db.session.scalars(select(Unit).order_by(Unit.display_order)))
    reviewer = db.session.scalar(select(User).where(User.role == Role.CENTRE_STAFF).order_by(User.id))
    liaisons = {u.unit_id: u for u in db.session.scalars(select(User).where(User.role == Role.LIAISON).order_by(User.id.desc()))}
    today = now().date()
    entries = published = 0
    for unit in submitting_units(units):
        first = _first_submission(unit, rng)
        author = liaisons.get(unit.id)
        for n, (category, title, answer, basis, kind, keywords) in enumerate(_items_for(unit, rng), start=1):
            submitted = first + timedelta(minutes=7 * (n - 1))
            status = EntryStatus.SUBMITTED if (unit.short_name, n) in IN_REVIEW else (
                EntryStatus.RETURNED if (unit.short_name, n) in RETURNED else EntryStatus.PUBLISHED)
            reviewed = None if status == EntryStatus.SUBMITTED else submitted + timedelta(hours=rng.randint(2, 48))
            review_date, valid_until = review_dates(entries, today)
            entry = KBEntry(unit_id=unit.id, title=title, status=status, first_submitted_at=submitted,
                            created_by_id=author.id if author else None, created_at=submitted - timedelta(hours=1),
                            updated_at=reviewed or submitted)
            version = KBEntryVersion(
                entry=entry, number=1, status=status, category=category, title=title, answer=answer,
                policy_basis=basis, issuer=unit.full_name, material_kind=kind, keywords=list(keywords),
                valid_until=valid_until, review_date=review_date,
                author_id=author.id if author else None, created_at=entry.created_at, submitted_at=submitted,
                reviewed_at=reviewed, reviewer_id=reviewer.id if reviewer and reviewed else None,
                return_reason=RETURNED.get((unit.short_name, n)))
            db.session.add_all([entry, version])
            db.session.flush()
            entry.current_version_id = version.id
            if status == EntryStatus.PUBLISHED:
                entry.published_version_id = version.id
                db.session.add(KBSearchDoc(**search.doc_values(entry.id, unit.id, version)))
                published += 1
            entries += 1
    _campaign(units, reviewer)
    db.session.flush()
    return f"{entries} 个知识库条目（已发布 {published} 个，类目 {len(made)} 个），报送任务 1 个"


def _campaign(units: list[Unit], actor) -> None:
    campaign = Campaign(title=CAMPAIGN_TITLE, requirement=CAMPAIGN_REQUIREMENT, starts_at=CAMPAIGN_START,
                        deadline=CAMPAIGN_DEADLINE, min_entries=1, target_mode=TargetMode.ALL,
                        created_by_id=actor.id if actor else None, created_at=CAMPAIGN_START)
    db.session.add(campaign)
    db.session.flush()
    rows = []
    for unit in units:
        extended = EXTENDED.get(unit.short_name)
        rows.append({"campaign_id": campaign.id, "unit_id": unit.id, "extended_deadline": extended,
                     "extended_by_id": actor.id if actor and extended else None,
                     "extended_at": datetime(2018, 8, 26, 9) if extended else None})
    db.session.execute(insert(CampaignUnit), rows)
