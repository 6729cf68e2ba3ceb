"""Review and revision: the published version stays live during review; every version is kept."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge import search, services
from portal.knowledge.models import EntryStatus as S
from portal.knowledge.models import KBEntryVersion, KBSearchDoc
from tests.factories import UnitFactory
from tests.knowledge.factories import at, centre, data, liaison, published_entry, submitted_entry


def live_titles(query):
    return [h.doc.title for h in search.search(query)[1]]


def test_draft_submit_publish_makes_the_entry_searchable():
    unit = UnitFactory()
    actor = liaison(unit)
    entry = services.create_entry(actor, unit.id, data("自来水停水怎么查询", answer="拨打供水热线查询停水公告"))
    assert entry.status == S.DRAFT and live_titles("停水") == []
    with at(datetime(2018, 8, 20, 9)):
        services.submit_entry(actor, entry)
    assert entry.status == S.SUBMITTED and entry.first_submitted_at == datetime(2018, 8, 20, 9)
    assert live_titles("停水") == []
    services.publish_entry(centre(), entry)
    db.session.commit()
    assert entry.status == S.PUBLISHED
    assert live_titles("停水") == ["自来水停水怎么查询"]


def test_revision_keeps_the_published_version_live_until_approved_and_keeps_every_version():
    unit = UnitFactory()
    entry = published_entry(unit, "公积金提取需要哪些材料", answer="身份证、银行卡")
    first = entry.published_version
    actor = liaison(unit)
    services.update_entry(actor, entry, data("公积金提取需要哪些材料（2018版）", answer="身份证、银行卡、购房合同"))
    assert entry.status == S.DRAFT and entry.revision_pending
    assert entry.published_version_id == first.id
    services.submit_entry(actor, entry)
    db.session.commit()
    # in review: operators still find and read the published text
    assert live_titles("公积金提取") == ["公积金提取需要哪些材料"]
    services.return_entry(centre(), entry, "请注明政策依据")
    db.session.commit()
    assert entry.status == S.RETURNED and entry.published_version_id == first.id
    assert live_titles("公积金") == ["公积金提取需要哪些材料"]
    services.submit_entry(actor, entry)  # resubmitted as a new version; the returned one is kept
    services.publish_entry(centre(), entry)
    db.session.commit()
    versions = list(db.session.scalars(select(KBEntryVersion).where(KBEntryVersion.entry_id == entry.id)
                                       .order_by(KBEntryVersion.number)))
    assert [(v.number, v.status) for v in versions] == [
        (1, S.SUPERSEDED), (2, S.RETURNED), (3, S.PUBLISHED)]
    assert versions[1].return_reason == "请注明政策依据"
    assert versions[0].answer == "身份证、银行卡"
    assert live_titles("公积金") == ["公积金提取需要哪些材料（2018版）"]


def test_returned_entry_shows_the_reason_and_goes_back_to_the_unit():
    unit = UnitFactory()
    entry = submitted_entry(unit, datetime(2018, 8, 20))
    with pytest.raises(RuleViolation, match="退回原因"):
        services.return_entry(centre(), entry, "  ")
    services.return_entry(centre(), entry, "答复内容过于简单")
    assert entry.status == S.RETURNED
    assert entry.current_version.return_reason == "答复内容过于简单"
    services.update_entry(liaison(unit), entry, data(entry.title, answer="详细答复"))
    assert entry.status == S.DRAFT and entry.current_version.number == 2


def test_titles_are_unique_within_a_unit_only():
    a, b = UnitFactory(), UnitFactory()
    services.create_entry(liaison(a), a.id, data("同名问题"))
    services.create_entry(liaison(b), b.id, data("同名问题"))
    with pytest.raises(RuleViolation, match="标题在单位内不能重复"):
        services.create_entry(liaison(a), a.id, data("同名问题"))


def test_submitted_entries_cannot_be_edited_and_only_the_centre_reviews():
    unit = UnitFactory()
    entry = submitted_entry(unit, datetime(2018, 8, 20))
    with pytest.raises(RuleViolation, match="不能修改"):
        services.update_entry(liaison(unit), entry, data("改"))
    with pytest.raises(RuleViolation, match="只有中心"):
        services.publish_entry(liaison(unit), entry)


def test_a_unit_user_cannot_act_on_another_units_entry():
    a, b = UnitFactory(), UnitFactory()
    entry = services.create_entry(liaison(a), a.id, data())
    with pytest.raises(RuleViolation):
        services.update_entry(liaison(b), entry, data())
    with pytest.raises(RuleViolation):
        services.create_entry(liaison(b), a.id, data())


def test_retired_entries_leave_search_but_keep_their_versions():
    unit = UnitFactory()
    entry = published_entry(unit, "残疾证办理流程")
    services.retire_entry(centre(), entry)
    db.session.commit()
    assert entry.status == S.RETIRED and live_titles("残疾证") == []
    assert db.session.scalar(select(KBSearchDoc).where(KBSearchDoc.entry_id == entry.id)) is None
    assert len(entry.versions) == 1


def test_only_never_submitted_drafts_can_be_deleted():
    unit = UnitFactory()
    actor = liaison(unit)
    draft = services.create_entry(actor, unit.id, data())
    services.delete_draft(actor, draft)
    db.session.commit()
    entry = submitted_entry(unit, datetime(2018, 8, 20))
    with pytest.raises(RuleViolation, match="不能删除"):
        services.delete_draft(actor, entry)
