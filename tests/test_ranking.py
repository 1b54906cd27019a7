"""The career ranking of issue 15: position histories, observed transitions, and the measured ranking.

Position histories go through the import like every table (checked rows, all or nothing), the
rule ``observed-transition`` counts the moves between consecutive tenures, ``career next`` weighs
them, and ``bench/ranking.py`` measures the ranking against a reference on the same candidates.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from pathlib import Path

import pytest

import selaras
from selaras.engine import career
from selaras.engine.errors import InputError
from selaras.engine.ingest.generate import generate



DATA = Path(__file__).parent / "data"
ORG = DATA / "career" / "org"
HISTORY = DATA / "ranking" / "position_history.csv"
BENCH = Path(__file__).parent.parent / "bench" / "ranking.py"


def _bench():
    spec = importlib.util.spec_from_file_location("ranking_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def with_history() -> selaras.Selaras:
    org = selaras.open()
    org.import_paths([ORG, HISTORY])
    org.infer()
    return org


def test_observed_transitions_count_people_and_dates(with_history) -> None:
    rows = with_history.query("""PREFIX sel: <https://w3id.org/selaras/ontology#>
        SELECT ?f ?t ?n ?first ?last WHERE { ?x a sel:ObservedTransition ; sel:fromPosition/sel:code ?f ;
          sel:toPosition/sel:code ?t ; sel:transitionCount ?n ; sel:firstObserved ?first ;
          sel:lastObserved ?last } ORDER BY ?f ?t""").rows
    found = {(r["f"].value, r["t"].value): (int(r["n"].value), r["first"].value, r["last"].value) for r in rows}
    assert found == {
        ("data-analyst", "ops-analyst"): (1, "2023-02-01", "2023-02-01"),
        ("ops-analyst", "ops-senior"): (2, "2020-01-01", "2022-07-01"),
        ("ops-senior", "data-analyst"): (1, "2021-06-01", "2021-06-01"),
    }


def test_career_next_weighs_what_people_did(with_history) -> None:
    cg = with_history.career().graph
    moves = {m.target: m for m in career.next_moves(cg, "ops-analyst")}
    assert (moves["ops-senior"].moved, moves["ops-senior"].observed) == (2, 1.0)  # both who left went there
    assert moves["data-analyst"].observed == 0.0
    without = career.next_moves(cg, "ops-analyst", career.RankingOptions(observed=0))
    senior = next(m for m in without if m.target == "ops-senior")
    assert moves["ops-senior"].score == pytest.approx(senior.score + 8.0, abs=1e-5)
    # the demands of a move never depend on the weights
    assert (senior.increase, senior.new, senior.total_increase) == (
        moves["ops-senior"].increase, moves["ops-senior"].new, moves["ops-senior"].total_increase)


def test_career_next_shows_who_moved(cli, tmp_path) -> None:
    store = str(tmp_path / "s")
    assert cli("--store", store, "import", str(ORG), str(HISTORY)).exit_code == 0
    out = cli("--store", store, "career", "next", "ops-analyst", "--format", "json")
    doc = json.loads(out.stdout)
    senior = next(m for m in doc["moves"] if m["position"] == "ops-senior")
    assert senior["moved"] == 2 and senior["parts"]["observed"] == 1.0
    table = cli("--store", store, "career", "next", "ops-analyst").stdout
    assert "moved" in table and "+ 8.0·observed" in table


def _import_problems(tmp_path: Path, history: str) -> tuple[list[str], bytes, bytes]:
    store = tmp_path / "s"
    with selaras.open(store) as org:
        org.import_paths([ORG])
    from .conftest import content as dump
    before = dump(str(store))
    bad = tmp_path / "position_history.csv"
    bad.write_text(history, encoding="utf-8")
    with selaras.open(store) as org, pytest.raises(InputError) as caught:
        org.import_paths([bad])
    return [str(p).removeprefix(str(tmp_path) + "/") for p in caught.value.problems], before, dump(str(store))


def test_overlapping_tenures_are_refused_naming_row_and_fix(tmp_path) -> None:
    problems, before, after = _import_problems(tmp_path, "employee,position,start,end\n"
                                               "e1,ops-analyst,2020-01-01,\n"
                                               "e1,ops-senior,2022-01-01,\n")
    assert problems == ["position_history.csv:3:start: employee e1's tenure in ops-senior from 2022-01-01 "
                        "overlaps ops-analyst from 2020-01-01 with no end date — give ops-analyst an end date "
                        "on or before 2022-01-01, or correct the dates"]
    assert before == after  # nothing written


def test_a_tenure_ending_before_it_starts_is_refused(tmp_path) -> None:
    problems, before, after = _import_problems(tmp_path, "employee,position,start,end\n"
                                               "e1,ops-analyst,2021-01-01,2020-01-01\n")
    assert problems == ["position_history.csv:2:end: ends 2020-01-01 before it starts 2021-01-01 — "
                        "swap or correct the dates"]
    assert before == after


def test_unknown_employee_and_future_start_are_refused(tmp_path) -> None:
    problems, before, after = _import_problems(tmp_path, "employee,position,start,end\n"
                                               "e9,ops-analyst,2020-01-01,\n"
                                               "e1,ops-analyst,2030-01-01,\n")
    assert problems[0].startswith("position_history.csv:2:employee: unknown employee 'e9'")
    assert problems[1].startswith("position_history.csv:3:start: 2030-01-01 is after the data's reference date")
    assert before == after


def test_a_history_continued_in_a_later_import_is_checked_against_the_store(tmp_path) -> None:
    store = tmp_path / "s"
    first = tmp_path / "a" / "position_history.csv"
    first.parent.mkdir()
    first.write_text("employee,position,start,end\ne1,ops-analyst,2020-01-01,\n", encoding="utf-8")
    later = tmp_path / "b" / "position_history.csv"
    later.parent.mkdir()
    later.write_text("employee,position,start,end\ne1,ops-senior,2022-01-01,\n", encoding="utf-8")
    with selaras.open(store) as org:
        org.import_paths([ORG, first])
        with pytest.raises(InputError, match="overlaps ops-analyst from 2020-01-01"):
            org.import_paths([later])
        # ending the stored tenure in the same import makes the history whole
        later.write_text("employee,position,start,end\ne1,ops-analyst,2020-01-01,2022-01-01\n"
                         "e1,ops-senior,2022-01-01,\n", encoding="utf-8")
        org.import_paths([later])
        org.infer()
        assert len(org.query("PREFIX sel: <https://w3id.org/selaras/ontology#> "
                             "SELECT ?x WHERE { ?x a sel:ObservedTransition }").rows) == 1


# --- the measurement -------------------------------------------------------------------------------
def test_ranking_bench_reads_a_reference_csv(with_history) -> None:
    bench = _bench()
    cg = with_history.career().graph
    ref = bench.read_csv_reference(DATA / "ranking" / "related.csv", cg)
    result = bench.evaluate(cg, ref, career.RankingOptions())
    assert result["reference_pairs"] == 6
    assert set(result["rankings"]) == {"selaras", "selaras-no-history", "previous", "euclidean", "cosine", "random"}
    for figures in result["rankings"].values():
        assert set(figures) == {"P@5", "P@10", "nDCG@10"}
        assert all(0.0 <= v <= 1.0 for v in figures.values())


def test_ranking_bench_names_the_row_of_an_unknown_code(with_history, tmp_path, capsys) -> None:
    bench = _bench()
    bad = tmp_path / "related.csv"
    bad.write_text("source,target\nops-analyst,ops-senior\nops-analyst,nowhere\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"related.csv:3:target: unknown position 'nowhere'"):
        bench.read_csv_reference(bad, with_history.career().graph)


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory) -> str:
    """A generated organisation with histories that follow its career structure, on disk."""
    out = tmp_path_factory.mktemp("gen") / "org"
    generate(out, employees=1500, positions=100, seed=11)
    store = tmp_path_factory.mktemp("gen") / "store"
    with selaras.open(store) as org:
        org.import_paths([out])
        org.infer()
    return str(store)


def test_the_default_ranking_beats_the_baselines_on_held_out_transitions(generated_store, tmp_path) -> None:
    bench = _bench()
    out = tmp_path / "figures.json"
    assert bench.main(["--store", generated_store, "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    r = result["rankings"]
    assert result["sources"] >= 20
    for baseline in ("euclidean", "cosine", "random", "previous"):
        assert r["selaras"]["nDCG@10"] > r[baseline]["nDCG@10"], baseline
        assert r["selaras"]["P@10"] >= r[baseline]["P@10"], baseline
    # without the histories the profiles alone still beat the plain distances
    for baseline in ("cosine", "random"):
        assert r["selaras-no-history"]["nDCG@10"] > r[baseline]["nDCG@10"], baseline


def test_the_held_out_moves_are_not_seen_by_the_ranking(generated_store) -> None:
    bench = _bench()
    with selaras.open(generated_store, read_only=True) as org:
        cg = org.career().graph
        ref = bench.holdout_reference(cg, 0.2, None)
        moves = bench.moves_of_histories(cg)
    cutoff = moves[int(len(moves) * 0.8)][0]
    assert sum(ref.observed.values()) == sum(1 for day, _, _ in moves if day < cutoff)
    assert sum(map(len, ref.relevant.values())) <= sum(1 for day, _, _ in moves if day >= cutoff)
