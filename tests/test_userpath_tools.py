"""The dense-framework generator (engine/ingest/framework_gen.py) and the helpers of bench/userpath.py."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import selaras
from selaras.engine.ingest import framework, framework_gen

BENCH = Path(__file__).resolve().parent.parent / "bench" / "userpath.py"


@pytest.fixture(scope="module")
def up():
    """bench/userpath.py, imported from its file (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("userpath", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["userpath"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["userpath"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- the framework generator --------------------------------------------------------------------
def test_framework_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        framework_gen.generate_framework(tmp_path / name, positions=30, competencies=8, families=4, seed=seed)
    for file in ("requirements.csv", "positions.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "requirements.csv").read_bytes() != (tmp_path / "c" / "requirements.csv").read_bytes()


def test_framework_shape(tmp_path):
    summary = framework_gen.generate_framework(tmp_path, positions=30, competencies=8, families=4, grades=5, seed=1)
    assert (summary["positions"], summary["competencies"], summary["requirements"]) == (30, 8, 240)
    positions, reqs = _rows(tmp_path / "positions.csv"), _rows(tmp_path / "requirements.csv")
    assert list(positions[0]) == ["position", "label", "family", "grade", "track"]
    assert list(reqs[0]) == ["position", "competency", "level", "importance"]
    codes = [p["position"] for p in positions]
    assert len(codes) == len(set(codes)) == 30
    assert all(re.fullmatch(r"\d\d-\d{4}\.00", c) for c in codes)
    assert len({p["label"] for p in positions}) == 30
    assert len({p["family"] for p in positions}) == 4
    assert {p["grade"] for p in positions} == {f"Job Zone {g}" for g in range(1, 6)}
    assert {p["track"] for p in positions} == {"managerial", "specialist"}
    # dense: every position requires every competency, once
    by_position = defaultdict(list)
    for r in reqs:
        by_position[r["position"]].append(r["competency"])
    competencies = set(by_position[codes[0]])
    assert len(competencies) == 8 and set(by_position) == set(codes)
    assert all(sorted(cs) == sorted(competencies) for cs in by_position.values())
    for r in reqs:
        assert re.fullmatch(r"\d\.\d\d", r["level"]) and 0 <= float(r["level"]) <= 7
        assert re.fullmatch(r"\d\.\d\d", r["importance"]) and 1 <= float(r["importance"]) <= 5
    # higher grades need more
    grade = {p["position"]: int(p["grade"].split()[-1]) for p in positions}
    low = [float(r["level"]) for r in reqs if grade[r["position"]] <= 2]
    high = [float(r["level"]) for r in reqs if grade[r["position"]] >= 4]
    assert sum(high) / len(high) > sum(low) / len(low) + 0.5


def test_framework_rejects_a_count_below_one(tmp_path):
    with pytest.raises(ValueError, match="families must be at least 1"):
        framework_gen.generate_framework(tmp_path, positions=3, families=0)


def test_framework_imports(tmp_path):
    framework_gen.generate_framework(tmp_path, positions=30, competencies=8, families=4, grades=5, seed=2)
    org = selaras.open()
    report = framework.import_framework(org.store, tmp_path / "requirements.csv", tmp_path / "positions.csv")
    assert (report.positions, report.requirements, report.competencies_new) == (30, 240, 8)
    assert report.families == 4
    assert report.grades == [f"Job Zone {g}" for g in range(1, 6)]
    assert 0 <= report.low < report.high <= 7 and report.scale == f"fw{report.low}-{report.high}"
    n = org.store.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/selaras/ontology#Position> }")
    assert int(n.rows[0]["n"].value) == 30


def test_framework_command_line(tmp_path, capsys):
    assert framework_gen.main(["--out", str(tmp_path), "--positions", "6", "--competencies", "3",
                               "--families", "2", "--grades", "3", "--seed", "5"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and "18 requirements of 6 positions × 3 competencies" in line
    assert len(_rows(tmp_path / "requirements.csv")) == 18


# --- bench/userpath.py's helpers ----------------------------------------------------------------
def test_verdicts(up):
    t = up.Target(seconds=10, peak_mb=2048)
    assert up.verdict(up.Measurement("b", "import", wall_s=9.9, peak_mb=2000, target=t)) is True
    assert up.verdict(up.Measurement("b", "import", wall_s=10.1, peak_mb=100, target=t)) is False
    assert up.verdict(up.Measurement("b", "import", wall_s=1, peak_mb=2049, target=t)) is False
    assert up.verdict(up.Measurement("b", "import", wall_s=1, peak_mb=1)) is None  # no target
    assert up.verdict(up.Measurement("b", "infer", status="timeout", wall_s=900, target=t)) is False
    assert up.verdict(up.Measurement("b", "infer", status="failed", wall_s=1, peak_mb=1, target=t)) is False
    assert up.verdict(up.Measurement("b", "query", status="skipped", target=t)) is None
    ratio = up.Target(ratio=1.5)
    assert up.verdict(up.Measurement("a", "r", status="derived", ratio=1.4, target=ratio)) is True
    assert up.verdict(up.Measurement("a", "r", status="derived", ratio=1.6, target=ratio)) is False
    assert up.verdict(up.Measurement("a", "r", status="derived", target=ratio)) is False  # no figure


def test_table_rows_and_markdown(up):
    results = [
        up.Measurement("b org", "infer", wall_s=31.333, peak_mb=979.4, target=up.Target(20, 2048)),
        up.Measurement("a", "on disk / in memory", status="derived", ratio=7.004, target=up.Target(ratio=1.5),
                       note="4.670 s / 0.667 s"),
        up.Measurement("b org", "audit", status="timeout", wall_s=900.0, note="killed after 900 s",
                       target=up.Target(seconds=10)),
    ]
    assert up.table_rows(results) == [
        ["b org", "infer", "31.33", "979", "≤ 20 s, ≤ 2 GB", "NO", ""],
        ["a", "on disk / in memory", "7.00×", "", "≤ 1.5×", "NO", "4.670 s / 0.667 s"],
        ["b org", "audit", "900.00", "", "≤ 10 s", "NO", "timeout: killed after 900 s"],
    ]
    md = up.markdown(results).splitlines()
    assert md[0] == "| workload | command | wall s | peak MB | target | met? | note |"
    assert len(md) == 2 + 3 and md[3].startswith("| a | on disk / in memory | 7.00× |")


def test_saved_run_reads_back(up, tmp_path):
    results = [up.Measurement("b", "import", ["selaras", "import"], wall_s=1.5, peak_mb=10.0,
                              target=up.Target(seconds=10), extra={"stdout_bytes": 3})]
    up.save(tmp_path / "r.json", {"date": "x"}, results)
    meta, back = up.load(tmp_path / "r.json")
    assert meta == {"date": "x"} and back == results


def test_query_examples_fit_the_generated_data(up):
    values = {"position": ["own", "boss", "p3"], "employee": ["E0001", "E0013"]}
    fitted = up.fit_example([["from", "position"], ["to", "position"], ["lang", "string"]],
                            [["from", "manager-sertifikasi-a2"], ["to", "kepala-lsp"], ["lang", "id"]], values)
    assert fitted == [("from", "own"), ("to", "boss"), ("lang", "id")]
    assert up.fit_example([["employee", "employee"]], [["employee", "E0013"]], values) == [("employee", "E0013")]
    node = "https://w3id.org/selaras/id/gap/E0013/CT"
    assert up.fit_example([["node", "iri"]], [["node", node]], values, resolve_iri=lambda iri: iri + "X") \
        == [("node", node + "X")]


def test_output_parsers(up):
    assert up.infer_figures(b"\n 1491327 triples inferred by 21 rules in 25.23 s (1 pass)") == (1491327, 25.23)
    assert up.moves_per_position(b"f,n\r\nhttps://x/p1,3\r\nhttps://x/p2,12\r\n") == {"https://x/p1": 3,
                                                                                       "https://x/p2": 12}
    assert up.parse_workloads("framework, b") == ["b", "c"]
    with pytest.raises(Exception, match="unknown workload 'z'"):
        up.parse_workloads("a,z")


def test_run_process_measures_and_kills(up):
    grow = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    r = up.run_process([sys.executable, "-c", grow + "; print('done'); raise SystemExit(3)"], 30, keep_stdout=True)
    assert (r.exit_code, r.timed_out, r.stdout) == (3, False, b"done\n")
    assert r.peak_kb >= 200 * 1024  # this process's own peak, from os.wait4
    r = up.run_process([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert r.timed_out and r.exit_code is None and r.wall_s < 10
