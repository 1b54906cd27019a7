"""The fast path and the SPARQL path of every rule give identical graphs.

``engine/fastpath.py`` evaluates the heavy per-employee rules set at a time; the rules' SPARQL
stays their meaning (and what a SPARQL server runs). Each case infers once each way and compares
every inferred graph quad for quad: the mini fixture, the bundled organisation, a small
generated one, and data of a shape the fast path declines (it must fall back to SPARQL).
No timings are asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import selaras
from selaras.engine import fastpath, inference, rules
from selaras.engine.ingest.generate import generate
from selaras.engine.store import FACTS_GRAPH, INFERRED_PREFIX

from .conftest import DATA

ID = "https://w3id.org/selaras/id/"
SEL = "https://w3id.org/selaras/ontology#"


def _conclusions(org: selaras.Selaras) -> dict[str, set[str]]:
    """Every inferred graph's quads, as N-Quads lines, by graph."""
    out: dict[str, set[str]] = {}
    for line in org.store.dump("nq").decode("utf-8").splitlines():
        graph = line.rsplit(" ", 2)[-2]
        if graph.startswith(f"<{INFERRED_PREFIX}"):
            out.setdefault(graph, set()).add(line)
    return out


def _infer_both(load) -> tuple[inference.InferenceReport, dict[str, set[str]], dict[str, set[str]]]:
    """Load the same data into two stores, infer fast in one and all-SPARQL in the other."""
    fast_org, sparql_org = load(), load()
    report = inference.infer(fast_org.store, fast=True)
    inference.infer(sparql_org.store, fast=False)
    return report, _conclusions(fast_org), _conclusions(sparql_org)


def _assert_identical(fast: dict[str, set[str]], sparql: dict[str, set[str]]) -> None:
    assert fast.keys() == sparql.keys()
    for graph, expected in sparql.items():
        missing, extra = expected - fast[graph], fast[graph] - expected
        assert not missing and not extra, (graph, sorted(missing)[:3], sorted(extra)[:3])


def _import(*paths: Path) -> selaras.Selaras:
    org = selaras.open()
    org.import_paths(list(paths))
    return org


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A small generated organisation: 150 employees on 30 positions, with schemes and programmes."""
    out = tmp_path_factory.mktemp("generated") / "org"
    generate(out, employees=150, positions=30, seed=3)
    return out


@pytest.mark.parametrize("case", ["mini", "bundled", "generated"])
def test_fast_and_sparql_paths_give_identical_graphs(case: str, generated: Path) -> None:
    load = {"mini": lambda: _import(DATA / "mini"),
            "bundled": lambda: selaras.open(example=True),
            "generated": lambda: _import(generated)}[case]
    report, fast, sparql = _infer_both(load)
    ran_fast = {r.rule for r in report.runs if r.path == "fast"}
    assert ran_fast == set(rules.FAST_PATH)  # the fast path really ran, for every flagged rule
    assert sum(len(v) for v in sparql.values()) > 0
    _assert_identical(fast, sparql)


@pytest.mark.parametrize("lookup_subjects", [0, 10**9])
def test_identical_whether_values_are_looked_up_or_read_by_column(lookup_subjects: int, generated: Path,
                                                                   monkeypatch) -> None:
    # a large organisation reads a predicate whole, a small one looks its subjects up: both ways here
    monkeypatch.setattr(fastpath, "LOOKUP_SUBJECTS", lookup_subjects)
    monkeypatch.setattr(fastpath, "LOOKUP_BATCH", 7)  # several lookup queries per read
    report, fast, sparql = _infer_both(lambda: _import(generated))
    assert {r.rule for r in report.runs if r.path == "fast"} == set(rules.FAST_PATH)
    _assert_identical(fast, sparql)


def test_identical_with_readiness_for_the_own_position_only(generated: Path) -> None:
    settings = inference.Settings(readiness_scope="position")
    fast_org, sparql_org = _import(generated), _import(generated)
    inference.infer(fast_org.store, settings, fast=True)
    inference.infer(sparql_org.store, settings, fast=False)
    fast, sparql = _conclusions(fast_org), _conclusions(sparql_org)
    readiness = f"<{INFERRED_PREFIX}readiness>"
    assert len(sparql[readiness]) > 0
    _assert_identical(fast, sparql)


def test_every_flagged_rule_has_an_evaluation() -> None:
    assert set(fastpath.FAST_RULES) == rules.FAST_PATH
    assert all(rules.get(r).fast for r in rules.FAST_PATH)
    assert not rules.get("unaligned-scheme").fast  # a rule without an evaluation runs its SPARQL


@pytest.mark.parametrize("case", ["bundled", "generated"])
def test_identical_viable_moves_when_the_bounds_bite(case: str, generated: Path) -> None:
    # the defaults keep every move of these organisations; tighter bounds make the similarity
    # threshold and the ranking decide, and both paths must decide alike
    settings = inference.Settings(min_move_similarity=0.6, max_moves_per_position=3)
    load = {"bundled": lambda: selaras.open(example=True), "generated": lambda: _import(generated)}[case]
    fast_org, sparql_org = load(), load()
    report = inference.infer(fast_org.store, settings, fast=True)
    assert {r.rule: r.path for r in report.runs}["career-move"] == "fast"
    inference.infer(sparql_org.store, settings, fast=False)
    fast, sparql = _conclusions(fast_org), _conclusions(sparql_org)
    _assert_identical(fast, sparql)
    per_position = fast_org.query(f"PREFIX sel: <{SEL}> SELECT ?f (COUNT(?m) AS ?n) WHERE {{ ?m a sel:CareerMove ; "
                                  "sel:fromPosition ?f } GROUP BY ?f").rows
    counts = [int(r["n"].value) for r in per_position]
    assert counts and max(counts) == 3  # the bound is reached, never passed
    unbounded = load()
    inference.infer(unbounded.store, only=["career-move"])
    moves = f"<{INFERRED_PREFIX}career-move>"
    assert len(fast[moves]) < len(_conclusions(unbounded)[moves])  # the bounds left moves out


def test_the_two_copies_of_the_move_candidates_are_the_same_text() -> None:
    # career-move.rq ranks each candidate against the others, so its candidate block is written twice
    text = rules.get("career-move").text
    body = text[text.index("WHERE {", text.index("CONSTRUCT")):]
    blocks = body.split("WHERE {\n      <https://w3id.org/selaras/id/settings/effective> sel:maxLateralGradeSteps")[1:]
    assert len(blocks) == 2
    first, second = (b[: b.index("BIND(FLOOR(?score")] for b in blocks)
    assert first == second


def test_unsupported_data_falls_back_to_the_rules_sparql() -> None:
    # e1 holds a second position (the import refuses that, but a store written by other means may
    # hold it): gap nodes then merge two positions' requirements, a shape the fast path does not
    # evaluate; the SPARQL does, and the conclusions stay identical
    def load() -> selaras.Selaras:
        org = _import(DATA / "mini")
        org.store.update(f"INSERT DATA {{ GRAPH <{FACTS_GRAPH}> {{ <{ID}employee/e1> <{SEL}holdsPosition> "
                         f"<{ID}position/fin-analyst> }} }}")
        return org

    report, fast, sparql = _infer_both(load)
    paths = {r.rule: r.path for r in report.runs}
    assert paths["gap"] == "sparql" and paths["readiness"] == "sparql"
    assert paths["held-level"] == "fast"  # rules the shape does not touch stay on the fast path
    _assert_identical(fast, sparql)


def test_only_some_rules_with_their_dependencies() -> None:
    org = _import(DATA / "mini")
    report = inference.infer(org.store, only=["stale-assessment"])
    assert [r.rule for r in report.runs] == ["held-level", "gap", "stale-assessment"]
    assert {r.path for r in report.runs} == {"fast"}
    rows = org.query(f"PREFIX sel: <{SEL}> SELECT ?e ?c WHERE {{ ?s a sel:StaleAssessment ; "
                     "sel:employee/sel:code ?e ; sel:competency/sel:code ?c }").rows
    assert {(r["e"].value, r["c"].value) for r in rows} == {("e1", "TA")}


@pytest.mark.parametrize(("scaled", "text"), [
    (0, "0"), (10**18, "1"), (5 * 10**17, "0.5"), (10**18 // 3, "0.333333333333333333"),
    (7 * 10**18 // 4, "1.75"),
])
def test_decimals_are_written_as_oxigraph_writes_them(scaled: int, text: str) -> None:
    assert fastpath.decimal_text(scaled) == text
    store = selaras.open().store
    num, den = scaled, 10**18
    result = store.query(f"SELECT (({num}) / ({den}) AS ?x) WHERE {{}}").rows[0]["x"].value
    assert result == text
