"""The search structures made by migration 1c80af76bc3c serve Chinese substring queries.

SQLite: terms of 3+ characters go through the FTS5 trigram table. PostgreSQL: the query form is one
ILIKE on the expression the pg_trgm GIN index covers, so the planner can use the index; seq scans are
switched off only to ask whether the index can serve the query at all (a tiny table is always scanned).
"""
from __future__ import annotations

from sqlalchemy import text

from portal.extensions import db
from portal.knowledge import search
from tests.factories import UnitFactory
from tests.knowledge.factories import published_entry


def _plan(raw: str) -> str:
    stmt = search.candidate_statement(search.parse_query(raw))
    compiled = stmt.compile(db.session.get_bind(), compile_kwargs={"literal_binds": True})
    if db.session.get_bind().dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        return "\n".join(str(r[-1]) for r in rows)
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    return "\n".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())


def test_a_chinese_substring_search_uses_the_search_structure_and_finds_the_entry():
    unit = UnitFactory()
    published_entry(unit, "夜间施工噪音扰民如何处理", answer="由属地政府会同环保、城管部门现场核查。", keywords=["噪音扰民"])
    published_entry(unit, "水费缴纳方式", answer="可通过营业厅缴纳。", keywords=["水费"])
    db.session.flush()
    plan = _plan("施工噪音")
    if db.session.get_bind().dialect.name == "sqlite":
        assert "kb_search_fts VIRTUAL TABLE INDEX" in plan, plan
    else:
        assert "ix_kb_search_doc_trgm" in plan, plan
        # pg_trgm sees Chinese characters as word characters (the cluster's C.UTF-8 ctype), so trigrams exist.
        assert db.session.scalar(text("SELECT array_length(show_trgm('施工噪音'), 1)")) >= 2
    assert [h.doc.title for h in search.search("施工噪音")[1]] == ["夜间施工噪音扰民如何处理"]
    assert [h.doc.title for h in search.search("扰民如何")[1]] == ["夜间施工噪音扰民如何处理"]
