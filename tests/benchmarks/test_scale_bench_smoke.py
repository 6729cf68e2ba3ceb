"""`make bench-scale` at toy scale: the harness builds its data sets, opens every page it measures (all 200), and
reports each with its query counts. It asserts no timing (speed is written down in RESULTS.md, never tested)."""
from __future__ import annotations

import re

from benchmarks import scale_bench


def test_bench_scale_runs_end_to_end(tmp_path, capsys):
    status = scale_bench.main(["--sizes", "400,800", "--units", "12", "--databases", "sqlite", "--runs", "1",
                               "--throughput-seconds", "0", "--no-write", "--workdir", str(tmp_path)])
    assert status == 0
    out = capsys.readouterr().out
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| ([^|]+?) \|.*\| (\d+(?:/\d+)?) \| [^|]+ \|$", out,
                                                        re.MULTILINE)}
    assert set(rows) == {p.label for p in scale_bench.pages_for()}
    # Every list page costs the same number of queries at 20 rows as at 100.
    for label, queries in rows.items():
        if "/" in queries:
            at_20, at_100 = queries.split("/")
            assert at_20 == at_100, (label, queries)
    assert (tmp_path / "sqlite-800.db").exists()
