"""Read-only KB queries: entry lists scoped to the user; campaign statuses, the compliance matrix, non-submitters.

Which entries count for a campaign (docs/decisions.md): entries of the target unit, counted once, at
their first submission (KBEntry.first_submitted_at), when that moment lies in the campaign window
[starts_at, as_of]. A later return or retirement does not undo a submission. The unit reaches the
campaign when its min_entries-th counted entry is submitted; that moment decides the status.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.knowledge.models import Campaign, CampaignStatus, CampaignUnit, EntryStatus, KBEntry, KBEntryVersion
from portal.units.models import Unit
from portal.web.scoping import scope, scoped_select
from portal.units.queries import first_level


@dataclass(frozen=True)
class UnitStatus:
    campaign_id: int
    unit_id: int
    status: CampaignStatus
    count: int                       # entries counted by as_of
    reached_at: datetime | None      # when the minimum was reached
    deadline: datetime
    extended_deadline: datetime | None

    @property
    def effective_deadline(self) -> datetime:
        return self.extended_deadline or self.deadline


@dataclass(frozen=True)
class CampaignGap:
    """A campaign whose deadline passed, with the units still 未报送 (display order)."""

    campaign_id: int
    title: str
    deadline: datetime
    units: list[Unit]


def classify(reached_at: datetime | None, deadline: datetime, extended: datetime | None) -> CampaignStatus:
    """The status of a unit that reached the minimum at `reached_at` (None: not reached)."""
    if reached_at is None:
        return CampaignStatus.NOT_SUBMITTED
    if reached_at <= deadline:
        return CampaignStatus.SUBMITTED
    if extended is not None and reached_at <= extended:
        return CampaignStatus.MAKE_UP
    return CampaignStatus.LATE


def _submission_times(unit_ids: set[int], since: datetime, as_of: datetime) -> dict[int, list[datetime]]:
    times: dict[int, list[datetime]] = defaultdict(list)
    if not unit_ids:
        return times
    rows = db.session.execute(
        select(KBEntry.unit_id, KBEntry.first_submitted_at)
        .where(KBEntry.unit_id.in_(unit_ids), KBEntry.first_submitted_at >= since,
               KBEntry.first_submitted_at <= as_of)
    )
    for unit_id, at in rows:
        times[unit_id].append(at)
    for values in times.values():
        values.sort()
    return times


def statuses(campaigns: list[Campaign], as_of: datetime, unit_ids: set[int] | None = None
             ) -> dict[tuple[int, int], UnitStatus]:
    """Status of every (campaign, target unit) at `as_of`, optionally for some units only."""
    if not campaigns:
        return {}
    by_id = {c.id: c for c in campaigns}
    stmt = select(CampaignUnit).where(CampaignUnit.campaign_id.in_(by_id))
    if unit_ids is not None:
        stmt = stmt.where(CampaignUnit.unit_id.in_(unit_ids))
    targets = list(db.session.scalars(stmt))
    since = min(c.starts_at for c in campaigns)
    times = _submission_times({t.unit_id for t in targets}, since, as_of)
    result = {}
    for target in targets:
        campaign = by_id[target.campaign_id]
        unit_times = times.get(target.unit_id, [])
        counted = unit_times[bisect.bisect_left(unit_times, campaign.starts_at):]
        need = max(campaign.min_entries, 1)
        reached = counted[need - 1] if len(counted) >= need else None
        result[(campaign.id, target.unit_id)] = UnitStatus(
            campaign_id=campaign.id, unit_id=target.unit_id,
            status=classify(reached, campaign.deadline, target.extended_deadline),
            count=len(counted), reached_at=reached, deadline=campaign.deadline,
            extended_deadline=target.extended_deadline,
        )
    return result


def non_submitters(as_of: datetime) -> list[CampaignGap]:
    """Campaigns whose deadline passed before `as_of`, with the units still 未报送 at `as_of`.

    A unit granted an extended deadline (补报截止) that has not yet passed is not listed. Campaigns
    without such units are left out; the list is ordered by deadline.
    """
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.deadline < as_of).order_by(Campaign.deadline, Campaign.id)))
    found = statuses(campaigns, as_of)
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    gaps = []
    for campaign in campaigns:
        missing = [units[s.unit_id] for (cid, _uid), s in found.items()
                   if cid == campaign.id and s.status == CampaignStatus.NOT_SUBMITTED
                   and s.effective_deadline < as_of]
        if missing:
            missing.sort(key=lambda u: (u.display_order, u.id))
            gaps.append(CampaignGap(campaign.id, campaign.title, campaign.deadline, missing))
    return gaps


@dataclass(frozen=True)
class MatrixRow:
    unit: Unit
    cells: list[UnitStatus | None]  # one per campaign column; None: not targeted


@dataclass(frozen=True)
class Matrix:
    campaigns: list[Campaign]
    rows: list[MatrixRow]
    as_of: datetime

    def totals(self) -> list[dict[CampaignStatus, int]]:
        out = []
        for i in range(len(self.campaigns)):
            counts = {s: 0 for s in CampaignStatus}
            for row in self.rows:
                if row.cells[i] is not None:
                    counts[row.cells[i].status] += 1
            out.append(counts)
        return out


def compliance_matrix(as_of: datetime, campaign_ids: list[int] | None = None, group: str | None = None,
                      status: CampaignStatus | None = None) -> Matrix:
    """Units × campaigns with statuses and counts, newest campaign first; filters by group and status.

    A status filter keeps the units that have that status in at least one shown campaign.
    """
    stmt = select(Campaign).order_by(Campaign.deadline.desc(), Campaign.id.desc())
    if campaign_ids:
        stmt = stmt.where(Campaign.id.in_(campaign_ids))
    campaigns = list(db.session.scalars(stmt))
    found = statuses(campaigns, as_of)
    unit_ids = {uid for _cid, uid in found}
    unit_stmt = select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.display_order, Unit.id)
    if group:
        unit_stmt = unit_stmt.where(Unit.group == group)
    rows = []
    for unit in db.session.scalars(unit_stmt):
        cells = [found.get((c.id, unit.id)) for c in campaigns]
        if status is not None and not any(cell and cell.status == status for cell in cells):
            continue
        rows.append(MatrixRow(unit, cells))
    return Matrix(campaigns, rows, as_of)


@dataclass(frozen=True)
class OpenCampaign:
    campaign: Campaign
    status: UnitStatus

    def time_left(self, at: datetime) -> str:
        """剩余时间 until the unit's effective deadline, in Chinese."""
        seconds = int((self.status.effective_deadline - at).total_seconds())
        if seconds < 0:
            return "已截止"
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        if days:
            return f"剩余 {days} 天 {hours} 小时"
        if hours:
            return f"剩余 {hours} 小时 {rest // 60} 分"
        return f"剩余 {max(rest // 60, 1)} 分钟"


def unit_campaigns(unit_id: int, as_of: datetime) -> list[OpenCampaign]:
    """The campaigns targeting a unit, open ones (deadline or extension still ahead) first."""
    campaigns = list(db.session.scalars(
        select(Campaign).join(CampaignUnit).where(CampaignUnit.unit_id == unit_id)
        .order_by(Campaign.deadline.desc())))
    found = statuses(campaigns, as_of, {unit_id})
    items = [OpenCampaign(c, found[(c.id, unit_id)]) for c in campaigns]
    items.sort(key=lambda o: (o.status.effective_deadline < as_of, o.status.effective_deadline))
    return items


# ---- entries ---------------------------------------------------------------------------------------

def entries_stmt(user, *, status: str | None = None, unit_id: int | None = None, q: str | None = None,
                 due_before: date | None = None):
    """The entries the user may list (own unit's, or all for the centre), filtered, most recently changed first.

    due_before: only live entries whose published 复核日期 lies before that day.
    """
    stmt = scoped_select(KBEntry, user)
    if status in {s.value for s in EntryStatus}:
        stmt = stmt.where(KBEntry.status == EntryStatus(status))
    if unit_id and user.is_centre:
        stmt = stmt.where(KBEntry.unit_id == unit_id)
    if q and q.strip():
        stmt = stmt.where(KBEntry.title.icontains(q.strip(), autoescape=True))
    if due_before is not None:
        stmt = stmt.join(KBEntryVersion, KBEntryVersion.id == KBEntry.published_version_id).where(
            KBEntryVersion.review_date < due_before, KBEntry.status != EntryStatus.RETIRED)
    return stmt.order_by(KBEntry.updated_at.desc(), KBEntry.id.desc())


def review_queue_count(user) -> int:
    """Entries awaiting the centre's review (a unit user: its own)."""
    stmt = scope(select(func.count(KBEntry.id)), KBEntry, user).where(KBEntry.status == EntryStatus.SUBMITTED)
    return db.session.scalar(stmt) or 0


def all_units(*, active_only: bool = False) -> list[Unit]:
    """First-level units: campaigns target them and the centre filters entries by them."""
    stmt = first_level(select(Unit)).order_by(Unit.display_order, Unit.id)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    return list(db.session.scalars(stmt))


def all_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.deadline.desc(), Campaign.id.desc())))


def visible_entry(user, entry_id: int) -> tuple[KBEntry | None, bool]:
    """The entry and whether the user sees all of it (own unit, centre); else only a live published entry."""
    if user.is_centre or user.is_unit_user:
        entry = db.session.scalars(scope(select(KBEntry).where(KBEntry.id == entry_id), KBEntry, user)).first()
        if entry is not None:
            return entry, True
    entry = db.session.scalars(select(KBEntry).where(
        KBEntry.id == entry_id, KBEntry.published_version_id.is_not(None),
        KBEntry.status != EntryStatus.RETIRED)).first()
    return entry, False


@dataclass(frozen=True)
class Compliance:
    """报送任务完成情况 of one unit: campaigns due in the period and judged by T, and those met."""

    due: int
    met: int


def campaign_compliance(start: date, end: date, as_of: datetime) -> dict[int, Compliance]:
    """Per unit: the campaigns targeting it whose deadline falls in [start, end] and has passed by `as_of`;
    met = 已报送 or 已补报 (逾期报送, 未报送 are not).

    A unit granted a 补报截止 still ahead at `as_of` that has not submitted yet is not judged yet.
    """
    first = datetime.combine(start, datetime.min.time())
    after = datetime.combine(end, datetime.min.time()) + timedelta(days=1)
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.deadline >= first, Campaign.deadline < after, Campaign.deadline <= as_of)))
    due: dict[int, int] = defaultdict(int)
    met: dict[int, int] = defaultdict(int)
    for (_cid, unit_id), s in statuses(campaigns, as_of).items():
        ok = s.status in (CampaignStatus.SUBMITTED, CampaignStatus.MAKE_UP)
        if not ok and s.status == CampaignStatus.NOT_SUBMITTED and s.effective_deadline >= as_of:
            continue
        due[unit_id] += 1
        met[unit_id] += int(ok)
    return {unit_id: Compliance(n, met[unit_id]) for unit_id, n in due.items()}
