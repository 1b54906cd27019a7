"""`selaras generate`: deterministic synthetic organisations that import cleanly and give the rules work."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import pytest

import selaras
from selaras.engine.errors import InputError
from selaras.engine.ingest.generate import REFERENCE_DATE, generate
from selaras.engine.ingest.tabular import TABLES_BY_FILE

SEL = "https://w3id.org/selaras/ontology#"
SIZE = {"employees": 120, "positions": 24}


def _rows(folder: Path, file: str) -> list[dict[str, str]]:
    with open(folder / file, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _count(org: selaras.Selaras, cls: str) -> int:
    return int(org.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a <{SEL}{cls}> }}").rows[0]["n"].value)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "org"
    generate(out, seed=7, **SIZE)
    return out


@pytest.fixture(scope="module")
def imported(folder: Path, tmp_path_factory) -> str:
    """A fresh store that `selaras import` and `selaras infer` filled from the generated folder."""
    from click.testing import CliRunner

    from selaras.cli import main

    store = str(tmp_path_factory.mktemp("generated-store") / "store")
    runner = CliRunner()
    result = runner.invoke(main, ["--store", store, "import", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    result = runner.invoke(main, ["--store", store, "infer", "--no-owl"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return store


def test_same_seed_gives_identical_files(folder: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, seed=7, **SIZE)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(folder, again, names, shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_another_organisation(folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, seed=8, **SIZE)
    assert (other / "assessments.csv").read_bytes() != (folder / "assessments.csv").read_bytes()
    assert (other / "requirements.csv").read_bytes() != (folder / "requirements.csv").read_bytes()


def test_files_use_the_declared_columns(folder: Path) -> None:
    for path in sorted(folder.glob("*.csv")):
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        declared = [c.name for c in TABLES_BY_FILE[path.name].columns]
        assert [c for c in declared if c in header] == header, path.name
        assert all(c.name in header for c in TABLES_BY_FILE[path.name].columns if c.required), path.name


def test_structure_follows_the_paper(folder: Path) -> None:
    groups = [r["group"] for r in _rows(folder, "competencies.csv")]
    assert [groups.count(g) for g in ("core", "leadership", "behavioral", "technical")] == [4, 6, 9, 67]
    settings = {r["key"]: r["value"] for r in _rows(folder, "settings.csv")}
    assert settings["reference_date"] == REFERENCE_DATE.isoformat() == "2026-06-30"
    positions = {r["position"]: r for r in _rows(folder, "positions.csv")}
    assert len(positions) == SIZE["positions"]
    assert 8 <= len(_rows(folder, "families.csv")) <= 20
    assert {r["track"] for r in positions.values()} == {"managerial", "specialist"}
    for p in positions.values():  # everyone but a family head reports to a higher grade of the family
        if p["reports_to"]:
            boss = positions[p["reports_to"]]
            assert boss["family"] == p["family"] and boss["track"] == "managerial"
            assert int(boss["grade"].lstrip("ABC")) > int(p["grade"].lstrip("ABC"))
    assert 10 <= len(_rows(folder, "schemes.csv")) <= 40
    assert all(2 <= int(r["level"]) <= 4 for r in _rows(folder, "scheme_competencies.csv"))


def test_requirements_rise_with_grade(folder: Path) -> None:
    grade = {r["position"]: int(r["grade"].lstrip("ABC")) for r in _rows(folder, "positions.csv")}
    groups = {r["code"]: r["group"] for r in _rows(folder, "competencies.csv")}
    need: dict[str, dict[str, int]] = {}
    for r in _rows(folder, "requirements.csv"):
        need.setdefault(r["position"], {})[r["competency"]] = int(r["level"])
    for position, levels in need.items():
        counts = {g: sum(1 for c in levels if groups[c] == g) for g in ("core", "leadership", "behavioral",
                                                                        "technical")}
        assert counts["core"] == 4 and counts["leadership"] == 6, position
        assert 3 <= counts["behavioral"] <= 6 and 4 <= counts["technical"] <= 10, (position, counts)
    low = min(need, key=grade.get)
    high = max(need, key=grade.get)
    assert need[high]["INT"] > need[low]["INT"]


def test_people_form_a_pyramid_with_mostly_fresh_assessments(folder: Path) -> None:
    grade = {r["position"]: int(r["grade"].lstrip("ABC")) for r in _rows(folder, "positions.csv")}
    employees = _rows(folder, "employees.csv")
    assert len(employees) == SIZE["employees"]
    low = sum(1 for e in employees if grade[e["position"]] <= 3)
    high = sum(1 for e in employees if grade[e["position"]] >= 9)
    assert low > 3 * high
    dates = [r["date"] for r in _rows(folder, "assessments.csv")]
    assert min(dates) >= "2023-06-30" and max(dates) <= "2026-06-30"
    stale = sum(1 for d in dates if d < "2024-06-30") / len(dates)
    assert 0.03 < stale < 0.3
    assert _rows(folder, "certifications.csv")


def test_import_and_inference_find_gaps_moves_and_unaligned(imported: str) -> None:
    with selaras.open(imported, read_only=True) as org:
        assert _count(org, "Employee") == SIZE["employees"]
        assert _count(org, "CompetencyGap") > 0
        assert _count(org, "CareerMove") > 0
        assert _count(org, "UnalignedCompetency") > 0
        assert _count(org, "MissingAssessment") > 0
        assert _count(org, "StaleAssessment") > 0
        below = org.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?g <{SEL}gapStatus> <{SEL}Below> }}")
        assert int(below.rows[0]["n"].value) > 0


def test_cli_generate(cli, tmp_path: Path) -> None:
    result = cli("generate", "--employees", "30", "--positions", "10", "--seed", "3", "--out", str(tmp_path / "o"),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rows"]["employees.csv"] == 30 and report["rows"]["positions.csv"] == 10
    assert (tmp_path / "o" / "README.md").exists()


def test_seven_level_scale_with_synthesised_competencies(tmp_path: Path) -> None:
    out = tmp_path / "seven"
    generate(out, employees=50, positions=16, seed=2, competencies=40, scale_levels=7)
    assert [int(r["rank"]) for r in _rows(out, "levels.csv")] == list(range(1, 8))
    levels = [int(r["level"]) for r in _rows(out, "requirements.csv")]
    assert max(levels) <= 7 and max(levels) >= 6
    org = selaras.open()
    org.import_paths([out])
    org.infer()
    assert org.stats().competencies_by_group == {"core": 4, "leadership": 6, "behavioral": 9, "technical": 21}
    assert org.stats().levels_by_scale == {"gen7": 7}
    assert _count(org, "CompetencyGap") > 0 and _count(org, "CareerMove") > 0


@pytest.mark.parametrize("kwargs, option", [
    ({"employees": -1, "positions": 10}, "--employees"),
    ({"employees": 10, "positions": 1}, "--positions"),
    ({"employees": 10, "positions": 10, "competencies": 20}, "--competencies"),
    ({"employees": 10, "positions": 10, "scale_levels": 2}, "--levels"),
], ids=["employees", "positions", "competencies", "levels"])
def test_bad_arguments_say_the_range(kwargs: dict, option: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=option):
        generate(tmp_path, **kwargs)
