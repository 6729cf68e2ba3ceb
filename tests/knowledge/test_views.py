"""KB pages: unit scoping (another unit's drafts and returned entries answer 404), review, forms."""
from __future__ import annotations

from datetime import datetime

import pytest

from portal.auth.roles import Role
from portal.extensions import db
from portal.knowledge import services
from portal.knowledge.models import EntryStatus, KBEntry
from tests.factories import UnitFactory
from tests.knowledge.factories import data, liaison, published_entry, submitted_entry

HX = {"HX-Request": "true"}


def other_units_entries():
    other = UnitFactory()
    draft = services.create_entry(liaison(other), other.id, data("别人的草稿"))
    returned = submitted_entry(other, datetime(2018, 8, 20), "别人的退回条目")
    services.return_entry(services_centre(), returned, "不合格")
    db.session.commit()
    return other, draft, returned


def services_centre():
    from tests.knowledge.factories import centre

    return centre()


@pytest.mark.parametrize("role", [Role.LIAISON, Role.UNIT_LEADER])
def test_a_unit_never_sees_or_changes_another_units_drafts_or_returned_entries(client, login_as, role):
    _other, draft, returned = other_units_entries()
    login_as(role)
    for entry in (draft, returned):
        assert client.get(f"/knowledge/{entry.id}").status_code == 404
        assert client.get(f"/knowledge/{entry.id}/edit").status_code == 404
        assert client.post(f"/knowledge/{entry.id}/edit", data={"title": "改", "answer": "改"}).status_code == 404
        for action in ("submit", "delete", "retire", "attachments"):
            assert client.post(f"/knowledge/{entry.id}/{action}", headers=HX).status_code == 404, action
    listing = client.get("/knowledge/").get_data(as_text=True)
    assert "别人的草稿" not in listing and "别人的退回条目" not in listing
    db.session.expire_all()
    assert db.session.get(KBEntry, draft.id).title == "别人的草稿"
    assert db.session.get(KBEntry, returned.id).status == EntryStatus.RETURNED


def test_units_may_read_other_units_published_entries_but_not_their_pending_revision(client, login_as):
    other = UnitFactory()
    entry = published_entry(other, "公开的条目", answer="公开答复")
    services.update_entry(liaison(other), entry, data("修订中的标题", answer="尚未审核的答复"))
    db.session.commit()
    login_as(Role.LIAISON)
    page = client.get(f"/knowledge/{entry.id}").get_data(as_text=True)
    assert "公开答复" in page and "尚未审核的答复" not in page and "修订中的标题" not in page
    assert client.post(f"/knowledge/{entry.id}/edit", data={"title": "x", "answer": "y"}).status_code == 404


def test_operator_sees_only_published_entries(client, login_as):
    unit = UnitFactory()
    draft = services.create_entry(liaison(unit), unit.id, data("草稿"))
    live = published_entry(unit, "已发布")
    db.session.commit()
    login_as(Role.OPERATOR)
    assert client.get(f"/knowledge/{draft.id}").status_code == 404
    assert client.get(f"/knowledge/{live.id}").status_code == 200


def test_liaison_creates_and_submits_an_entry_with_keywords(client, login_as):
    user = login_as(Role.LIAISON)
    resp = client.post("/knowledge/new", data={
        "title": "停车场收费标准", "answer": "按物价部门核定标准收费", "material_kind": "政策文件",
        "keywords": "停车、收费 物价", "action": "submit"})
    assert resp.status_code == 303
    entry = db.session.scalars(db.select(KBEntry).where(KBEntry.unit_id == user.unit_id)).one()
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.current_version.keywords == ["停车", "收费", "物价"]


def test_bad_entry_input_is_rerendered_with_chinese_errors_and_nothing_saved(client, login_as):
    login_as(Role.LIAISON)
    resp = client.post("/knowledge/new", data={
        "title": "标" * 129, "answer": "", "material_kind": "传说", "keywords": "这是一个超过二十个字的非常非常非常长的关键字",
        "valid_until": "2018-09-01", "review_date": "2018-10-01"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for message in ("标题不能超过 128 个字", "请填写答复内容", "请选择材料性质", "超过 20 个字", "复核日期不能晚于有效期至"):
        assert message in body
    assert "标" * 129 in body  # what the user typed is kept
    assert db.session.scalar(db.select(db.func.count(KBEntry.id))) == 0


def test_duplicate_title_in_the_unit_is_refused_on_the_form(client, login_as):
    user = login_as(Role.LIAISON)
    services.create_entry(user, user.unit_id, data("重复标题"))
    db.session.commit()
    resp = client.post("/knowledge/new", data={"title": "重复标题", "answer": "x", "material_kind": "其他"})
    assert resp.status_code == 422 and "标题在单位内不能重复" in resp.get_data(as_text=True)


def test_centre_publishes_and_returns_with_a_reason_the_unit_sees(client, login_as):
    unit = UnitFactory()
    one = submitted_entry(unit, datetime(2018, 8, 20), "条目一")
    two = submitted_entry(unit, datetime(2018, 8, 20), "条目二")
    login_as(Role.CENTRE_STAFF)
    queue = client.get("/knowledge/").get_data(as_text=True)
    assert "条目一" in queue and "条目二" in queue
    assert client.post(f"/knowledge/{one.id}/publish", headers=HX).status_code == 200
    empty = client.post(f"/knowledge/{two.id}/return", data={"reason": " "}, headers=HX)
    assert empty.status_code == 422 and "请填写退回原因" in empty.get_data(as_text=True)
    assert client.post(f"/knowledge/{two.id}/return", data={"reason": "请补充政策依据"}, headers=HX).status_code == 200
    db.session.expire_all()
    assert db.session.get(KBEntry, one.id).status == EntryStatus.PUBLISHED
    assert db.session.get(KBEntry, two.id).status == EntryStatus.RETURNED
    client.get("/logout")
    login_as(Role.LIAISON, unit=unit)
    assert "退回原因：请补充政策依据" in client.get("/knowledge/?status=returned").get_data(as_text=True)
    assert "中心退回原因：请补充政策依据" in client.get(f"/knowledge/{two.id}").get_data(as_text=True)


def test_publishing_twice_is_refused(client, login_as):
    entry = submitted_entry(UnitFactory(), datetime(2018, 8, 20))
    login_as(Role.CENTRE_STAFF)
    client.post(f"/knowledge/{entry.id}/publish", headers=HX)
    second = client.post(f"/knowledge/{entry.id}/publish", headers=HX)
    assert second.status_code == 422 and "不在待审核状态" in second.get_data(as_text=True)


def test_search_fragment_highlights_for_an_operator(client, login_as):
    published_entry(UnitFactory(), "停水怎么办", answer="请拨打报修电话")
    login_as(Role.OPERATOR)
    resp = client.get("/knowledge/search?q=停水&pick=1", headers=HX)
    body = resp.get_data(as_text=True)
    assert "<mark>停水</mark>怎么办" in body and 'name="entry_ids"' in body
    assert "<html" not in body  # a fragment


def test_attachments_are_served_only_to_who_may_see_the_entry(client, login_as, app):
    import io

    user = login_as(Role.LIAISON)
    entry = services.create_entry(user, user.unit_id, data("带附件的草稿"))
    db.session.commit()
    resp = client.post(f"/knowledge/{entry.id}/attachments",
                       data={"file": (io.BytesIO(b"%PDF-1.4 test"), "指南.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 303
    attachment = entry.attachments[0]
    with client.get(f"/knowledge/attachments/{attachment.id}") as download:
        assert download.data == b"%PDF-1.4 test"
        assert "attachment" in download.headers["Content-Disposition"]
    client.get("/logout")
    login_as(Role.LIAISON)  # another unit: the entry is a draft
    assert client.get(f"/knowledge/attachments/{attachment.id}").status_code == 404
    login_as(Role.OPERATOR)
    assert client.get(f"/knowledge/attachments/{attachment.id}").status_code == 404


def test_attachment_type_is_checked_by_content_not_name(client, login_as):
    import io

    user = login_as(Role.LIAISON)
    entry = services.create_entry(user, user.unit_id, data("附件类型"))
    db.session.commit()
    disguised = client.post(f"/knowledge/{entry.id}/attachments", content_type="multipart/form-data",
                            data={"file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "指南.pdf")},
                            headers={"HX-Request": "true"})
    assert disguised.status_code == 422
    assert "类型不受支持" in disguised.text
    assert entry.attachments == []
    png = client.post(f"/knowledge/{entry.id}/attachments", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 32), "截图.png")})
    assert png.status_code == 303
    db.session.refresh(entry)
    assert [(a.content_type, a.stored_name.endswith(".png")) for a in entry.attachments] == [("image/png", True)]


def test_deleting_a_draft_with_an_attachment_removes_both(client, login_as):
    import io

    from portal.knowledge import attachments
    from portal.knowledge.models import KBAttachment

    user = login_as(Role.LIAISON)
    entry = services.create_entry(user, user.unit_id, data("带附件待删的草稿"))
    db.session.commit()
    client.post(f"/knowledge/{entry.id}/attachments",
                data={"file": (io.BytesIO(b"%PDF-1.4 test"), "指南.pdf")}, content_type="multipart/form-data")
    stored = attachments.path_of(entry.attachments[0])
    assert stored.exists()
    resp = client.post(f"/knowledge/{entry.id}/delete", headers=HX)
    assert resp.status_code in (200, 204, 303)
    assert db.session.get(KBEntry, entry.id) is None
    assert db.session.scalars(db.select(KBAttachment)).all() == []
    assert not stored.exists()
