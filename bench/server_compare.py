#!/usr/bin/env python3
"""Check that a SPARQL server gives the embedded store's answers on a generated organisation.

Not a test (it takes minutes): the comparison ``tests/test_remote.py`` makes on the bundled
organisation in CI, on a ``selaras generate`` organisation of any size::

    .venv/bin/python bench/server_compare.py                        # 1,000 employees, Virtuoso
    .venv/bin/python bench/server_compare.py --employees 2000 --servers oxigraph,virtuoso

For each server (started by ``tests/sparql_servers.py`` in a temporary folder) it imports and
infers the organisation through the CLI, as a user would, then compares with the same
organisation inferred in memory: every graph triple for triple, every named query in both of
the server's dataset modes (their example parameters carried over to the generated
organisation: ``server_comparison.examples``), and the audit's findings. It prints the seconds of each step and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import selaras
from selaras.engine.ingest.generate import generate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import server_comparison  # noqa: E402  (tests/server_comparison.py: the comparison the tests make)
import sparql_servers  # noqa: E402  (tests/sparql_servers.py: starts Oxigraph server or Virtuoso)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--positions", type=int, default=None, help="default: as selaras generate's")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--servers", default="virtuoso", help="comma-separated: oxigraph, virtuoso")
    args = parser.parse_args()
    differences = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "org"
        positions = args.positions or max(20, round(args.employees / 25))  # selaras generate's default
        generate(folder, employees=args.employees, positions=positions, seed=args.seed)
        t0 = time.perf_counter()
        ours = selaras.open()
        ours.import_paths([folder])
        ours.ensure_inferred()
        print(f"embedded, in memory: import and infer {time.perf_counter() - t0:.1f} s", flush=True)
        for kind in filter(None, args.servers.split(",")):
            try:
                seen = server_comparison.compare(kind, folder, ours, Path(tempfile.mkdtemp(dir=tmp)),
                                                 say=lambda line: print(line, flush=True))
            except sparql_servers.Missing as err:
                sys.exit(str(err))
            for line in seen.differences:
                print(f"{kind}: DIFFERENT {line}")
            print(f"{kind}: {seen.query_rows:,} rows of named queries, {seen.findings} audit findings compared")
            differences += len(seen.differences)
    print("same answers" if not differences else f"{differences} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
