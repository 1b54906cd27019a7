"""The alignment audit: checks per recommendation, findings with explanations, four report formats.

The bundled organisation's expected findings follow its README ("Planted anomalies and gaps",
"Planted people cases"); the fully aligned fixture (tests/data/audit-aligned) has none.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import selaras
from selaras.cli import main
from selaras.engine import audit, rules, validation
from selaras.engine.audit import CHECK_IDS, SECTIONS, Severity
from selaras.engine.audit.report import SCHEMA_VERSION, render, to_json
from selaras.engine.errors import NotFoundError

DATA = Path(__file__).parent / "data" / "audit-aligned"
POLICY = "https://w3id.org/selaras/policy/"
ID = "https://w3id.org/selaras/id/"


@pytest.fixture(scope="module")
def report(example) -> audit.AuditReport:
    return example.audit()


@pytest.fixture(scope="module")
def doc(report) -> dict[str, Any]:
    return json.loads(render(report, "json"))


@pytest.fixture(scope="module")
def aligned_store(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("audit") / "aligned"
    with selaras.open(path) as org:
        org.import_paths([DATA])
        org.infer()
    return str(path)


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _by_check(report: audit.AuditReport, check: str) -> list[audit.Finding]:
    return [f for f in report.findings if f.check == check]


# --- the registry -----------------------------------------------------------------------------
def test_registry_loads_every_check_once_with_its_header():
    checks = audit.all_checks()
    assert tuple(c.id for c in checks) == CHECK_IDS
    assert len(set(CHECK_IDS)) == len(CHECK_IDS)
    for c in checks:
        assert c.title and c.judul and c.source and c.message and c.pesan
        assert c.section in SECTIONS and c.id.startswith(c.section + "-")
        assert c.iri == "https://w3id.org/selaras/check/" + c.id
    assert {c.section for c in checks} == set(SECTIONS)
    assert audit.get("model-data-quality").kind == "shacl"


def test_unknown_check_names_close_matches():
    with pytest.raises(NotFoundError, match="R2-no-scheme"):
        audit.get("R2-no-schemes")


def test_each_check_serves_a_principle_of_its_recommendation(example):
    serves = {(r["r"].value, r["p"].value) for r in example.query(
        "PREFIX sel: <https://w3id.org/selaras/ontology#> "
        "SELECT ?r ?p WHERE { ?r a sel:Recommendation ; sel:servesPrinciple ?p }").rows}
    principles = {r["p"].value for r in example.query(
        "PREFIX sel: <https://w3id.org/selaras/ontology#> SELECT ?p WHERE { ?p a sel:GovernancePrinciple }").rows}
    for c in audit.all_checks():
        assert c.principle_iri in principles, c.id
        if c.section != "model":
            assert (c.recommendation_iri, c.principle_iri) in serves, c.id


def test_a_header_without_severity_is_refused():
    text = "# title: t\n# judul: j\n# recommendation: R1\n# principle: accountability\n" \
           "# source: s\n# message: m\n# pesan: p\nSELECT ?focus WHERE { ?focus ?p ?o }"
    with pytest.raises(ValueError, match="severity"):
        audit.parse("R1-x", text)


# --- the bundled organisation -----------------------------------------------------------------
@pytest.mark.parametrize("section", SECTIONS)
def test_every_recommendation_and_the_model_have_findings(report, section):
    assert report.counts(section)[Severity.ERROR] + report.counts(section)[Severity.WARNING] \
        + report.counts(section)[Severity.INFO] > 0


def test_every_check_ran(report):
    assert [r.check.id for r in report.runs] == list(CHECK_IDS)
    assert all(r.skipped is None for r in report.runs)


def test_paper_table_anomalies_are_found(report):
    titles = {(f.focus.iri, f.value("other")) for f in _by_check(report, "model-title-grades")}
    assert titles == {
        (ID + "position/manager-sertifikasi-a2", ID + "position/manager-sertifikasi-c8"),
        (ID + "position/manager-manajemen-mutu-staf-a2", ID + "position/manager-manajemen-mutu-staf-c8"),
    }
    [staff] = _by_check(report, "model-supervisor")
    assert staff.focus.iri == ID + "position/staf-sertifikasi-c8"
    assert staff.value("supervisor") == ID + "position/manager-sertifikasi-a2"
    assert staff.value("count") == 14 and "INT 4 > 1" in staff.value("details")
    assert staff.severity is Severity.ERROR
    assert "Staf Sertifikasi (C8) requires more than Manager Sertifikasi (A2)" in staff.message.en
    merged = {f.focus.iri for f in _by_check(report, "model-merged-title")}
    assert merged == {ID + "position/manager-manajemen-mutu-staf-a2", ID + "position/manager-manajemen-mutu-staf-c8"}


def test_planted_model_anomalies_are_found(report):
    [inversion] = _by_check(report, "model-grade-order")
    assert inversion.focus.iri == ID + "position/verifikator-ahli"
    assert (inversion.value("higherLevel"), inversion.value("lowerLevel")) == (3, 4)
    [missing] = _by_check(report, "model-missing-leadership")
    assert (missing.focus.iri, missing.value("competency")) == (ID + "position/staf-frontliner", ID + "competency/SO")
    assert _by_check(report, "model-missing-core") == []


def test_recommendation_findings_match_the_planted_cases(report):
    never = {f.focus.iri.rsplit("/", 1)[1] for f in _by_check(report, "R1-never-assessed")}
    assert never == {"E0078", "E0081", "E0131", "E0172", "E0186"}
    assert sum(f.value("stale") for f in _by_check(report, "R1-stale-assessments")) == 386
    assert sum(f.value("missing") for f in _by_check(report, "R1-missing-assessments")) == 185
    unrecognised = {f.focus.iri.rsplit("/", 1)[1] for f in _by_check(report, "R2-scheme-not-recognised")}
    assert unrecognised == {"adm-perluasan-kepesertaan", "faskes-rujukan"}
    [outside] = _by_check(report, "R3-programme-outside-model")
    assert outside.focus.iri == ID + "program/pel-investasi-treasuri"
    [proposal] = _by_check(report, "R4-scheme-outside-unit")
    assert (proposal.focus.iri, proposal.value("competency")) == (ID + "scheme/frontliner", ID + "competency/PROT")
    assert len(_by_check(report, "R5-expired")) == 32
    expiring = {f.value("employee").rsplit("/", 1)[1] for f in _by_check(report, "R5-expiring")}
    assert len(expiring) == 12 and {"E0186", "E0187", "E0039", "E0040", "E0132"} <= expiring
    not_counted = {f.value("employee").rsplit("/", 1)[1]: f for f in _by_check(report, "R6-certificate-not-counted")}
    # E0081 renewed a faskes-primer certificate but was never assessed: readiness ignores it
    assert "E0081" in not_counted and "PROV 2 > –" in not_counted["E0081"].value("details")


def test_no_scheme_findings_agree_with_the_readme_table(report):
    no_scheme = {f.focus.iri.rsplit("/", 1)[1] for f in _by_check(report, "R2-no-scheme")}
    assert no_scheme == {"DA", "QM", "BD", "CM", "RISKM", "SM", "ID", "LM", "PRMS", "GCG", "HA", "INTC", "IM", "PROC"}
    no_programme = {f.focus.iri.rsplit("/", 1)[1] for f in _by_check(report, "R3-no-programme")}
    assert no_programme == {"BD", "FINA", "LM", "GCG", "HA", "INTC", "IM", "PROC"}


def test_findings_carry_policy_focus_messages_and_explanations(report):
    known_rules = {r.id for r in rules.all_rules()}
    for f in report.findings:
        assert f.severity in set(Severity)
        assert f.principle.iri.startswith(POLICY) and f.principle.label.en
        if f.section == "model":
            assert f.recommendation is None
        else:
            assert f.recommendation is not None and f.recommendation.iri == POLICY + f.section
        assert f.focus.iri and f.focus.label.en and f.focus.label.id
        assert f.message.en and f.message.id and f.message.en != f.message.id
        assert "{" not in f.message.en and "{" not in f.message.id
        assert f.explanation.rule in known_rules or f.explanation.rule == f.check
        assert f.explanation.premises, f"{f.check} {f.focus.iri} has no premises"
    [da] = [f for f in _by_check(report, "R2-no-scheme") if f.focus.iri.endswith("/DA")]
    assert da.explanation.rule == "unaligned-scheme"
    assert any("requires Data Analytics (DA) at level" in p.label.en for p in da.explanation.premises)
    assert da.message.id.startswith("Analitik Data (DA) dipersyaratkan hingga level 3")


def test_lean_conclusions_read_by_graph_explain_as_looked_up(example, report, monkeypatch):
    """Many lean conclusions of one kind are explained from one read of their rule's graph
    (audit.run._lean_scan); the explanations equal those of looking each node up."""
    from selaras.engine.audit import run as audit_run

    monkeypatch.setattr(audit_run, "LEAN_SCAN_FROM", 1)
    scanned = []
    real_scan = audit_run._lean_scan
    monkeypatch.setattr(audit_run, "_lean_scan", lambda *a: scanned.append(a[1].id) or real_scan(*a))
    again = example.audit()
    assert "certification-need" in scanned  # (a kind under a quarter of its graph is looked up)
    explained = lambda r: [(f.check, f.focus.iri, f.explanation) for f in r.findings]  # noqa: E731
    assert explained(again) == explained(report)


# --- priorities -------------------------------------------------------------------------------
PRIORITY_QUERY = """
PREFIX sel: <https://w3id.org/selaras/ontology#>
SELECT ?code (COUNT(DISTINCT ?employee) AS ?people) (COUNT(DISTINCT ?position) AS ?positions)
WHERE {
  ?competency a sel:TechnicalCompetency ; sel:code ?code .
  ?requirement sel:competency ?competency ; sel:position ?position ; sel:requiredLevel ?level .
  OPTIONAL { SELECT ?competency (MAX(?l) AS ?certified) WHERE {
      ?scheme a sel:CertificationScheme ; sel:certifies ?c . ?c sel:competency ?competency ; sel:level ?l }
    GROUP BY ?competency }
  FILTER(!BOUND(?certified) || ?level > ?certified)
  OPTIONAL { ?employee a sel:Employee ; sel:holdsPosition ?position }
}
GROUP BY ?code
ORDER BY DESC(?people) DESC(?positions) ?code
"""


def test_priority_list_agrees_with_a_sparql_query_over_the_facts(example, report):
    from selaras.engine.store import FACTS_GRAPH

    rows = example.store.query(PRIORITY_QUERY, default_graphs=[FACTS_GRAPH]).rows
    expected = [(r["code"].value, int(r["people"].value), int(r["positions"].value)) for r in rows]
    got = [(p.code, p.people, p.positions) for p in report.priorities]
    assert got == expected
    assert [p.rank for p in report.priorities] == list(range(1, len(got) + 1))
    first = report.priorities[0]
    assert (first.code, first.people, first.certified) == ("DA", 49, None)
    # the competencies most people need and no scheme certifies at all come first
    assert [p.code for p in report.priorities[:3]] == ["DA", "QM", "BD"]


def test_coverage_matrix_is_level_aware(report):
    cov = report.coverage
    rows = {r.code: r for r in cov.rows}
    columns = [c.code for c in cov.columns]
    assert len(columns) == len(set(columns))
    assert {c.code for c in cov.columns if c.kind == "scheme"} >= {"verifikator-pmr", "frontliner"}
    clm = rows["CLM"]
    assert (clm.required_min, clm.required_max, clm.certified, clm.developed) == (2, 4, 3, 4)
    cell = clm.cells[columns.index("verifikator-pmr")]
    assert (cell.level, cell.status) == (3, "partial")
    assert clm.cells[columns.index("penugasan-verifikasi-lanjutan")].status == "full"
    assert rows["PROT"].required_max is None and rows["PROT"].cells[columns.index("frontliner")].status == "extra"
    assert rows["DA"].certified is None and rows["DA"].people == 49


# --- formats ----------------------------------------------------------------------------------
def test_json_is_stable_and_documented(doc, report):
    assert doc["schema_version"] == SCHEMA_VERSION
    assert set(doc) == {"schema_version", "lang", "store", "settings", "fail_on", "exit_code", "summary",
                        "sections", "checks", "findings", "priorities", "coverage"}
    assert set(doc["findings"][0]) == {"check", "severity", "section", "recommendation", "principle", "focus",
                                       "message", "messages", "explanation", "values"}
    assert set(doc["findings"][0]["explanation"]) == {"rule", "rule_iri", "rule_title", "conclusions", "premises"}
    assert doc["settings"]["reference_date"] == "2026-06-30" and doc["settings"]["stale_before"] == "2024-06-30"
    assert doc["exit_code"] == 1 and doc["summary"]["findings"] == len(report.findings)
    assert doc["summary"]["total"] == {s.value: n for s, n in report.counts().items()}


def _markdown_counts(text: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    section = None
    for line in text.splitlines():
        m = re.match(r"### (\S+) — ", line)
        if m:
            section = m.group(1)
        m = re.match(r"- \*\*(error|warning|info)\*\* — ", line)
        if m and section:
            counts[(section, m.group(1))] += 1
    return counts


class _Page(HTMLParser):
    """Collect the audit page's sections, summary cells, priority rows, heat-map cells and findings."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.summary: dict[tuple[str, str], int] = {}
        self.priorities: list[dict[str, str]] = []
        self.cells: list[dict[str, str]] = []
        self.findings: list[dict[str, str]] = []
        self.external: list[str] = []
        self._row: str | None = None
        self._cell: str | None = None
        self._in_priorities = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
            if tag == "section" and a["id"] in {"coverage", "findings"}:
                self._in_priorities = False
            if a["id"] == "priorities":
                self._in_priorities = True
        if tag in {"script", "link", "img", "iframe"} or "src" in a:
            self.external.append(tag)
        if tag == "tr" and "data-section" in a:
            self._row = a["data-section"]
        if tag == "td" and self._row and "data-severity" in a:
            self._cell = a["data-severity"]
        if tag == "tr" and self._in_priorities and "data-rank" in a:
            self.priorities.append(a)
        if tag == "td" and "data-column" in a:
            self.cells.append(a)
        if tag == "article":
            self.findings.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell and self._row:
            self.summary[(self._row, self._cell)] = int(data)
            self._cell = None


def test_markdown_html_and_json_carry_the_same_findings(report, doc):
    from_json = Counter((f["section"], f["severity"]) for f in doc["findings"])
    assert _markdown_counts(render(report, "md")) == from_json
    page = _Page()
    page.feed(render(report, "html"))
    assert Counter((a["data-check"].split("-")[0] if not a["data-check"].startswith("model") else "model",
                    a["data-severity"]) for a in page.findings) == from_json
    assert [a["data-check"] for a in page.findings] == [f["check"] for f in doc["findings"]]
    assert [a["data-focus"] for a in page.findings] == [f["focus"]["iri"] for f in doc["findings"]]
    text = render(report, "table")
    assert text.count("ERROR    ") == doc["summary"]["total"]["error"]


def test_html_sections_and_figures_match_the_json(report, doc):
    page = _Page()
    page.feed(render(report, "html"))
    assert {"summary", "summary-table", "priorities", "coverage", "findings"} <= set(page.ids)
    assert {f"section-{s}" for s in SECTIONS} <= set(page.ids)
    assert page.external == [], "the HTML report must be self-contained"
    for section, counts in doc["summary"]["sections"].items():
        for severity, n in counts.items():
            assert page.summary[(section, severity)] == n
    assert {sev: page.summary[("total", sev)] for sev in ("error", "warning", "info")} == doc["summary"]["total"]
    assert [(p["data-code"], int(p["data-people"]), int(p["data-positions"])) for p in page.priorities] == \
        [(p["competency"]["code"], p["people"], p["positions"]) for p in doc["priorities"]]
    matrix = [(c["data-column"], c["data-status"], c["data-level"]) for c in page.cells]
    expected = [(cell["column"], cell["status"], "" if cell["level"] is None else str(cell["level"]))
                for row in doc["coverage"]["rows"] for cell in row["cells"]]
    assert matrix == expected


def test_indonesian_report(report):
    doc = to_json(report, "id")
    assert doc["lang"] == "id"
    assert all(f["message"] == f["messages"]["id"] for f in doc["findings"])
    assert "Audit penyelarasan Selaras" in render(report, "html", "id")
    assert "Kompetensi teknis yang perlu didahulukan" in render(report, "md", "id")


# --- the command line -----------------------------------------------------------------------
def test_cli_fails_on_errors_for_the_bundled_organisation(example_store, tmp_path):
    out = tmp_path / "audit.json"
    result = _cli("--store", example_store, "audit", "--format", "json", "--output", str(out),
                  "--skip", "model-data-quality")
    assert result.exit_code == 1, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [c["status"] for c in doc["checks"] if c["id"] == "model-data-quality"] == ["skipped"]
    assert doc["summary"]["total"]["error"] > 0 and doc["fail_on"] == "error"
    assert doc["store"] == example_store
    assert _cli("--store", example_store, "audit", "--fail-on", "never", "--check", "R4-scheme-outside-unit"
                ).exit_code == 0


def test_cli_passes_a_fully_aligned_organisation(aligned_store):
    result = _cli("--store", aligned_store, "audit", "--fail-on", "warning", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["findings"] == [] and doc["exit_code"] == 0
    assert all(c["status"] == "ran" for c in doc["checks"])
    assert [p["competency"]["code"] for p in doc["priorities"]] == []
    assert _cli("--store", aligned_store, "audit").exit_code == 0


def test_cli_settings_move_the_policy_windows(aligned_store):
    # two years on, the assessments of 2026-01 are stale, E1's certificate has expired and
    # E2's expires within 90 days
    result = _cli("--store", aligned_store, "audit", "--format", "json", "--fail-on", "warning",
                  "--reference-date", "2028-02-01")
    assert result.exit_code == 1
    checks = Counter(f["check"] for f in json.loads(result.output)["findings"])
    assert checks["R1-stale-assessments"] == 1 and checks["R5-expired"] == 1 and checks["R5-expiring"] == 1
    result = _cli("--store", aligned_store, "audit", "--format", "json", "--reference-date", "2026-06-30",
                  "--stale-after-months", "3", "--check", "R1-stale-assessments")
    [stale] = json.loads(result.output)["findings"]
    assert stale["values"]["stale"] == 10 and stale["values"]["cutoff"] == "2026-03-30"


def test_cli_rejects_a_bad_fail_on(aligned_store):
    result = _cli("--store", aligned_store, "audit", "--fail-on", "sometimes")
    assert result.exit_code == 2


def test_shacl_results_become_model_findings(monkeypatch, aligned_store):
    focus = ID + "position/analis-layanan"
    result = validation.ShaclResult("warning", focus, "Analis Layanan", "http://www.w3.org/2000/01/rdf-schema#label",
                                    None, "the title should say the grade")
    monkeypatch.setattr(validation, "shacl_report", lambda store: [result])
    with selaras.open(aligned_store, read_only=True) as org:
        found = org.audit(checks=["model-data-quality"])
    [finding] = found.findings
    assert (finding.check, finding.severity, finding.focus.iri) == ("model-data-quality", Severity.WARNING, focus)
    assert finding.message.en.endswith("the title should say the grade")
    assert found.exit_code("warning") == 1 and found.exit_code("error") == 0


# --- the native SHACL engine ------------------------------------------------------------------
_SEL = "https://w3id.org/selaras/ontology#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: facts that break most kinds of shape constraint: cardinalities, datatypes (ill-typed values
#: too), classes (through sh:node and sh:or), sh:in, patterns, ranges, uniqueLang, qualified
#: counts, lessThanOrEquals, an inverse path, a subclass of a target class, SPARQL constraints,
#: a blank node as a value that breaks a value shape
_BROKEN = f"""
@prefix sel: <{_SEL}> . @prefix xsd: <{_XSD}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix x: <{ID}> .
x:a1 a sel:Assessment ; sel:employee <{ID}position/staf-sertifikasi-c8> ; sel:competency x:nobody ;
    sel:assessedLevel "abc"^^xsd:integer, "3" ; sel:assessedOn "2024-02-30"^^xsd:date, "2024-01-01"^^xsd:date .
x:a2 a sel:Assessment ; sel:assessedLevel 2.5 ; sel:assessedOn "2024-02-29"^^xsd:date ; sel:assessmentMethod "a", "b" .
x:a3 a sel:Assessment ; sel:assessedLevel 99 ; sel:competency <{ID}competency/INT> ; sel:assessedOn "2099-01-01"^^xsd:date .
x:c1 a sel:CoreCompetency, sel:TechnicalCompetency ; sel:code "B D", "X" ; skos:prefLabel "a"@en, "b"@EN, "c"@id ;
    sel:levelDescriptor <{ID}competency/INT> .
x:c2 a sel:Competency ; sel:scale "scale" .
x:r1 a sel:Requirement ; sel:position <{ID}competency/INT> ; sel:competency <{ID}position/staf-sertifikasi-c8> ;
    sel:requiredLevel "x" ; sel:importance 7, "high" .
x:p1 a sel:ManagerialPosition ; sel:track sel:Nowhere ; sel:reportsTo x:p1, <{ID}competency/INT> ; sel:code "P1", "P2" .
x:u1 a sel:OrganisationalUnit ; sel:parentUnit x:p1, x:u1 .
x:z1 a sel:Certification ; sel:issuedOn "2025-06-01"^^xsd:date ; sel:expiresOn "2024-01-01"^^xsd:date, "2026-13-01"^^xsd:date .
x:z2 a sel:Certification ; sel:issuedOn "2023-01-01" ; sel:expiresOn "2024-01-01"^^xsd:date .
x:e1 a sel:SchemeCompetency ; sel:level -1 .
x:s1 a sel:CertificationScheme ; sel:certifies x:e1, <{ID}competency/INT> ; sel:headcount -3, 2 .
x:s2 a sel:CertificationScheme ; sel:certifies x:e1 .
x:t1 a sel:TrainingProgram ; sel:method sel:Lecture ; sel:hours -2, "many" ; sel:develops x:e1 .
x:ghost a sel:Employee .
x:a4 a sel:Assessment ; sel:employee x:ghost ; sel:competency [ sel:code "BLANK" ] ; sel:assessedLevel 2 ;
    sel:assessedOn "2024-01-01"^^xsd:date .
sel:SpecialCompetency rdfs:subClassOf sel:TechnicalCompetency .
x:c3 a sel:SpecialCompetency ; sel:code "SUB" .
[] a sel:Certification ; sel:employee x:ghost ; sel:scheme x:s2 ; sel:issuedOn "2023-01-01"^^xsd:date, "2023-02-01"^^xsd:date .
"""


_BLANK_LABEL = re.compile(r"N?[0-9a-f]{16,32}")


def _shacl_key(r: validation.ShaclResult) -> tuple:
    # pySHACL names an inverse path by a fresh blank node; the native engine writes ^<property>
    path = r.path if r.path is None or r.path.startswith("http") else "(inverse)"
    # each engine copies the data, so a blank node has another label in each: rdflib's N + 32 hex,
    # Oxigraph's random 128-bit number in hex without leading zeros (31 digits one time in 16)
    def node(text: str | None) -> str | None:
        return "_:blank" if text and _BLANK_LABEL.fullmatch(text) else text
    return (r.severity, node(r.focus), node(r.focus_label), path.lstrip("^") if path else path, node(r.value),
            _BLANK_LABEL.sub("_:blank", r.message))


def test_native_shacl_finds_what_pyshacl_finds(example):
    import pyoxigraph as ox
    import rdflib
    from selaras.engine.store import FACTS_GRAPH, open_store
    from selaras.ontology import SHAPES_FILE

    assert validation._NativeShapes.compile(rdflib.Graph().parse(SHAPES_FILE, format="turtle")) is not None
    store = open_store()
    store.extend(example.store.quads())
    facts = ox.NamedNode(FACTS_GRAPH)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, facts) for t in ox.parse(_BROKEN, format=ox.RdfFormat.TURTLE))
    native = validation.shacl_report(store, engine="native")
    reference = validation.shacl_report(store, engine="pyshacl")
    assert len(native) > 60
    native_keys = Counter(_shacl_key(r) for r in native)
    assert native_keys == Counter(_shacl_key(r) for r in reference)
    inverse = [r for r in native if r.path and r.path.startswith("^")]
    assert [r.path for r in inverse] == ["^" + _SEL + "certifies"]
    assert validation.shacl_report(example.store) == []
