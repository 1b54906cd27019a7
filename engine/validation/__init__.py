"""Validate a store: SHACL shapes over the data, OWL consistency and classification by HermiT.

- :func:`shacl_report` validates the facts (plus the scale bounds the rules derive) against
  ``ontology/shapes.ttl`` and returns each result in words (:class:`ShaclResult`). The shapes'
  core constraints run as SPARQL in Oxigraph, over all focus nodes of a shape at once; pySHACL
  runs them instead when the shapes use a feature that engine does not know.
- :func:`owl_reasoning` runs HermiT over the ontology and the organisation's model: consistency
  (naming the individuals that break a disjointness axiom) and the defined classes;
  :func:`classify` writes that classification into the ``…/graph/owl`` named graph.

The modules, from the entry points down:

- ``shacl.py``: :func:`shacl_report` (the engine choice), :func:`shapes_store`, the pySHACL adapter;
- ``native.py``: the native engine: node and property shapes, focus nodes, paths, the data graphs;
- ``components.py``: one class per SHACL constraint component the native engine evaluates
  (``sh:datatype`` is checked in ``Datatype``), each linking its section of the SHACL
  specification, and the registry from each ``sh:`` parameter to its class;
- ``sparql_constraints.py``: SPARQL-based constraints (``sh:sparql``), run in the store;
- ``results.py``: :class:`ShaclResult`; ``terms.py``: the RDF terms they share;
- ``owl.py``: HermiT (:func:`owl_reasoning`, :func:`classify`, :func:`classify_behind`, its cache).
"""

from selaras.engine.validation import owl
from selaras.engine.validation.native import NativeShapes
from selaras.engine.validation.owl import (DEFINED_CLASSES, DETAIL_CLASSES, PEOPLE_CLASSES, OwlReport, classify,
                                           classify_behind, owl_reasoning)
from selaras.engine.validation.results import ShaclResult
from selaras.engine.validation.shacl import shacl_report, shapes_store

#: The native engine under the name the tests have always used.
_NativeShapes = NativeShapes

__all__ = ["DEFINED_CLASSES", "DETAIL_CLASSES", "PEOPLE_CLASSES", "NativeShapes", "OwlReport", "ShaclResult",
           "classify", "classify_behind", "owl", "owl_reasoning", "shacl_report", "shapes_store"]
