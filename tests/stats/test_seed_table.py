"""The demo's August 2018 orders give the seed attachment's table, cell for cell (DOMAIN.md §7)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from portal.demo.loader import STEPS
from portal.extensions import db
from portal.stats.queries import Period, kind_shares, unit_table

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "ankang-2018-08-circular.txt"
AUGUST = Period(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12, 0))


def seed_attachment() -> list[list[str]]:
    """The attachment table of the seed text: rows of 序号, 承办单位, 12 figures; 合计 last (empty 序号)."""
    text = SEED.read_text(encoding="utf-8")
    tokens = [t.strip() for t in text[text.index("附件："):].splitlines() if t.strip()]
    tokens = tokens[tokens.index("办结率") + 1:]  # past the header cells
    rows = []
    while tokens[0] != "合计":
        rows.append(tokens[:13])
        tokens = tokens[13:]
    rows.append(["", *tokens[:12]])
    return rows


@pytest.fixture
def demo_orders():
    """Units, accounts and the demo orders (the steps the table depends on)."""
    for label, step in STEPS:
        if label in ("单位", "账号", "工单"):
            step()
    db.session.commit()


def _cells(table) -> list[list[str]]:
    def cells(index, r):
        return [str(index), r.short_name, str(r.total), *(str(n) for n in r.by_kind.values()),
                str(r.on_time), str(r.late), str(r.overdue_open), r.rate_text]

    return [cells(i, r) for i, r in enumerate(table.rows, start=1)] + [cells("", table.total)]


def test_the_seed_attachment_parses_as_48_units_and_a_total():
    rows = seed_attachment()
    assert len(rows) == 49 and rows[0][:3] == ["1", "汉滨区政府", "237"] and rows[-1][1:3] == ["合计", "961"]


def test_demo_unit_table_equals_the_seed_attachment(demo_orders, runner):
    table = unit_table(AUGUST)
    assert _cells(table) == seed_attachment()
    assert table.undispatched == 0
    assert all(r.in_progress == 0 for r in table.rows)
    assert [(s.count, s.share_text) for s in kind_shares(AUGUST)] == [
        (138, "14.4%"), (688, "71.6%"), (92, "9.6%"), (36, "3.7%"), (5, "0.5%"), (2, "0.2%")]
    result = runner.invoke(args=["stats", "units", "--from", "2018-08-01", "--to", "2018-08-31",
                                 "--as-of", "2018-09-29 12:00"])
    csv_rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    # The CSV has one more column (在办) before the rate; otherwise the seed's cells.
    assert [row[:12] + row[13:] for row in csv_rows] == seed_attachment()
    assert result.stderr == ""
