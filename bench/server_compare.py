#!/usr/bin/env python3
"""Check that a SPARQL server gives the embedded store's answers on a generated organisation.

Not a test (it takes minutes): the comparison ``tests/test_remote.py`` makes on the bundled
organisation in CI, on a ``selaras generate`` organisation of any size::

    .venv/bin/python bench/server_compare.py                        # 1,000 employees, Virtuoso
    .venv/bin/python bench/server_compare.py --employees 2000 --servers oxigraph,virtuoso

For each server (started by ``tests/sparql_servers.py`` in a temporary folder) it imports and
infers the organisation through the CLI, as a user would, then compares with the same
organisation inferred in memory: every graph triple for triple, every named query in both of
the server's dataset modes (those whose example parameters name things the organisation has),
and the audit's findings. It prints the seconds of each step and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

import selaras
from selaras import queries
from selaras.engine import remote, rules
from selaras.engine.audit.run import run_audit
from selaras.engine.errors import NotFoundError
from selaras.engine.generate import generate
from selaras.engine.store import FACTS_GRAPH

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import sparql_servers  # noqa: E402  (tests/sparql_servers.py: starts Oxigraph server or Virtuoso)

MODES = {"oxigraph": ("oxigraph", "explicit"), "virtuoso": ("explicit", "server")}


def _normal(result: object) -> tuple[list, list]:
    """Rows and triples, with the parts of GROUP_CONCAT lists sorted (their order is not defined)."""
    def value(term: object) -> object:
        if isinstance(term, ox.Literal) and ", " in term.value:
            return ", ".join(sorted(term.value.split(", "))), term.datatype, term.language
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#string") and " " in term.value:
            return " ".join(sorted(term.value.split(" "))), term.datatype, term.language
        return term

    return (sorted(tuple((k, str(value(v))) for k, v in row.items()) for row in result.rows),  # type: ignore[attr-defined]
            sorted(map(str, result.triples)))  # type: ignore[attr-defined]


def _findings(org: selaras.Selaras) -> list[tuple]:
    def words(text: str) -> str:
        return " ".join(sorted(text.replace(",", " ").split()))
    return sorted((f.check, f.severity, str(f.focus), str(f.message), words(str(f.explanation)))
                  for f in run_audit(org).findings)


def compare(kind: str, folder: Path, ours: selaras.Selaras, scratch: Path) -> int:
    """Import, infer and compare on one server; return the number of differences."""
    try:
        server = sparql_servers.start(kind, scratch)
    except sparql_servers.Missing as err:
        sys.exit(str(err))
    differences = 0
    try:
        cli = [sys.executable, "-m", "selaras.cli", "--endpoint", server.url, "--update-endpoint", server.update_url]
        for step in (["import", str(folder)], ["infer", "--no-owl"]):
            t0 = time.perf_counter()
            subprocess.run([*cli, *step], check=True, stdout=subprocess.DEVNULL)
            print(f"{kind}: {step[0]} {time.perf_counter() - t0:.1f} s", flush=True)
        theirs = selaras.Selaras(remote.RemoteStore(server.url, read_only=True))  # type: ignore[arg-type]
        graphs = [FACTS_GRAPH, rules.SETTINGS_GRAPH, *(r.graph for r in rules.all_rules())]
        for graph in graphs:
            a = {(q.subject, q.predicate, q.object) for q in theirs.store.quads(graph)}
            b = {(q.subject, q.predicate, q.object) for q in ours.store.quads(graph)}
            if a != b:
                differences += 1
                print(f"{kind}: DIFFERENT graph {graph} ({len(a)} triples, embedded {len(b)})")
        print(f"{kind}: {len(graphs)} graphs compared", flush=True)
        compared = skipped = 0
        for mode in MODES[kind]:
            org = selaras.Selaras(remote.RemoteStore(server.url, read_only=True, dataset=mode))  # type: ignore[arg-type]
            for query in queries.all_queries():
                params = dict(query.example)
                try:
                    expected = ours.run(query.name, **params)
                except NotFoundError:  # its example names the bundled organisation's positions
                    skipped += 1
                    continue
                compared += 1
                got = org.run(query.name, **params)
                if got.variables != expected.variables or _normal(got) != _normal(expected):
                    differences += 1
                    print(f"{kind}: DIFFERENT rows of {query.name} ({mode})")
        print(f"{kind}: {compared} named query runs compared, {skipped} not applicable", flush=True)
        t0 = time.perf_counter()
        found, expected_findings = _findings(theirs), _findings(ours)
        if found != expected_findings:
            differences += 1
            print(f"{kind}: DIFFERENT audit findings ({len(found)}, embedded {len(expected_findings)})")
        print(f"{kind}: audit {len(found)} findings compared in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        server.stop()
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--positions", type=int, default=None, help="default: as selaras generate's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--servers", default="virtuoso", help="comma-separated: oxigraph, virtuoso")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "org"
        positions = args.positions or max(20, round(args.employees / 25))  # selaras generate's default
        generate(folder, employees=args.employees, positions=positions, seed=args.seed)
        t0 = time.perf_counter()
        ours = selaras.open()
        ours.import_paths([folder])
        ours.ensure_inferred()
        print(f"embedded, in memory: import and infer {time.perf_counter() - t0:.1f} s", flush=True)
        differences = sum(compare(kind, folder, ours, Path(tempfile.mkdtemp(dir=tmp)))
                          for kind in args.servers.split(",") if kind)
    print("same answers" if not differences else f"{differences} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
