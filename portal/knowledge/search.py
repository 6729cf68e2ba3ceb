"""Search of published entries for operators: Chinese substrings and keywords, ranked and highlighted.

One row per live entry in kb_search_doc (a normal table, in the models). On SQLite an FTS5 table with
the trigram tokenizer mirrors it (external content, kept in sync by triggers, made by migration
1c80af76bc3c, outside the metadata). Queries of 3+ characters use it; 1–2 character terms (which
trigram cannot match) use LIKE on the base table. PostgreSQL matches every term with ILIKE on one
expression of the base table that a pg_trgm GIN index (same migration) serves for 3+ characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import delete, literal_column, or_, select, text

from portal.extensions import db
from portal.knowledge import segment
from portal.knowledge.models import KBSearchDoc

FTS = "kb_search_fts"
# Served by the pg_trgm GIN index ix_kb_search_doc_trgm (migration 1c80af76bc3c): the text must stay
# identical to the indexed expression, with the separators as literals (not bound parameters).
PG_HAYSTACK = "(kb_search_doc.title || ' ' || kb_search_doc.keywords || ' ' || kb_search_doc.body)"
MAX_QUERY = 100
MAX_CANDIDATES = 500


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def index_entry(entry) -> None:
    """Put the entry's live version in the search table, or take it out when it is not live."""
    db.session.execute(delete(KBSearchDoc).where(KBSearchDoc.entry_id == entry.id))
    if entry.is_live:
        version = entry.published_version
        db.session.add(KBSearchDoc(**doc_values(entry.id, entry.unit_id, version)))
    db.session.flush()


def doc_values(entry_id: int, unit_id: int, version) -> dict:
    return {"entry_id": entry_id, "unit_id": unit_id, "title": version.title,
            "keywords": " ".join(version.keywords or []), "body": version.answer,
            "published_at": version.reviewed_at or version.created_at}


# ---- query ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    text: str
    phrases: list[str]  # what the operator typed, split at spaces
    terms: list[str]    # phrases plus jieba keywords, longest first
    words: dict[str, list[str]] = field(default_factory=dict)  # each phrase cut without overlaps (coverage)

    @property
    def all_terms(self) -> list[str]:
        return self.terms


def parse_query(raw: str) -> Query:
    cleaned = " ".join((raw or "").split())[:MAX_QUERY]
    phrases = [p for p in cleaned.split(" ") if p]
    terms = list(phrases)
    words = {}
    for phrase in phrases:
        if len(phrase) > 2:
            terms.extend(w for w in segment.keywords(phrase) if w not in terms)
            words[phrase] = segment.phrase_words(phrase)
    terms.sort(key=len, reverse=True)
    return Query(cleaned, phrases, terms, words)


MIN_COVERAGE = 0.5
# Words that say what the caller wants done, not what about: on their own they answer nothing.
GENERIC = frozenset({"办理", "申请", "查询", "需要", "材料", "手续", "流程", "条件", "问题", "情况", "相关", "规定",
                     "时间", "地点", "电话", "部门", "哪个", "办法", "要求"})


def coverage(doc: KBSearchDoc, phrase: str, words: list[str]) -> float:
    """How much of a typed phrase the entry answers: 1 for the phrase itself, else the weighted share of the
    phrase's words (cut without overlaps) that the entry contains; a word weighs its length, a generic word 1.

    "营业执照办理" is 营业执照 (4) + 办理 (1): an entry that only says 办理, or 营业厅 and 办理, covers 1 of 5.
    """
    text = " ".join((doc.title or "", doc.keywords or "", doc.body or "")).lower()
    if phrase.lower() in text:
        return 1.0
    total = covered = 0
    for word in words:
        weight = 1 if word in GENERIC else len(word)
        total += weight
        inner = segment.parts(word) if len(word) >= 4 else []
        if word.lower() in text or (inner and all(p.lower() in text for p in inner)):
            covered += weight
    return covered / total if total else 0.0


def best_coverage(doc: KBSearchDoc, query: Query) -> float:
    return max((coverage(doc, p, query.words.get(p, [])) for p in query.phrases), default=0.0)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def candidate_statement(query: Query):
    """The SELECT of candidate entry ids, newest first (the tests EXPLAIN it)."""
    conditions = []
    sqlite = _is_sqlite()
    long_terms = [t for t in query.terms if len(t) >= 3]
    for term in query.terms:
        if sqlite and len(term) >= 3:
            continue
        if sqlite:
            conditions.extend(col.icontains(term, autoescape=True)
                              for col in (KBSearchDoc.title, KBSearchDoc.keywords, KBSearchDoc.body))
        else:
            conditions.append(literal_column(PG_HAYSTACK).icontains(term, autoescape=True))
    if sqlite and long_terms:
        match = " OR ".join(_fts_phrase(t) for t in long_terms)
        conditions.append(KBSearchDoc.entry_id.in_(
            select(text("rowid")).select_from(text(FTS))
            .where(text(f"{FTS} MATCH :match").bindparams(match=match))))
    return (select(KBSearchDoc.entry_id).where(or_(*conditions))
            .order_by(KBSearchDoc.published_at.desc()).limit(MAX_CANDIDATES))


def _contains(haystack: str, needle: str) -> bool:
    return needle.lower() in (haystack or "").lower()


def rank_key(doc: KBSearchDoc, query: Query) -> tuple:
    """Exact phrase first (title > keyword > body), then how much of the query it covers, then word hits
    weighted the same way (title 10, keyword 6, body 3), then newest."""
    tier = 0
    for phrase in query.phrases:
        if _contains(doc.title, phrase):
            tier = max(tier, 3)
        elif _contains(doc.keywords, phrase):
            tier = max(tier, 2)
        elif _contains(doc.body, phrase):
            tier = max(tier, 1)
    score = 0
    for term in query.terms:
        score += 10 * _contains(doc.title, term) + 6 * _contains(doc.keywords, term) + 3 * _contains(doc.body, term)
    return (tier, round(best_coverage(doc, query), 3), score, doc.published_at or datetime.min, doc.entry_id)


@dataclass(frozen=True)
class Hit:
    doc: KBSearchDoc
    title: Markup
    snippet: Markup
    keywords: list[Markup]


def search(raw: str, limit: int = 20) -> tuple[Query, list[Hit]]:
    """Published entries matching the query, best first."""
    query = parse_query(raw)
    if not query.terms:
        return query, []
    ids = list(db.session.scalars(candidate_statement(query)))
    if not ids:
        return query, []
    docs = [d for d in db.session.scalars(select(KBSearchDoc).where(KBSearchDoc.entry_id.in_(ids)))
            if best_coverage(d, query) >= MIN_COVERAGE]
    docs.sort(key=lambda d: rank_key(d, query), reverse=True)
    hits = [Hit(d, highlight(d.title, query.terms), snippet(d.body, query.terms),
                [highlight(k, query.terms) for k in d.keywords.split()]) for d in docs[:limit]]
    return query, hits


# ---- highlighting ----------------------------------------------------------------------------------

def _spans(value: str, terms: list[str]) -> list[tuple[int, int]]:
    lowered = value.lower()
    spans = []
    for term in terms:
        if not term:
            continue
        for m in re.finditer(re.escape(term.lower()), lowered):
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def highlight(value: str, terms: list[str]) -> Markup:
    """Escape the text and wrap every match of the terms in <mark>."""
    value = value or ""
    out, pos = [], 0
    for start, end in _spans(value, terms):
        out.append(escape(value[pos:start]))
        out.append(Markup("<mark>") + escape(value[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(value[pos:]))
    return Markup("").join(out)


def snippet(value: str, terms: list[str], width: int = 90) -> Markup:
    """About `width` characters of the text around its first match, highlighted."""
    value = value or ""
    spans = _spans(value, terms)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(value), start + width)
    piece = value[start:end]
    return (Markup("…") if start else Markup("")) + highlight(piece, terms) + (Markup("…") if end < len(value) else Markup(""))
