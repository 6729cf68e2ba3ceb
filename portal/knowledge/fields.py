"""Rules for an entry's fields, shared by the entry form and the XLSX import."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.knowledge.models import KEYWORD_MAX, MATERIAL_KINDS, TITLE_MAX

KEYWORD_SPLIT = re.compile(r"[，,、;；\s]+")
MAX_KEYWORDS = 10


@dataclass
class EntryData:
    """The content of one entry version."""

    title: str
    answer: str
    category: str = ""
    policy_basis: str = ""
    issuer: str = ""
    material_kind: str = "常见问题"
    keywords: list[str] = field(default_factory=list)
    valid_until: date | None = None
    review_date: date | None = None

    @classmethod
    def of(cls, version) -> "EntryData":
        return cls(title=version.title, answer=version.answer, category=version.category,
                   policy_basis=version.policy_basis, issuer=version.issuer,
                   material_kind=version.material_kind, keywords=list(version.keywords or []),
                   valid_until=version.valid_until, review_date=version.review_date)

    def apply(self, version) -> None:
        for name in ("title", "answer", "category", "policy_basis", "issuer", "material_kind",
                     "keywords", "valid_until", "review_date"):
            setattr(version, name, getattr(self, name))


def split_keywords(text: str) -> list[str]:
    """关键字 typed as one string, separated by 、，, ; or spaces; duplicates dropped, order kept."""
    seen = []
    for word in KEYWORD_SPLIT.split(text or ""):
        word = word.strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def keyword_errors(words: list[str]) -> list[str]:
    errors = [f"关键字“{w}”超过 {KEYWORD_MAX} 个字" for w in words if len(w) > KEYWORD_MAX]
    if len(words) > MAX_KEYWORDS:
        errors.append(f"关键字最多 {MAX_KEYWORDS} 个")
    return errors


def title_errors(title: str) -> list[str]:
    if not title:
        return ["请填写标题"]
    if len(title) > TITLE_MAX:
        return [f"标题不能超过 {TITLE_MAX} 个字（现有 {len(title)} 个字）"]
    return []


def material_kind_errors(kind: str) -> list[str]:
    if kind not in MATERIAL_KINDS:
        return [f"材料性质“{kind}”无效，应为：{'、'.join(MATERIAL_KINDS)}"]
    return []


def date_order_errors(valid_until: date | None, review_date: date | None) -> list[str]:
    if valid_until and review_date and review_date > valid_until:
        return ["复核日期不能晚于有效期至"]
    return []
