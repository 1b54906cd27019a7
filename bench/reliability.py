#!/usr/bin/env python3
"""Kill imports and inference runs at many moments, race writers and readers; report what survived.

Not a test (``tests/test_reliability.py`` is the short version in the suite): a measurement
to run by hand, whose figures go into the README's "Reliability and security" section::

    .venv/bin/python bench/reliability.py [--employees 500] [--positions N] [--kills 12] [--seed 1]
                                          [--parts imports,first-inference,inference,writers,readers]
                                          [--keep DIR] [--check-each] [--format md|json]

At 100,000 employees only the bulk paths are worth their hours:
``--employees 100000 --positions 2000 --kills 2 --parts imports,first-inference``.

What it does, on a generated organisation (``selaras generate``):

1. imports it once without interruption (the reference), then again ``--kills`` times plus
   once per stage (store opened, writing, flushing), each time killing the ``selaras import``
   child with SIGKILL; every killed store is reopened and its facts compared with the store
   before and after the reference import (``all``, ``none`` or ``PARTIAL``), and
   ``selaras check --no-owl`` is run on one store of each outcome (every one with ``--check-each``);
2. kills a first ``selaras infer --no-owl`` (``first-inference``: conclusions written in place, large
   graphs through the bulk loader): each killed store must hold whole, current conclusions or say
   they are stale, and the first stale one is brought back by inferring again;
3. does the same to ``selaras infer --no-owl --force`` re-running on a store with current conclusions
   (``--force``: on an unchanged store ``infer`` has nothing to do; forced, it rebuilds the
   conclusions as after an import, in a new generation of the store):
   each killed store must hold whole, current conclusions or say they are stale, and a stale
   one is brought back by inferring again;
4. starts a second writer (``import``, ``infer``, ``init``) while an ``infer`` runs, and
   records its exit code and message;
5. opens the store read-only again and again during an import and during an inference run,
   and counts what the readers saw.

Everything runs in a temporary directory on this machine; nothing listens on the network.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import processes
from processes import conclusions, facts
import selaras
from selaras.engine import inference
from selaras.engine.errors import StoreError
from selaras.engine.ingest.generate import generate
from selaras.engine.store import FACTS_GRAPH, INFERRED_PREFIX, Store

PARTS = ("imports", "first-inference", "inference", "writers", "readers")
EMPLOYEES = "SELECT (COUNT(*) AS ?n) WHERE { ?e a <https://w3id.org/selaras/ontology#Employee> }"


def check(path: Path) -> bool:
    done = subprocess.run([*processes.SELARAS, "--store", str(path), "check", "--no-owl"], capture_output=True,
                          text=True, check=False)
    return done.returncode == 0 and "SHACL: 0 error(s)" in done.stdout


def timed(store: Path, *args: str) -> float:
    t0 = time.monotonic()
    subprocess.run([*processes.SELARAS, "--store", str(store), *args], check=True, capture_output=True)
    return time.monotonic() - t0


def stages(seconds: float, kills: int) -> list[str | float]:
    """The three stages read from the store's files, and ``kills`` moments spread over a run."""
    return [*processes.STAGES, *(round(seconds * (i + 1) / (kills + 1), 3) for i in range(kills))]


def crash_imports(work: Path, org: Path, empty: Path, imported: Path, seconds: float, kills: int,
                  check_each: bool) -> list[dict]:
    before, after = facts(empty), facts(imported)
    rows, checked = [], set()
    for n, stage in enumerate(stages(seconds, kills)):
        store = work / f"import-{n}"
        shutil.copytree(empty, store)
        run = processes.run_and_kill(store, ["import", str(org)], stage, timeout=max(300.0, 3 * seconds))
        with selaras.open(store) as o:  # opening for writing makes RocksDB recover its log
            employees = int(o.query(EMPLOYEES).rows[0]["n"].value)
        held = facts(store)
        outcome = "all" if held == after else "none" if held == before else "PARTIAL"
        passed = None
        if check_each or outcome not in checked:
            passed, _ = check(store), checked.add(outcome)
        rows.append({"stage": run.stage, "killed": run.killed, "at": round(run.seconds, 3),
                     "employees": employees, "outcome": outcome, "check": passed})
        shutil.rmtree(store)
    return rows


def crash_inference(work: Path, source: Path, inferred: Path, seconds: float, kills: int, check_each: bool,
                    args: tuple[str, ...] = ("infer", "--no-owl", "--force")) -> list[dict]:
    """Kill ``args`` run on copies of ``source``; ``inferred`` holds what an uninterrupted run leaves."""
    expected, known = conclusions(inferred), facts(source)
    rows, checked, stale_store = [], set(), None
    for n, stage in enumerate(stages(seconds, kills)):
        store = work / f"{args[-1].lstrip('-')}-{n}"
        shutil.copytree(source, store)
        run = processes.run_and_kill(store, list(args), stage, timeout=max(300.0, 3 * seconds))
        selaras.open(store).close()
        with selaras.open(store, read_only=True) as o:
            current = inference.is_current(o.store)
        whole = conclusions(store) == expected
        outcome = ("current, whole" if whole else "CURRENT BUT PARTIAL") if current else "stale"
        passed = None
        if check_each or outcome not in checked:
            passed, _ = check(store), checked.add(outcome)
        rows.append({"stage": run.stage, "killed": run.killed, "at": round(run.seconds, 3), "outcome": outcome,
                     "facts unchanged": facts(store) == known, "check": passed})
        if outcome == "stale" and stale_store is None:
            stale_store = store
        else:
            shutil.rmtree(store)
    if stale_store is not None:
        with selaras.open(stale_store) as o:
            o.ensure_inferred()
        rows.append({"stage": "re-inferred after a kill", "killed": False, "at": None,
                     "outcome": "current, whole" if conclusions(stale_store) == expected else "PARTIAL",
                     "facts unchanged": facts(stale_store) == known, "check": None})
    return rows


def second_writers(work: Path, inferred: Path, org: Path) -> list[dict]:
    store = work / "second-writer"
    shutil.copytree(inferred, store)
    first = processes.start(store, "infer", "--no-owl", "--force")
    rows = []
    try:
        processes.wait_until_writer_holds_lock(store, first)
        for args in (["import", str(org)], ["infer", "--no-owl"], ["init"]):
            t0 = time.monotonic()
            done = subprocess.run([*processes.SELARAS, "--store", str(store), *args], capture_output=True,
                                  text=True, check=False)
            rows.append({"second writer": " ".join(args[:1]), "exit": done.returncode,
                         "seconds": round(time.monotonic() - t0, 2), "first still running": first.poll() is None,
                         "message": done.stderr.strip()[:160]})
    finally:
        first.communicate()
    rows.append({"second writer": "(first writer's exit)", "exit": first.returncode, "seconds": None,
                 "first still running": False, "message": ""})
    return rows


def readers(work: Path, source: Path, args: list[str], expected: dict[str, int] | None) -> dict:
    store = work / f"readers-{args[0]}"
    shutil.copytree(source, store)
    writer = processes.start(store, *args)
    seen: Counter[str] = Counter()
    while writer.poll() is None:
        try:
            reader = Store(store, read_only=True)
        except StoreError:
            seen["open refused (retry)"] += 1
            continue
        employees = int(reader.query(EMPLOYEES).rows[0]["n"].value)
        if expected is None:
            seen[f"{employees} employees"] += 1
        elif not inference.is_current(reader):
            seen["conclusions stale"] += 1
        else:
            graphs = {g: reader.count(g) for g in reader.graph_names() if g.startswith(INFERRED_PREFIX)}
            seen["conclusions current, whole" if graphs == expected else "CURRENT BUT PARTIAL"] += 1
        del reader
        time.sleep(0.01)
    writer.communicate()
    return {"writer": " ".join(args[:1]), "exit": writer.returncode, "reads": sum(seen.values()), "seen": dict(seen)}


def markdown(report: dict) -> str:
    def table(rows: list[dict]) -> str:
        if not rows:
            return ""
        keys = list(rows[0])
        lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        lines += ["| " + " | ".join("" if r.get(k) is None else str(r.get(k)) for k in keys) + " |" for r in rows]
        return "\n".join(lines) + "\n"

    m = report["setup"]
    out = [(f"Organisation: {m['employees']} employees, {m['facts']} facts; uninterrupted import "
            f"{m['import_seconds']:.2f} s, inference {m['infer_seconds']:.2f} s.\n")]
    for key, heading in (("imports", "Imports killed with SIGKILL"),
                         ("first_inference", "First inference killed with SIGKILL"),
                         ("inference", "Inference re-runs killed with SIGKILL"),
                         ("second_writers", "A second writer while `infer` runs"),
                         ("readers", "Readers during writes")):
        if report[key]:
            out += [f"\n### {heading}\n", table(report[key])]
    outcomes = Counter(r["outcome"] for r in report["imports"] if r["killed"])
    first = Counter(r["outcome"] for r in report["first_inference"] if r["killed"])
    inf = Counter(r["outcome"] for r in report["inference"] if r["killed"])
    out.append(f"\nSummary: {sum(outcomes.values())} imports killed: {dict(outcomes)}; "
               f"{sum(first.values())} first inference runs killed: {dict(first)}; "
               f"{sum(inf.values())} inference re-runs killed: {dict(inf)}.\n")
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--positions", type=int, help="positions (default: one per 25 employees, at least 20)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"which experiments, comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--kills", type=int, default=12, help="timed kills per run, besides the three stages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument("--check-each", action="store_true", help="run `selaras check` on every killed store")
    parser.add_argument("--format", choices=["md", "json"], default="md")
    args = parser.parse_args()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"--parts: unknown {', '.join(sorted(unknown))}; choose among {', '.join(PARTS)}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="selaras-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        org = work / "org"
        positions = args.positions or max(20, args.employees // 25)
        generate(org, employees=args.employees, positions=positions, seed=args.seed)
        empty = work / "empty"
        selaras.open(empty).close()
        imported = work / "imported"
        shutil.copytree(empty, imported)
        import_seconds = timed(imported, "import", str(org))
        inferred = work / "inferred"
        shutil.copytree(imported, inferred)
        infer_seconds = timed(inferred, "infer", "--no-owl")
        with selaras.open(imported, read_only=True) as o:
            n_facts = o.store.count(FACTS_GRAPH)
        report = {
            "setup": {"employees": args.employees, "positions": positions, "facts": n_facts,
                      "import_seconds": import_seconds, "infer_seconds": infer_seconds, "parts": parts},
            "imports": crash_imports(work, org, empty, imported, import_seconds, args.kills, args.check_each)
            if "imports" in parts else [],
            "first_inference": crash_inference(work, imported, inferred, infer_seconds, args.kills, args.check_each,
                                               args=("infer", "--no-owl")) if "first-inference" in parts else [],
            "inference": crash_inference(work, inferred, inferred, infer_seconds, args.kills, args.check_each)
            if "inference" in parts else [],
            "second_writers": second_writers(work, inferred, org) if "writers" in parts else [],
            "readers": ([readers(work, empty, ["import", str(org)], None),
                         readers(work, inferred, ["infer", "--no-owl", "--force"], conclusions(inferred))]
                        if "readers" in parts else []),
        }
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2) if args.format == "json" else markdown(report))
    bad = [r for r in report["imports"] + report["first_inference"] + report["inference"] if "PARTIAL" in r["outcome"] or r["check"] is False]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
