#!/usr/bin/env python3
"""What each conclusion costs: triples per rule graph, per employee and per position.

Infers an organisation in memory (the bundled example, or a folder in the import format) with
the default settings and prints, for every rule's graph, its triples, its triples per employee
and per position, and the total. Run it on two versions of Selaras to compare them::

    .venv/bin/python bench/triples.py                        # the bundled example
    .venv/bin/python bench/triples.py /tmp/org-10k --json    # a generated organisation

It uses the public Python API only, so it runs on older versions too.
"""

from __future__ import annotations

import argparse
import json
import sys

import selaras

INFERRED = "https://w3id.org/selaras/graph/inferred/"
SEL = "https://w3id.org/selaras/ontology#"


def count(org: selaras.Selaras) -> dict[str, object]:
    """Triples per rule graph, with the numbers of employees and positions."""
    def number(cls: str) -> int:
        return int(org.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{SEL}{cls}> }}").rows[0]["n"].value)

    rows = org.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    graphs = {r["g"].value.removeprefix(INFERRED): int(r["n"].value) for r in rows
              if r["g"].value.startswith(INFERRED) and not r["g"].value.endswith("/settings")}
    return {"employees": number("Employee"), "positions": number("Position"),
            "graphs": dict(sorted(graphs.items(), key=lambda kv: -kv[1])), "total": sum(graphs.values())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", help="an organisation in the import format (default: the bundled one)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    org = selaras.open(example=args.folder is None)
    if args.folder:
        org.import_paths([args.folder])
    org.infer()
    result = count(org)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    employees, positions = max(1, int(result["employees"])), max(1, int(result["positions"]))  # type: ignore[call-overload]
    print(f"{result['employees']} employees, {result['positions']} positions")
    print(f"{'graph':32} {'triples':>10} {'per employee':>13} {'per position':>13}")
    for graph, n in result["graphs"].items():  # type: ignore[attr-defined]
        print(f"{graph:32} {n:>10} {n / employees:>13.1f} {n / positions:>13.1f}")
    total = int(result["total"])  # type: ignore[call-overload]
    print(f"{'all conclusions':32} {total:>10} {total / employees:>13.1f} {total / positions:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
