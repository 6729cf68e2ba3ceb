"""Campaign statuses at the deadline boundary, with an extended deadline, and non_submitters()."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import campaigns as campaign_services
from portal.knowledge import queries
from portal.knowledge.models import CampaignStatus as S
from portal.knowledge.models import TargetMode
from tests.factories import UnitFactory
from tests.knowledge.factories import at, campaign, centre, submitted_entry

DEADLINE = datetime(2018, 8, 25, 23, 59, 59)
AS_OF = datetime(2018, 9, 29, 12)


def status_of(c, unit, as_of=AS_OF):
    return queries.statuses([c], as_of)[(c.id, unit.id)]


def test_submitted_at_2359_59_is_on_time_one_second_later_is_late():
    on_time, late = UnitFactory(), UnitFactory()
    c = campaign(DEADLINE, units=[on_time, late])
    submitted_entry(on_time, DEADLINE)
    submitted_entry(late, DEADLINE + timedelta(seconds=1))
    assert status_of(c, on_time).status == S.SUBMITTED
    assert status_of(c, late).status == S.LATE
    assert status_of(c, late).reached_at == DEADLINE + timedelta(seconds=1)


def test_extended_deadline_turns_late_into_make_up_up_to_the_second():
    made_up, too_late, never = UnitFactory(), UnitFactory(), UnitFactory()
    c = campaign(DEADLINE, units=[made_up, too_late, never])
    extended = datetime(2018, 10, 12, 23, 59, 59)
    for unit in (made_up, too_late, never):
        campaign_services.grant_extension(centre(), c, unit.id, extended)
    db.session.commit()
    submitted_entry(made_up, extended)
    submitted_entry(too_late, extended + timedelta(seconds=1))
    as_of = datetime(2018, 10, 20)
    assert status_of(c, made_up, as_of).status == S.MAKE_UP
    assert status_of(c, too_late, as_of).status == S.LATE
    assert status_of(c, never, as_of).status == S.NOT_SUBMITTED


def test_minimum_entries_reached_by_the_nth_submission():
    unit = UnitFactory()
    c = campaign(DEADLINE, units=[unit], min_entries=3)
    submitted_entry(unit, datetime(2018, 8, 20))
    submitted_entry(unit, datetime(2018, 8, 24))
    assert status_of(c, unit).status == S.NOT_SUBMITTED
    assert status_of(c, unit).count == 2
    submitted_entry(unit, datetime(2018, 8, 27))
    assert status_of(c, unit).status == S.LATE
    assert status_of(c, unit).count == 3


def test_entries_submitted_before_the_window_or_after_as_of_do_not_count():
    unit = UnitFactory()
    c = campaign(DEADLINE, units=[unit], starts_at=datetime(2018, 8, 15, 9))
    submitted_entry(unit, datetime(2018, 8, 1))
    assert status_of(c, unit).status == S.NOT_SUBMITTED
    submitted_entry(unit, datetime(2018, 8, 22))
    assert status_of(c, unit, as_of=datetime(2018, 8, 21)).status == S.NOT_SUBMITTED
    assert status_of(c, unit, as_of=datetime(2018, 8, 22)).status == S.SUBMITTED


def test_another_units_entries_never_count():
    a, b = UnitFactory(), UnitFactory()
    c = campaign(DEADLINE, units=[a, b])
    submitted_entry(b, datetime(2018, 8, 20))
    assert status_of(c, a).status == S.NOT_SUBMITTED


def test_a_draft_never_submitted_does_not_count():
    from portal.knowledge import services
    from tests.knowledge.factories import data, liaison

    unit = UnitFactory()
    c = campaign(DEADLINE, units=[unit])
    with at(datetime(2018, 8, 20)):
        services.create_entry(liaison(unit), unit.id, data())
    db.session.commit()
    assert status_of(c, unit).status == S.NOT_SUBMITTED


def test_non_submitters_lists_units_in_display_order_and_respects_extensions():
    units = [UnitFactory(display_order=n) for n in (3, 1, 2, 4)]
    c = campaign(DEADLINE, units=units, title="8月知识库报送")
    submitted_entry(units[0], datetime(2018, 8, 20))            # order 3: submitted
    campaign_services.grant_extension(centre(), c, units[3].id, datetime(2018, 10, 12, 23, 59, 59))
    db.session.commit()
    gaps = queries.non_submitters(AS_OF)
    assert [(g.campaign_id, g.title, g.deadline) for g in gaps] == [(c.id, "8月知识库报送", DEADLINE)]
    assert [u.display_order for u in gaps[0].units] == [1, 2]  # order 4's extension has not passed
    after_extension = queries.non_submitters(datetime(2018, 10, 13))
    assert [u.display_order for u in after_extension[0].units] == [1, 2, 4]


def test_non_submitters_ignores_campaigns_still_open_and_complete_ones():
    unit = UnitFactory()
    campaign(DEADLINE, units=[unit])
    assert queries.non_submitters(DEADLINE) == []  # deadline not yet passed
    assert [g.units for g in queries.non_submitters(DEADLINE + timedelta(seconds=1))] == [[unit]]
    submitted_entry(unit, DEADLINE)
    assert queries.non_submitters(AS_OF) == []


def test_targets_by_group_and_all_units_skip_inactive_units():
    county = UnitFactory(group="区县政府")
    UnitFactory(group="市直部门")
    UnitFactory(group="区县政府", active=False)
    actor = centre()
    with at(datetime(2018, 8, 15)):
        by_group = campaign_services.create_campaign(
            actor, title="区县", requirement="", deadline=DEADLINE, mode=TargetMode.GROUPS, groups=["区县政府"])
        everyone = campaign_services.create_campaign(
            actor, title="全部", requirement="", deadline=DEADLINE, mode=TargetMode.ALL)
    assert [t.unit_id for t in by_group.targets] == [county.id]
    assert len(everyone.targets) == 2


def test_extension_must_follow_the_deadline_and_target_the_unit():
    unit, other = UnitFactory(), UnitFactory()
    c = campaign(DEADLINE, units=[unit])
    with pytest.raises(RuleViolation, match="晚于"):
        campaign_services.grant_extension(centre(), c, unit.id, DEADLINE)
    with pytest.raises(RuleViolation, match="不在"):
        campaign_services.grant_extension(centre(), c, other.id, DEADLINE + timedelta(days=3))


def test_reminders_go_once_to_units_still_missing_before_the_deadline():
    missing, done, far = UnitFactory(), UnitFactory(), UnitFactory()
    c = campaign(DEADLINE, units=[missing, done])
    campaign(DEADLINE + timedelta(days=30), units=[far], title="下月任务")
    submitted_entry(done, datetime(2018, 8, 20))
    when = datetime(2018, 8, 23, 9)
    sent = campaign_services.send_reminders(when, timedelta(days=3))
    db.session.commit()
    assert [(r.campaign_id, r.unit_id) for r in sent] == [(c.id, missing.id)]
    assert "2018-08-25 23:59" in sent[0].message
    assert campaign_services.send_reminders(when + timedelta(hours=1), timedelta(days=3)) == []


def test_kb_remind_command_is_safe_to_run_twice(runner):
    unit = UnitFactory()
    campaign(datetime(2030, 1, 10, 23, 59, 59), units=[unit], starts_at=datetime(2029, 12, 1))
    args = ["kb", "remind", "--days", "3", "--at", "2030-01-08 09:00:00"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0 and "已发送 1 条报送提醒" in first.output
    second = runner.invoke(args=args)
    assert second.exit_code == 0 and "已发送 0 条报送提醒" in second.output
