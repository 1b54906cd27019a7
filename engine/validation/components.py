"""The SHACL core constraint components the native engine evaluates: one class each.

Each class names its component and links its section of the SHACL specification
(https://www.w3.org/TR/shacl/#core-components); they follow the specification's order. Each reads
its parameters from a shape (:meth:`ConstraintComponent.parse`) and yields the focus nodes
(with the value node, if any) that break it (:meth:`ConstraintComponent.evaluate`), judging
every value exactly as pySHACL judges it, so that the results are pySHACL's.

There are two kinds:

- a :class:`ValueComponent` judges each value node alone (``sh:class``, ``sh:datatype``,
  ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:pattern``, ``sh:or``, ``sh:node``, ``sh:in``),
  so a *value shape* (the shape of ``sh:node``, the members of ``sh:or``, a qualified value
  shape) is a tree of them. The query over a shape's values keeps only the values that may break
  it (:meth:`ValueComponent.sparql`: an expression that holds where a value surely conforms);
  those few are then judged exactly (:meth:`ValueComponent.holds`). Graph tests (``sh:class``,
  ``sh:in``) are bound in the query and read back from its row: the k-th test binds ``?k<k>``.
- the others look at a focus node's values together: ``sh:minCount``, ``sh:maxCount``,
  ``sh:uniqueLang``, ``sh:lessThanOrEquals``, ``sh:qualifiedValueShape``; each is one query.

:data:`PROPERTY_COMPONENTS` maps each parameter to the class that reads it, in the order a
property shape's constraints are evaluated; :data:`VALUE_COMPONENTS` those a value shape may use.
A shape using any other ``sh:`` parameter is :class:`Unsupported`: pySHACL validates instead.

Where is ``sh:datatype`` checked? In :class:`Datatype`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar, Protocol

import pyoxigraph as ox

from selaras.engine.validation.terms import SAFE_LEXICAL, SH, SUBCLASS_OF, TYPE, XSD, same_term, to_rdflib

#: (focus node, value node or None): one result of a constraint
Violation = tuple[Any, Any]
#: SPARQL bindings of a value shape's graph tests, in evaluation order: (variable, expression)
Binds = list[tuple[str, str]]


class Run(Protocol):
    """What a constraint reads of the validation in progress (``native.ValidationRun`` offers it)."""

    #: whether the data has any ``rdfs:subClassOf`` (else classes are matched by ``rdf:type`` alone)
    subclasses: bool

    def select(self, query: str) -> list[dict]:
        """The rows of a SELECT query over the data graphs it needs."""

    def table(self, focus: str, values: str) -> str:
        """A pattern joining the focus nodes with their values, in the cheaper of two ways."""

    def several_values(self, values: str) -> list[Any]:
        """The nodes with more than one value of a path, counted once per validation."""

    def several_query(self, values: str) -> str:
        """The query of :meth:`several_values`."""


class Unsupported(Exception):
    """The shapes use a feature the native engine does not evaluate."""


def sh(name: str) -> Any:
    """The rdflib IRI of a term of the SHACL namespace (the shapes graph is rdflib's)."""
    import rdflib

    return rdflib.URIRef(SH + name)


class ConstraintComponent:
    """A SHACL constraint component, with the parameter values one shape gives it."""

    #: the ``sh:`` parameters this component reads (the first names it in the registries)
    parameters: ClassVar[tuple[str, ...]] = ()
    #: a shape may give the parameter at most one value (else: :class:`Unsupported`)
    single: ClassVar[bool] = False

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        """The constraints of this component that shape ``node`` declares (one per parameter value)."""
        raise NotImplementedError

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        """Yield (focus node, value node or None) for each result.

        ``focus`` is a SPARQL pattern binding ``?this`` to the focus nodes, ``values`` one
        binding ``?v`` to each value of ``?this`` for the property shape's path.
        """
        raise NotImplementedError


# --- the value components' common ground ----------------------------------------------------------
class ValueComponent(ConstraintComponent):
    """A component that judges each value node alone; a value shape is a tree of them.

    Each distinct value is judged once: a million assessments name 86 competencies and a few
    levels. Only the values that break the shape are joined back to the focus nodes that have them.
    """

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        return [cls.parse_value(shapes, node, value) for value in shapes.objects(node, sh(cls.parameters[0]))]

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        """The constraint shape ``node`` declares with ``value`` (``depth``: of nested shapes)."""
        raise NotImplementedError

    def sparql(self, run: Run, binds: Binds) -> str:
        """An expression over ``?v`` that holds only where the value surely conforms; the exact
        graph tests are appended to ``binds`` (and the expression names their variables)."""
        raise NotImplementedError

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        """Judge the row's value ``?v`` exactly (as pySHACL does), reading the graph tests from the
        row; every branch is visited so that ``counter`` stays in step with :meth:`sparql`."""
        raise NotImplementedError

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        binds: Binds = []
        sure = self.sparql(run, binds)
        # the graph tests inline first (|| stops at the first class that holds); only the few
        # candidates left get each test bound for the exact judgement below
        inline = re.sub(r"\?k(\d+)\b", lambda m: binds[int(m.group(1))][1], sure)
        # GROUP BY, not DISTINCT: Oxigraph pushes a FILTER below a DISTINCT, which would run the
        # graph tests once per focus node instead of once per value (4.0 s -> 0.5 s for the
        # competencies of 195,000 assessments); it keeps it above a GROUP BY
        table = run.table(focus, values)
        query = (f"SELECT ?v {' '.join(f'(IF({e}, true, false) AS {v})' for v, e in binds)} WHERE {{ "
                 f"{{ SELECT ?v WHERE {{ {{ SELECT ?v WHERE {{ {table} }} GROUP BY ?v }} FILTER(!({inline})) }} }} }}")
        bad = [row["v"] for row in run.select(query) if not self.holds(row, iter(range(len(binds))))]
        if not bad:
            return
        if all(isinstance(v, ox.NamedNode | ox.Literal) for v in bad):
            found = f"SELECT ?this ?v WHERE {{ VALUES ?v {{ {' '.join(str(v) for v in bad)} }} {focus} {values} }}"
            rows = run.select(found)
        else:  # a blank node cannot be named in a query: every pair is read and the bad ones kept
            wanted = set(bad)
            rows = [r for r in run.select(f"SELECT ?this ?v WHERE {{ {focus} {values} }}") if r["v"] in wanted]
        for row in rows:
            yield row["this"], row["v"]


class _GraphTest(ValueComponent):
    """A value component judged by the graph itself, in the query (its test bound to ``?k<n>``)."""

    def test(self, run: Run) -> str:
        """A SPARQL expression that holds where ``?v`` conforms."""
        raise NotImplementedError

    def sparql(self, run: Run, binds: Binds) -> str:
        var = f"?k{len(binds)}"
        binds.append((var, self.test(run)))
        return var

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        return bool(row[f"k{next(counter)}"].value in ("true", "1"))  # Virtuoso gives true as 1


# --- 4.1 Value Type Constraint Components ---------------------------------------------------------
class Class(_GraphTest):
    """sh:class — each value is an instance of the class (through ``rdfs:subClassOf`` in the data).

    https://www.w3.org/TR/shacl/#ClassConstraintComponent (4.1.1)
    """

    parameters = ("class",)

    def __init__(self, cls: str) -> None:
        self.cls = cls

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        return cls(str(value))

    def test(self, run: Run) -> str:
        path = f"<{TYPE}>/<{SUBCLASS_OF}>*" if run.subclasses else f"<{TYPE}>"
        return f"EXISTS {{ ?v {path} <{self.cls}> }}"


class Datatype(ValueComponent):
    """sh:datatype — each value is a literal of the datatype, well formed (pySHACL's test).

    https://www.w3.org/TR/shacl/#DatatypeConstraintComponent (4.1.2)
    """

    parameters = ("datatype",)
    single = True

    def __init__(self, datatype: str) -> None:
        import rdflib

        self.datatype = datatype
        self._rule = rdflib.URIRef(datatype)

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        return cls(str(value))

    def sparql(self, run: Run, binds: Binds) -> str:
        safe = SAFE_LEXICAL.get(self.datatype)
        if self.datatype == XSD + "string":
            return f"(isLiteral(?v) && DATATYPE(?v) = <{self.datatype}>)"
        if safe is None:
            return "false"
        return f"(isLiteral(?v) && DATATYPE(?v) = <{self.datatype}> && REGEX(STR(?v), \"{safe}\"))"

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        import rdflib

        v, rule = to_rdflib(row["v"]), self._rule
        if not isinstance(v, rdflib.Literal):
            return False
        if v.datatype == rule:
            if getattr(v, "ill_typed", None) is True:
                return False
            return _actual_datatype(v, rule)
        if rule == rdflib.RDFS.Literal:
            return True
        if rule == rdflib.RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and rule == rdflib.XSD.string:
            return _actual_datatype(v, rule)
        if rule == rdflib.RDF.langString and v.language:
            return _actual_datatype(v, rule)
        return False


def _actual_datatype(v: Any, rule: Any) -> bool:
    """Whether rdflib read the literal's value as the Python type of its datatype."""
    from datetime import date, datetime, time
    from decimal import Decimal

    import rdflib

    xsd = rdflib.XSD
    checks: dict[Any, type | tuple[type, ...]] = {
        xsd.string: (str, bytes), rdflib.RDF.langString: (str, bytes), xsd.integer: int, xsd.float: float,
        xsd.decimal: Decimal, xsd.boolean: bool, xsd.date: date, xsd.time: time, xsd.dateTime: datetime}
    kind = checks.get(rule)
    return True if kind is None else isinstance(v.value, kind)


# --- 4.2 Cardinality Constraint Components --------------------------------------------------------
def _integers(shapes: Any, node: Any, name: str) -> list[int]:
    return [int(v) for v in shapes.objects(node, sh(name))]


def _count_query(focus: str, values: str, test: str) -> str:
    return f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {values} }} }} GROUP BY ?this HAVING ({test})"


class MinCount(ConstraintComponent):
    """sh:minCount — at least n values.

    https://www.w3.org/TR/shacl/#MinCountConstraintComponent (4.2.1)
    """

    parameters = ("minCount",)
    single = True

    def __init__(self, n: int) -> None:
        self.n = n

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        return [cls(n) for n in _integers(shapes, node, "minCount")]

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        # anti-joins and groups rather than a lookup per focus node: several times faster on disk
        if self.n == 1:
            query = f"SELECT ?this WHERE {{ {focus} MINUS {{ {values} }} }}"
        else:
            query = _count_query(focus, values, f"COUNT(DISTINCT ?v) < {self.n}")
        for row in run.select(query):
            yield row["this"], None


class MaxCount(ConstraintComponent):
    """sh:maxCount — at most n values.

    https://www.w3.org/TR/shacl/#MaxCountConstraintComponent (4.2.2)
    """

    parameters = ("maxCount",)
    single = True

    def __init__(self, n: int) -> None:
        self.n = n

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        return [cls(n) for n in _integers(shapes, node, "maxCount")]

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        if self.n == 1:
            # the nodes with several values of the path, once per path (several shapes share
            # one, and it is almost always none); then only those among the focus nodes
            multi = run.several_values(values)
            if not multi:
                return
            if any(isinstance(x, ox.BlankNode) for x in multi):  # no blank node in VALUES
                query = f"SELECT ?this WHERE {{ {{ {run.several_query(values)} }} {focus} }}"
            else:
                query = f"SELECT ?this WHERE {{ VALUES ?this {{ {' '.join(map(str, multi))} }} {focus} }}"
        else:
            query = _count_query(focus, values, f"COUNT(DISTINCT ?v) > {self.n}")
        for row in run.select(query):
            yield row["this"], None


# --- 4.3 Value Range Constraint Components --------------------------------------------------------
class _Range(ValueComponent):
    """A bound on each value: a literal comparable with the bound (pySHACL's test)."""

    minimum: ClassVar[bool]

    def __init__(self, bound: Any) -> None:
        self.bound = bound

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        import rdflib

        if not isinstance(value, rdflib.Literal):
            raise Unsupported(node)
        return cls(value)

    def sparql(self, run: Run, binds: Binds) -> str:
        if str(self.bound.datatype) not in (XSD + "integer", XSD + "decimal"):
            return "false"
        op = ">=" if self.minimum else "<="
        return (f"(isLiteral(?v) && DATATYPE(?v) IN (<{XSD}integer>, <{XSD}decimal>) && "
                f"REGEX(STR(?v), \"{SAFE_LEXICAL[XSD + 'decimal']}\") && ?v {op} {self.bound.n3()})")

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        import rdflib
        from pyshacl.rdfutil.compare import compare_literal

        v, bound = to_rdflib(row["v"]), self.bound
        if not isinstance(v, rdflib.Literal):
            return False
        if isinstance(bound.value, str) != isinstance(v.value, str):
            return False
        try:
            cmp = compare_literal(v, bound)
        except (TypeError, NotImplementedError):
            return False
        return bool(cmp >= 0 if self.minimum else cmp <= 0)


class MinInclusive(_Range):
    """sh:minInclusive — each value is at least the bound.

    https://www.w3.org/TR/shacl/#MinInclusiveConstraintComponent (4.3.2)
    """

    parameters = ("minInclusive",)
    minimum = True


class MaxInclusive(_Range):
    """sh:maxInclusive — each value is at most the bound.

    https://www.w3.org/TR/shacl/#MaxInclusiveConstraintComponent (4.3.4)
    """

    parameters = ("maxInclusive",)
    minimum = False


# --- 4.4 String-based Constraint Components -------------------------------------------------------
class Pattern(ValueComponent):
    """sh:pattern — each value's text matches the regular expression (no sh:flags: pySHACL runs those).

    https://www.w3.org/TR/shacl/#PatternConstraintComponent (4.4.3)
    """

    parameters = ("pattern",)
    single = True

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        if shapes.value(node, sh("flags")) is not None:
            raise Unsupported(node)
        return cls(re.compile(str(value)))

    def sparql(self, run: Run, binds: Binds) -> str:
        return "false"

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        import rdflib

        term = to_rdflib(row["v"])
        if isinstance(term, rdflib.BNode):
            return False
        text = str(term.value) if isinstance(term, rdflib.Literal) and term.value is not None else str(term)
        return bool(self.regex.match(text) or self.regex.search(text))


class UniqueLang(ConstraintComponent):
    """sh:uniqueLang — no two values share a language tag (compared in lower case).

    https://www.w3.org/TR/shacl/#UniqueLangConstraintComponent (4.4.5)
    """

    parameters = ("uniqueLang",)
    single = True

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        flag = shapes.value(node, sh("uniqueLang"))
        return [cls()] if flag is not None and flag.toPython() is True else []

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        query = (f"SELECT ?this ?lang WHERE {{ {focus} {values} FILTER(isLiteral(?v) && LANG(?v) != \"\") "
                 f"BIND(LCASE(LANG(?v)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) >= 2)")
        for row in run.select(query):
            yield row["this"], None


# --- 4.5 Property Pair Constraint Components ------------------------------------------------------
class LessThanOrEquals(ConstraintComponent):
    """sh:lessThanOrEquals — each value is at most each value of the other property (pySHACL's test).

    https://www.w3.org/TR/shacl/#LessThanOrEqualsConstraintComponent (4.5.4)
    """

    parameters = ("lessThanOrEquals",)

    def __init__(self, other: str) -> None:
        self.other = other

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        import rdflib

        found: list[ConstraintComponent] = []
        for other in shapes.objects(node, sh("lessThanOrEquals")):
            if not isinstance(other, rdflib.URIRef):
                raise Unsupported(node)
            found.append(cls(str(other)))
        return found

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        integer, date = SAFE_LEXICAL[XSD + "integer"], SAFE_LEXICAL[XSD + "date"]
        sure = ("(isLiteral(?v) && isLiteral(?w) && DATATYPE(?v) = DATATYPE(?w) && "
                f"DATATYPE(?v) IN (<{XSD}integer>, <{XSD}date>) && "
                f"(REGEX(STR(?v), \"{integer}\") && REGEX(STR(?w), \"{integer}\")"
                f" || REGEX(STR(?v), \"{date}\") && REGEX(STR(?w), \"{date}\"))"
                " && ?v <= ?w)")
        query = f"SELECT ?this ?v ?w WHERE {{ {focus} {values} ?this <{self.other}> ?w . FILTER(!{sure}) }}"
        for row in run.select(query):
            if not self.less_or_equal(row["v"], row["w"]):
                yield row["this"], row["v"]

    @staticmethod
    def less_or_equal(v: Any, w: Any) -> bool:
        """pySHACL's test for one pair of values (Oxigraph terms)."""
        import rdflib

        def plain(t: Any) -> tuple[Any, bool]:
            if isinstance(t, rdflib.URIRef):
                return str(t), True
            if isinstance(t, rdflib.Literal) and isinstance(t.value, str):
                return t.value, True
            return t, False

        (a, a_str), (b, b_str) = plain(to_rdflib(v)), plain(to_rdflib(w))
        if a_str != b_str:
            return False
        try:
            return bool(a <= b)
        except TypeError:
            return False


# --- 4.6 Logical Constraint Components ------------------------------------------------------------
class Or(ValueComponent):
    """sh:or — each value conforms to at least one of the listed shapes.

    https://www.w3.org/TR/shacl/#OrConstraintComponent (4.6.3)
    """

    parameters = ("or",)

    def __init__(self, members: tuple[ValueComponent, ...]) -> None:
        self.members = members

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        import rdflib

        return cls(tuple(value_shape(shapes, m, depth + 1) for m in rdflib.collection.Collection(shapes, value)))

    def sparql(self, run: Run, binds: Binds) -> str:
        return "(" + (" || ".join([m.sparql(run, binds) for m in self.members]) or "false") + ")"

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        return any([m.holds(row, counter) for m in self.members])  # a list: every member visited


class AllOf(ValueComponent):
    """A value shape of several constraints: each value meets all of them.

    Not a component of its own: how a shape combines its constraints
    (https://www.w3.org/TR/shacl/#constraints, 2.1); ``sh:and`` itself the native engine does not read.
    """

    def __init__(self, parts: tuple[ValueComponent, ...]) -> None:
        self.parts = parts

    def sparql(self, run: Run, binds: Binds) -> str:
        return "(" + (" && ".join([p.sparql(run, binds) for p in self.parts]) or "true") + ")"

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        return all([p.holds(row, counter) for p in self.parts])  # a list: every part visited


# --- 4.7 Shape-based Constraint Components --------------------------------------------------------
class Node(ValueComponent):
    """sh:node — each value conforms to the node shape (whose own results pySHACL adds as details).

    https://www.w3.org/TR/shacl/#NodeConstraintComponent (4.7.1)
    """

    parameters = ("node",)

    def __init__(self, shape: Any, tree: ValueComponent) -> None:
        self.shape = shape  # the node shape (an rdflib term)
        self.tree = tree

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        return cls(value, value_shape(shapes, value, depth + 1))

    def sparql(self, run: Run, binds: Binds) -> str:
        return self.tree.sparql(run, binds)

    def holds(self, row: Any, counter: Iterator[int]) -> bool:
        return self.tree.holds(row, counter)


class QualifiedValueShape(ConstraintComponent):
    """sh:qualifiedValueShape — between sh:qualifiedMinCount and sh:qualifiedMaxCount values conform
    to the shape (without sh:qualifiedValueShapesDisjoint: pySHACL runs that).

    https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent (4.7.3)
    """

    parameters = ("qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount")
    single = True

    def __init__(self, tree: ValueComponent, low: int | None, high: int | None) -> None:
        self.tree, self.low, self.high = tree, low, high

    @classmethod
    def parse(cls, shapes: Any, node: Any) -> list[ConstraintComponent]:
        shape = shapes.value(node, sh("qualifiedValueShape"))
        if shape is None:
            if (node, sh("qualifiedMinCount"), None) in shapes or (node, sh("qualifiedMaxCount"), None) in shapes:
                raise Unsupported(node)
            return []
        if (node, sh("qualifiedValueShapesDisjoint"), None) in shapes:
            raise Unsupported(node)
        low, high = shapes.value(node, sh("qualifiedMinCount")), shapes.value(node, sh("qualifiedMaxCount"))
        return [cls(value_shape(shapes, shape), None if low is None else int(low), None if high is None else int(high))]

    def evaluate(self, run: Run, focus: str, values: str) -> Iterator[Violation]:
        binds: Binds = []
        self.tree.sparql(run, binds)
        # the tests in the projection, after the OPTIONAL (inside it, Virtuoso computed them
        # before binding ?v)
        query = (f"SELECT ?this ?v {' '.join(f'(IF({e}, true, false) AS {v})' for v, e in binds)} "
                 f"WHERE {{ {focus} OPTIONAL {{ {values} }} }}")
        counts: dict = {}
        for row in run.select(query):
            n = counts.setdefault(row["this"], 0)
            if row["v"] is not None and self.tree.holds(row, iter(range(len(binds)))):
                counts[row["this"]] = n + 1
        for this, n in counts.items():
            if self.high is not None and n > self.high:
                yield this, None
            if self.low is not None and n < self.low:
                yield this, None


# --- 4.8 Other Constraint Components --------------------------------------------------------------
class In(_GraphTest):
    """sh:in — each value is one of the listed terms.

    https://www.w3.org/TR/shacl/#InConstraintComponent (4.8.3)
    """

    parameters = ("in",)

    def __init__(self, members: tuple[Any, ...]) -> None:
        self.members = members

    @classmethod
    def parse_value(cls, shapes: Any, node: Any, value: Any, depth: int = 0) -> ValueComponent:
        import rdflib

        return cls(tuple(rdflib.collection.Collection(shapes, value)))

    def test(self, run: Run) -> str:
        return "(" + (" || ".join(same_term("?v", t) for t in self.members) or "false") + ")"


# --- the registries ---------------------------------------------------------------------------------
#: The components of a property shape, by their (first) parameter, in the order they are evaluated.
PROPERTY_COMPONENTS: dict[str, type[ConstraintComponent]] = {SH + c.parameters[0]: c for c in (
    MinCount, MaxCount, Class, Datatype, In, Pattern, MinInclusive, MaxInclusive, Node, Or, LessThanOrEquals,
    UniqueLang, QualifiedValueShape)}
#: The components a value shape may use (the shape of sh:node, a member of sh:or, a qualified value shape).
VALUE_COMPONENTS: dict[str, type[ValueComponent]] = {
    iri: c for iri, c in PROPERTY_COMPONENTS.items() if issubclass(c, ValueComponent)}
#: Every parameter the components read.
PARAMETERS = frozenset(SH + p for c in PROPERTY_COMPONENTS.values() for p in c.parameters)
#: What a value shape may say besides its constraints (the engine takes the message from the property shape).
_VALUE_SHAPE_WORDS = frozenset(SH + p for p in ("name", "description", "message", "severity"))


def property_constraints(shapes: Any, node: Any) -> list[ConstraintComponent]:
    """The constraints of property shape ``node``, in evaluation order.

    Raises:
        Unsupported: a parameter given more than once where the engine takes one, or one
            the engine cannot evaluate (see each component's ``parse``).
    """
    for component in PROPERTY_COMPONENTS.values():
        if component.single and len(list(shapes.objects(node, sh(component.parameters[0])))) > 1:
            raise Unsupported(node)
    return [constraint for component in PROPERTY_COMPONENTS.values() for constraint in component.parse(shapes, node)]


def value_shape(shapes: Any, node: Any, depth: int = 0) -> ValueComponent:
    """The shape ``node`` applied to a value node itself (sh:node, sh:or members, qualified shapes).

    Raises:
        Unsupported: the shape uses a component that judges more than the value, a parameter
            given twice where the engine takes one, or refers to itself (16 levels deep).
    """
    if depth > 16:
        raise Unsupported(node)  # shapes that refer to themselves: pySHACL's recursion rules
    parts = []
    for p, o in shapes.predicate_objects(node):
        if not str(p).startswith(SH) or str(p) in _VALUE_SHAPE_WORDS:
            continue
        component = VALUE_COMPONENTS.get(str(p))
        if component is None:
            raise Unsupported(node)
        parts.append(component.parse_value(shapes, node, o, depth))
    for component in VALUE_COMPONENTS.values():
        if component.single and len(list(shapes.objects(node, sh(component.parameters[0])))) > 1:
            raise Unsupported(node)
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))
