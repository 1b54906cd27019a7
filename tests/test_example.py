"""The bundled organisation is faithful to the seed paper, and labels what it adds."""

from __future__ import annotations

import csv
import json

import pytest

from selaras.ontology import EXAMPLE_DIR

# The paper's model table (§E, "Model Kompetensi yang diterapkan"): position code, grade, and the
# required levels of INT CFV FCI LRS SO IMI SFE CL BT LA AT CT CFO, copied from the paper.
COLUMNS = ("INT", "CFV", "FCI", "LRS", "SO", "IMI", "SFE", "CL", "BT", "LA", "AT", "CT", "CFO")
MODEL_TABLE = {
    "kepala-lsp": ("C11", "4 4 4 4 4 4 4 4 4 4 4 4 4"),
    "manager-sertifikasi-c8": ("C8", "3 4 4 3 3 3 3 4 3 4 4 4 3"),
    "manager-sertifikasi-a2": ("A2", "1 2 2 1 1 1 2 1 2 2 2 2 1"),
    "staf-sertifikasi-c8": ("C8", "4 4 3 3 3 3 3 4 3 4 4 4 3"),
    "manager-manajemen-mutu-staf-a2": ("A2", "2 2 1 1 1 1 2 1 2 2 2 2 1"),
    "manager-manajemen-mutu-staf-c8": ("C8", "4 4 3 3 3 3 3 4 3 4 4 4 3"),
    "manager-administrasi-a1": ("A1", "1 2 1 1 1 1 2 1 1 1 2 1 1"),
}
SCHEMES = {
    "PETUGAS PEMERIKSA & KEPATUHAN": 200, "VERIFIKATOR PENJAMINAN MANFAAT RUKUNAN": 1337,
    "STAF PENAGIHAN IURAN": 251, "RELATIONSHIP OFFICER": 560, "STAF FRONTLINER": 169,
    "STAF ADMINISTRASI PERLUASAN KEPESERTAAN": 111, "STAF ADMINISTRASI KEPESERTAAN DI KC": 509,
    "STAF PENGELOLAAN FASILITAS PRIMER": 131, "STAF PENGELOLAAN FASILITAS RUKUNAN": 137,
    "STAF PENANGANAN PENGADUAN PESERTA DI KANTOR CABANG": 762,
}


def rows(name: str) -> list[dict[str, str]]:
    with open(EXAMPLE_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_stats_report_the_papers_counts(cli) -> None:
    result = cli("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["competencies_by_group"] == {"core": 4, "leadership": 6, "behavioral": 9, "technical": 67}
    assert stats["competencies"] == 86
    assert stats["levels_by_scale"] == {"lxy5": 5}
    assert len(stats["schemes"]) == 10 and stats["scheme_headcount"] == 4167
    positions_from_paper = stats["classes"]["Position"] - stats["illustrative"]["Position"]
    assert positions_from_paper == 7


PREFIXES = ("PREFIX sel: <https://w3id.org/selaras/ontology#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")


@pytest.mark.parametrize("query, expected", [
    ("SELECT (COUNT(?c) AS ?n) WHERE { ?c a/rdfs:subClassOf* sel:Competency }", "86"),
    ("SELECT (COUNT(?c) AS ?n) WHERE { ?c a sel:TechnicalCompetency }", "67"),
    ("SELECT (SUM(?h) AS ?n) WHERE { ?s a sel:CertificationScheme ; sel:headcount ?h }", "4167"),
    ("SELECT (COUNT(?l) AS ?n) WHERE { ?l a sel:ProficiencyLevel }", "5"),
], ids=["competencies", "technical", "headcount", "levels"])
def test_a_sparql_count_agrees_with_stats(cli, query: str, expected: str) -> None:
    result = cli("query", PREFIXES + query, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"] == expected


def test_the_model_table_is_exact() -> None:
    positions = {r["position"]: r for r in rows("positions.csv")}
    required = {(r["position"], r["competency"]): r for r in rows("requirements.csv")}
    for position, (grade, levels) in MODEL_TABLE.items():
        assert positions[position]["grade"] == grade
        assert positions[position]["illustrative"].lower() != "true"
        for code, level in zip(COLUMNS, levels.split(), strict=True):
            row = required[(position, code)]
            assert row["level"] == level, (position, code)
            assert "model table" in row["source"] and row["illustrative"].lower() != "true"


def test_the_schemes_and_headcounts_are_exact() -> None:
    assert {r["label"]: int(r["headcount"]) for r in rows("schemes.csv")} == SCHEMES


def test_the_competency_list_is_repaired_and_recorded() -> None:
    competencies = {r["code"]: r for r in rows("competencies.csv")}
    assert len(competencies) == 86
    assert competencies["PKM"]["label_en"] == "Product Knowledge Management"
    assert "repair" in competencies["PKM"]["source"].lower()
    assert "Product Knowledge" not in {r["label_en"] for r in competencies.values()}


def test_the_five_levels_carry_the_papers_definitions() -> None:
    levels = {int(r["rank"]): r for r in rows("levels.csv")}
    assert sorted(levels) == [1, 2, 3, 4, 5]
    assert levels[1]["label_id"].lower().startswith("tahu dan dapat menjelaskan")
    assert "Subject Matter Expert" in levels[5]["label_id"]


@pytest.mark.parametrize("name", ["employees.csv", "assessments.csv", "certifications.csv", "programs.csv",
                                  "program_competencies.csv", "scheme_competencies.csv", "grades.csv",
                                  "families.csv", "units.csv"])
def test_illustrative_tables_are_labelled_on_every_row(name: str) -> None:
    assert all(r["illustrative"].lower() == "true" for r in rows(name))


def test_the_example_is_large_enough() -> None:
    assert len(rows("employees.csv")) >= 200 and len(rows("programs.csv")) >= 15


def test_scheme_headcounts_count_certifications_not_inferred_needs(example) -> None:
    """Regression: CertificationNeed nodes carry sel:employee and sel:scheme too; the union graph
    made them count as certificates once inference had run."""
    import selaras

    fresh = selaras.open(example=True)  # facts only, no conclusions
    before = {r["code"]: r["certified"] for r in fresh.stats().schemes}
    after = {r["code"]: r["certified"] for r in example.stats().schemes}
    assert before == after and sum(after.values()) < 110
