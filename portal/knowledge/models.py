"""知识库 (KB entries with every version kept) and 报送任务 (campaigns).

An entry (KBEntry) is the unit's answer to one question; its content lives in versions
(KBEntryVersion). `published_version_id` is the version operators see; `current_version_id` is the
one the unit works on. While a revision of a published entry is in review both differ, and the
published one stays live until the centre approves the revision.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db


def _enum(cls, length=20):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class EntryStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    RETURNED = "returned"
    RETIRED = "retired"
    SUPERSEDED = "superseded"  # versions only: a published version replaced by a later one

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    EntryStatus.DRAFT: "草稿",
    EntryStatus.SUBMITTED: "已报送",
    EntryStatus.PUBLISHED: "已发布",
    EntryStatus.RETURNED: "已退回",
    EntryStatus.RETIRED: "已失效",
    EntryStatus.SUPERSEDED: "历史版本",
}

MATERIAL_KINDS = ("办事指南", "法律法规", "政策文件", "热点问答", "常见问题", "其他")
TITLE_MAX = 128
KEYWORD_MAX = 20


class KBEntry(db.Model):
    __tablename__ = "kb_entry"
    __table_args__ = (UniqueConstraint("unit_id", "title", name="uq_kb_entry_unit_title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # The working title (of current_version), kept here so the database enforces uniqueness per unit.
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus), default=EntryStatus.DRAFT, index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_entry_version.id", use_alter=True, name="fk_kb_entry_current_version", ondelete="SET NULL"))
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_entry_version.id", use_alter=True, name="fk_kb_entry_published_version", ondelete="SET NULL"))
    # First time the unit submitted this entry: campaigns count entries at this moment.
    first_submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    retired_at: Mapped[datetime | None]

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    current_version: Mapped["KBEntryVersion | None"] = relationship(foreign_keys=[current_version_id],
                                                                    post_update=True)
    published_version: Mapped["KBEntryVersion | None"] = relationship(foreign_keys=[published_version_id],
                                                                      post_update=True)
    versions: Mapped[list["KBEntryVersion"]] = relationship(
        back_populates="entry", foreign_keys="KBEntryVersion.entry_id", order_by="KBEntryVersion.number")
    attachments: Mapped[list["KBAttachment"]] = relationship(back_populates="entry", order_by="KBAttachment.id")

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    @property
    def revision_pending(self) -> bool:
        """A published entry whose unit is working on (or has submitted) a newer version."""
        return (self.published_version_id is not None and self.current_version_id != self.published_version_id
                and self.status != EntryStatus.RETIRED)

    @property
    def is_live(self) -> bool:
        return self.published_version_id is not None and self.status != EntryStatus.RETIRED


class KBEntryVersion(db.Model):
    """One version of an entry's content. Never deleted; a published one is never edited."""

    __tablename__ = "kb_entry_version"
    __table_args__ = (UniqueConstraint("entry_id", "number", name="uq_kb_entry_version_entry_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entry.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus), default=EntryStatus.DRAFT)
    category: Mapped[str] = mapped_column(String(50), default="")          # 类目
    title: Mapped[str] = mapped_column(String(TITLE_MAX))                 # 标题
    answer: Mapped[str] = mapped_column(Text)                             # 答复内容
    policy_basis: Mapped[str] = mapped_column(Text, default="")           # 政策依据
    issuer: Mapped[str] = mapped_column(String(100), default="")          # 发文单位
    material_kind: Mapped[str] = mapped_column(String(10), default="常见问题")  # 材料性质
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)       # 关键字
    valid_until: Mapped[date | None]                                      # 有效期至
    review_date: Mapped[date | None]                                      # 复核日期
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_reason: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[KBEntry] = relationship(back_populates="versions", foreign_keys=[entry_id])
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewer: Mapped["User | None"] = relationship(foreign_keys=[reviewer_id])  # noqa: F821


class KBAttachment(db.Model):
    """A file attached to an entry, stored under UPLOAD_FOLDER/kb/ with a random name."""

    __tablename__ = "kb_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entry.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    entry: Mapped[KBEntry] = relationship(back_populates="attachments")


class KBSearchDoc(db.Model):
    """The live (published, not retired) text of each entry, one row per entry, for search.

    Written only by portal.knowledge.search.index_entry(). On SQLite an FTS5 trigram table
    (kb_search_fts, created in code, outside the metadata) mirrors it through triggers.
    """

    __tablename__ = "kb_search_doc"

    entry_id: Mapped[int] = mapped_column(ForeignKey("kb_entry.id", ondelete="CASCADE"), primary_key=True,
                                          autoincrement=False)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    keywords: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(default=now)

    unit: Mapped["Unit"] = relationship()  # noqa: F821


class TargetMode(StrEnum):
    ALL = "all"
    GROUPS = "groups"
    UNITS = "units"

    @property
    def label(self) -> str:
        return {"all": "全部单位", "groups": "按分组", "units": "指定单位"}[self.value]


class CampaignStatus(StrEnum):
    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    LATE = "late"
    MAKE_UP = "make_up"

    @property
    def label(self) -> str:
        return {"not_submitted": "未报送", "submitted": "已报送", "late": "逾期报送", "make_up": "已补报"}[self.value]


class Campaign(db.Model):
    """报送任务: "submit your KB entries by <deadline>" for a set of units."""

    __tablename__ = "kb_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    requirement: Mapped[str] = mapped_column(Text, default="")
    # The campaign window opens here: entries first submitted before it do not count.
    starts_at: Mapped[datetime] = mapped_column(default=now)
    deadline: Mapped[datetime] = mapped_column(index=True)
    min_entries: Mapped[int] = mapped_column(default=1)
    target_mode: Mapped[TargetMode] = mapped_column(_enum(TargetMode, 10), default=TargetMode.ALL)
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    targets: Mapped[list["CampaignUnit"]] = relationship(back_populates="campaign", cascade="all, delete-orphan")


class CampaignUnit(db.Model):
    """A unit a campaign targets, with its extended deadline (补报截止) when granted."""

    __tablename__ = "kb_campaign_unit"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("kb_campaign.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True, index=True)
    extended_deadline: Mapped[datetime | None]
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    extended_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    unit: Mapped["Unit"] = relationship()  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id


class CampaignReminder(db.Model):
    """One reminder sent to a unit before a campaign deadline; the unique key makes `kb remind` idempotent."""

    __tablename__ = "kb_campaign_reminder"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", "kind", name="uq_kb_campaign_reminder_key"),
                      Index("ix_kb_campaign_reminder_unit", "unit_id", "sent_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("kb_campaign.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(20), default="before_deadline")
    sent_at: Mapped[datetime] = mapped_column(default=now)
    message: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship()
    unit: Mapped["Unit"] = relationship()  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id
