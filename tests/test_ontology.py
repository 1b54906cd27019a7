"""The ontology is a public contract: every sel: term is defined, labelled (en, id), commented."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from selaras.engine import validation
from selaras.ontology import ONTOLOGY_DIR, SHAPES_FILE
from selaras.ontology.namespace import SEL, SEL_IRI

from .conftest import DATA

ONTOLOGY = rdflib.Graph().parse(ONTOLOGY_DIR / "selaras.ttl")
POLICY = rdflib.Graph().parse(ONTOLOGY_DIR / "policy.ttl")
TERMS = sorted(t for t in SEL.__annotations__ if not t.startswith("_"))


@pytest.mark.parametrize("term", TERMS)
def test_every_term_is_defined_labelled_and_commented(term: str) -> None:
    iri = rdflib.URIRef(SEL_IRI + term)
    assert (iri, RDF.type, None) in ONTOLOGY, f"sel:{term} has no rdf:type"
    langs = {lit.language for lit in ONTOLOGY.objects(iri, RDFS.label)}
    assert {"en", "id"} <= langs, f"sel:{term} lacks an English or Indonesian label"
    assert any(lit.language == "en" for lit in ONTOLOGY.objects(iri, RDFS.comment)), f"sel:{term} has no comment"


def test_no_undeclared_sel_terms_in_the_ontology() -> None:
    used = {str(t) for triple in ONTOLOGY for t in triple if str(t).startswith(SEL_IRI) and str(t) != SEL_IRI}
    assert used - {SEL_IRI + t for t in TERMS} == set()


def test_misspelt_term_fails_at_import_time() -> None:
    from selaras.engine.ingest.tabular import sel

    with pytest.raises(AttributeError):
        SEL.Competence  # noqa: B018
    with pytest.raises(AttributeError):  # the engine's own spelling of terms (checked without rdflib)
        sel("Competence")


def test_a_reading_command_imports_neither_rdflib_nor_networkx() -> None:
    import subprocess
    import sys

    code = ("import sys, selaras.cli, selaras.engine.api; "
            "print(sorted(m for m in ('rdflib', 'networkx', 'owlready2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # 0.1-0.2 s of every command's start-up


def test_a_query_on_a_store_runs_without_rdflib(example_store) -> None:
    """Nor does running one: checking that the conclusions are current names sel: terms
    (tabular.sel), which must not build rdflib's namespace to do it."""
    import subprocess
    import sys

    code = ("import sys; from selaras.cli import main; "
            f"main(['--store', {example_store!r}, 'query', 'employee-gaps', '--param', 'employee=E0013'], "
            "standalone_mode=False); "
            "print(sorted(m for m in ('rdflib', 'networkx', 'owlready2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "E0013" in out and out.strip().endswith("[]")


def test_competency_groups_are_pairwise_disjoint() -> None:
    groups = [SEL.CoreCompetency, SEL.LeadershipCompetency, SEL.BehavioralCompetency, SEL.TechnicalCompetency]
    lists = [ONTOLOGY.value(d, OWL.members) for d in ONTOLOGY.subjects(RDF.type, OWL.AllDisjointClasses)]
    members = [set(rdflib.collection.Collection(ONTOLOGY, lst)) for lst in lists]
    assert any(set(groups) <= m for m in members)


def test_policy_has_six_recommendations_and_eight_principles() -> None:
    recommendations = set(POLICY.subjects(RDF.type, SEL.Recommendation))
    principles = set(POLICY.subjects(RDF.type, SEL.GovernancePrinciple))
    assert len(recommendations) == 6 and len(principles) == 8
    for node in recommendations | principles:
        assert {lit.language for lit in POLICY.objects(node, RDFS.label)} >= {"en", "id"}


def test_shapes_parse() -> None:
    shapes = rdflib.Graph().parse(SHAPES_FILE)
    assert len(set(shapes.subjects(RDF.type, rdflib.URIRef("http://www.w3.org/ns/shacl#NodeShape")))) >= 10


def test_hermit_finds_the_bundled_organisation_consistent_and_classifies_it(example) -> None:
    report = validation.owl_reasoning(example.store)
    assert report.consistent
    managerial = {iri.rsplit("/", 1)[-1] for iri in report.classified["ManagerialPosition"]}
    specialist = {iri.rsplit("/", 1)[-1] for iri in report.classified["SpecialistPosition"]}
    assert {"kepala-lsp", "manager-sertifikasi-a2"} <= managerial
    assert "staf-sertifikasi-c8" in specialist and not managerial & specialist
    assert len(report.classified["SoftCompetency"]) == 19
    assert len(report.classified["HardCompetency"]) == 67


def test_an_inconsistent_input_is_refused_and_check_names_it(cli, tmp_path) -> None:
    store = str(tmp_path / "store")
    fixture = DATA / "inconsistent" / "int-is-technical.ttl"
    assert cli("--store", store, "init", "--example").exit_code == 0
    refused = cli("--store", store, "import", str(fixture))
    assert refused.exit_code == 2
    assert "Integrity <https://w3id.org/selaras/id/competency/INT>: A competency must be in exactly one group" \
        in refused.stderr
    # data written by another tool (say, straight into a SPARQL server) is caught by `check`
    import pyoxigraph as ox

    import selaras
    from selaras.engine.store import FACTS_GRAPH

    with selaras.open(store) as org:
        facts = ox.NamedNode(FACTS_GRAPH)
        org.store.extend(ox.Quad(q.subject, q.predicate, q.object, facts)
                         for q in ox.parse(path=str(fixture), format=ox.RdfFormat.TURTLE))
    result = cli("--store", store, "check")
    assert result.exit_code == 1
    assert "INCONSISTENT" in result.output
    assert "Integrity <https://w3id.org/selaras/id/competency/INT> is typed both" in result.output
    # and by `infer`, whose reasoner works beside the rules: the conclusions are stored, the
    # classification is refused with the same words
    inferred = cli("--store", store, "infer")
    assert inferred.exit_code != 0
    assert "Integrity <https://w3id.org/selaras/id/competency/INT> is typed both" in inferred.stderr


def test_check_passes_on_the_bundled_organisation(cli, tmp_path) -> None:
    store = str(tmp_path / "store")
    assert cli("--store", store, "init", "--example").exit_code == 0
    result = cli("--store", store, "check")
    assert result.exit_code == 0, result.output
    assert "SHACL: 0 error(s)" in result.output and "OWL (HermiT): consistent" in result.output


def test_check_reads_the_store_and_changes_nothing_current_or_stale(cli, tmp_path) -> None:
    # bad data written by another tool; check finds it whether the conclusions are current (the
    # stored scale bounds) or stale (derived again in a copy of the facts), and writes nothing
    import pyoxigraph as ox

    import selaras
    from selaras.engine import inference
    from selaras.engine.store import FACTS_GRAPH

    store = str(tmp_path / "store")
    assert cli("--store", store, "init", "--example").exit_code == 0
    assert cli("--store", store, "infer", "--no-owl").exit_code == 0
    bad = ("@prefix sel: <https://w3id.org/selaras/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           "<https://w3id.org/selaras/id/assessment/X1> a sel:Assessment ; sel:assessedLevel 9 ;\n"
           "  sel:employee <https://w3id.org/selaras/id/employee/E0001> ;\n"
           "  sel:competency <https://w3id.org/selaras/id/competency/INT> ; sel:assessedOn \"2024-01-02\"^^xsd:date .")
    with selaras.open(store) as org:
        org.store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(FACTS_GRAPH))
                         for t in ox.parse(bad, format=ox.RdfFormat.TURTLE))
    row = tmp_path / "assessments.csv"
    row.write_text("employee,competency,level,date\nE0001,AT,3,2026-01-05\n", encoding="utf-8")
    for stale in (False, True):
        if stale:
            assert cli("--store", store, "import", str(row)).exit_code == 0
        with selaras.open(store, read_only=True) as org:
            assert inference.is_current(org.store) is not stale
            before = sorted(org.store.dump("nq").splitlines())
        result = cli("--store", store, "check", "--no-owl")
        assert result.exit_code == 1, result.output
        assert "the competency's scale (1–5)" in result.output and "SHACL: 1 error(s)" in result.output
        with selaras.open(store, read_only=True) as org:
            assert sorted(org.store.dump("nq").splitlines()) == before
