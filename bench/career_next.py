#!/usr/bin/env python3
"""Time ``selaras career next`` on a generated organisation of 500 positions and 86 competencies.

Not a test: a measurement to run by hand::

    .venv/bin/python bench/career_next.py [--positions 500] [--employees 2000] [--seed 7] [--keep DIR]
                                         [--minimal] [--verbose]

It writes the organisation as CSV in the import format (with ``selaras.engine.ingest.generate`` when
that module exists, else with the small generator below), imports it into an in-memory
store, runs the rules (all of them, or with ``--minimal`` only the three the career graph
reads), builds the career graph, then times ``next`` for a sample of positions and employees
(graph already built) and prints the figures. ``--verbose`` prints each rule's time.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import selaras
from selaras.engine import career

GROUPS = (("core", 4), ("leadership", 6), ("behavioral", 9), ("technical", 67))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def generate_standalone(out: Path, positions: int, employees: int, seed: int) -> None:
    """Write a synthetic organisation: 86 competencies on a 1–5 scale, ``positions`` positions in
    20 families over 11 grades, ``employees`` employees with assessments."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "settings.csv", ["key", "value"], [["reference_date", "2026-06-30"],
                                                    ["max_lateral_grade_steps", "1"]])
    _write(out / "scales.csv", ["scale", "label_en"], [["s5", "Five levels"]])
    _write(out / "levels.csv", ["scale", "rank", "label_en"], [["s5", r, f"Level {r}"] for r in range(1, 6)])
    comps: dict[str, list[str]] = {}
    rows = []
    for group, n in GROUPS:
        comps[group] = [f"{group[:3].upper()}{i:02d}" for i in range(1, n + 1)]
        rows += [[c, group, f"{group} competency {i}", "s5"] for i, c in enumerate(comps[group], 1)]
    _write(out / "competencies.csv", ["code", "group", "label_en", "scale"], rows)
    grades = [f"G{r:02d}" for r in range(1, 12)]
    _write(out / "grades.csv", ["grade", "rank"], [[g, r] for r, g in enumerate(grades, 1)])
    families = [f"fam{i:02d}" for i in range(1, 21)]
    _write(out / "families.csv", ["family", "label_en"], [[f, f"Family {f[3:]}"] for f in families])
    tech = {f: rng.sample(comps["technical"], 12) for f in families}
    behav = {f: rng.sample(comps["behavioral"], 4) for f in families}
    prows, rrows = [], []
    codes = []
    for i in range(positions):
        fam = families[i % len(families)]
        rank = 1 + int(10 * (rng.random() ** 1.5))
        track = "managerial" if rank >= 7 and rng.random() < 0.5 else "specialist"
        code = f"pos{i:04d}"
        codes.append((code, rank))
        prows.append([code, f"Position {i} ({fam}, G{rank:02d})", grades[rank - 1], fam, track])
        base = 1 + (rank - 1) * 4 // 10
        for c in comps["core"] + comps["leadership"]:
            rrows.append([code, c, min(5, base + rng.choice((0, 0, 1)))])
        for c in behav[fam]:
            rrows.append([code, c, min(5, base + rng.choice((0, 1)))])
        for c in rng.sample(tech[fam], rng.randint(5, 9)):
            rrows.append([code, c, min(5, base + rng.choice((-1, 0, 0, 1)) if base > 1 else 1)])
    _write(out / "positions.csv", ["position", "label", "grade", "family", "track"], prows)
    _write(out / "requirements.csv", ["position", "competency", "level"], rrows)
    reqs: dict[str, list[tuple[str, int]]] = {}
    for p, c, lv in rrows:
        reqs.setdefault(p, []).append((c, int(lv)))
    erows, arows = [], []
    for i in range(employees):
        code, _ = rng.choice(codes)
        e = f"E{i:06d}"
        erows.append([e, f"Employee {i}", code])
        for c, lv in reqs[code]:
            if rng.random() < 0.95:
                arows.append([e, c, max(1, min(5, lv + rng.choice((-1, 0, 0, 1)))), "2025-06-01"])
    _write(out / "employees.csv", ["employee", "name", "position"], erows)
    _write(out / "assessments.csv", ["employee", "competency", "level", "date"], arows)


def generate(out: Path, positions: int, employees: int, seed: int) -> str:
    """Generate with the engine's generator when it exists; return which one was used."""
    try:
        from selaras.engine.ingest import generate as engine_generate  # type: ignore[attr-defined]
    except ImportError:
        generate_standalone(out, positions, employees, seed)
        return "bench/career_next.py (standalone)"
    engine_generate.generate(employees=employees, positions=positions, seed=seed, out=out)
    return "selaras.engine.ingest.generate"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--positions", type=int, default=500)
    ap.add_argument("--employees", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--samples", type=int, default=50)
    ap.add_argument("--keep", type=Path, help="write the CSV folder here and keep it")
    ap.add_argument("--minimal", action="store_true",
                    help="run only the rules the career graph reads (scale-bounds, held-level, career-move)")
    ap.add_argument("--verbose", action="store_true", help="print each rule as it starts, and its time")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "org"
        t0 = time.perf_counter()
        used = generate(out, args.positions, args.employees, args.seed)
        t1 = time.perf_counter()
        org = selaras.open()
        org.import_paths([out])
        t2 = time.perf_counter()
        if args.minimal:
            # only what the career graph reads: scale bounds, held levels, the moves
            report = org.infer(only=["scale-bounds", "held-level", "career-move"])
            t3 = time.perf_counter()
            cg = career.build_graph(org.store, "bench")
        else:
            report = org.infer(progress=lambda rule, done, total: print(f"  rule {rule} …", flush=True)
                               if args.verbose else None)
            t3 = time.perf_counter()
            cg = org.career().graph
        t4 = time.perf_counter()
    comps = len(cg.competencies)
    print(f"generator: {used}")
    print(f"organisation: {len(cg.positions)} positions, {comps} competencies, "
          f"{len(cg.employees)} employees, {cg.graph.number_of_edges()} career moves")
    if args.verbose:
        for run in report.runs:
            print(f"  {run.rule:32s} {run.triples:>10d} triples {run.seconds:8.1f} s")
    print(f"generate {t1 - t0:.1f} s | import {t2 - t1:.1f} s | infer {t3 - t2:.1f} s "
          f"({report.triples} inferred triples) | build career graph {t4 - t3:.2f} s")
    rng = random.Random(args.seed)
    positions = rng.sample(sorted(cg.positions), min(args.samples, len(cg.positions)))
    times = []
    for p in positions:
        s = time.perf_counter()
        career.next_moves(cg, p)
        times.append(time.perf_counter() - s)
    print(f"next POSITION: median {statistics.median(times) * 1000:.2f} ms, "
          f"max {max(times) * 1000:.2f} ms over {len(times)} positions "
          f"(mean {statistics.mean(len(list(cg.graph.successors(p))) for p in positions):.0f} moves each)")
    emps = rng.sample(sorted(cg.employees), min(args.samples, len(cg.employees)))
    times = []
    for e in emps:
        s = time.perf_counter()
        career.next_moves_for_employee(cg, cg.employees[e])
        times.append(time.perf_counter() - s)
    print(f"next --employee: median {statistics.median(times) * 1000:.2f} ms, "
          f"max {max(times) * 1000:.2f} ms over {len(times)} employees")
    return 0


if __name__ == "__main__":
    sys.exit(main())
