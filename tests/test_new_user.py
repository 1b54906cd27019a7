"""What a new user trips over: each test is a command a newcomer typed and what they expected.

A rejected import leaves no store behind; a store without an organisation says so instead of
answering with nothing; names are found as everywhere else; a wrong parameter value is an error
that lists the valid ones; SPARQL mistakes are reported as SPARQL mistakes.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from .conftest import DATA


@pytest.fixture
def bad_csv(tmp_path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("code,name\nE1\n", encoding="utf-8")
    return path


def test_a_rejected_import_into_a_new_store_leaves_no_store(cli, tmp_path, bad_csv) -> None:
    target = tmp_path / "new"
    result = cli("--store", str(target), "import", str(bad_csv))
    assert result.exit_code == 2 and "nothing was written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # no folder, no lock file


def test_a_rejected_import_into_an_existing_store_keeps_it(cli, store, bad_csv) -> None:
    result = cli("--store", store, "import", str(bad_csv))
    assert result.exit_code == 2 and Path(store, "CURRENT").exists()


def test_a_store_without_an_organisation_says_so(cli, tmp_path) -> None:
    target = str(tmp_path / "empty")
    assert cli("--store", target, "init").exit_code == 0
    audit = cli("--store", target, "audit")
    assert audit.exit_code == 2 and "holds no organisation" in audit.stderr and "nothing to audit" in audit.stderr
    query = cli("--store", target, "query", "class-counts")
    assert query.exit_code == 0 and "holds no organisation" in query.stderr
    imported = cli("--store", target, "import", str(DATA / "mini"))
    assert imported.exit_code == 0
    assert "holds no organisation" not in cli("--store", target, "query", "class-counts").stderr


@pytest.mark.parametrize("thing, expected", [
    ("kepala-lsp", "[Position]"),
    ("Kepala LSP", "[Position]"),
    ("E0013", "[Employee]"),
    ("<https://w3id.org/selaras/id/gap/E0013/CT>", "Competency gap"),
    ("E0013 CT", "Competency gap"),
])
def test_explain_names_things_as_everywhere_else(cli, example_store, thing, expected) -> None:
    result = cli("--store", example_store, "explain", thing)
    assert result.exit_code == 0 and expected in result.stdout


@pytest.mark.parametrize("thing, message", [
    ("Manager Sertifikasi -> kepala-lsp", "names 2 positions: manager-sertifikasi-a2"),
    ("Siti", "is part of the names of 7 employees"),
    ("<not an iri>", "nothing called"),
    ("no-such-thing", "nothing called 'no-such-thing'"),
])
def test_explain_of_an_ambiguous_or_unknown_name_is_an_error_not_a_traceback(cli, example_store, thing,
                                                                              message) -> None:
    result = cli("--store", example_store, "explain", thing)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("args, message", [
    (("employee-gaps", "-p", "employee=E0013", "-p", "status=foo"), "use one of: unmet, below, not-assessed, met"),
    (("certifications", "-p", "status=bogus"), "use one of: valid, expiring, expired, not-yet-valid"),
    (("largest-gaps", "-p", "by=grade"), "use one of: family, unit, position"),
    (("talent-pool", "-p", "position=nope"), "`selaras query entities --param kind=position` lists them"),
    (("employee-gaps", "-p", "employee=E9999"), "no employee 'E9999'"),
    (("employee-gaps", "-p", "employee=Siti"), "E0013 (Siti Hakim)"),
])
def test_a_parameter_value_outside_its_choices_is_an_error_with_them(cli, example_store, args, message) -> None:
    result = cli("--store", example_store, "query", *args)
    assert result.exit_code == 2 and message in result.stderr


def test_any_is_the_one_spelling_of_every_value_and_ids_match_as_numbers(cli, example_store) -> None:
    every = cli("--store", example_store, "query", "employee-gaps", "-p", "employee=E13", "-p", "status=any",
                "--format", "csv")
    unmet = cli("--store", example_store, "query", "employee-gaps", "-p", "employee=E0013", "--format", "csv")
    assert every.exit_code == 0 and len(every.stdout.splitlines()) > len(unmet.stdout.splitlines()) > 1
    listed = cli("--store", example_store, "query", "entities", "-p", "kind=employee", "--format", "csv")
    assert "E0013,Siti Hakim," in listed.stdout


def test_tables_never_break_codes_dates_or_numbers(cli, example_store) -> None:
    from selaras.engine.render import records_table

    piped = cli("--store", example_store, "query", "employee-gaps", "-p", "employee=E0013").stdout
    rows = [line for line in piped.splitlines() if line.startswith("  E0013 ")]
    assert rows and all("Siti Hakim" in line and "asesor-kompetensi" in line for line in rows)  # one line a row
    narrow = records_table(None, ["employee_code", "assessed_on", "competency_label"],
                           [["E0013", "2026-06-13", "Quality Management"]], width=40)
    assert "employee_code" in narrow and "2026-06-13" in narrow and "Management" in narrow
    too_narrow = records_table(None, ["position"], [["manager-sertifikasi-c8"]], width=10)
    assert "manager-sertifikasi-c8" in too_narrow  # past the width rather than cut


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_work_shows_progress_on_a_terminal_and_nothing_when_piped(monkeypatch, cli, example_store) -> None:
    from selaras.cli import working

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with working("checking the data") as step:
        step("reasoning (OWL)")
    assert "reasoning (OWL)" in terminal.getvalue() or "checking the data" in terminal.getvalue()
    monkeypatch.undo()
    piped = cli("--store", example_store, "check", "--no-owl")
    assert piped.exit_code == 0 and piped.stderr == ""  # nothing extra when piped


def test_check_reasons_once_per_model(cli, example_store, monkeypatch) -> None:
    from selaras.engine import validation

    first = cli("--store", example_store, "check")
    assert first.exit_code == 0 and "OWL (HermiT): consistent" in first.stdout
    monkeypatch.setattr(validation.owl, "_hermit", lambda *a: pytest.fail("HermiT ran again on an unchanged model"))
    again = cli("--store", example_store, "check")
    assert again.stdout == first.stdout


def _version(store: str) -> str:
    import selaras
    from selaras.engine.ingest import importer

    with selaras.open(store, read_only=True) as org:
        return next(org.store.match(importer.FACTS, importer.VERSION_INFO, None)).object.value


def test_an_import_that_changes_nothing_says_so_and_keeps_the_version(cli, store, tmp_path) -> None:
    before = _version(store)
    header_only = tmp_path / "employees.csv"
    header_only.write_text("employee,name,position\n", encoding="utf-8")
    empty = cli("--store", store, "import", str(header_only))
    assert empty.exit_code == 0 and "nothing changed" in empty.stdout
    template = tmp_path / "template.xlsx"
    assert cli("template", str(template)).exit_code == 0
    assert "nothing changed" in cli("--store", store, "import", str(template)).stdout
    again = cli("--store", store, "import", str(DATA / "mini"))
    assert again.exit_code == 0 and "the store holds these facts already" in again.stdout
    assert _version(store) == before  # no conclusion turned stale
    rows = (DATA / "mini" / "employees.csv").read_text(encoding="utf-8").splitlines()
    changed = tmp_path / "one" / "employees.csv"
    changed.parent.mkdir()
    changed.write_text(rows[0] + "\n" + rows[1].replace(rows[1].split(",")[1], "Someone Else", 1) + "\n",
                       encoding="utf-8")
    one = cli("--store", store, "import", str(changed))
    assert one.exit_code == 0 and "imported 1 row from 1 file: 1 fact added, 1 replaced" in one.stdout
    assert _version(store) != before


def test_smaller_things_read_right(cli, store, example_store, tmp_path) -> None:
    bad = tmp_path / "assessments.csv"
    bad.write_text("employee,competency,level,date,method\nnobody,CORE,2,2026-01-10,360\n", encoding="utf-8")
    assert "use an employee defined in employees.csv" in cli("--store", store, "import", str(bad)).stderr
    assert "source column" not in cli("rules", "--help").stdout and "depends on" in cli("rules").stdout
    demo = cli("demo", "--lang", "id").stdout
    assert "kompetensi" in demo and "Kesimpulan" in demo and "Conclusions" not in demo
    audit = cli("--store", example_store, "audit", "--format", "html", "-o", str(tmp_path / "a.html"), "--lang", "id")
    assert "laporan html ditulis" in audit.stderr and "temuan" in audit.stderr
    nxt = cli("--store", example_store, "career", "next", "verifikator-pmr", "--all").stdout
    assert "⇄" not in nxt or "⇄ the move changes track" in nxt
    premises = cli("--store", example_store, "query", "explain-conclusion", "-p",
                   "node=https://w3id.org/selaras/id/gap/E0013/CT", "--format", "csv").stdout
    assert "Asesor Kompetensi · Conceptual Thinking" in premises and ",," not in premises.splitlines()[1]


def test_a_framework_grade_keeps_its_name(cli, tmp_path) -> None:
    target = str(tmp_path / "fw")
    framework = DATA / "career" / "framework"
    assert cli("--store", target, "career", "import-framework", str(framework / "requirements.csv"),
               str(framework / "positions.csv")).exit_code == 0
    listed = cli("--store", target, "query", "entities", "-p", "kind=position", "--format", "csv").stdout
    first = listed.splitlines()[1].split(",")[0]
    shown = cli("--store", target, "career", "next", first).stdout
    assert "Job Zone" in shown and "job-zone-" not in shown.splitlines()[0]


def test_an_export_of_stale_conclusions_says_so(cli, store, tmp_path) -> None:
    assert cli("--store", store, "infer", "--no-owl").exit_code == 0
    assert "are stale" not in cli("--store", store, "export", "--graph", "inferred", "-o", str(tmp_path / "a.nq")).stderr
    employees = tmp_path / "employees.csv"
    employees.write_text("employee,name,position\ne1,Ani Lain,ops-staff\n", encoding="utf-8")
    assert cli("--store", store, "import", str(employees)).exit_code == 0
    assert "are stale" in cli("--store", store, "export", "--graph", "inferred", "-o", str(tmp_path / "b.nq")).stderr



def test_the_career_map_page_stays_readable(cli, example_store, tmp_path) -> None:
    page = tmp_path / "map.html"
    assert cli("--store", example_store, "career", "map", "--format", "html", "-o", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert '<div id="map" class="hide-across">' in text and 'id="family"' in text and 'id="track"' in text
    assert 'class="move across"' in text and 'class="move ladder"' in text  # across-family moves hidden at first
    assert "Kepala Lembaga" in text and "Sertifikasi Profesi" in text  # a long title wraps
    assert "changes track" in text and "managerial position" in text and "specialist position" in text  # legend
    assert "width: 100%" in text  # fits the window: no sideways scrolling


def test_the_heat_map_shows_absence_as_an_alarm(cli, example_store, tmp_path) -> None:
    page = tmp_path / "audit.html"
    cli("--store", example_store, "audit", "--format", "html", "-o", str(page))
    text = page.read_text(encoding="utf-8")
    assert 'class="cov best none nothing" data-best="scheme"' in text and "✘</td>" in text
    assert "no scheme (or programme) covers it at all" in text


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "1.5", "-1", "abc"])
def test_a_number_parameter_outside_its_range_is_refused_with_the_range(cli, example_store, value) -> None:
    result = cli("--store", example_store, "query", "talent-pool", "-p", "position=verifikator-senior",
                 "-p", f"min_readiness={value}")
    assert result.exit_code == 2 and "(from 0 to 1)" in result.stderr
