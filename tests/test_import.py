"""Import: every problem reported as file:row:column — fix, nothing written; XLSX, RDF, upserts."""

from __future__ import annotations

import csv

import pytest

import selaras
from selaras.engine.store import FACTS_GRAPH
from selaras.engine.ingest.tabular import write_template

from .conftest import DATA, content

MINI = DATA / "mini"




# name, file name, file content (bytes or text), the message the error must carry
BAD_INPUTS = [
    ("level-outside-scale", "requirements.csv", "position,competency,level\nops-staff,TA,9\n",
     "requirements.csv:2:level: level 9 is outside the scale of TA (0–6) — use a level from 0 to 6"),
    ("unknown-competency", "requirements.csv", "position,competency,level\nops-staff,XX,2\n",
     "requirements.csv:2:competency: unknown competency 'XX' — use a competency defined in competencies.csv"),
    ("unknown-position", "employees.csv", "employee,name,position\ne9,Dewi,nowhere\n",
     "employees.csv:2:position: unknown position 'nowhere'"),
    ("duplicate-id", "employees.csv", "employee,name,position\ne9,Dewi,ops-staff\ne9,Eko,ops-mgr\n",
     "employees.csv:3:employee: duplicate employee 'e9' (first at"),
    ("non-numeric-level", "requirements.csv", "position,competency,level\nops-staff,TA,three\n",
     "requirements.csv:2:level: 'three' is not a whole number"),
    ("missing-column", "requirements.csv", "position,competency\nops-staff,TA\n",
     "requirements.csv:1:level: required column 'level' is missing — add the column to the header row"),
    ("extra-column", "families.csv", "family,label_en,colour\nhr,HR,blue\n",
     "families.csv:1:colour: unknown column 'colour' — remove it or rename it"),
    ("empty-file", "families.csv", "", "families.csv: the file is empty — add a header row"),
    ("too-many-fields", "families.csv", "family,label_en\nhr,HR,extra\n",
     "families.csv:2: 3 fields, but the header has 2"),
    ("not-utf8", "families.csv", "family,label_en\nhr,Personalia K\xe9uangan\n".encode("latin-1"),
     "families.csv:2: byte 0xe9 is not valid UTF-8 — save the file as UTF-8"),
    ("future-date", "assessments.csv", "employee,competency,level,date\ne1,TB,2,2031-01-01\n",
     "assessments.csv:2:date: 2031-01-01 is after the data's reference date 2026-06-30"),
    ("bad-date", "assessments.csv", "employee,competency,level,date\ne1,TB,2,31/01/2025\n",
     "assessments.csv:2:date: '31/01/2025' is not a date — write it as YYYY-MM-DD"),
    ("code-with-space", "families.csv", "family,label_en\nhuman resources,HR\n",
     "families.csv:2:family: 'human resources' is not a valid code"),
    ("bad-choice", "positions.csv", "position,label,grade,family,track\nx,X,G1,ops,manager\n",
     "positions.csv:2:track: 'manager' is not allowed — use one of: managerial, specialist"),
    ("reports-to-cycle", "positions.csv",
     "position,label,grade,family,track,reports_to\na,A,G1,ops,specialist,b\nb,B,G2,ops,managerial,a\n",
     "reports_to forms a cycle: a → b → a"),
    ("expires-before-issued", "certifications.csv", "employee,scheme,issued,expires\ne3,sch1,2025-01-01,2024-01-01\n",
     "certifications.csv:2:expires: expires 2024-01-01 before it is issued 2025-01-01"),
    ("bad-readiness-scope", "settings.csv", "key,value\nreadiness_scope,everything\n",
     "settings.csv:2:value: readiness_scope 'everything' is unknown — use moves or position"),
    ("unknown-table", "salaries.csv", "employee,amount\ne1,10\n", "unknown table file name 'salaries.csv'"),
    ("turtle-syntax-error", "extra.ttl", "@prefix s: <https://e.org/> .\ns:a s:b ", "extra.ttl"),
    ("rdfxml-entities", "extra.rdf",
     '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF '
     'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
     "declares a DOCTYPE or entities, which Selaras refuses"),
]


@pytest.mark.parametrize("name, file, data, message", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_file_row_and_fix_and_nothing_changes(cli, store, tmp_path, name, file, data,
                                                                        message) -> None:
    bad = tmp_path / "in" / file
    bad.parent.mkdir()
    bad.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    before = content(store)
    result = cli("--store", store, "import", str(bad))
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert "nothing was written" in result.stderr or "error:" in result.stderr
    assert content(store) == before


def test_the_readiness_scope_setting_is_imported_and_read_by_inference(tmp_path) -> None:
    from selaras.engine import inference

    settings = tmp_path / "settings.csv"
    settings.write_text("key,value\nreadiness_scope,position\n", encoding="utf-8")
    org = selaras.open()
    org.import_paths([DATA / "mini", settings])
    assert inference.effective_settings(org.store).readiness_scope == "position"
    org.infer()
    held = org.query("SELECT ?e ?p WHERE { ?r a <https://w3id.org/selaras/ontology#Readiness> ; "
                     "<https://w3id.org/selaras/ontology#employee> ?e ; <https://w3id.org/selaras/ontology#position> ?p }")
    own = org.query("SELECT ?e ?p WHERE { ?e <https://w3id.org/selaras/ontology#holdsPosition> ?p }")
    assert {(r["e"].value, r["p"].value) for r in held.rows} == {(r["e"].value, r["p"].value) for r in own.rows}
    assert org.ensure_inferred() is None  # the data's setting: current, nothing re-inferred


def test_every_problem_is_listed_not_just_the_first(cli, store, tmp_path) -> None:
    bad = tmp_path / "requirements.csv"
    bad.write_text("position,competency,level\nops-staff,TA,9\nops-staff,XX,2\nnowhere,TA,x\n", encoding="utf-8")
    result = cli("--store", store, "import", str(bad))
    assert result.exit_code == 2
    assert "problems found; nothing was written" in result.stderr
    for where in ("requirements.csv:2:level", "requirements.csv:3:competency", "requirements.csv:4:level"):
        assert where in result.stderr


def test_a_corrected_row_replaces_the_old_value(store, tmp_path) -> None:
    fix = tmp_path / "requirements.csv"
    fix.write_text("position,competency,level\nops-staff,TA,4\n", encoding="utf-8")
    with selaras.open(store) as org:
        org.import_paths([fix])
        levels = org.query("SELECT ?l WHERE { <https://w3id.org/selaras/id/requirement/ops-staff/TA> "
                           "<https://w3id.org/selaras/ontology#requiredLevel> ?l }").rows
    assert [r["l"].value for r in levels] == ["4"]


def test_replace_drops_the_old_facts(store) -> None:
    with selaras.open(store) as org:
        org.import_paths([DATA / "mini" / "competencies.csv", DATA / "mini" / "scales.csv",
                          DATA / "mini" / "levels.csv"], replace=True)
        classes = {r["class"].value.rsplit("#", 1)[-1] for r in org.run("class-counts").rows}
    assert "Employee" not in classes and "TechnicalCompetency" in classes


def _mini_rows() -> dict[str, list[list[object]]]:
    out = {}
    for f in sorted(MINI.glob("*.csv")):
        with open(f, encoding="utf-8") as fh:
            records = list(csv.reader(fh))
        out[f.name] = (records[0], records[1:])
    return out


def test_an_xlsx_workbook_imports_the_same_facts_as_csv(tmp_path) -> None:
    from selaras.engine.ingest.tabular import TABLES_BY_FILE

    rows = {}
    for name, (header, records) in _mini_rows().items():
        columns = [c.name for c in TABLES_BY_FILE[name].columns]
        rows[name] = [[r[header.index(c)] if c in header else None for c in columns] for r in records]
    book = tmp_path / "mini.xlsx"
    write_template(str(book), rows)
    from_xlsx = selaras.open()
    from_xlsx.import_paths([book])
    from_csv = selaras.open()
    from_csv.import_paths([MINI])
    assert set(from_xlsx.store.quads(FACTS_GRAPH)) == set(from_csv.store.quads(FACTS_GRAPH))


def test_an_xlsx_with_formulas_or_merged_cells_is_refused(cli, store, tmp_path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "families"
    ws.append(["family", "label_en"])
    ws.append(["hr", "=CONCAT(\"H\",\"R\")"])
    ws.append(["it", "IT"])
    ws.merge_cells("A4:B4")
    book = tmp_path / "bad.xlsx"
    wb.save(book)
    before = content(store)
    result = cli("--store", store, "import", str(book))
    assert result.exit_code == 2
    assert "merged cells — unmerge the cells" in result.stderr
    assert content(store) == before
    ws.unmerge_cells("A4:B4")
    wb.save(book)
    result = cli("--store", store, "import", str(book))
    assert "bad.xlsx[families]:2:B: a formula" in result.stderr and "paste the computed value" in result.stderr


def test_template_lists_every_table(cli, tmp_path) -> None:
    from openpyxl import load_workbook

    from selaras.engine.ingest.tabular import TABLES

    out = tmp_path / "t.xlsx"
    assert cli("template", str(out)).exit_code == 0
    assert load_workbook(out).sheetnames == ["README", *(t.sheet for t in TABLES)]


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                                ("xml", "xml"), ("trig", "trig"), ("nq", "nquads")])
def test_export_writes_parseable_rdf(cli, store, tmp_path, fmt, rdflib_format) -> None:
    import rdflib

    out = tmp_path / f"out.{fmt}"
    result = cli("--store", store, "export", "--format", fmt, "--graph", "facts", "-o", str(out))
    assert result.exit_code == 0, result.output
    graph = rdflib.Dataset() if fmt in {"trig", "nq"} else rdflib.Graph()
    graph.parse(out, format=rdflib_format)
    assert len(graph) > 100 or sum(1 for _ in graph.quads()) > 100


def test_turtle_and_jsonld_imports_add_facts(tmp_path) -> None:
    org = selaras.open(example=True)
    ttl = tmp_path / "extra.ttl"
    ttl.write_text("@prefix sel: <https://w3id.org/selaras/ontology#> .\n"
                   "<https://w3id.org/selaras/id/family/hr> a sel:JobFamily ; sel:code \"hr\" .\n", encoding="utf-8")
    jsonld = tmp_path / "extra.jsonld"
    jsonld.write_text('{"@id": "https://w3id.org/selaras/id/family/it", '
                      '"@type": "https://w3id.org/selaras/ontology#JobFamily"}', encoding="utf-8")
    org.import_paths([ttl, jsonld])
    families = {r["class"].value: int(r["count"].value) for r in org.run("class-counts").rows}
    assert families["https://w3id.org/selaras/ontology#JobFamily"] == 10


def test_rdf_input_is_checked_against_the_shapes(cli, store, tmp_path) -> None:
    bad = tmp_path / "extra.ttl"
    bad.write_text("@prefix sel: <https://w3id.org/selaras/ontology#> .\n"
                   "<https://w3id.org/selaras/id/requirement/ops-staff/TC> a sel:Requirement ;\n"
                   "  sel:code \"ops-staff/TC\" ; sel:position <https://w3id.org/selaras/id/position/ops-staff> ;\n"
                   "  sel:competency <https://w3id.org/selaras/id/competency/TC> ; sel:requiredLevel 9 .\n",
                   encoding="utf-8")
    before = content(store)
    result = cli("--store", store, "import", str(bad))
    assert result.exit_code == 2
    assert "extra.ttl" in result.stderr and "outside the competency's scale (0–6)" in result.stderr
    assert content(store) == before


def test_a_csv_file_changed_between_checking_and_writing_aborts_the_import(tmp_path, monkeypatch) -> None:
    """Rows are read twice (checked, then written as text into one load): a change in between writes nothing."""
    import shutil

    from selaras.engine.ingest import importer

    folder = tmp_path / "org"
    shutil.copytree(MINI, folder)
    checked = importer.validate

    def validate_then_edit(batch, store):  # type: ignore[no-untyped-def]
        problems = checked(batch, store)
        employees = folder / "employees.csv"
        employees.write_text(employees.read_text(encoding="utf-8") + "e99,Late,ops-staff\n", encoding="utf-8")
        return problems

    monkeypatch.setattr(importer, "validate", validate_then_edit)
    org = selaras.open()
    before = set(org.store.quads())
    with pytest.raises(selaras.InputError, match="employees.csv: the file changed while it was being imported"):
        org.import_paths([folder])
    assert set(org.store.quads()) == before


def test_literals_are_written_as_text_exactly(tmp_path) -> None:
    """Labels with quotes, backslashes, line breaks and non-ASCII text survive the N-Quads text path."""
    label = 'Tim "A" \\ back\nslash\r\tand é ✓ 𝄞'
    families = tmp_path / "families.csv"
    with open(families, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["family", "label_en", "source"], ["odd", label, "a\\b \"c\""]])
    org = selaras.open()
    org.import_paths([families])
    rows = org.query("SELECT ?l ?s WHERE { <https://w3id.org/selaras/id/family/odd> "
                     "<http://www.w3.org/2000/01/rdf-schema#label> ?l ; <http://purl.org/dc/terms/source> ?s }").rows
    assert [(r["l"].value, r["l"].language, r["s"].value) for r in rows] == [(label, "en", 'a\\b "c"')]


def test_a_csv_file_unreadable_half_way_counts_for_nothing(tmp_path) -> None:
    """Rows before a broken line are not taken as defined: references to them are reported too."""
    import shutil

    folder = tmp_path / "org"
    shutil.copytree(MINI, folder)
    employees = folder / "employees.csv"
    employees.write_bytes(employees.read_bytes() + b"e98,K\xe9,ops-staff\n")
    org = selaras.open()
    with pytest.raises(selaras.InputError) as err:
        org.import_paths([folder])
    text = "\n".join(map(str, err.value.problems))
    assert "employees.csv:" in text and "byte 0xe9 is not valid UTF-8" in text
    assert "assessments.csv:2:employee: unknown employee 'e1'" in text
    assert org.store.count(FACTS_GRAPH) == 0
