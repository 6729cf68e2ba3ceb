"""报送任务 services: create a campaign for its target units, grant an extended deadline, remind."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from portal.database import add_once
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import queries
from portal.knowledge.models import Campaign, CampaignReminder, CampaignStatus, CampaignUnit, TargetMode
from portal.notifications.services import notify
from portal.units.models import Unit
from portal.web.links import link_for
from portal.units.queries import first_level


def target_unit_ids(mode: TargetMode, groups: list[str], unit_ids: list[int]) -> list[int]:
    """The active first-level units a campaign targets: all, those of some groups, or chosen ones."""
    stmt = first_level(select(Unit.id)).where(Unit.active.is_(True)).order_by(Unit.display_order, Unit.id)
    if mode == TargetMode.GROUPS:
        if not groups:
            raise RuleViolation("请至少选择一个单位分组。")
        stmt = stmt.where(Unit.group.in_(groups))
    elif mode == TargetMode.UNITS:
        if not unit_ids:
            raise RuleViolation("请至少选择一个单位。")
        stmt = stmt.where(Unit.id.in_(unit_ids))
    ids = list(db.session.scalars(stmt))
    if not ids:
        raise RuleViolation("所选范围内没有在用的单位。")
    return ids


def create_campaign(actor, *, title: str, requirement: str, deadline: datetime, mode: TargetMode,
                    groups: list[str] = (), unit_ids: list[int] = (), min_entries: int = 1,
                    starts_at: datetime | None = None) -> Campaign:
    if not actor.is_centre:
        raise RuleViolation("只有中心可以发布报送任务。")
    starts_at = starts_at or now()
    if deadline <= starts_at:
        raise RuleViolation("截止时间应晚于任务开始时间。")
    if min_entries < 1:
        raise RuleViolation("每单位最少条目数至少为 1。")
    ids = target_unit_ids(mode, list(groups), list(unit_ids))
    campaign = Campaign(title=title, requirement=requirement, deadline=deadline, min_entries=min_entries,
                        target_mode=mode, target_groups=list(groups) if mode == TargetMode.GROUPS else [],
                        starts_at=starts_at, created_by_id=actor.id)
    campaign.targets = [CampaignUnit(unit_id=uid) for uid in ids]
    db.session.add(campaign)
    db.session.flush()
    return campaign


def grant_extension(actor, campaign: Campaign, unit_id: int, extended: datetime | None) -> CampaignUnit:
    """Set (or clear, with None) a unit's 补报截止; it must fall after the campaign deadline."""
    if not actor.is_centre:
        raise RuleViolation("只有中心可以设置补报截止时间。")
    target = db.session.get(CampaignUnit, (campaign.id, unit_id))
    if target is None:
        raise RuleViolation("该单位不在此报送任务范围内。")
    if extended is not None and extended <= campaign.deadline:
        raise RuleViolation("补报截止时间应晚于任务截止时间。")
    target.extended_deadline = extended
    target.extended_by_id = actor.id
    target.extended_at = now()
    db.session.flush()
    return target


def send_reminders(at: datetime, within: timedelta) -> list[CampaignReminder]:
    """Remind every target unit still 未报送 whose deadline falls in (at, at + within]. Idempotent."""
    extended = select(CampaignUnit.campaign_id).where(CampaignUnit.extended_deadline > at)
    campaigns = list(db.session.scalars(
        select(Campaign).where(or_(Campaign.deadline > at, Campaign.id.in_(extended)))))
    found = queries.statuses(campaigns, at)
    already = set(db.session.execute(
        select(CampaignReminder.campaign_id, CampaignReminder.unit_id).where(CampaignReminder.kind == "before_deadline")))
    by_id = {c.id: c for c in campaigns}
    sent = []
    for (cid, uid), status in sorted(found.items()):
        deadline = status.effective_deadline
        if status.status != CampaignStatus.NOT_SUBMITTED or (cid, uid) in already:
            continue
        if not at < deadline <= at + within:
            continue
        campaign = by_id[cid]
        message = (f"报送任务“{campaign.title}”将于 {deadline:%Y-%m-%d %H:%M} 截止，本单位已报送 "
                   f"{status.count} 条，至少需 {campaign.min_entries} 条，请及时报送知识库条目。")
        reminder = CampaignReminder(campaign_id=cid, unit_id=uid, kind="before_deadline", sent_at=at, message=message)
        if not add_once(reminder):  # an overlapping run sent it first
            continue
        sent.append(reminder)
        notify(db.session.get(Unit, uid), "kb_campaign", message, link_for("knowledge.campaigns"),
               key=f"kb-campaign-{cid}-{uid}")
    db.session.flush()
    return sent
