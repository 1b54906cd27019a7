"""SHACL validation of a store: :func:`shacl_report`, which picks the engine, and the pySHACL adapter.

The shapes (``ontology/shapes.ttl``) validate the facts plus the scale bounds the rules derive
and the settings. Their core constraints run in the native engine
(:mod:`selaras.engine.validation.native`) unless they use a feature it does not know, when
pySHACL runs them over an rdflib copy of the data (:func:`pyshacl_results`); their SPARQL-based
constraints always run in the store (:mod:`selaras.engine.validation.sparql_constraints`).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from selaras.engine.rules import SETTINGS_GRAPH
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, Dataset, inferred_graph
from selaras.engine.store.labels import Labels
from selaras.engine.validation.native import NativeShapes
from selaras.engine.validation.results import LazyLabels, ShaclResult, from_pyshacl
from selaras.engine.validation.sparql_constraints import run_sparql_constraints
from selaras.engine.validation.terms import SH
from selaras.ontology import SHAPES_FILE

__all__ = ["ShaclResult", "pyshacl_results", "shacl_report", "shapes_store"]


def shapes_store(store: Dataset) -> Dataset:
    """The store the shapes can validate: ``store`` itself when its conclusions are current, else a copy.

    The shapes read the facts, the settings and the scale bounds (a rule's graph). When the
    stored conclusions are stale, the scale bounds are derived again in an in-memory store that
    holds the facts and the ontology only (never the conclusions: at 10,000 employees a copy of
    the whole store took 4.4 GB), so ``store`` is read and never changed.
    """
    from selaras.engine.rules import settings
    from selaras.engine.store import open_store

    if settings.is_current(store):
        return store
    copy = open_store()
    for graph in (FACTS_GRAPH, ONTOLOGY_GRAPH):
        copy.extend(store.match(None, None, None, ox.NamedNode(graph)))
    settings.derive(copy, ["scale-bounds"])
    return copy


def shacl_report(store: Dataset, *, engine: str = "auto") -> list[ShaclResult]:
    """Validate the facts against the SHACL shapes; return every result (empty: conforms).

    Core constraints run as SPARQL in Oxigraph (``engine="native"``): one query per constraint
    over all focus nodes of a shape, returning only the value nodes that may break it, which are
    then judged exactly as pySHACL judges them (datatypes, comparisons, patterns). Memory and time
    grow with the data, not with a copy of it in rdflib. ``engine="pyshacl"`` copies the data into
    rdflib and runs pySHACL; ``"auto"`` (the default) runs natively unless the shapes use a
    feature the native engine does not know. SPARQL-based constraints (``sh:sparql``) always run
    in Oxigraph, once per constraint over all focus nodes of the shape's target class.

    Raises:
        ValueError: ``engine`` is unknown, or ``"native"`` cannot run these shapes.
    """
    import rdflib

    if engine not in ("auto", "native", "pyshacl"):
        raise ValueError(f"unknown SHACL engine {engine!r} — use auto, native or pyshacl")
    graphs = [FACTS_GRAPH, inferred_graph("scale-bounds"), SETTINGS_GRAPH]
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    sparql_constraints = list(shapes.triples((None, rdflib.URIRef(SH + "sparql"), None)))
    for triple in sparql_constraints:
        shapes.remove(triple)
    labels = LazyLabels(store)
    native = None if engine == "pyshacl" else NativeShapes.compile(shapes)
    if native is None and engine == "native":
        raise ValueError("the shapes use a SHACL feature the native engine does not know — use engine='pyshacl'")
    if native is not None:
        results = native.validate(store, graphs, labels)
    else:
        results = pyshacl_results(store, graphs, shapes, labels)
    results += run_sparql_constraints(store, shapes, sparql_constraints, graphs + [ONTOLOGY_GRAPH], labels)
    return sorted(results, key=lambda x: (x.severity, x.focus_label, x.message, x.focus, x.path or "", x.value or ""))


def pyshacl_results(store: Dataset, graphs: list[str], shapes: Any, labels: Labels) -> list[ShaclResult]:
    """pySHACL's results for ``shapes`` over an rdflib copy of ``graphs``."""
    import pyshacl

    data = _rdflib_graph(store, graphs)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                allow_warnings=True)
    return from_pyshacl(report, labels)


def _rdflib_graph(store: Dataset, graphs: list[str]) -> Any:  # -> rdflib.Graph
    import rdflib

    g = rdflib.Graph()
    data = b"".join(store.dump("nt", graph) for graph in graphs if graph in store.graph_names())
    if data:
        g.parse(data=data, format="nt")
    return g
