"""Validate a store: SHACL shapes over the data, OWL consistency and classification by HermiT.

- :func:`shacl_report` validates the facts (plus the scale bounds the rules derive) against
  ``ontology/shapes.ttl`` and returns each result in words. The shapes' core constraints run as
  SPARQL in Oxigraph, over all focus nodes of a shape at once (:class:`_NativeShapes`); pySHACL
  runs them instead when the shapes use a feature that engine does not know.
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

import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from selaras.engine.errors import InconsistentError, SelarasError
from selaras.engine.labels import Labels
from selaras.engine.rules import SETTINGS_GRAPH
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, Dataset, inferred_graph
from selaras.ontology import SHAPES_FILE
from selaras.ontology.namespace import SEL_IRI

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Classes whose individuals are left out of OWL reasoning (their volume, not their meaning).
PEOPLE_CLASSES = ("Employee", "Assessment", "Certification", "Tenure")
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


def _rdflib_graph(store: Dataset, graphs: list[str]):  # -> rdflib.Graph
    import rdflib

    g = rdflib.Graph()
    data = b"".join(store.dump("nt", graph) for graph in graphs if graph in store.graph_names())
    if data:
        g.parse(data=data, format="nt")
    return g


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
    labels = _LazyLabels(store)
    native = None if engine == "pyshacl" else _NativeShapes.compile(shapes)
    if native is None and engine == "native":
        raise ValueError("the shapes use a SHACL feature the native engine does not know — use engine='pyshacl'")
    if native is not None:
        results = native.validate(store, graphs, labels)
    else:
        results = _pyshacl_results(store, graphs, shapes, labels)
    results += _run_sparql_constraints(store, shapes, sparql_constraints, graphs + [ONTOLOGY_GRAPH], labels)
    return sorted(results, key=lambda x: (x.severity, x.focus_label, x.message, x.focus, x.path or "", x.value or ""))


def _pyshacl_results(store: Dataset, graphs: list[str], shapes, labels: Labels) -> list[ShaclResult]:
    import pyshacl
    import rdflib

    data = _rdflib_graph(store, graphs)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                allow_warnings=True)
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
    return results


_SEVERITY = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info"}


class _LazyLabels(Labels):
    """Labels read from the store at the first lookup: data that conforms needs none."""

    def __init__(self, store: Dataset, lang: str = "en") -> None:
        self._store, self.lang, self._loaded = store, lang, False

    def _load(self) -> None:
        if not self._loaded:
            super().__init__(self._store, self.lang)
            self._loaded = True

    def get(self, iri: str) -> str:
        self._load()
        return super().get(iri)

    def code(self, iri: str) -> str | None:
        self._load()
        return super().code(iri)


# --- the native SHACL engine: core constraints as SPARQL in Oxigraph ----------------------------

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: shapes-graph predicates of the SHACL namespace the native engine understands; any other one
#: (sh:targetNode, sh:closed, sh:not, sh:deactivated …) sends the validation to pySHACL.
_NATIVE_PREDICATES = frozenset(SH + p for p in (
    "targetClass", "property", "path", "inversePath", "name", "description", "order", "group", "message",
    "severity", "minCount", "maxCount", "datatype", "class", "in", "pattern", "minInclusive", "maxInclusive",
    "lessThanOrEquals", "uniqueLang", "node", "or", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "sparql", "select", "prefixes", "declare", "prefix", "namespace"))  # sh:sparql: run apart
#: lexical forms that rdflib surely reads as a well-typed value of the datatype (others are
#: judged in Python, as pySHACL judges them)
_SAFE_LEXICAL = {
    _XSD + "integer": "^-?[0-9]{1,18}$",
    _XSD + "decimal": "^-?[0-9]{1,15}([.][0-9]{1,15})?$",
    _XSD + "boolean": "^(true|false)$",
    _XSD + "date": ("^[1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
                    "|(0[13578]|1[02])-31)$"),
}


class _Unsupported(Exception):
    """The shapes use a feature the native engine does not evaluate."""


class _Dataset:
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
                if q.predicate.value != _RDF_TYPE:
                    names.add(q.predicate.value)
                elif isinstance(q.object, ox.NamedNode):
                    classes.add(str(q.object))
                else:
                    names.add("")  # a literal or blank class: no name to look for, always read
            if classes:  # a class and its superclasses: a query may target any of them
                # each walk from a constant (Virtuoso does not take a start bound by VALUES)
                walks = " UNION ".join(f"{{ {c} <{_SUBCLASS}>* ?c }}" for c in sorted(classes))
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


class _NativeShapes:
    """The shapes' core constraints, evaluated as SPARQL over all focus nodes of a shape at once.

    Each constraint becomes one query that returns only the focus nodes (and value nodes) that
    may break it: cardinalities exactly; value constraints (``sh:class``, ``sh:in``, ``sh:node``,
    ``sh:or`` …) with a conservative filter whose candidates are then judged in Python with
    pySHACL's own rules (rdflib literals, :func:`pyshacl.rdfutil.compare.compare_literal`).
    The results are pySHACL's: same focus, path, value, message and severity.
    """

    def __init__(self, shapes, targets: list[tuple[list[str], list[dict]]]) -> None:
        self.shapes = shapes
        self.targets = targets  # [(target classes, [property shape])]

    # --- compiling the shapes graph ---------------------------------------------------------
    @classmethod
    def compile(cls, shapes) -> _NativeShapes | None:
        """Read the shapes graph; None when it uses a feature this engine does not evaluate."""
        import rdflib

        sh = rdflib.Namespace(SH)
        for _s, p, _o in shapes:
            if str(p).startswith(SH) and str(p) not in _NATIVE_PREDICATES:
                return None
        for cls_iri in (rdflib.RDFS.Class, rdflib.OWL.Class):
            if (None, rdflib.RDF.type, cls_iri) in shapes:
                return None  # implicit class targets
        try:
            targets = []
            for shape in sorted(set(shapes.subjects(sh.targetClass, None)), key=str):
                own = {p for p, _ in shapes.predicate_objects(shape) if str(p).startswith(SH)}
                if own - {sh.targetClass, sh.property, sh.name, sh.description, sh.severity, sh.message, sh.sparql}:
                    raise _Unsupported(shape)
                if (shape, sh.message, None) in shapes:
                    raise _Unsupported(shape)  # node-level constraints have none here: messages are on properties
                classes = sorted(str(c) for c in shapes.objects(shape, sh.targetClass))
                props = [cls._property(shapes, p) for p in shapes.objects(shape, sh.property)]
                targets.append((classes, props))
        except _Unsupported:
            return None
        return cls(shapes, targets)

    @classmethod
    def _property(cls, shapes, node) -> dict:
        import rdflib

        sh = rdflib.Namespace(SH)
        path = shapes.value(node, sh.path)
        if isinstance(path, rdflib.URIRef):
            inverse = False
        elif isinstance(path, rdflib.BNode) and set(shapes.predicates(path, None)) == {sh.inversePath} \
                and isinstance(shapes.value(path, sh.inversePath), rdflib.URIRef):
            inverse, path = True, shapes.value(path, sh.inversePath)
        else:
            raise _Unsupported(node)
        allowed = {sh[p] for p in ("path", "name", "description", "order", "group", "message", "severity", "minCount",
                                   "maxCount", "datatype", "class", "in", "pattern", "minInclusive", "maxInclusive",
                                   "lessThanOrEquals", "uniqueLang", "node", "or", "qualifiedValueShape",
                                   "qualifiedMinCount", "qualifiedMaxCount")}
        if {p for p in shapes.predicates(node, None) if str(p).startswith(SH)} - allowed:
            raise _Unsupported(node)
        messages = list(shapes.objects(node, sh.message))
        severities = list(shapes.objects(node, sh.severity))
        if len(messages) != 1 or len(severities) > 1 or (node, sh.targetClass, None) in shapes:
            raise _Unsupported(node)
        components: list[tuple] = []
        one = {p: list(shapes.objects(node, p)) for p in (sh.minCount, sh.maxCount, sh.pattern, sh.datatype,
                                                         sh.uniqueLang, sh.qualifiedValueShape)}
        if any(len(v) > 1 for v in one.values()):
            raise _Unsupported(node)
        if one[sh.minCount]:
            components.append(("min", int(one[sh.minCount][0])))
        if one[sh.maxCount]:
            components.append(("max", int(one[sh.maxCount][0])))
        for key in (sh["class"], sh.datatype, sh["in"], sh.pattern, sh.minInclusive, sh.maxInclusive, sh.node,
                    sh["or"]):
            for value in shapes.objects(node, key):
                components.append(("value", cls._leaf(shapes, node, key, value)))
        for other in shapes.objects(node, sh.lessThanOrEquals):
            if not isinstance(other, rdflib.URIRef):
                raise _Unsupported(node)
            components.append(("ltoe", str(other)))
        if one[sh.uniqueLang] and one[sh.uniqueLang][0].toPython() is True:
            components.append(("uniqueLang",))
        if one[sh.qualifiedValueShape]:
            if (node, sh.qualifiedValueShapesDisjoint, None) in shapes:
                raise _Unsupported(node)
            low, high = shapes.value(node, sh.qualifiedMinCount), shapes.value(node, sh.qualifiedMaxCount)
            components.append(("qualified", cls._tree(shapes, one[sh.qualifiedValueShape][0]),
                               None if low is None else int(low), None if high is None else int(high)))
        elif (node, sh.qualifiedMinCount, None) in shapes or (node, sh.qualifiedMaxCount, None) in shapes:
            raise _Unsupported(node)
        severity = str(severities[0]) if severities else SH + "Violation"
        return {"path": str(path), "inverse": inverse, "message": str(messages[0]),
                "severity": _SEVERITY.get(severity, "error"), "components": components}

    @classmethod
    def _leaf(cls, shapes, node, key, value, depth: int = 0) -> tuple:
        import rdflib

        sh = rdflib.Namespace(SH)
        if key == sh["class"]:
            return ("class", str(value))
        if key == sh.datatype:
            return ("datatype", str(value))
        if key == sh["in"]:
            return ("in", tuple(rdflib.collection.Collection(shapes, value)))
        if key == sh.pattern:
            flags = shapes.value(node, sh.flags)
            if flags is not None:
                raise _Unsupported(node)
            return ("pattern", re.compile(str(value)))
        if key in (sh.minInclusive, sh.maxInclusive):
            if not isinstance(value, rdflib.Literal):
                raise _Unsupported(node)
            return ("minInclusive" if key == sh.minInclusive else "maxInclusive", value)
        if key == sh.node:
            return ("node", value, cls._tree(shapes, value, depth + 1))
        if key == sh["or"]:
            return ("or", tuple(cls._tree(shapes, m, depth + 1) for m in rdflib.collection.Collection(shapes, value)))
        raise _Unsupported(node)

    @classmethod
    def _tree(cls, shapes, node, depth: int = 0) -> tuple:
        """A shape applied to a value node itself (sh:node, sh:or members, qualified shapes)."""
        import rdflib

        if depth > 16:
            raise _Unsupported(node)  # shapes that refer to themselves: pySHACL's recursion rules
        sh = rdflib.Namespace(SH)
        parts = []
        for p, o in shapes.predicate_objects(node):
            if not str(p).startswith(SH) or p in (sh.name, sh.description, sh.message, sh.severity):
                continue
            if p in (sh["class"], sh.datatype, sh["in"], sh.pattern, sh.minInclusive, sh.maxInclusive, sh.node,
                     sh["or"]):
                parts.append(cls._leaf(shapes, node, p, o, depth))
            else:
                raise _Unsupported(node)
        if len(list(shapes.objects(node, sh.datatype))) > 1 or len(list(shapes.objects(node, sh.pattern))) > 1:
            raise _Unsupported(node)
        return parts[0] if len(parts) == 1 else ("and", tuple(parts))

    # --- validating ---------------------------------------------------------------------------
    def validate(self, store: Dataset, graphs: list[str], labels: Labels) -> list[ShaclResult]:
        """Evaluate every constraint over the data graphs; return pySHACL's results."""
        import rdflib

        self._store, self._graphs = store, graphs
        self._counts: dict[str, int] = {}
        self._several: dict[str, list[Any]] = {}
        self._dataset = _Dataset(store, graphs)
        self._subclasses = bool(self._ask(f"ASK {{ ?a <{_SUBCLASS}> ?b }}"))
        results: list[ShaclResult] = []
        nested: dict = {}  # sh:node shape -> value nodes that broke it, once per result
        for classes, props in self.targets:
            focus = self._focus_pattern(classes)
            for prop in props:
                for component in prop["components"]:
                    for this, value in self._violations(focus, prop, component):
                        iri = this.value
                        results.append(ShaclResult(
                            prop["severity"], iri, labels.get(iri),
                            prop["path"] if not prop["inverse"] else "^" + prop["path"],
                            None if value is None else str(_to_rdflib(value, rdflib)), prop["message"]))
                        if component[0] == "value" and component[1][0] == "node":
                            nested.setdefault(component[1][1], []).append(value)
        for shape, values in nested.items():
            results += self._details(shape, values, labels)
        return results

    def _details(self, shape, values: list, labels: Labels) -> list[ShaclResult]:
        """The results a value that breaks an sh:node shape gets from that shape itself, which
        pySHACL reports too (as sh:detail): pySHACL judges each such value against the shape."""
        import pyshacl
        import rdflib

        sh = rdflib.Namespace(SH)
        shapes = rdflib.Graph()
        for prefix, namespace in self.shapes.namespaces():
            shapes.bind(prefix, namespace, override=True, replace=True)
        for triple in self.shapes:
            if triple[1] != sh.targetClass:
                shapes.add(triple)
        distinct = list(dict.fromkeys(values))
        for v in distinct:
            shapes.add((shape, sh.targetNode, _to_rdflib(v, rdflib)))
        data = rdflib.Graph()
        subjects = " ".join(str(v) for v in distinct if isinstance(v, ox.NamedNode))  # blank nodes: no VALUES
        construct = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ VALUES ?s {{ {subjects} }} ?s ?p ?o }} "
                     f"UNION {{ ?s <{_SUBCLASS}> ?o BIND(<{_SUBCLASS}> AS ?p) }} }}")
        triples = list(self._store.query(construct, default_graphs=self._graphs).triples)
        blank = {v for v in distinct if isinstance(v, ox.BlankNode)}
        if blank:  # a blank value's own statements, so that its judgement and message see them
            everything = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isBlank(?s)) }"
            triples += [t for t in self._store.query(everything, default_graphs=self._graphs).triples
                        if t.subject in blank]
        for t in triples:
            data.add(tuple(_to_rdflib(x, rdflib) for x in (t.subject, t.predicate, t.object)))
        _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
        found: dict[str, list[ShaclResult]] = {}
        for r in report.subjects(rdflib.RDF.type, sh.ValidationResult):
            def one(prop: str, r: Any = r) -> str | None:
                v = report.value(r, sh[prop])
                return None if v is None else str(v)

            focus = one("focusNode") or ""
            found.setdefault(focus, []).append(ShaclResult(
                _SEVERITY.get(one("resultSeverity") or "", "error"), focus, labels.get(focus), one("resultPath"),
                one("value"), one("resultMessage") or "does not conform to its shape"))
        return [r for v in values for r in found.get(str(_to_rdflib(v, rdflib)), [])]

    def _ask(self, query: str) -> bool:
        return bool(self._store.query(query, default_graphs=self._dataset(query)).boolean)

    def _select(self, query: str) -> list[dict]:
        return self._store.query(query, default_graphs=self._dataset(query)).rows

    def _focus_pattern(self, classes: list[str]) -> str:
        values = " ".join(f"<{c}>" for c in classes)
        if self._subclasses:
            return (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {values} }} "
                    f"?type <{_SUBCLASS}>* ?class . ?this <{_RDF_TYPE}> ?type }} }}")
        if len(classes) == 1:
            return f"?this <{_RDF_TYPE}> <{classes[0]}> ."
        return f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?class {{ {values} }} ?this <{_RDF_TYPE}> ?class }} }}"

    @staticmethod
    def _values(prop: dict, var: str) -> str:
        return f"?{var} <{prop['path']}> ?this ." if prop["inverse"] else f"?this <{prop['path']}> ?{var} ."

    def _violations(self, focus: str, prop: dict, component: tuple):
        """Yield (focus node, value node or None) for each result of one constraint."""
        kind = component[0]
        values = self._values(prop, "v")
        if kind in ("min", "max"):
            n = component[1]
            # anti-joins and groups rather than a lookup per focus node: several times faster on disk
            if kind == "min" and n == 1:
                query = f"SELECT ?this WHERE {{ {focus} MINUS {{ {values} }} }}"
            elif kind == "max" and n == 1:
                # the nodes with several values of the path, once per path (several shapes share
                # one, and it is almost always none); then only those among the focus nodes
                multi = self._several_values(values)
                if not multi:
                    return
                if any(isinstance(x, ox.BlankNode) for x in multi):  # no blank node in VALUES
                    query = f"SELECT ?this WHERE {{ {{ {self._several_query(values)} }} {focus} }}"
                else:
                    query = f"SELECT ?this WHERE {{ VALUES ?this {{ {' '.join(map(str, multi))} }} {focus} }}"
            else:
                test = f"COUNT(DISTINCT ?v) {'<' if kind == 'min' else '>'} {n}"
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} }} }} GROUP BY ?this "
                         f"HAVING ({test})")
            for row in self._select(query):
                yield row["this"], None
        elif kind == "value":
            yield from self._value_violations(focus, values, component[1])
        elif kind == "ltoe":
            sure = ("(isLiteral(?v) && isLiteral(?w) && DATATYPE(?v) = DATATYPE(?w) && "
                    f"DATATYPE(?v) IN (<{_XSD}integer>, <{_XSD}date>) && "
                    f"(REGEX(STR(?v), \"{_SAFE_LEXICAL[_XSD + 'integer']}\") && REGEX(STR(?w), \"{_SAFE_LEXICAL[_XSD + 'integer']}\")"
                    f" || REGEX(STR(?v), \"{_SAFE_LEXICAL[_XSD + 'date']}\") && REGEX(STR(?w), \"{_SAFE_LEXICAL[_XSD + 'date']}\"))"
                    " && ?v <= ?w)")
            query = (f"SELECT ?this ?v ?w WHERE {{ {focus} {values} ?this <{component[1]}> ?w . "
                     f"FILTER(!{sure}) }}")
            for row in self._select(query):
                if not _less_or_equal(row["v"], row["w"]):
                    yield row["this"], row["v"]
        elif kind == "uniqueLang":
            query = (f"SELECT ?this ?lang WHERE {{ {focus} {values} FILTER(isLiteral(?v) && LANG(?v) != \"\") "
                     f"BIND(LCASE(LANG(?v)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) >= 2)")
            for row in self._select(query):
                yield row["this"], None
        elif kind == "qualified":
            tree, low, high = component[1], component[2], component[3]
            binds, _sure = self._sparql(tree, [])
            # the tests in the projection, after the OPTIONAL (inside it, Virtuoso computed them
            # before binding ?v)
            query = (f"SELECT ?this ?v {' '.join(f'(IF({e}, true, false) AS {v})' for v, e in binds)} "
                     f"WHERE {{ {focus} OPTIONAL {{ {values} }} }}")
            counts: dict = {}
            for row in self._select(query):
                n = counts.setdefault(row["this"], 0)
                if row["v"] is not None and self._holds(tree, row, iter(range(len(binds)))):
                    counts[row["this"]] = n + 1
            for this, n in counts.items():
                if high is not None and n > high:
                    yield this, None
                if low is not None and n < low:
                    yield this, None
        else:  # pragma: no cover - compile() admits no other kind
            raise AssertionError(kind)

    def _value_violations(self, focus: str, values: str, tree: tuple):
        """Yield (focus node, value) for each value that breaks a value shape (sh:class, sh:datatype …).

        A value shape judges the value alone, so each distinct value is judged once: a million
        assessments name 86 competencies and a few levels. Only the values that break the shape
        are joined back to the focus nodes that have them.
        """
        binds, sure = self._sparql(tree, [])
        # the graph tests inline first (|| stops at the first class that holds); only the few
        # candidates left get each test bound for the exact judgement below
        inline = re.sub(r"\?k(\d+)\b", lambda m: binds[int(m.group(1))][1], sure)
        # GROUP BY, not DISTINCT: Oxigraph pushes a FILTER below a DISTINCT, which would run the
        # graph tests once per focus node instead of once per value (4.0 s -> 0.5 s for the
        # competencies of 195,000 assessments); it keeps it above a GROUP BY
        table = self._table(focus, values)
        query = (f"SELECT ?v {' '.join(f'(IF({e}, true, false) AS {v})' for v, e in binds)} WHERE {{ "
                 f"{{ SELECT ?v WHERE {{ {{ SELECT ?v WHERE {{ {table} }} GROUP BY ?v }} FILTER(!({inline})) }} }} }}")
        bad = [row["v"] for row in self._select(query) if not self._holds(tree, row, iter(range(len(binds))))]
        if not bad:
            return
        if all(isinstance(v, ox.NamedNode | ox.Literal) for v in bad):
            found = f"SELECT ?this ?v WHERE {{ VALUES ?v {{ {' '.join(str(v) for v in bad)} }} {focus} {values} }}"
            rows = self._select(found)
        else:  # a blank node cannot be named in a query: every pair is read and the bad ones kept
            wanted = set(bad)
            rows = [r for r in self._select(f"SELECT ?this ?v WHERE {{ {focus} {values} }}") if r["v"] in wanted]
        for row in rows:
            yield row["this"], row["v"]

    def _several_values(self, values: str) -> list[Any]:
        """The nodes with more than one value of a path (``values``: its pattern of ?this and ?v), once per run."""
        if values not in self._several:
            self._several[values] = [row["this"] for row in self._select(self._several_query(values))]
        return self._several[values]

    @staticmethod
    def _several_query(values: str) -> str:
        return f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > 1)"

    def _table(self, focus: str, values: str) -> str:
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
            rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")
            self._counts[pattern] = int(rows[0]["n"].value)
        return self._counts[pattern]

    def _sparql(self, tree: tuple, binds: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str]:
        """Return SPARQL bindings for the exact graph tests (sh:class, sh:in) of a value shape, in
        evaluation order, and an expression that holds only where the value surely conforms."""
        kind = tree[0]
        if kind in ("class", "in"):
            if kind == "class":
                path = f"<{_RDF_TYPE}>/<{_SUBCLASS}>*" if self._subclasses else f"<{_RDF_TYPE}>"
                expr = f"EXISTS {{ ?v {path} <{tree[1]}> }}"
            else:
                expr = "(" + (" || ".join(_same_term("?v", t) for t in tree[1]) or "false") + ")"
            var = f"?k{len(binds)}"
            binds.append((var, expr))
            return binds, var
        if kind == "datatype":
            safe = _SAFE_LEXICAL.get(tree[1])
            if tree[1] == _XSD + "string":
                return binds, f"(isLiteral(?v) && DATATYPE(?v) = <{tree[1]}>)"
            if safe is None:
                return binds, "false"
            return binds, f"(isLiteral(?v) && DATATYPE(?v) = <{tree[1]}> && REGEX(STR(?v), \"{safe}\"))"
        if kind in ("minInclusive", "maxInclusive"):
            bound = tree[1]
            if str(bound.datatype) not in (_XSD + "integer", _XSD + "decimal"):
                return binds, "false"
            op = ">=" if kind == "minInclusive" else "<="
            return binds, (f"(isLiteral(?v) && DATATYPE(?v) IN (<{_XSD}integer>, <{_XSD}decimal>) && "
                           f"REGEX(STR(?v), \"{_SAFE_LEXICAL[_XSD + 'decimal']}\") && ?v {op} {bound.n3()})")
        if kind == "pattern":
            return binds, "false"
        if kind == "node":
            return self._sparql(tree[2], binds)
        parts = []
        for sub in tree[1]:
            binds, expr = self._sparql(sub, binds)
            parts.append(expr)
        joiner = " || " if kind == "or" else " && "
        return binds, "(" + (joiner.join(parts) or ("false" if kind == "or" else "true")) + ")"

    def _holds(self, tree: tuple, row, counter) -> bool:
        """Judge a value exactly (as pySHACL does), reading the graph tests from the row; every
        branch is visited so that the binding counter stays in step with :meth:`_sparql`."""
        kind = tree[0]
        value = row["v"]
        if kind in ("class", "in"):
            return row[f"k{next(counter)}"].value in ("true", "1")  # Virtuoso gives true as 1
        if kind == "node":
            return self._holds(tree[2], row, counter)
        if kind in ("and", "or"):
            found = [self._holds(sub, row, counter) for sub in tree[1]]
            return all(found) if kind == "and" else any(found)
        import rdflib

        term = _to_rdflib(value, rdflib)
        if kind == "datatype":
            return _datatype_matches(term, tree[1], rdflib)
        if kind == "pattern":
            if isinstance(term, rdflib.BNode):
                return False
            text = str(term.value) if isinstance(term, rdflib.Literal) and term.value is not None else str(term)
            return bool(tree[1].match(text) or tree[1].search(text))
        if kind in ("minInclusive", "maxInclusive"):
            return _in_range(term, tree[1], kind == "minInclusive", rdflib)
        raise AssertionError(kind)  # pragma: no cover


def _to_rdflib(term, rdflib):
    """An Oxigraph term as rdflib reads it from N-Triples."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD + "string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _datatype_matches(v, datatype: str, rdflib) -> bool:
    """pySHACL's sh:datatype test (DatatypeConstraintComponent)."""
    if not isinstance(v, rdflib.Literal):
        return False
    rule = rdflib.URIRef(datatype)
    xsd, rdf = rdflib.XSD, rdflib.RDF
    if v.datatype == rule:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _actual_datatype(v, rule, rdflib)
    if rule == rdflib.RDFS.Literal:
        return True
    if rule == rdflib.RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == xsd.string:
        return _actual_datatype(v, rule, rdflib)
    if rule == rdf.langString and v.language:
        return _actual_datatype(v, rule, rdflib)
    return False


def _actual_datatype(v, rule, rdflib) -> bool:
    from datetime import date, datetime, time
    from decimal import Decimal

    xsd = rdflib.XSD
    value = v.value
    checks: dict[Any, type | tuple[type, ...]] = {
        xsd.string: (str, bytes), rdflib.RDF.langString: (str, bytes), xsd.integer: int, xsd.float: float,
        xsd.decimal: Decimal, xsd.boolean: bool, xsd.date: date, xsd.time: time, xsd.dateTime: datetime}
    kind = checks.get(rule)
    return True if kind is None else isinstance(value, kind)


def _in_range(v, bound, minimum: bool, rdflib) -> bool:
    """pySHACL's sh:minInclusive / sh:maxInclusive test."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(v, rdflib.Literal):
        return False
    bound_is_string = isinstance(bound.value, str)
    v_is_string = isinstance(v.value, str)
    if bound_is_string != v_is_string:
        return False
    try:
        cmp = compare_literal(v, bound)
    except (TypeError, NotImplementedError):
        return False
    return cmp >= 0 if minimum else cmp <= 0


def _less_or_equal(v, w) -> bool:
    """pySHACL's sh:lessThanOrEquals test for one pair of values."""
    import rdflib

    a, b = _to_rdflib(v, rdflib), _to_rdflib(w, rdflib)

    def plain(t):
        if isinstance(t, rdflib.URIRef):
            return str(t), True
        if isinstance(t, rdflib.Literal) and isinstance(t.value, str):
            return t.value, True
        return t, False

    (a, a_str), (b, b_str) = plain(a), plain(b)
    if a_str != b_str:
        return False
    try:
        return bool(a <= b)
    except TypeError:
        return False


def _subclasses_of(store: Dataset, graphs: list[str], cls: str) -> list[str]:
    """A class and every class below it through ``rdfs:subClassOf`` in ``graphs``, in N-Triples."""
    rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{_SUBCLASS}>* <{cls}> }}", default_graphs=graphs).rows
    return [f"<{cls}>", *(str(r["c"]) for r in rows if isinstance(r["c"], ox.NamedNode) and r["c"].value != cls)]


def _same_term(var: str, term: Any) -> str:
    """``sameTerm(var, term)`` written without sameTerm, which Virtuoso 7.2 answered false for equal IRIs.

    An IRI is the same term as an equal IRI; a literal as one with the same lexical form,
    datatype and language.

    >>> import rdflib
    >>> _same_term("?v", rdflib.URIRef("urn:a"))
    '(isIRI(?v) && ?v = <urn:a>)'
    >>> _same_term("?v", rdflib.Literal("moves"))
    '(isLiteral(?v) && STR(?v) = "moves" && DATATYPE(?v) = <http://www.w3.org/2001/XMLSchema#string> && LANG(?v) = "")'
    """
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return f"(isIRI({var}) && {var} = {term.n3()})"
    if isinstance(term, rdflib.Literal):
        datatype = term.datatype or (rdflib.RDF.langString if term.language else rdflib.XSD.string)
        text = rdflib.Literal(str(term)).n3()
        return (f"(isLiteral({var}) && STR({var}) = {text} && DATATYPE({var}) = <{datatype}> && "
                f"LANG({var}) = \"{term.language or ''}\")")
    return f"sameTerm({var}, {term.n3()})"


def _run_sparql_constraints(store: Dataset, shapes, constraints, graphs: list[str], labels: Labels) -> list[ShaclResult]:
    import rdflib

    from selaras.engine.sparql import strip_comments

    sh = rdflib.Namespace(SH)
    prefixes = "\n".join(
        f"PREFIX {shapes.value(d, sh.prefix)}: <{shapes.value(d, sh.namespace)}>"
        for d in shapes.objects(None, sh.declare)
    )
    results = []
    dataset = _Dataset(store, graphs)
    for shape, _p, constraint in constraints:
        targets = list(shapes.objects(shape, sh.targetClass))
        select = strip_comments(str(shapes.value(constraint, sh.select))).replace("$this", "?this")
        m = re.search(r"\bWHERE\s*\{", select, re.IGNORECASE)
        if not targets or m is None:
            continue
        # the target classes and their subclasses written out (not a path through rdfs:subClassOf),
        # so that the query reads only the graphs that can hold its focus nodes (see _Dataset)
        types = {t for target in targets for t in _subclasses_of(store, graphs, str(target))}
        target = (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?targetClass {{ {' '.join(sorted(types))} }} "
                  f"?this a ?targetClass }} }}")
        query = f"{prefixes}\n{select[: m.end()]} {target} {select[m.end():]}"
        template = str(shapes.value(constraint, sh.message) or "does not conform to its shape")
        severity = _SEVERITY.get(str(shapes.value(constraint, sh.severity) or shapes.value(shape, sh.severity)
                                     or SH + "Violation"), "error")
        for row in store.query(query, default_graphs=dataset(query)).rows:
            values = {k: (v.value if v is not None else "") for k, v in row.items()}
            message = re.sub(r"\{[?$](\w+)\}", lambda mm: labels.get(values.get(mm.group(1), ""))
                             if values.get(mm.group(1), "").startswith("http") else values.get(mm.group(1), ""),
                             template)
            focus = values.get("this", "")
            results.append(ShaclResult(severity, focus, labels.get(focus), values.get("path") or None,
                                       values.get("value") or None, message))
    return results


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
