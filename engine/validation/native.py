"""The native SHACL engine: the shapes' core constraints as SPARQL in Oxigraph, a shape's focus nodes at once.

:meth:`NativeShapes.compile` reads the shapes graph into node shapes (their target classes) and
property shapes (:class:`PropertyShape`: a path, a message, a severity and its constraints, one
object per constraint component: see :mod:`selaras.engine.validation.components`), or answers
None when the shapes use a feature this engine does not know (pySHACL runs them then).
:meth:`NativeShapes.validate` evaluates each constraint over the data graphs (:class:`ValidationRun`: the
state one validation shares, its queries narrowed to the graphs that can answer them by
:class:`DataGraphs`) and returns pySHACL's results: same focus, path, value, message and severity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from selaras.engine.store import Dataset
from selaras.engine.store.labels import Labels
from selaras.engine.validation.components import (PARAMETERS, ConstraintComponent, Node, Unsupported, sh,
                                                  property_constraints)
from selaras.engine.validation.results import SEVERITY, ShaclResult, from_pyshacl
from selaras.engine.validation.terms import SH, SUBCLASS_OF, TYPE, to_rdflib

#: What a shape may say besides its constraints.
_DESCRIBING = frozenset(SH + p for p in ("name", "description", "order", "group", "message", "severity"))
#: shapes-graph predicates of the SHACL namespace the native engine understands; any other one
#: (sh:targetNode, sh:closed, sh:not, sh:deactivated …) sends the validation to pySHACL.
NATIVE_PREDICATES = PARAMETERS | _DESCRIBING | frozenset(SH + p for p in (
    "targetClass", "property", "path", "inversePath",
    "sparql", "select", "prefixes", "declare", "prefix", "namespace"))  # sh:sparql: run apart
_PROPERTY_SHAPE_PREDICATES = PARAMETERS | _DESCRIBING | {SH + "path"}


class DataGraphs:
    """The data graphs a validation query reads, narrowed per query to those that can answer it.

    Oxigraph looks every triple pattern up in each graph of a query's default graph: over the
    facts, the scale bounds and the settings, a star over a million assessments costs three
    times what it costs over the facts alone. A small graph (at most :attr:`SMALL` triples) is
    left out of a query that cannot match any of its triples: the query names none of its
    predicates (for ``rdf:type``, none of its classes or their superclasses), by full IRI or by
    local name. The first graph (the facts) is always read. For queries whose predicates are all
    written out, as the shapes' are (no ``?s ?p ?o``).
    """

    SMALL = 10_000

    def __init__(self, store: Dataset, graphs: list[str]) -> None:
        self.graphs = graphs
        self._names: dict[str, set[str]] = {}
        for g in graphs[1:]:
            if store.count(g) > self.SMALL:
                continue
            names: set[str] = set()
            classes: set[str] = set()
            for q in store.match(None, None, None, ox.NamedNode(g)):
                if q.predicate.value != TYPE:
                    names.add(q.predicate.value)
                elif isinstance(q.object, ox.NamedNode):
                    classes.add(str(q.object))
                else:
                    names.add("")  # a literal or blank class: no name to look for, always read
            if classes:  # a class and its superclasses: a query may target any of them
                # each walk from a constant (Virtuoso does not take a start bound by VALUES)
                walks = " UNION ".join(f"{{ {c} <{SUBCLASS_OF}>* ?c }}" for c in sorted(classes))
                supers = store.query(f"SELECT DISTINCT ?c WHERE {{ {walks} }}", default_graphs=graphs)
                names |= {r["c"].value for r in supers.rows if isinstance(r["c"], ox.NamedNode)}
            self._names[g] = names

    def __call__(self, query: str) -> list[str]:
        """The graphs ``query`` needs."""
        return [g for i, g in enumerate(self.graphs)
                if i == 0 or g not in self._names or any(self._named(iri, query) for iri in self._names[g])]

    @staticmethod
    def _named(iri: str, query: str) -> bool:
        if f"<{iri}>" in query:
            return True
        local = re.split(r"[#/]", iri)[-1]
        return not local or re.search(rf":{re.escape(local)}\b", query) is not None


@dataclass
class PropertyShape:
    """A property shape: the values of a path (or its inverse), the constraints on them, the message of a result."""

    path: str
    inverse: bool
    message: str
    severity: str  # "error" | "warning" | "info"
    constraints: list[ConstraintComponent]

    @property
    def result_path(self) -> str:
        """The path as a result names it: an inverse path as ``^<property>``."""
        return "^" + self.path if self.inverse else self.path

    def values(self, var: str) -> str:
        """A SPARQL pattern binding ``?var`` to each value of ``?this``."""
        return f"?{var} <{self.path}> ?this ." if self.inverse else f"?this <{self.path}> ?{var} ."

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> PropertyShape:
        """Read property shape ``node``; raise :class:`Unsupported` for what this engine does not evaluate."""
        import rdflib

        path = shapes.value(node, sh("path"))
        if isinstance(path, rdflib.URIRef):
            inverse = False
        elif isinstance(path, rdflib.BNode) and set(shapes.predicates(path, None)) == {sh("inversePath")} \
                and isinstance(shapes.value(path, sh("inversePath")), rdflib.URIRef):
            inverse, path = True, shapes.value(path, sh("inversePath"))
        else:
            raise Unsupported(node)  # a sequence, alternative or other path
        if {str(p) for p in shapes.predicates(node, None) if str(p).startswith(SH)} - _PROPERTY_SHAPE_PREDICATES:
            raise Unsupported(node)
        messages = list(shapes.objects(node, sh("message")))
        severities = list(shapes.objects(node, sh("severity")))
        if len(messages) != 1 or len(severities) > 1 or (node, sh("targetClass"), None) in shapes:
            raise Unsupported(node)
        severity = str(severities[0]) if severities else SH + "Violation"
        return cls(str(path), inverse, str(messages[0]), SEVERITY.get(severity, "error"),
                   property_constraints(shapes, node))


class NativeShapes:
    """The shapes' core constraints, evaluated as SPARQL over all focus nodes of a shape at once.

    Each constraint becomes one query that returns only the focus nodes (and value nodes) that
    may break it: cardinalities exactly; value constraints (``sh:class``, ``sh:in``, ``sh:node``,
    ``sh:or`` …) with a conservative filter whose candidates are then judged in Python with
    pySHACL's own rules (rdflib literals, :func:`pyshacl.rdfutil.compare.compare_literal`).
    The results are pySHACL's: same focus, path, value, message and severity.
    """

    def __init__(self, shapes: Any, targets: list[tuple[list[str], list[PropertyShape]]]) -> None:
        self.shapes = shapes
        self.targets = targets  # [(target classes, [property shape])]

    @classmethod
    def compile(cls, shapes: Any) -> NativeShapes | None:
        """Read the shapes graph; None when it uses a feature this engine does not evaluate."""
        import rdflib

        for _s, p, _o in shapes:
            if str(p).startswith(SH) and str(p) not in NATIVE_PREDICATES:
                return None
        for cls_iri in (rdflib.RDFS.Class, rdflib.OWL.Class):
            if (None, rdflib.RDF.type, cls_iri) in shapes:
                return None  # implicit class targets
        node_shape = {sh(p) for p in ("targetClass", "property", "name", "description", "severity", "message",
                                      "sparql")}
        try:
            targets = []
            for shape in sorted(set(shapes.subjects(sh("targetClass"), None)), key=str):
                if {p for p, _ in shapes.predicate_objects(shape) if str(p).startswith(SH)} - node_shape:
                    raise Unsupported(shape)
                if (shape, sh("message"), None) in shapes:
                    raise Unsupported(shape)  # node-level constraints have none here: messages are on properties
                classes = sorted(str(c) for c in shapes.objects(shape, sh("targetClass")))
                props = [PropertyShape.parse(shapes, p) for p in shapes.objects(shape, sh("property"))]
                targets.append((classes, props))
        except Unsupported:
            return None
        return cls(shapes, targets)

    def validate(self, store: Dataset, graphs: list[str], labels: Labels) -> list[ShaclResult]:
        """Evaluate every constraint over the data graphs; return pySHACL's results."""
        run = ValidationRun(store, graphs)
        results: list[ShaclResult] = []
        nested: dict = {}  # sh:node shape -> value nodes that broke it, once per result
        for classes, props in self.targets:
            focus = run.focus_pattern(classes)
            for prop in props:
                values = prop.values("v")
                for constraint in prop.constraints:
                    for this, value in constraint.evaluate(run, focus, values):
                        iri = this.value
                        results.append(ShaclResult(
                            prop.severity, iri, labels.get(iri), prop.result_path,
                            None if value is None else str(to_rdflib(value)), prop.message))
                        if isinstance(constraint, Node):
                            nested.setdefault(constraint.shape, []).append(value)
        for shape, found in nested.items():
            results += self._details(run, shape, found, labels)
        return results

    def _details(self, run: ValidationRun, shape: Any, values: list, labels: Labels) -> list[ShaclResult]:
        """The results a value that breaks an sh:node shape gets from that shape itself, which
        pySHACL reports too (as sh:detail): pySHACL judges each such value against the shape."""
        import pyshacl
        import rdflib

        shapes = rdflib.Graph()
        for prefix, namespace in self.shapes.namespaces():
            shapes.bind(prefix, namespace, override=True, replace=True)
        for triple in self.shapes:
            if triple[1] != sh("targetClass"):
                shapes.add(triple)
        distinct = list(dict.fromkeys(values))
        for v in distinct:
            shapes.add((shape, sh("targetNode"), to_rdflib(v)))
        data = rdflib.Graph()
        subjects = " ".join(str(v) for v in distinct if isinstance(v, ox.NamedNode))  # blank nodes: no VALUES
        construct = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }} "
                     f"UNION {{ ?s <{SUBCLASS_OF}> ?o BIND(<{SUBCLASS_OF}> AS ?p) }} }}")
        triples = list(run.store.query(construct, default_graphs=run.graphs).triples)
        blank = {v for v in distinct if isinstance(v, ox.BlankNode)}
        if blank:  # a blank value's own statements, so that its judgement and message see them
            everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }"
            triples += [t for t in run.store.query(everything, default_graphs=run.graphs).triples
                        if t.subject in blank]
        for t in triples:
            data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
        found: dict[str, list[ShaclResult]] = {}
        for result in from_pyshacl(report, labels):
            found.setdefault(result.focus, []).append(result)
        return [r for v in values for r in found.get(str(to_rdflib(v)), [])]


class ValidationRun:
    """One validation's state, shared by the constraints: the store, its data graphs, what was counted."""

    def __init__(self, store: Dataset, graphs: list[str]) -> None:
        self.store, self.graphs = store, graphs
        self._counts: dict[str, int] = {}
        self._several: dict[str, list[Any]] = {}
        self._dataset = DataGraphs(store, graphs)
        #: whether the data has any ``rdfs:subClassOf`` (else classes are matched by ``rdf:type`` alone)
        self.subclasses = self.ask(f"ASK {{ ?a <{SUBCLASS_OF}> ?b }}")

    def ask(self, query: str) -> bool:
        return bool(self.store.query(query, default_graphs=self._dataset(query)).boolean)

    def select(self, query: str) -> list[dict]:
        return self.store.query(query, default_graphs=self._dataset(query)).rows

    def focus_pattern(self, classes: list[str]) -> str:
        """A SPARQL pattern binding ``?this`` to each instance of the target classes."""
        values = " ".join(f"<{c}>" for c in classes)
        if self.subclasses:
            return (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {values} }} "
                    f"?type <{SUBCLASS_OF}>* ?class . ?this <{TYPE}> ?type }} }}")
        if len(classes) == 1:
            return f"?this <{TYPE}> <{classes[0]}> ."
        return f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {values} }} ?this <{TYPE}> ?class }} }}"

    def several_values(self, values: str) -> list[Any]:
        """The nodes with more than one value of a path (``values``: its pattern of ?this and ?v), once per run."""
        if values not in self._several:
            self._several[values] = [row["this"] for row in self.select(self.several_query(values))]
        return self._several[values]

    @staticmethod
    def several_query(values: str) -> str:
        return f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > 1)"

    def table(self, focus: str, values: str) -> str:
        """The focus nodes joined with their values: as a star, or as two scans when that is cheaper.

        On disk a star (``?this a C ; p ?v``) looks every focus node up again for its values.
        When the focus nodes hold most of the path's statements, reading the focus nodes and
        the path's statements each in one scan and hash-joining them is several times faster
        (195,000 assessments' competencies: 1.5 s -> 0.46 s); when they hold few of them (the
        8,000 requirements among 200,000 statements of sel:competency), the scan reads mostly
        statements it throws away and the star is faster. The two counts are scans themselves,
        made once per focus and per path.
        """
        if self._count(f"{{ {focus} }}") * 2 < self._count(f"{{ {values} }}"):
            return f"{focus} {values}"
        return f"{{ SELECT ?this WHERE {{ {focus} }} }} {{ SELECT ?this ?v WHERE {{ {values} }} }}"

    def _count(self, pattern: str) -> int:
        if pattern not in self._counts:
            rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")
            self._counts[pattern] = int(rows[0]["n"].value)
        return self._counts[pattern]
