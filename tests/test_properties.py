"""Property-based tests (hypothesis): no input makes Selaras crash with a traceback.

Importers get random tables (random text in real and made-up columns, in CSV and XLSX),
random bytes in every format, and random JSON for JSON-LD; named queries get random
parameter values. Every run must end with exit code 0 or 2, and every failure must be a
clear ``error:`` message on stderr, never an uncaught exception. A failed import must
leave the store as it was.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
import selaras
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from selaras import queries
from selaras.cli import main
from selaras.engine.ingest.tabular import TABLES_BY_FILE

from .conftest import DATA

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Values that reach past the cell parser into validation (they name things the mini organisation has).
PLAUSIBLE = ["ops-staff", "ops-mgr", "fin-analyst", "TA", "TB", "CORE", "e1", "e2", "sch1", "prg1", "G1", "ops",
             "fin", "s7", "specialist", "managerial", "technical", "core", "2", "6", "7", "-1", "0", "2026-01-01",
             "2031-01-01", "true", "", " ", "x y", "1e3", "NaN", "٣", "1_0", "ﬁ", "\u200b"]
CELL = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=12), st.integers(-10, 10**20).map(str))
TABLE_FILES = ["families.csv", "employees.csv", "requirements.csv", "assessments.csv", "positions.csv",
               "certifications.csv", "settings.csv", "levels.csv"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """One on-disk copy of the mini organisation for the whole module (imports that pass change it)."""
    path = tmp_path_factory.mktemp("fuzz") / "store"
    with selaras.open(path) as org:
        org.import_paths([DATA / "mini"])
    return str(path)


def content(store: str) -> bytes:
    with selaras.open(store, read_only=True) as org:
        return b"".join(sorted(org.store.dump("nq").splitlines(keepends=True)))


def run(*args: str):
    """Invoke the CLI catching every exception, as a user's shell would see it."""
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def assert_clean_exit(result) -> None:
    """Exit 0, or exit 2 with an ``error:`` message; never an uncaught exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"uncaught {type(result.exception).__name__}:\n{trace}")
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code == 2:
        assert result.stderr.startswith(("error:", "Usage:")), result.stderr
    assert "Traceback" not in result.output


def import_file(store: str, name: str, data: bytes) -> None:
    """Import one file; it must import or be refused cleanly, and a refusal changes nothing."""
    before = content(store)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        result = run("--store", store, "import", str(path))
    assert_clean_exit(result)
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        assert content(store) == before


@st.composite
def tables(draw) -> tuple[str, list[list[str]]]:
    file = draw(st.sampled_from(TABLE_FILES))
    columns = [c.name for c in TABLES_BY_FILE[file].columns]
    header = draw(st.one_of(
        st.just(columns[: len([c for c in TABLES_BY_FILE[file].columns if c.required])]),
        st.lists(st.sampled_from([*columns, "colour", ""]), min_size=1, max_size=len(columns) + 1),
    ))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(header) + 1), max_size=6))
    return file, [header, *rows]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@SETTINGS
@given(table=tables())
def test_random_csv_tables_import_or_are_refused_cleanly(store, table) -> None:
    file, rows = table
    import_file(store, file, csv_bytes(rows))


@SETTINGS
@given(file=st.sampled_from(TABLE_FILES), data=st.binary(max_size=300))
def test_random_bytes_as_csv_are_refused_cleanly(store, file, data) -> None:
    import_file(store, file, data)


@SETTINGS
@given(table=tables())
def test_random_xlsx_sheets_import_or_are_refused_cleanly(store, table) -> None:
    from openpyxl import Workbook

    file, rows = table
    wb = Workbook()
    ws = wb.active
    ws.title = file.removesuffix(".csv")
    for row in rows:
        ws.append([_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    import_file(store, "book.xlsx", out.getvalue())


def _cell(value: str) -> object:
    """Put numbers into cells as numbers, as a spreadsheet would; drop what XLSX cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    try:
        return float(value) if "." in value else int(value)
    except ValueError:
        return ILLEGAL_CHARACTERS_RE.sub("", value)


@SETTINGS
@given(suffix=st.sampled_from([".ttl", ".jsonld", ".rdf", ".nt", ".xlsx"]),
       data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_random_bytes_in_every_format_are_refused_cleanly(store, suffix, data) -> None:
    import_file(store, "extra" + suffix, data)


TURTLE_TOKENS = ["@prefix sel: <https://w3id.org/selaras/ontology#> .", "@base <https://w3id.org/selaras/id/> .",
                 "<position/ops-staff>", "<position/ops-mgr>", "<family/fin>", "<competency/TA>", "<grade/G1>",
                 "<x y>", "sel:jobFamily", "sel:reportsTo", "sel:grade", "sel:requiredLevel", "sel:code", "a",
                 "sel:Position", "sel:Requirement", "sel:CoreCompetency", "sel:nothing", "9", "-1", '"x"',
                 '"3"^^<http://www.w3.org/2001/XMLSchema#integer>', '"y"@id', ";", ",", ".", "[", "]", "(", ")",
                 "_:b", "\n"]


@SETTINGS
@given(tokens=st.lists(st.sampled_from(TURTLE_TOKENS), max_size=25))
def test_random_turtle_statements_import_or_are_refused_cleanly(store, tokens) -> None:
    import_file(store, "extra.ttl", " ".join(tokens).encode())


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
              st.sampled_from(["https://w3id.org/selaras/id/family/fin", "a b", "https://schema.org/",
                               "https://w3id.org/selaras/ontology#JobFamily", "@id", "@vocab"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["@id", "@type", "@context", "@graph", "@value", "@language", "@list",
                                         "@vocab", "@base", "@reverse", "@json", "name",
                                         "https://w3id.org/selaras/ontology#code", "sel:code", "sel"]),
                        inner, max_size=4)),
    max_leaves=15)


@SETTINGS
@given(doc=JSON)
def test_random_json_ld_imports_or_is_refused_cleanly(store, doc) -> None:
    import_file(store, "extra.jsonld", json.dumps(doc).encode())


# --- named queries -----------------------------------------------------------------------
QUERIES = queries.all_queries()
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["any", "", "E0013", "kepala-lsp", "technical", "id", "0.8", "-1", "1e999", "nan",
                     "https://w3id.org/selaras/id/gap/E0013/CT", "x> } DROP ALL #", '" } ; DROP ALL ; #',
                     "2026-02-30", "http://exa mple.org/", "<>", "\\u0000", "\x00", "%00", "a=b"]),
)


@pytest.mark.parametrize("named", [q for q in QUERIES if q.params], ids=[q.name for q in QUERIES if q.params])
def test_random_named_query_parameters_give_answers_or_clear_errors(example_store, named) -> None:
    names = [p.name for p in named.params]

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(values=st.fixed_dictionaries({}, optional={n: VALUES for n in [*names, "unknown"]}),
           fmt=st.sampled_from(["table", "csv", "json"]))
    def check(values: dict[str, str], fmt: str) -> None:
        args = ["--store", example_store, "query", named.name, "--format", fmt]
        for key, value in values.items():
            args += ["--param", f"{key}={value}"]
        assert_clean_exit(run(*args))

    check()


def test_what_the_fuzzers_imported_passes_the_checks(store) -> None:
    """Whatever random input the importer accepted above was valid: the store conforms to the shapes."""
    result = run("--store", store, "check", "--no-owl")
    assert result.exit_code == 0, result.output


# --- tables: the quick drawing is rich's own ---------------------------------------------------
SHOWN = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24),
                 st.text(alphabet="abc -:[]/é", max_size=24))


@SETTINGS
@given(columns=st.lists(st.text(alphabet="abc_ ", min_size=1, max_size=8), min_size=1, max_size=4).flatmap(
           lambda cols: st.tuples(st.just(cols), st.lists(st.lists(SHOWN, min_size=len(cols), max_size=len(cols)),
                                                          max_size=5))),
       title=st.one_of(st.none(), st.just("A title")), width=st.sampled_from([None, 30, 100_000]))
def test_tables_drawn_without_rich_are_exactly_what_rich_draws(columns, title, width) -> None:
    """A table that needs no layout (nothing wraps, every character one cell wide) is drawn
    directly, 6,800 rows in a fraction of rich's seconds: the text must be rich's to the character."""
    from selaras.engine import render

    names, rows = columns
    quick = render.records_table(title, names, rows, width=width)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(render, "_plain", lambda *args: False)
        assert quick == render.records_table(title, names, rows, width=width)
