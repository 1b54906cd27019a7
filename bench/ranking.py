#!/usr/bin/env python3
"""Measure how well ``career next`` ranks moves, against a reference of related positions.

Not a test: a measurement to run on your own organisation::

    .venv/bin/python bench/ranking.py --store ./.selaras                      # held-out transitions
    .venv/bin/python bench/ranking.py --store ./.selaras --reference related.csv
    .venv/bin/python bench/ranking.py --store ./.selaras --grid               # which weights fit best
    .venv/bin/python bench/ranking.py --store A --grid --grid-json a.json    # one grid per reference …
    .venv/bin/python bench/ranking.py --pick a.json b.json                   # … and weights that fit all

The reference is either

- a CSV file ``source,target[,rank]`` of position codes: for each source, the positions a
  published list calls related to it (e.g. O*NET's related occupations, mapped onto your
  codes); ``rank`` is read but every listed target counts as relevant; or
- the store's position histories (``position_history.csv``): every move between consecutive
  tenures is dated by the start of the new tenure; the most recent moves (``--holdout``, a
  share, default 0.2; or ``--holdout-after DATE``) are held out as the reference, and the
  observed-transitions component of the score (O) is computed from the earlier moves only,
  so the ranking never sees what it is asked to predict.

For every source position with at least one relevant target among its candidates, the
candidates are every move the job architecture allows from it (concluded or not: ``career
next --all``), ranked by

- ``selaras``: the ranking of ``career next`` (:func:`selaras.engine.career.next_moves`) with
  its default weights, or the weights given with ``--weight KEY=VALUE``;
- ``selaras-no-history``: the same without the observed transitions (weight observed = 0);
- ``previous``: the score before the ranking was measured (uncentred cosine of the weighted
  profiles − I − N − 0.5·G − 0.1·T), for comparison;
- ``euclidean``: the plain Euclidean distance between the normalised level vectors, nearest first;
- ``cosine``: the plain cosine of the same vectors, highest first;
- ``random``: a random order (the mean of 50 seeded shuffles).

It also prints how each component of the score spreads over the candidates (5th, 50th and
95th percentile; ``cosine`` is the uncentred cosine the ranking used before), to check that
the components are on comparable scales.

Ties go to the smaller target code. It prints precision at 5 and 10 and nDCG at 10 (binary
relevance), averaged over the sources, with how many reference pairs were candidates at all
(a reference move the job architecture does not allow cannot be ranked). ``--grid`` also tries
a grid of weights (the components are computed once and recombined) and prints the best by the
mean nDCG@10 with the observed transitions and without them (a default has to serve both).
``--json FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import selaras
from selaras.engine import career
from selaras.engine.career import CareerGraph, RankingOptions

KS = (5, 10)
GRID = {
    "similarity": (0.5, 1.0, 2.0),
    "increase": (0.0, 0.25, 0.5, 1.0),
    "new": (0.0, 0.5, 1.0),
    "grade": (0.0, 0.1, 0.25, 0.5),
    "track_change": (0.0, 0.1),
    "observed": (1.0, 2.0, 4.0, 8.0),
}

_TENURES = """PREFIX sel: <https://w3id.org/selaras/ontology#>
SELECT ?e ?p ?start WHERE { ?t a sel:Tenure ; sel:employee ?e ; sel:position ?p ; sel:startDate ?start }"""


@dataclass(frozen=True)
class Reference:
    """What to predict: for each source position, the relevant targets."""

    relevant: dict[str, set[str]]
    #: observed transitions to rank with (the training part of the histories), or None to keep the store's
    observed: dict[tuple[str, str], int] | None
    what: str


def read_csv_reference(path: Path, cg: CareerGraph) -> Reference:
    """Read ``source,target[,rank]``; unknown codes are an error naming the row."""
    relevant: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or not {"source", "target"} <= set(reader.fieldnames):
            sys.exit(f"{path}:1: the header needs the columns source and target — write source,target[,rank]")
        for line, row in enumerate(reader, 2):
            for column in ("source", "target"):
                if row[column] not in cg.positions:
                    sys.exit(f"{path}:{line}:{column}: unknown position {row[column]!r} — "
                             "use the codes of the store's positions")
            relevant[row["source"]].add(row["target"])
    return Reference(dict(relevant), None, f"{path.name}: {sum(map(len, relevant.values()))} related pairs")


def moves_of_histories(cg: CareerGraph) -> list[tuple[str, str, str]]:
    """Every move between consecutive tenures of an employee: [(start of the new tenure, from, to)]."""
    by_employee: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in cg.store.query(_TENURES).rows:
        pos = cg._by_iri.get(r["p"].value)
        if pos is not None:
            by_employee[r["e"].value].append((r["start"].value, pos))
    moves = []
    for tenures in by_employee.values():
        tenures.sort()
        moves += [(day, a, b) for (_, a), (day, b) in zip(tenures, tenures[1:]) if a != b]
    return sorted(moves)


def holdout_reference(cg: CareerGraph, share: float, after: str | None) -> Reference:
    """Hold out the most recent moves of the histories; count the earlier ones as observed transitions."""
    moves = moves_of_histories(cg)
    if not moves:
        sys.exit("the store holds no position histories — import position_history.csv, or give --reference FILE")
    cutoff = after or moves[int(len(moves) * (1 - share))][0]
    observed: dict[tuple[str, str], int] = defaultdict(int)
    relevant: dict[str, set[str]] = defaultdict(set)
    held = 0
    for day, a, b in moves:
        if day >= cutoff:
            relevant[a].add(b)
            held += 1
        else:
            observed[a, b] += 1
    return Reference(dict(relevant), dict(observed),
                     f"held-out transitions: {held} moves from {cutoff} on ({len(moves) - held} earlier "
                     f"moves give the observed transitions)")


def with_observed(cg: CareerGraph, observed: dict[tuple[str, str], int] | None) -> CareerGraph:
    """The graph with its observed transitions replaced (the training part of a held-out reference)."""
    if observed is None:
        return cg
    departures: dict[str, int] = defaultdict(int)
    for (a, _), n in observed.items():
        departures[a] += n
    cg.observed, cg.departures = dict(observed), dict(departures)
    return cg


def _components(cg: CareerGraph, source: str) -> dict[str, dict[str, float]]:
    """Each candidate's score components (career next's) and the baselines' measures."""
    a = cg.positions[source]
    out = {}
    for m in career.next_moves(cg, source):
        b = cg.positions[m.target]
        d = cg.graph.edges[source, m.target]
        dot = sum(a.x[c] * b.x[c] for c in a.x.keys() & b.x.keys())
        out[m.target] = {
            "similarity": m.similarity, "increase": m.increase, "new": m.new, "grade": m.grade,
            "track_change": 1.0 if m.changes_track else 0.0, "observed": m.observed,
            "euclidean": -math.sqrt(max(0.0, a.norm ** 2 + b.norm ** 2 - 2 * dot)),
            "cosine": dot / (a.norm * b.norm) if a.norm and b.norm else 0.0,
            "previous": d["cosine"] - m.increase - m.new - 0.5 * m.grade - (0.1 if m.changes_track else 0.0),
        }
    return out


def score(parts: dict[str, float], w: RankingOptions) -> float:
    """The score of ``career next`` from its components (as :func:`career._ranked` adds them)."""
    return (w.similarity * parts["similarity"] - w.increase * parts["increase"] - w.new * parts["new"]
            - w.grade * parts["grade"] - w.track_change * parts["track_change"] + w.observed * parts["observed"])


def metrics(order: list[str], relevant: set[str]) -> dict[str, float]:
    """Precision at 5 and 10, and nDCG at 10 with binary gains."""
    out = {f"P@{k}": sum(t in relevant for t in order[:k]) / k for k in KS}
    dcg = sum(1 / math.log2(i + 2) for i, t in enumerate(order[:10]) if t in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    out["nDCG@10"] = dcg / ideal if ideal else 0.0
    return out


def rank(parts: dict[str, dict[str, float]], key) -> list[str]:
    return sorted(parts, key=lambda t: (-round(key(parts[t]), 9), career.natural_key(t)))


def evaluate(cg: CareerGraph, ref: Reference, options: RankingOptions, grid: bool = False) -> dict:
    cg = with_observed(career.with_allowed_moves(cg, list(ref.relevant)), ref.observed)
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sources = pairs = candidates_pairs = 0
    all_parts = {}
    for source, targets in sorted(ref.relevant.items()):
        if source not in cg.positions:
            continue
        parts = _components(cg, source)
        pairs += len(targets)
        relevant = targets & parts.keys()
        candidates_pairs += len(relevant)
        if not relevant:
            continue
        sources += 1
        all_parts[source] = (parts, relevant)
        # the project's ranking through its own code path, with the weights asked for
        ours = [m.target for m in career.next_moves(cg, source, options)]
        rankings = {
            "selaras": ours,
            "selaras-no-history": rank(parts, lambda p: score(p, replace(options, observed=0.0))),
            "previous": rank(parts, lambda p: p["previous"]),
            "euclidean": rank(parts, lambda p: p["euclidean"]),
            "cosine": rank(parts, lambda p: p["cosine"]),
        }
        for name, order in rankings.items():
            for k, v in metrics(order, relevant).items():
                sums[name][k] += v
        rng = random.Random(f"{source}")
        for _ in range(50):
            order = sorted(parts)
            rng.shuffle(order)
            for k, v in metrics(order, relevant).items():
                sums["random"][k] += v / 50
    spread = {}
    for name in ("similarity", "cosine", "increase", "new", "grade", "observed"):
        values = sorted(p[name] for parts, _ in all_parts.values() for p in parts.values())
        if values:
            spread[name] = {q: round(values[min(len(values) - 1, int(len(values) * f))], 3)
                            for q, f in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95))}
    result = {
        "reference": ref.what,
        "components": spread, "sources": sources, "reference_pairs": pairs, "candidate_pairs": candidates_pairs,
        "weights": {k: getattr(options, k) for k in GRID},
        "rankings": {name: {k: round(v / sources, 4) for k, v in s.items()} for name, s in sums.items()} if sources else {},
    }
    if grid and sources:
        result["grid"] = _grid(all_parts)
    return result


def _grid(all_parts: dict) -> list[dict]:
    """Every combination of :data:`GRID`, best first by the mean nDCG@10 with and without histories.

    A default must serve organisations with position histories and without: each combination is
    scored as given and with the observed weight at 0 (combinations that differ only in it share
    the second figure), and ranked by the mean of the two.
    """
    keys = list(GRID)

    def figures(w: RankingOptions) -> dict[str, float]:
        total: dict[str, float] = defaultdict(float)
        for parts, relevant in all_parts.values():
            for k, v in metrics(rank(parts, lambda p: score(p, w)), relevant).items():
                total[k] += v
        return {k: round(v / len(all_parts), 4) for k, v in total.items()}

    without: dict[tuple, dict[str, float]] = {}
    history = any(p["observed"] for parts, _ in all_parts.values() for p in parts.values())
    found = []
    for values in itertools.product(*(GRID[k] for k in keys)):
        weights = dict(zip(keys, values))
        rest = tuple(v for k, v in weights.items() if k != "observed")
        if rest not in without:
            without[rest] = figures(RankingOptions(**{**weights, "observed": 0.0}))
        with_ = figures(RankingOptions(**weights)) if weights["observed"] and history else without[rest]
        found.append({"weights": weights, "with_history": with_, "without_history": without[rest],
                      "nDCG@10": round((with_["nDCG@10"] + without[rest]["nDCG@10"]) / 2, 4)})
    found.sort(key=lambda r: (-r["nDCG@10"], -r["with_history"]["P@10"]))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="the store (inferred) whose positions are ranked")
    ap.add_argument("--reference", type=Path, help="CSV source,target[,rank] of related positions")
    ap.add_argument("--holdout", type=float, default=0.2, help="share of the most recent moves held out (0.2)")
    ap.add_argument("--holdout-after", help="hold out the moves from this date (YYYY-MM-DD) on")
    ap.add_argument("--weight", action="append", default=[], metavar="KEY=VALUE", help="a weight of the ranking")
    ap.add_argument("--grid", action="store_true", help="also try a grid of weights and print the best ten")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--grid-json", type=Path, help="with --grid: write every combination's figures here")
    ap.add_argument("--pick", type=Path, nargs="+", metavar="GRID_JSON",
                    help="choose weights that fit several references (files written by --grid-json) and stop")
    if argv is None:
        argv = sys.argv[1:]
    if "--pick" in argv:  # no store needed
        files = [Path(a) for a in argv[argv.index("--pick") + 1:]]
        for row in pick(files):
            print(f"worst {row['worst']:.3f}  mean {row['mean']:.3f}  " +
                  " ".join(f"{k}={v:g}" for k, v in row["weights"].items()))
        return 0
    args = ap.parse_args(argv)
    weights = {}
    for item in args.weight:
        key, _, value = item.partition("=")
        weights[key] = float(value)
    options = RankingOptions(**weights)
    org = selaras.open(args.store)
    cg = org.career().graph
    ref = (read_csv_reference(args.reference, cg) if args.reference
           else holdout_reference(cg, args.holdout, args.holdout_after))
    result = evaluate(cg, ref, options, grid=args.grid)
    print(f"{result['reference']}\n{result['sources']} source positions; {result['candidate_pairs']} of "
          f"{result['reference_pairs']} reference pairs are allowed moves (candidates)\n")
    print(f"{'ranking':<20}" + "".join(f"{k:>10}" for k in ("P@5", "P@10", "nDCG@10")))
    for name, figures in result["rankings"].items():
        print(f"{name:<20}" + "".join(f"{figures[k]:>10.3f}" for k in ("P@5", "P@10", "nDCG@10")))
    print("\ncomponents over the candidates (5th, 50th, 95th percentile):")
    for name, q in result["components"].items():
        print(f"  {name:<12}{q['p5']:>8.3f}{q['p50']:>8.3f}{q['p95']:>8.3f}")
    if args.grid:
        print("\nbest weights by the mean nDCG@10 with and without the observed transitions:")
        for row in result["grid"][:10]:
            print(f"  mean {row['nDCG@10']:.3f}  with {row['with_history']['nDCG@10']:.3f}  "
                  f"without {row['without_history']['nDCG@10']:.3f}  " +
                  " ".join(f"{k}={v:g}" for k, v in row["weights"].items()))
        if args.grid_json:
            args.grid_json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        result["grid"] = result["grid"][:50]
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def pick(paths: list[Path], top: int = 10) -> list[dict]:
    """Choose weights that fit several references: the grids of ``--grid --grid-json`` runs, one per reference.

    For each reference, each combination's nDCG@10 (with the observed transitions, and without
    them) is divided by the reference's best plain baseline (Euclidean or cosine); a combination
    is as good as its worst such ratio over all references, and the best come first (ties: the
    higher mean ratio).
    """
    grids = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    by_weights: dict[tuple, list[float]] = defaultdict(list)
    for g in grids:
        best = max(g["rankings"]["euclidean"]["nDCG@10"], g["rankings"]["cosine"]["nDCG@10"])
        for row in g["grid"]:
            key = tuple(sorted(row["weights"].items()))
            by_weights[key] += [row["with_history"]["nDCG@10"] / best, row["without_history"]["nDCG@10"] / best]
    rows = [{"weights": dict(k), "worst": round(min(v), 4), "mean": round(sum(v) / len(v), 4)}
            for k, v in by_weights.items() if len(v) == 2 * len(grids)]
    rows.sort(key=lambda r: (-r["worst"], -r["mean"]))
    return rows[:top]


if __name__ == "__main__":
    sys.exit(main())
