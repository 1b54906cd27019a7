#!/usr/bin/env python3
"""Time import, `infer` and the named queries on Oxigraph server and Virtuoso against the embedded store.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/remote_infer.py                       # bundled + generated 10,000 employees
    .venv/bin/python bench/remote_infer.py --employees 2000 --positions 80
    .venv/bin/python bench/remote_infer.py --orgs bundled --backends embedded-memory,server-memory
    .venv/bin/python bench/remote_infer.py --orgs generated --backends embedded-memory,server-disk,virtuoso

For each organisation (the bundled example; one written by ``selaras generate``) and each
backend it opens a fresh store, imports the organisation (the real import path), runs every
rule and prints the seconds of each step, the inferred triples and the slowest rules.
Backends: ``embedded-memory`` and ``embedded-disk`` (pyoxigraph in this process, in memory or
RocksDB in a temporary folder); ``server-disk`` and ``server-memory`` (a real ``oxigraph serve``
process on a loopback port, with or without ``--location``; Selaras talks to it over HTTP and
the rules run inside it as SPARQL Update); ``virtuoso`` (Debian's Virtuoso, on disk, with
``tests/servers/virtuoso.ini``). It checks that every backend infers as many triples, and times
every named query with its example parameters (the three slowest are printed).

The generated organisation has 120 positions by default: with the default readiness scope
(``moves``) the readiness rule pairs every employee with every position one move away (about a
fifth of all positions), so its work grows with employees × positions; give
``--readiness-scope position`` for readiness against each employee's own position only, as the
issue's 400-position organisations need (``bench/run.py`` does the same above 10,000 employees).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import selaras
from selaras import queries
from selaras.engine.errors import NotFoundError
from selaras.engine.ingest.generate import generate
from selaras.engine.inference import Settings
from selaras.ontology import EXAMPLE_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import sparql_servers  # noqa: E402  (tests/sparql_servers.py: starts Oxigraph server or Virtuoso)

BACKENDS = ("embedded-memory", "embedded-disk", "server-memory", "server-disk", "virtuoso")


def run(org_dir: Path, backend: str, scratch: Path, progress: bool = False,
        settings: Settings | None = None) -> dict[str, object]:
    """Import and infer one organisation on one backend; return the figures."""
    server = None
    if backend == "embedded-memory":
        org = selaras.open()
    elif backend == "embedded-disk":
        org = selaras.open(scratch / "store")
    else:
        try:
            if backend == "virtuoso":
                server = sparql_servers.start_virtuoso(scratch / "virtuoso")
            else:
                server = sparql_servers.start_oxigraph(scratch / "db" if backend == "server-disk" else None)
        except sparql_servers.Missing as err:
            sys.exit(str(err))
        org = selaras.open(endpoint=server.url, update_endpoint=server.update_url)
    try:
        t0 = time.perf_counter()
        report = org.import_paths([org_dir])
        imported = time.perf_counter() - t0
        started = time.perf_counter()

        def say(rule: str, done: int, total: int) -> None:
            print(f"  {time.perf_counter() - started:7.1f} s  {backend}: rule {rule}", file=sys.stderr, flush=True)

        inference = org.infer(settings, progress=say if progress else None)
        slowest = sorted(inference.runs, key=lambda r: -r.seconds)[:3]
        timed = []
        for query in queries.all_queries():  # every named query with its example parameters
            t0 = time.perf_counter()
            try:
                org.run(query.name, **dict(query.example))
            except NotFoundError:  # its example names the bundled organisation's positions
                continue
            timed.append((time.perf_counter() - t0, query.name))
        timed.sort(reverse=True)
        return {"backend": backend, "import_s": imported, "infer_s": inference.seconds,
                "quads_imported": report.added, "inferred": inference.triples,
                "slowest": ", ".join(f"{r.rule} {r.seconds:.1f}" for r in slowest),
                "queries": ", ".join(f"{name} {seconds:.2f}" for seconds, name in timed[:3])}
    finally:
        org.close()
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--positions", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orgs", default="bundled,generated", help="bundled, generated or both")
    parser.add_argument("--backends", default=",".join(BACKENDS), help=f"comma-separated: {', '.join(BACKENDS)}")
    parser.add_argument("--readiness-scope", choices=Settings.READINESS_SCOPES, default=None,
                        help="readiness against every position one move away (moves, the default) or the own one")
    parser.add_argument("--progress", action="store_true", help="print each rule as it starts (stderr)")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        sys.exit(f"unknown backend(s) {unknown} — use {', '.join(BACKENDS)}")
    with tempfile.TemporaryDirectory() as tmp:
        orgs: list[tuple[str, Path]] = []
        if "bundled" in args.orgs:
            orgs.append(("bundled example (222 employees, 32 positions)", EXAMPLE_DIR))
        if "generated" in args.orgs:
            out = Path(tmp) / "generated"
            t0 = time.perf_counter()
            generate(out, employees=args.employees, positions=args.positions, seed=args.seed)
            print(f"generated {args.employees} employees / {args.positions} positions (seed {args.seed}) "
                  f"in {time.perf_counter() - t0:.1f} s", flush=True)
            orgs.append((f"generated ({args.employees} employees, {args.positions} positions)", out))
        print("| organisation | backend | import s | infer s | quads imported | inferred triples | slowest rules (s) "
              "| slowest named queries (s) |")
        print("|---|---|---:|---:|---:|---:|---|---|", flush=True)
        for name, folder in orgs:
            counts = set()
            for backend in backends:
                scratch = Path(tempfile.mkdtemp(dir=tmp))
                r = run(folder, backend, scratch, args.progress, Settings(readiness_scope=args.readiness_scope))
                counts.add(r["inferred"])
                print(f"| {name} | {backend} | {r['import_s']:.1f} | {r['infer_s']:.1f} | {r['quads_imported']} "
                      f"| {r['inferred']} | {r['slowest']} | {r['queries']} |", flush=True)
                shutil.rmtree(scratch, ignore_errors=True)
            if len(counts) > 1:
                print(f"WARNING: the backends inferred different numbers of triples for {name}: {sorted(counts)}")


if __name__ == "__main__":
    main()
