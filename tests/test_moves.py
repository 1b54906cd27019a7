"""A bounded career graph: the rule career-move concludes the viable moves only, and nothing is lost.

The rule allows a move by family, grade and track (Endry §A.4) and concludes it when the two
profiles are similar enough (``min_move_similarity``) and it is among the best moves of its
position (``max_moves_per_position``, by the score of ``career next``). Every allowed move's
demands stay available on demand: ``career next --all``, ``career paths --all``, ``explain
'A -> B'`` and the ``move-increases`` query. These tests check the bounds through the Python
API and the CLI, and that the demands worked out on demand equal what the rules conclude.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import selaras
from selaras.engine import career, inference, moves

from .conftest import DATA

SEL = "https://w3id.org/selaras/ontology#"
TIGHT = inference.Settings(min_move_similarity=0.6, max_moves_per_position=2)


def _moves(org: selaras.Selaras) -> set[tuple[str, str]]:
    rows = org.query(f"PREFIX sel: <{SEL}> SELECT ?f ?t WHERE {{ ?m a sel:CareerMove ; "
                     "sel:fromPosition/sel:code ?f ; sel:toPosition/sel:code ?t }").rows
    return {(r["f"].value, r["t"].value) for r in rows}


def _demands(org: selaras.Selaras) -> dict[tuple[str, str], set[tuple[str, str, str | None, str]]]:
    """Every concluded move's level increases and new competencies, as the rules concluded them."""
    rows = org.query(f"""PREFIX sel: <{SEL}>
        SELECT ?f ?t ?kind ?c ?from ?to WHERE {{
          ?m a sel:CareerMove ; sel:fromPosition/sel:code ?f ; sel:toPosition/sel:code ?t .
          {{ ?m sel:levelIncrease ?i . ?i sel:competency/sel:code ?c ; sel:fromLevel ?from ; sel:toLevel ?to .
             BIND("increase" AS ?kind) }}
          UNION {{ ?m sel:newCompetency ?i . ?i sel:competency/sel:code ?c ; sel:requiredLevel ?to .
                   BIND("new" AS ?kind) }} }}""").rows
    out: dict[tuple[str, str], set[tuple[str, str, str | None, str]]] = {}
    for r in rows:
        out.setdefault((r["f"].value, r["t"].value), set()).add(
            (r["kind"].value, r["c"].value, r["from"].value if r["from"] else None, r["to"].value))
    return out


@pytest.fixture(scope="module")
def unbounded() -> selaras.Selaras:
    """The bundled organisation with every allowed move concluded (no viability bounds)."""
    org = selaras.open(example=True)
    org.infer(inference.Settings(min_move_similarity=0, max_moves_per_position=10_000))
    return org


@pytest.fixture(scope="module")
def tight() -> selaras.Selaras:
    org = selaras.open(example=True)
    org.infer(TIGHT)
    return org


def test_the_defaults_keep_every_move_of_the_bundled_organisation(example, unbounded) -> None:
    assert _moves(example) == _moves(unbounded)
    assert len(_moves(example)) == 231
    assert ("manager-sertifikasi-a2", "kepala-lsp") in _moves(example)  # the rule engine's A2 → C11


def test_moves_per_position_never_exceed_the_setting(tight, unbounded) -> None:
    per_position = Counter(f for f, _ in _moves(tight))
    assert max(per_position.values()) == 2
    assert _moves(tight) < _moves(unbounded)
    # what was left out is exactly what fails the similarity or comes after the best two
    cg = career.build_graph(unbounded.store)
    expected = set()
    for position in cg.positions:
        ranked = [m for m in career.next_moves(cg, position)  # the setting bounds the profiles' overlap
                  if cg.graph.edges[position, m.target]["cosine"] >= 0.6]
        ranked.sort(key=lambda m: (-moves.bucket(m.score), m.target))
        expected |= {(position, m.target) for m in ranked[:2]}
    assert _moves(tight) == expected


def test_the_moves_concluded_keep_their_demands_and_readiness(tight, unbounded) -> None:
    kept = _moves(tight)
    everything = _demands(unbounded)
    assert _demands(tight) == {k: v for k, v in everything.items() if k in kept}
    targets = {t for _, t in kept}
    readiness = tight.query(f"PREFIX sel: <{SEL}> SELECT DISTINCT ?p WHERE {{ ?r a sel:Readiness ; "
                            "sel:position/sel:code ?p }").rows
    held = tight.query(f"PREFIX sel: <{SEL}> SELECT DISTINCT ?p WHERE {{ ?e a sel:Employee ; "
                       "sel:holdsPosition/sel:code ?p }").rows
    assert {r["p"].value for r in readiness} <= targets | {r["p"].value for r in held}


def test_demands_of_a_move_not_concluded_are_worked_out_on_demand(tight, unbounded) -> None:
    left_out = sorted(_moves(unbounded) - _moves(tight))
    assert left_out
    everything = _demands(unbounded)
    for source, target in left_out[:25]:
        rows = tight.records("move-increases", **{"from": source, "to": target})
        got = {(r["kind"], r["code"], None if r["from_level"] is None else str(r["from_level"]), str(r["to_level"]))
               for r in rows}
        assert got == everything.get((source, target), set()), (source, target)


def test_career_next_all_ranks_the_moves_not_concluded_with_the_same_demands(tight, unbounded) -> None:
    cg, full = tight.career().graph, career.build_graph(unbounded.store)
    source = "manager-sertifikasi-a2"
    concluded = career.next_moves(cg, source)
    assert len(concluded) == 2 and all(m.concluded for m in concluded)
    every = career.next_moves(career.with_allowed_moves(cg, [source]), source)
    reference = career.next_moves(full, source)
    assert [(m.target, m.score, m.total_increase, m.new_count) for m in every] == \
           [(m.target, m.score, m.total_increase, m.new_count) for m in reference]
    assert sum(not m.concluded for m in every) == len(every) - 2
    assert tight.career().graph.graph.out_degree(source) == 2  # the cached graph is left as it was


def test_cli_infer_bounds_and_explains_a_move_it_did_not_conclude(cli, tmp_path) -> None:
    store = str(tmp_path / "store")
    assert cli("--store", store, "init", "--example").exit_code == 0
    result = cli("--store", store, "infer", "--no-owl", "--max-moves-per-position", "1", "--format", "json")
    assert result.exit_code == 0
    counts = cli("--store", store, "query", f"PREFIX sel: <{SEL}> SELECT ?f (COUNT(?m) AS ?n) WHERE "
                 "{ ?m a sel:CareerMove ; sel:fromPosition ?f } GROUP BY ?f", "--format", "json")
    assert {int(b["n"]["value"]) for b in json.loads(counts.stdout)["results"]["bindings"]} == {1}
    assert counts.stderr == ""  # read without inferring again: the run's own settings stay current
    text = cli("--store", store, "explain", "manager-sertifikasi-a2 -> kepala-lsp").stdout
    assert "not concluded: allowed by rule career-move" in text and "Concern for Order" in text
    nxt = cli("--store", store, "career", "next", "manager-sertifikasi-a2", "--all", "--format", "json")
    doc = json.loads(nxt.stdout)
    assert [m["concluded"] for m in doc["moves"]].count(True) == 1 and len(doc["moves"]) > 1
    paths = cli("--store", store, "career", "paths", "staf-sertifikasi-c8", "kepala-lsp", "--all")
    assert paths.exit_code == 0


@pytest.mark.parametrize(("value", "message"), [
    ("1.5", "min_move_similarity '1.5' is not a share from 0 to 1"),
    ("x", "min_move_similarity 'x' is not a share from 0 to 1"),
])
def test_a_bad_similarity_setting_is_refused_with_its_row(tmp_path, value: str, message: str) -> None:
    from selaras.engine.errors import InputError

    settings = tmp_path / "settings.csv"
    settings.write_text(f"key,value\nmin_move_similarity,{value}\n", encoding="utf-8")
    org = selaras.open()
    with pytest.raises(InputError, match=f"settings.csv:2:value: {message}"):
        org.import_paths([settings])


def test_settings_from_the_data_bound_the_moves(tmp_path) -> None:
    settings = tmp_path / "settings.csv"
    settings.write_text("key,value\nmax_moves_per_position,1\nmin_move_similarity,0.5\n", encoding="utf-8")
    org = selaras.open()
    org.import_paths([DATA / "mini", settings])
    effective = inference.effective_settings(org.store)
    assert (effective.max_moves_per_position, effective.min_move_similarity) == (1, 0.5)
    org.infer()
    assert max(Counter(f for f, _ in _moves(org)).values()) == 1
    zero = tmp_path / "zero" / "settings.csv"
    zero.parent.mkdir()
    zero.write_text("key,value\nmax_moves_per_position,0\n", encoding="utf-8")
    from selaras.engine.errors import InputError

    with pytest.raises(InputError, match="allows no move at all"):
        org.import_paths([zero])
