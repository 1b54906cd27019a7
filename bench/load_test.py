#!/usr/bin/env python3
"""Load-test ``selaras serve`` on this machine: concurrent clients running the named queries.

Not a test (``tests/test_server_hardening.py`` runs a small one): a measurement to run by
hand, whose figures go into the README's "Reliability and security" section::

    .venv/bin/python bench/load_test.py [--store DIR] [--clients 8] [--requests 40]
                                        [--max-seconds 120] [--workers 2] [--format md|json]
                                        [--queries all|users|NAME,…] [--import FILES]

It starts ``selaras serve`` on 127.0.0.1 (a free port; the bundled example organisation
unless ``--store`` names one), reads the named queries from ``/queries``, and runs
``--clients`` threads, each sending ``--requests`` requests over one kept-alive connection,
going round the named queries (with their example parameters) from a different start. It
stops early at ``--max-seconds``. It reports throughput, latency percentiles overall and per
query, and every request that failed (a status other than 200, or no answer); the exit code
is 1 when any failed. Bounded in count and time, and loopback only: it never talks to
another machine. ``--queries users`` runs the queries users run most; ``--import FILES`` imports
into the served store while the load runs (a mixed run) and counts the answers by the store state
that gave them (``X-Selaras-Version``): the old one, then the new one once the import is done.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: The most clients and requests the script accepts: a load test, not a denial of service.
MAX_CLIENTS, MAX_REQUESTS, MAX_SECONDS = 64, 1000, 600
#: What the clients accept: SPARQL JSON for SELECT, Turtle for CONSTRUCT.
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


@dataclass
class LoadReport:
    """What a load run measured."""

    clients: int
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    #: answers by the store state that gave them (``X-Selaras-Version``): one, or two when data landed
    states: Counter[str] = field(default_factory=Counter)
    #: what the import run during the load printed and how it ended, if one ran
    landed: str = ""

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + len(self.failures)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentiles(self, name: str | None = None) -> dict[str, float]:
        values = sorted(v for k, vs in self.latencies.items() if name in (None, k) for v in vs)
        if not values:
            return {}
        cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
        return {"p50": cuts[49], "p90": cuts[89], "p95": cuts[94], "p99": cuts[98], "max": values[-1]}

    def to_dict(self) -> dict:
        return {"clients": self.clients, "requests": self.requests, "failed": len(self.failures),
                "seconds": round(self.seconds, 3), "throughput_per_s": round(self.throughput, 2),
                "latency_ms": {k: round(v * 1000, 1) for k, v in self.percentiles().items()},
                "per_query_ms": {q: {k: round(v * 1000, 1) for k, v in self.percentiles(q).items()}
                                 for q in sorted(self.latencies)},
                "states": dict(self.states), "import": self.landed, "failures": self.failures[:20]}


#: The named queries users run most, for ``--queries users``.
USERS_QUERIES = ("employee-gaps", "talent-pool", "largest-gaps", "unaligned-competencies")


def targets(base_url: str, names: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """Return (name, path) of the named queries to run (all, or ``names``): their example parameters,
    with an entity the served store does not hold (a generated organisation has no ``E0013``)
    replaced by the first one it has (``/queries/entities?kind=…``)."""
    with _connect(base_url) as conn:
        conn.request("GET", "/queries")
        listing = json.loads(conn.getresponse().read())
    known: dict[str, list[str]] = {}

    def entity(kind: str, wanted: str) -> str:
        if kind not in known:  # each kind's codes, fetched once
            with _connect(base_url) as conn:
                conn.request("GET", f"/queries/entities?kind={kind}", headers={"Accept": "text/csv"})
                known[kind] = [line.split(",")[0] for line in conn.getresponse().read().decode().splitlines()[1:]]
        codes = known[kind]
        return wanted if wanted in codes or not codes else codes[0]

    out = []
    for q in listing:
        if names is not None and q["name"] not in names:
            continue
        params = dict(q.get("example") or {})
        if any(p["required"] and p["name"] not in params for p in q["params"]):
            continue
        kinds = {p["name"]: p["type"] for p in q["params"]}
        for name, value in params.items():
            if kinds.get(name) in ("position", "employee", "competency", "scheme", "program", "family", "unit"):
                params[name] = entity(kinds[name], value)
        out.append((q["name"], f"/queries/{q['name']}?{urllib.parse.urlencode(params)}"))
    return out


class _connect:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit(f"refusing {base_url}: the load test talks to this machine (loopback) only")
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def __enter__(self) -> http.client.HTTPConnection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def run_load(base_url: str, clients: int = 8, requests: int = 40, max_seconds: float = 120.0,
             names: tuple[str, ...] | None = None) -> LoadReport:
    """Send ``clients`` × ``requests`` named-query requests concurrently; stop early at ``max_seconds``."""
    if not (1 <= clients <= MAX_CLIENTS and 1 <= requests <= MAX_REQUESTS and 0 < max_seconds <= MAX_SECONDS):
        raise SystemExit(f"keep to at most {MAX_CLIENTS} clients, {MAX_REQUESTS} requests each, "
                         f"{MAX_SECONDS} s")
    plan = targets(base_url, names)
    report = LoadReport(clients, 0.0)
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client(k: int) -> None:
        with _connect(base_url) as conn:
            for i in range(requests):
                if time.monotonic() > deadline:
                    return
                name, path = plan[(k * 3 + i) % len(plan)]
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept": ACCEPT})
                    response = conn.getresponse()
                    body = response.read()
                    elapsed = time.perf_counter() - t0
                    state = response.getheader("X-Selaras-Version", "")
                    ok = response.status == 200 and bool(body)
                    problem = f"{name}: HTTP {response.status} {body[:120]!r}"
                except (OSError, http.client.HTTPException) as err:
                    elapsed, ok, problem = time.perf_counter() - t0, False, f"{name}: {type(err).__name__} {err}"
                    conn.close()  # reconnect on the next request
                with lock:
                    if ok:
                        report.latencies[name].append(elapsed)
                        report.states[state] += 1
                    else:
                        report.failures.append(problem)

    threads = [threading.Thread(target=client, args=(k,), name=f"client-{k}") for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report.seconds = time.perf_counter() - t0
    return report


def start_server(store: Path | None, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    """Start ``selaras serve`` on 127.0.0.1 and a free port; return the process and its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "selaras.cli", *(["--store", str(store)] if store else []), "serve",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"selaras serve exited:\n{log.read_text()}")
        try:
            with _connect(url, timeout=5) as conn:
                conn.request("GET", "/queries")
                if conn.getresponse().status == 200:
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("selaras serve did not answer within 300 s")


def markdown(report: LoadReport, workers: int) -> str:
    d = report.to_dict()
    lat = d["latency_ms"]
    lines = [(f"{d['clients']} clients × {d['requests'] // max(1, d['clients'])} requests, {workers} query workers: "
             f"{d['requests']} requests in {d['seconds']} s = **{d['throughput_per_s']} requests/s**, "
             f"{d['failed']} failed."),
             "",
             (f"Latency (ms): p50 {lat.get('p50')}, p90 {lat.get('p90')}, p95 {lat.get('p95')}, p99 {lat.get('p99')}, "
             f"max {lat.get('max')}."),
             "", "| named query | requests | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|"]
    for name, cuts in d["per_query_ms"].items():
        lines.append(f"| {name} | {len(report.latencies[name])} | {cuts.get('p50')} | {cuts.get('p99')} | "
                     f"{cuts.get('max')} |")
    if report.landed:
        lines += ["", f"Import during the load: {report.landed}",
                  "Answers by store state: " + ", ".join(f"{s or '?'}: {n}" for s, n in report.states.items())]
    if report.failures:
        lines += ["", "Failures:", *(f"- {f}" for f in report.failures[:20])]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="store to serve (default: the bundled example)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2, help="query worker processes of the server")
    parser.add_argument("--queries", default="all",
                        help="'all', 'users' (" + ", ".join(USERS_QUERIES) + ") or names, comma-separated")
    parser.add_argument("--import", dest="land", type=Path, metavar="FILES",
                        help="import these files into --store while the load runs (a mixed run)")
    parser.add_argument("--import-after", type=float, default=2.0, help="seconds into the load to start it")
    parser.add_argument("--format", choices=["md", "json"], default="md")
    args = parser.parse_args()
    names = None if args.queries == "all" else USERS_QUERIES if args.queries == "users" else tuple(
        n.strip() for n in args.queries.split(","))
    if args.land and not args.store:
        raise SystemExit("--import needs --store: the bundled example is served from a temporary copy")
    with tempfile.TemporaryDirectory(prefix="selaras-load-") as tmp:
        process, url = start_server(args.store, args.workers, Path(tmp) / "serve.log")
        try:
            lander = None
            if args.land:
                outcome: dict[str, str] = {}

                def land() -> None:
                    time.sleep(args.import_after)
                    done = subprocess.run([sys.executable, "-m", "selaras.cli", "--store", str(args.store), "import",
                                           str(args.land)], capture_output=True, text=True, check=False)
                    outcome["text"] = f"exit {done.returncode}: {(done.stdout + done.stderr).strip()[:300]}"

                lander = threading.Thread(target=land)
                lander.start()
            report = run_load(url, args.clients, args.requests, args.max_seconds, names)
            if lander is not None:
                lander.join()
                report.landed = outcome.get("text", "")
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    print(json.dumps(report.to_dict(), indent=2) if args.format == "json" else markdown(report, args.workers))
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
