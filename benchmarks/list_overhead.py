"""Request overhead of the list pages (issue 14): CPU per request and throughput of one list page.

    .venv/bin/python -m benchmarks.list_overhead [--url /orders/mine?tab=closed] [--user u001]
        [--db sqlite:////tmp/bench-scale/sqlite-1000000.db] [--requests 300] [--seconds 15] [--connections 4]

Prints the page's CPU per request through the test client (median of --requests, time.process_time), its
query count, then serves the app with gunicorn (2 workers, as scale_bench does) and runs --connections raw
http.client loops against it for --seconds: requests per second, and the CPU each request cost the two
workers and the load generator itself (from /proc), so a result on a shared 2-core machine can be read as
"CPU per request" rather than only as a rate. The data set is any `demo generate` one (scale_bench's
--workdir keeps them).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.scale_bench import LIAISON, ROOT, SECRET, Recorder, _dispose, _engine, _free_port, _wait_for, login, \
    make_app, request_loop

TICK = os.sysconf("SC_CLK_TCK")


def cpu_per_request(url: str, user: str, path: str, requests: int) -> tuple[float, int]:
    app = make_app(url)
    recorder = Recorder(_engine(app))
    client = app.test_client()
    login(app, client, user)
    for _ in range(20):
        assert client.get(path).status_code == 200, path
    recorder.statements.clear()
    client.get(path)
    queries = len(recorder.statements)
    samples = []
    for _ in range(requests):
        start = time.process_time()
        client.get(path)
        samples.append((time.process_time() - start) * 1000)
    _dispose(app)
    return statistics.median(samples), queries


def _children_cpu(pid: int) -> float:
    """CPU seconds used so far by the direct children of `pid` (the gunicorn workers)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / TICK


def throughput(url: str, user: str, path: str, seconds: float, connections: int) -> dict:
    app = make_app(url)
    client = app.test_client()
    login(app, client, user)
    cookie = client.get_cookie("session").value
    _dispose(app)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done, errors = [0], [0]

    def loop(until: float):
        request_loop(port, path, cookie, until, done, errors)

    try:
        _wait_for(port)
        warm = [threading.Thread(target=loop, args=(time.perf_counter() + 2,)) for _ in range(2)]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        done[0] = errors[0] = 0
        server_cpu, client_cpu, load = _children_cpu(server.pid), time.process_time(), os.getloadavg()[0]
        start = time.perf_counter()
        threads = [threading.Thread(target=loop, args=(start + seconds,)) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        server_cpu = _children_cpu(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
    n = max(done[0], 1)
    return {"rate": done[0] / elapsed, "errors": errors[0], "server_ms": server_cpu / n * 1000,
            "client_ms": client_cpu / n * 1000, "load": load}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite:////tmp/bench-scale/sqlite-1000000.db")
    parser.add_argument("--url", default="/orders/mine?tab=closed")
    parser.add_argument("--user", default=LIAISON)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    if args.requests:
        cpu, queries = cpu_per_request(args.db, args.user, args.url, args.requests)
        print(f"{args.user} {args.url}: {cpu:.2f} ms CPU per request (median of {args.requests}), {queries} queries")
    if args.seconds > 0:
        r = throughput(args.db, args.user, args.url, args.seconds, args.connections)
        print(f"gunicorn 2 workers, {args.connections} connections, {args.seconds:.0f} s: {r['rate']:.1f} req/s "
              f"({r['errors']} not 200); CPU per request: workers {r['server_ms']:.2f} ms, client "
              f"{r['client_ms']:.2f} ms; load average {r['load']:.1f} at the start")
    return 0


if __name__ == "__main__":
    sys.exit(main())
