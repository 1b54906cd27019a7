"""OWL reasoning with HermiT (through owlready2): consistency, and the classification of the defined classes.

- :func:`owl_reasoning` loads the ontology with the organisation's *model* (competencies,
  positions, requirements, schemes, programmes — not employees, whose volume OWL reasoners do
  not carry) into owlready2 and runs HermiT: it reports inconsistency, naming the individuals
  that break a disjointness axiom, and classifies positions into the defined classes
  (``sel:ManagerialPosition``, ``sel:SpecialistPosition``).
- :func:`classify` writes HermiT's classification into the ``…/graph/owl`` named graph;
  :func:`classify_behind` does so with the reasoner working beside the caller.

HermiT needs ``ignore_unsupported_datatypes`` because ``xsd:date`` is outside the OWL 2
datatype map; dates are checked by the SHACL shapes instead. Verdicts are cached by model
(:func:`_owl_cache`).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from selaras.engine.errors import InconsistentError, SelarasError
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, Dataset
from selaras.engine.store.labels import Labels
from selaras.ontology.namespace import SEL_IRI

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Classes whose individuals are left out of OWL reasoning (their volume, not their meaning).
PEOPLE_CLASSES = ("Employee", "Assessment", "Certification", "Tenure")
#: Model parts left out when only classifying (they do not bear on the defined classes and
#: triple HermiT's time); :func:`owl_reasoning` for ``selaras check`` keeps them.
DETAIL_CLASSES = ("Requirement", "SchemeCompetency", "ProgramCompetency", "LevelDescriptor")
#: Defined classes that HermiT classifies and :func:`classify` records.
DEFINED_CLASSES = ("ManagerialPosition", "SpecialistPosition", "SoftCompetency", "HardCompetency",
                   "FunctionalCompetency")


@dataclass
class OwlReport:
    """What HermiT concluded about the ontology and the organisation's model."""

    consistent: bool
    problems: list[str] = field(default_factory=list)
    classified: dict[str, list[str]] = field(default_factory=dict)


def _model_ntriples(store: Dataset, *, details: bool) -> bytes:
    """What HermiT reasons over, as N-Triples: the ontology and the facts, less people
    (:data:`PEOPLE_CLASSES`) and, without ``details``, less :data:`DETAIL_CLASSES`."""
    exclude = PEOPLE_CLASSES if details else PEOPLE_CLASSES + DETAIL_CLASSES
    people = " ".join(f"<{SEL_IRI}{c}>" for c in exclude)
    construct = (
        # MINUS: the people found once and removed by a hash anti-join (FILTER NOT EXISTS looks
        # each of the facts' triples up again: 5 s instead of 1 s at 10,000 employees)
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{FACTS_GRAPH}> {{ {{ ?s ?p ?o }} "
        f"MINUS {{ VALUES ?c {{ {people} }} ?s a ?c }} }} }}"
    )
    triples = store.query(construct, default_graphs=[FACTS_GRAPH]).triples
    triples += [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(ONTOLOGY_GRAPH)]
    return cast(bytes, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))  # no output: the bytes


def owl_reasoning(store: Dataset, *, details: bool = True) -> OwlReport:
    """Run HermiT over the ontology and the organisation's model.

    Args:
        store: the store to read.
        details: include requirements and scheme/programme coverage (a full consistency
            check); without them HermiT only classifies, three times faster.

    The verdict is kept in a cache keyed by the model's content (:func:`_owl_cache`): while the
    ontology and the model do not change, ``check`` and ``infer`` do not start HermiT again.

    Raises:
        SelarasError: Java or owlready2's reasoner cannot run (the message says what to install).
    """
    model = _model_ntriples(store, details=details)
    return _diagnosed(store, _verdict(model))


def _diagnosed(store: Dataset, report: OwlReport) -> OwlReport:
    """An inconsistent verdict with its problems in words (found in the store), else the verdict."""
    if report.consistent or report.problems:
        return report
    return OwlReport(False, _diagnose(store))


def _verdict(model: bytes) -> OwlReport:
    """HermiT's verdict on a model's N-Triples, from the cache when it has it (no store needed)."""
    cache = _owl_cache(model)
    if cache is not None and cache.is_file():
        try:
            return OwlReport(**json.loads(cache.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            pass  # an unreadable entry is worked out again
    report = _hermit(model)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(asdict(report)), encoding="utf-8")
            partial.replace(cache)
        except OSError:
            pass  # a read-only home: no cache, same answers
    return report


def _owl_cache(model: bytes) -> Path | None:
    """The file that keeps HermiT's verdict on a model: ``$SELARAS_CACHE`` (``off``: none), else
    ``$XDG_CACHE_HOME/selaras`` or ``~/.cache/selaras``, named by the SHA-256 of the model's sorted
    statements and of the versions of Selaras and owlready2 — the same model is reasoned over once.
    """
    import hashlib
    from importlib.metadata import version

    root = os.environ.get("SELARAS_CACHE")
    if root == "off":
        return None
    if not root:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "selaras")
    digest = hashlib.sha256(f"{version('selaras')} {version('owlready2')}\n".encode())
    for line in sorted(model.splitlines()):
        digest.update(line + b"\n")
    return Path(root) / "owl" / f"{digest.hexdigest()}.json"


def _hermit(model: bytes) -> OwlReport:
    """Run HermiT over a model's N-Triples (what :func:`_verdict` caches; an inconsistent model's
    problems are put in words from the store by :func:`_diagnosed`)."""
    import owlready2

    fd, path = tempfile.mkstemp(suffix=".nt", prefix="selaras-owl-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(model)
        world = owlready2.World()
        world.get_ontology(Path(path).as_uri()).load(format="ntriples")
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                           ignore_unsupported_datatypes=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return OwlReport(False)
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


def _diagnose(store: Dataset) -> list[str]:
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


def classify(store: Dataset) -> OwlReport:
    """Run HermiT and write its classification of the defined classes into the OWL graph.

    Raises:
        InconsistentError: the ontology and the model are inconsistent (the message names why).
    """
    return _write_classification(store, owl_reasoning(store, details=False))


def classify_behind(store: Dataset) -> Callable[[], OwlReport]:
    """Start :func:`classify` with the reasoner working beside the caller; call the result to finish.

    The model is read from the store now (so start this before the facts change, e.g. before
    inference, which leaves them as they are); HermiT, a Java process, then reasons in a thread
    of its own while the caller goes on, on the other core (at 10,000 employees the reasoner
    takes about 10 s, mostly while the facts are copied into memory for the rules).
    The returned function waits for the verdict, writes the OWL graph as :func:`classify` does
    and returns the report; it raises what :func:`classify` raises.
    """
    model = _model_ntriples(store, details=False)  # what classify reasons over
    outcome: dict[str, Any] = {}

    def reason() -> None:
        try:
            outcome["report"] = _verdict(model)
        except BaseException as err:  # noqa: BLE001  (raised in the caller's thread by finish)
            outcome["error"] = err

    # a daemon: a caller that fails meanwhile exits without waiting for the reasoner
    thread = threading.Thread(target=reason, name="selaras-owl", daemon=True)
    thread.start()

    def finish() -> OwlReport:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return _write_classification(store, _diagnosed(store, outcome["report"]))
    return finish


def _write_classification(store: Dataset, report: OwlReport) -> OwlReport:
    """Write a consistent verdict's classification into the OWL graph; raise on an inconsistent one."""
    if not report.consistent:
        raise InconsistentError("the ontology and the organisation's model are inconsistent:\n  "
                                + "\n  ".join(report.problems))
    graph = ox.NamedNode(OWL_GRAPH)
    quads = [ox.Quad(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(SEL_IRI + name), graph)
             for name, iris in report.classified.items() for iri in iris if not iri.startswith(SEL_IRI)]
    store.replace_graph(OWL_GRAPH, quads)
    return report
