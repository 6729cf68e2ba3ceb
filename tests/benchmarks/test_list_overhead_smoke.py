"""benchmarks/list_overhead.py at toy scale: it opens the liaison's 已办结 page through the test client and under
gunicorn with 2 workers, and every response is a 200. No timing is asserted (speed goes in RESULTS.md)."""
from __future__ import annotations

import re

from benchmarks import list_overhead, scale_bench


def test_list_overhead_runs_end_to_end(tmp_path, capsys):
    ds = scale_bench.Dataset("sqlite", 400, f"sqlite:///{tmp_path / 'small.db'}")
    scale_bench.build(ds, 12, echo=lambda *_: None)
    assert list_overhead.main(["--db", ds.url, "--requests", "3", "--seconds", "1", "--connections", "2"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^u001 /orders/mine\?tab=closed: [\d.]+ ms CPU per request \(median of 3\), \d+ queries$", out,
                     re.MULTILINE), out
    served = re.search(r": ([\d.]+) req/s \((\d+) not 200\)", out)
    assert served and float(served.group(1)) > 0 and served.group(2) == "0", out
