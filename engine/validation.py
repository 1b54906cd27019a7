"""Validate a store: SHACL shapes over the data, OWL consistency and classification by HermiT.

- :func:`shacl_report` runs pySHACL with ``ontology/shapes.ttl`` over the facts (plus the
  scale bounds the rules derive), and returns each result in words.
- :func:`owl_reasoning` loads the ontology with the organisation's *model* (competencies,
  positions, requirements, schemes, programmes — not employees, whose volume OWL reasoners do
  not carry) into owlready2 and runs HermiT: it reports inconsistency, naming the individuals
  that break a disjointness axiom, and classifies positions into the defined classes
  (``sel:ManagerialPosition``, ``sel:SpecialistPosition``).
- :func:`classify` writes HermiT's classification into the ``…/graph/owl`` named graph.

HermiT needs ``ignore_unsupported_datatypes`` because ``xsd:date`` is outside the OWL 2
datatype map; dates are checked by the SHACL shapes instead.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from selaras.engine.errors import InconsistentError, SelarasError
from selaras.engine.labels import Labels
from selaras.engine.rules import SETTINGS_GRAPH
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, Store, inferred_graph
from selaras.ontology import SHAPES_FILE
from selaras.ontology.namespace import SEL_IRI

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Classes whose individuals are left out of OWL reasoning (their volume, not their meaning).
PEOPLE_CLASSES = ("Employee", "Assessment", "Certification")
#: Model parts left out when only classifying (they do not bear on the defined classes and
#: triple HermiT's time); :func:`owl_reasoning` for ``selaras check`` keeps them.
DETAIL_CLASSES = ("Requirement", "SchemeCompetency", "ProgramCompetency", "LevelDescriptor")
#: Defined classes that HermiT classifies and :func:`classify` records.
DEFINED_CLASSES = ("ManagerialPosition", "SpecialistPosition", "SoftCompetency", "HardCompetency",
                   "FunctionalCompetency")


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, in words."""

    severity: str  # "error" | "warning" | "info"
    focus: str
    focus_label: str
    path: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.focus_label + (f" ({self.path.rsplit('#', 1)[-1]})" if self.path else "")
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class OwlReport:
    """What HermiT concluded about the ontology and the organisation's model."""

    consistent: bool
    problems: list[str] = field(default_factory=list)
    classified: dict[str, list[str]] = field(default_factory=dict)


def _rdflib_graph(store: Store, graphs: list[str]):  # -> rdflib.Graph
    import rdflib

    g = rdflib.Graph()
    data = b"".join(store.dump("nt", graph) for graph in graphs if graph in store.graph_names())
    if data:
        g.parse(data=data, format="nt")
    return g


def shacl_report(store: Store) -> list[ShaclResult]:
    """Validate the facts against the SHACL shapes; return every result (empty: conforms).

    Core constraints run in pySHACL. SPARQL-based constraints (``sh:sparql``) run in Oxigraph,
    once per constraint over all focus nodes of the shape's target class, instead of once per
    focus node in rdflib's engine: the same results, two orders of magnitude sooner.
    """
    import pyshacl
    import rdflib

    graphs = [FACTS_GRAPH, inferred_graph("scale-bounds"), SETTINGS_GRAPH]
    data = _rdflib_graph(store, graphs)
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    sparql_constraints = list(shapes.triples((None, rdflib.URIRef(SH + "sparql"), None)))
    for triple in sparql_constraints:
        shapes.remove(triple)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                allow_warnings=True)
    labels = Labels(store)
    results = []
    for r in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        def one(prop: str) -> str | None:
            v = report.value(r, rdflib.URIRef(SH + prop))
            return None if v is None else str(v)

        focus = one("focusNode") or ""
        results.append(ShaclResult(
            severity=_SEVERITY.get(one("resultSeverity") or "", "error"),
            focus=focus,
            focus_label=labels.get(focus),
            path=one("resultPath"),
            value=one("value"),
            message=one("resultMessage") or "does not conform to its shape",
        ))
    results += _run_sparql_constraints(store, shapes, sparql_constraints, graphs + [ONTOLOGY_GRAPH], labels)
    return sorted(results, key=lambda x: (x.severity, x.focus_label, x.message))


_SEVERITY = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info"}


def _run_sparql_constraints(store: Store, shapes, constraints, graphs: list[str], labels: Labels) -> list[ShaclResult]:
    import re

    import rdflib

    from selaras.engine.sparql import strip_comments

    sh = rdflib.Namespace(SH)
    prefixes = "\n".join(
        f"PREFIX {shapes.value(d, sh.prefix)}: <{shapes.value(d, sh.namespace)}>"
        for d in shapes.objects(None, sh.declare)
    )
    results = []
    for shape, _p, constraint in constraints:
        targets = list(shapes.objects(shape, sh.targetClass))
        select = strip_comments(str(shapes.value(constraint, sh.select))).replace("$this", "?this")
        m = re.search(r"\bWHERE\s*\{", select, re.IGNORECASE)
        if not targets or m is None:
            continue
        target = " UNION ".join(
            f"{{ ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{t}> }}" for t in targets)
        query = f"{prefixes}\n{select[: m.end()]} {target} {select[m.end():]}"
        template = str(shapes.value(constraint, sh.message) or "does not conform to its shape")
        severity = _SEVERITY.get(str(shapes.value(constraint, sh.severity) or shapes.value(shape, sh.severity)
                                     or SH + "Violation"), "error")
        for row in store.query(query, default_graphs=graphs).rows:
            values = {k: (v.value if v is not None else "") for k, v in row.items()}
            message = re.sub(r"\{[?$](\w+)\}", lambda mm: labels.get(values.get(mm.group(1), ""))
                             if values.get(mm.group(1), "").startswith("http") else values.get(mm.group(1), ""),
                             template)
            focus = values.get("this", "")
            results.append(ShaclResult(severity, focus, labels.get(focus), values.get("path") or None,
                                       values.get("value") or None, message))
    return results


def _model_ntriples(store: Store, exclude: tuple[str, ...]) -> bytes:
    people = " ".join(f"<{SEL_IRI}{c}>" for c in exclude)
    construct = (
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{FACTS_GRAPH}> {{ ?s ?p ?o "
        f"FILTER NOT EXISTS {{ VALUES ?c {{ {people} }} ?s a ?c }} }} }}"
    )
    triples = store.query(construct, default_graphs=[FACTS_GRAPH]).triples
    triples += [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(ONTOLOGY_GRAPH)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def owl_reasoning(store: Store, *, details: bool = True) -> OwlReport:
    """Run HermiT over the ontology and the organisation's model.

    Args:
        store: the store to read.
        details: include requirements and scheme/programme coverage (a full consistency
            check); without them HermiT only classifies, three times faster.

    Raises:
        SelarasError: Java or owlready2's reasoner cannot run (the message says what to install).
    """
    import owlready2

    fd, path = tempfile.mkstemp(suffix=".nt", prefix="selaras-owl-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_model_ntriples(store, PEOPLE_CLASSES if details else PEOPLE_CLASSES + DETAIL_CLASSES))
        world = owlready2.World()
        world.get_ontology(Path(path).as_uri()).load(format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                           ignore_unsupported_datatypes=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return OwlReport(False, _diagnose(store))
        except (FileNotFoundError, owlready2.OwlReadyJavaError) as err:
            raise SelarasError(f"the OWL reasoner (HermiT, Java) could not run: {err} — "
                               f"install a Java runtime (Java 11 or later) and retry") from err
        import rdflib

        graph = world.as_rdflib_graph()  # raw triples: no Python entities to build
        classified = {}
        for name in DEFINED_CLASSES:
            defined = rdflib.URIRef(SEL_IRI + name)
            classes = set(graph.transitive_subjects(rdflib.RDFS.subClassOf, defined))
            classes |= set(graph.subjects(rdflib.OWL.equivalentClass, defined))
            classes |= set(graph.objects(defined, rdflib.OWL.equivalentClass))
            members = {str(x) for c in classes if isinstance(c, rdflib.URIRef)
                       for x in graph.subjects(rdflib.RDF.type, c)}
            classified[name] = sorted(members)
        return OwlReport(True, [], classified)
    finally:
        os.unlink(path)


_DISJOINT = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?a ?b WHERE {
  { ?a owl:disjointWith ?b }
  UNION
  { ?d a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?a . ?list rdf:rest*/rdf:first ?b . FILTER(?a != ?b) }
  ?x a ?ta . ?ta rdfs:subClassOf* ?a .
  ?x a ?tb . ?tb rdfs:subClassOf* ?b .
  FILTER(STR(?a) < STR(?b))
}
"""


def _diagnose(store: Store) -> list[str]:
    """Name the individuals that break a disjointness axiom, in words."""
    labels = Labels(store)
    rows = store.query(_DISJOINT, default_graphs=[ONTOLOGY_GRAPH, FACTS_GRAPH]).rows
    problems = [
        f"{labels(r['x'].value)} <{r['x'].value}> is typed both {labels(r['a'].value)} and "
        f"{labels(r['b'].value)}, which the ontology declares disjoint — give it one of the two"
        for r in rows
    ]
    return problems or ["HermiT found the ontology and the model inconsistent, and no single individual "
                        "breaks a disjointness axiom — check recent changes to positions' tracks, "
                        "reportsTo links and types"]


def classify(store: Store) -> OwlReport:
    """Run HermiT and write its classification of the defined classes into the OWL graph.

    Raises:
        InconsistentError: the ontology and the model are inconsistent (the message names why).
    """
    report = owl_reasoning(store, details=False)
    if not report.consistent:
        raise InconsistentError("the ontology and the organisation's model are inconsistent:\n  "
                                + "\n  ".join(report.problems))
    graph = ox.NamedNode(OWL_GRAPH)
    quads = [ox.Quad(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(SEL_IRI + name), graph)
             for name, iris in report.classified.items() for iri in iris if not iri.startswith(SEL_IRI)]
    store.replace_graph(OWL_GRAPH, quads)
    return report
