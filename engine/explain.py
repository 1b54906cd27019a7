"""Explain a conclusion: which rule concluded it, from which premises, in words.

A node a rule mints carries ``sel:inferredBy`` (the rule) and ``sel:premise`` (the facts or
conclusions it rests on); the nodes of the lean rules (one per employee and competency, or per
move and competency) carry neither: their rule is the one whose graph holds them, and their
premises are found again by the rule's ``# premise:`` pattern. :func:`explain` reads them, with the node's own statements, the
premises' facts (and their ``dct:source``), and one level of the parts a conclusion has (a
move's level increases and new competencies, each with its own rule and premises).

Things can be named by IRI, by a short data path (``move/manager-sertifikasi-a2/kepala-lsp``),
by ``EMPLOYEE COMPETENCY`` (a gap) or by ``FROM -> TO`` (a move, positions by code or label).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox

from selaras.engine import messages
from selaras.engine.errors import InputError, NotFoundError
from selaras.engine.rules import Rule, lean_by_graph
from selaras.engine.store import FACTS_GRAPH, Dataset, names, term_value
from selaras.engine.store.labels import Labels
from selaras.ontology.namespace import DATA_IRI, RULE_IRI, SEL_IRI

DCT_SOURCE = "http://purl.org/dc/terms/source"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Properties that link a conclusion to its parts, which are explained with it.
PART_PROPERTIES = (SEL_IRI + "levelIncrease", SEL_IRI + "newCompetency")
_HIDDEN = {SEL_IRI + "inferredBy", SEL_IRI + "premise", RDF_TYPE, *PART_PROPERTIES}


@dataclass(frozen=True)
class Statement:
    """One property of a thing, as IRIs/values and as words."""

    property: str
    property_label: str
    value: str
    value_label: str


@dataclass
class Fact:
    """A premise: a thing and what the facts say of it, with the source they cite."""

    iri: str
    label: str
    types: list[str]
    statements: list[Statement]
    source: str | None
    inferred_by: str | None = None


@dataclass
class Explanation:
    """Why a conclusion holds: its rule, its statements, its premises and its parts."""

    iri: str
    label: str
    types: list[str]
    rule: str | None
    rule_title: str | None
    rule_source: str | None
    statements: list[Statement]
    premises: list[Fact]
    parts: list[Explanation] = field(default_factory=list)
    #: False for a move the rules allow but did not conclude (its demands worked out on demand)
    concluded: bool = True

    def to_dict(self) -> dict:
        """Return the explanation as plain data (for JSON)."""
        from dataclasses import asdict

        return asdict(self)


def resolve(store: Dataset, thing: str) -> str:
    """Turn what a user typed into the IRI of a node that exists.

    Understood: an IRI (bare or in ``<…>``); a data path (``move/FROM/TO``, ``gap/E0013/CT``);
    ``FROM -> TO`` with each position by code or title; ``EMPLOYEE COMPETENCY`` (a gap); and
    any position, employee, competency, scheme or programme by code or name
    (:mod:`selaras.engine.store.names`).

    Raises:
        NotFoundError: nothing matches (the message says which forms are understood).
        InputError: a name fits several things (the message lists them).
    """
    thing = thing.strip()
    if thing.startswith("<") and thing.endswith(">"):
        thing = thing[1:-1].strip()
    if thing.startswith(("http://", "https://", "urn:")):
        if names.exists(store, thing):
            return thing
        raise NotFoundError(f"nothing called <{thing}> in the store — check the IRI "
                            f"(run `selaras infer` first if it is a conclusion)")
    if "->" in thing:
        source, _, target = (part.strip() for part in thing.partition("->"))
        a, b = names.find(store, "position", source), names.find(store, "position", target)
        move = f"{DATA_IRI}move/{a}/{b}"
        if names.exists(store, move):
            return move
        raise NotFoundError(f"no career move {thing!r} was concluded (run `selaras infer` first if the "
                            f"conclusions are missing)")
    if "/" in thing:
        if names.exists(store, DATA_IRI + thing.lstrip("/")):
            return DATA_IRI + thing.lstrip("/")
    else:
        found = _entity(store, thing)
        if found is not None:
            return found
        employee, _, competency = thing.partition(" ")
        gap = names.iri("gap", employee) + "/" + quote(competency.strip(), safe="")
        if competency and names.exists(store, gap):
            return gap
    raise NotFoundError(
        f"nothing called {thing!r} in the store — name a position, an employee, a competency, a scheme "
        f"or a programme (code or name), an IRI, a data path such as move/FROM/TO or gap/EMPLOYEE/COMPETENCY, "
        f"'EMPLOYEE COMPETENCY', or 'FROM -> TO' (run `selaras infer` first if the conclusions are missing)")


#: The kinds of entity ``explain NAME`` looks for, in this order.
_EXPLAINED_KINDS = ("position", "employee", "competency", "scheme", "program")


def _entity(store: Dataset, thing: str) -> str | None:
    """The IRI of the one entity whose code or exact name is ``thing`` (several: the error lists them)."""
    for kind in _EXPLAINED_KINDS:  # a code, looked up directly
        if names.exists(store, names.iri(kind, thing)):
            return names.iri(kind, thing)
    found: list[tuple[str, str]] = []
    for kind in _EXPLAINED_KINDS:
        try:
            found.append((kind, names.choose(kind, thing, names.of_kind(store, kind))))
        except NotFoundError:
            continue
        except InputError:
            if " " not in thing:
                raise  # a part of a name: the error lists the matches
    if len(found) > 1:
        raise InputError(f"{thing!r} names several things: " + ", ".join(f"{kind} {code}" for kind, code in found)
                         + " — give the code of the one you mean")
    return names.iri(*found[0]) if found else None


def explain(store: Dataset, thing: str, lang: str = "en") -> Explanation:
    """Explain one node: the rule that concluded it, its statements, premises and parts.

    Raises:
        NotFoundError: the thing does not exist.
    """
    try:
        iri = resolve(store, thing)
    except NotFoundError:
        if "->" not in thing:
            raise
        move = _explain_allowed_move(store, thing, Labels(store, lang))
        if move is None:
            raise
        return move
    labels = Labels(store, lang)
    return _explain(store, iri, labels, depth=1)


def _explain_allowed_move(store: Dataset, thing: str, labels: Labels) -> Explanation | None:
    """Explain a move the job architecture allows but the rule ``career-move`` did not conclude.

    The rule concludes only viable moves (``min_move_similarity``, ``max_moves_per_position``);
    for any other allowed pair the demands are worked out on demand, from the two positions'
    requirements, by the named query ``move-increases``. None when the rules allow no such move.
    """
    from selaras import queries

    source, _, target = (part.strip() for part in thing.partition("->"))
    a, b = names.find(store, "position", source), names.find(store, "position", target)
    q = queries.load("move-increases")
    rows = store.query(q.text, bindings=q.bindings({"from": a, "to": b, "lang": labels.lang})).rows
    if not rows:
        return None
    iri = f"{DATA_IRI}move/{a}/{b}"
    rule = RULE_IRI + "career-move"
    source_text = next((term_value(q.object) for q in store.match(ox.NamedNode(rule), None, None)
                        if q.predicate.value == DCT_SOURCE), None)
    note = labels.get(SEL_IRI + "CareerMove")
    statements = [
        Statement(SEL_IRI + "moveType", labels.get(SEL_IRI + "moveType"), rows[0]["move_type"].value,
                  rows[0]["move_type"].value),
    ]
    parts = []
    for r in rows:
        comp = r["competency"].value
        before = r["from_level"].value if r["from_level"] is not None else None
        kind = "increase" if before is not None else "new"
        part_statements = [Statement(SEL_IRI + "competency", labels.get(SEL_IRI + "competency"), comp,
                                     labels.get(comp))]
        if before is not None:
            part_statements.append(Statement(SEL_IRI + "fromLevel", labels.get(SEL_IRI + "fromLevel"), before, before))
        part_statements.append(Statement(SEL_IRI + "toLevel", labels.get(SEL_IRI + "toLevel"),
                                         r["to_level"].value, r["to_level"].value))
        code = r["code"].value
        premises = [f"{DATA_IRI}requirement/{p}/{code}" for p in ((a, b) if before is not None else (b,))]
        parts.append(Explanation(
            iri=f"{iri}/{kind}/{code}", label=_describe(f"{iri}/{kind}/{code}", labels),
            types=[labels.get(SEL_IRI + ("LevelIncrease" if before is not None else "NewCompetency"))],
            rule="level-increase" if before is not None else "new-competency",
            rule_title=labels.get(RULE_IRI + ("level-increase" if before is not None else "new-competency")),
            rule_source=None, statements=part_statements,
            premises=[_fact(store, p, labels) for p in premises
                      if names.exists(store, p)], concluded=False))
    return Explanation(
        iri=iri, label=_describe(iri, labels), types=[note], rule="career-move",
        rule_title=labels.get(rule), rule_source=source_text, statements=statements,
        premises=[_fact(store, f"{DATA_IRI}position/{p}", labels) for p in (a, b)], parts=parts, concluded=False)


def _explain(store: Dataset, iri: str, labels: Labels, depth: int) -> Explanation:
    quads = list(store.match(ox.NamedNode(iri), None, None))
    rule = next((term_value(q.object) for q in quads if q.predicate.value == SEL_IRI + "inferredBy"), None)
    premises = sorted({term_value(q.object) for q in quads if q.predicate.value == SEL_IRI + "premise"})
    if rule is None:
        rule, premises = _lean(store, iri, quads)
    rule_title = rule_source = None
    if rule:
        for q in store.match(ox.NamedNode(rule), None, None):
            if q.predicate.value == DCT_SOURCE:
                rule_source = term_value(q.object)
        rule_title = labels.get(rule)
    parts = sorted({term_value(q.object) for q in quads if q.predicate.value in PART_PROPERTIES})
    return Explanation(
        iri=iri,
        label=_describe(iri, labels),
        types=sorted({labels.get(term_value(q.object)) for q in quads if q.predicate.value == RDF_TYPE}),
        rule=rule.removeprefix(RULE_IRI) if rule else None,
        rule_title=rule_title,
        rule_source=rule_source,
        statements=_statements(quads, labels),
        premises=[_fact(store, p, labels) for p in premises],
        parts=[_explain(store, p, labels, depth - 1) for p in parts] if depth > 0 else [],
    )


def _lean(store: Dataset, iri: str, quads: list[ox.Quad]) -> tuple[str | None, list[str]]:
    """Find the rule and premises of a lean rule's conclusion (see :mod:`selaras.engine.rules`).

    The rule is the one whose graph holds the node; its premises are found again by the
    pattern of the rule's ``# premise:`` header.
    """
    rule = _lean_rule(quads)
    if rule is None:
        return None, []
    rows = store.query(f"PREFIX sel: <{SEL_IRI}>\nSELECT DISTINCT ?premise WHERE {{ {rule.premise} }}",
                       bindings={"node": ox.NamedNode(iri)}).rows
    return rule.iri, sorted(r["premise"].value for r in rows if r["premise"] is not None)


def _lean_rule(quads: list[ox.Quad]) -> Rule | None:
    """The lean rule whose graph holds these statements of a node, if any."""
    by_graph = lean_by_graph()
    return next((by_graph[q.graph_name.value] for q in quads
                 if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in by_graph), None)


def _statements(quads: list[ox.Quad], labels: Labels) -> list[Statement]:
    seen = set()
    out = []
    for q in quads:
        key = (q.predicate.value, term_value(q.object))
        if q.predicate.value in _HIDDEN or key in seen:
            continue
        seen.add(key)
        value = term_value(q.object)
        value_label = labels.get(value) if isinstance(q.object, ox.NamedNode) else value
        out.append(Statement(q.predicate.value, labels.get(q.predicate.value), value, value_label))
    return sorted(out, key=lambda s: (s.property_label, s.value_label))


def _fact(store: Dataset, iri: str, labels: Labels) -> Fact:
    quads = list(store.match(ox.NamedNode(iri), None, None))
    source = next((term_value(q.object) for q in quads if q.predicate.value == DCT_SOURCE), None)
    rule = next((term_value(q.object) for q in quads if q.predicate.value == SEL_IRI + "inferredBy"), None)
    if rule is None:
        lean = _lean_rule(quads)
        rule = lean.iri if lean is not None else None
    facts_only = [q for q in quads if q.graph_name == ox.NamedNode(FACTS_GRAPH) or rule]
    hidden = {DCT_SOURCE, SEL_IRI + "illustrative", SEL_IRI + "code",
              "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
              "http://www.w3.org/2004/02/skos/core#definition", "http://www.w3.org/2004/02/skos/core#inScheme"}
    return Fact(
        iri=iri,
        label=_describe(iri, labels),
        types=sorted({labels.get(term_value(q.object)) for q in quads if q.predicate.value == RDF_TYPE}),
        statements=[s for s in _statements(facts_only, labels) if s.property not in hidden],
        source=source,
        inferred_by=rule.removeprefix(RULE_IRI) if rule else None,
    )


#: Minted node kinds (first path segment) and the kinds of the two codes that follow it.
_MINTED = {
    "move": ("position", "position", " → "),
    "transition": ("position", "position", " → "),
    "tenure": ("employee", "position", " · "),
    "requirement": ("position", "competency", " · "),
    "gap": ("employee", "competency", " · "),
    "held": ("employee", "competency", " · "),
    "stale": ("employee", "competency", " · "),
    "missing": ("employee", "competency", " · "),
    "readiness": ("employee", "position", " · "),
    "certification-need": ("employee", "scheme", " · "),
}


def _describe(iri: str, labels: Labels) -> str:
    """Name a node: for nodes minted from keys, the labels of the things in its IRI."""
    parts = iri.removeprefix(DATA_IRI).split("/") if iri.startswith(DATA_IRI) else []
    if len(parts) >= 3 and parts[0] in _MINTED:
        first, second, joiner = _MINTED[parts[0]]
        text = labels.get(f"{DATA_IRI}{first}/{parts[1]}") + joiner + labels.get(f"{DATA_IRI}{second}/{parts[2]}")
        if len(parts) >= 5:  # a part of a move: move/FROM/TO/increase/COMPETENCY
            text += " · " + labels.get(f"{DATA_IRI}competency/{parts[4]}")
        return text
    return labels.get(iri)


def render(e: Explanation, lang: str = "en") -> str:
    """Write an explanation as indented text."""
    words = messages.texts("explain", lang)
    lines = [f"{e.label}  [{', '.join(e.types)}]", f"  <{e.iri}>"]
    lines += _render_body(e, words, indent="  ")
    return "\n".join(lines) + "\n"


def _render_body(e: Explanation, words: dict[str, str], indent: str) -> list[str]:
    lines = []
    if e.rule and not e.concluded:
        lines.append(f"{indent}{words['not_concluded']} {e.rule}: {e.rule_title} ({words['not_concluded_why']})")
    elif e.rule:
        lines.append(f"{indent}{words['concluded_by']} {e.rule}: {e.rule_title}")
        if e.rule_source:
            lines.append(f"{indent}  {words['source']}: {e.rule_source}")
    else:
        lines.append(f"{indent}{words['asserted']}")
    for s in e.statements:
        lines.append(f"{indent}{s.property_label}: {s.value_label}")
    if e.premises:
        lines.append(f"{indent}{words['premises']}:")
        for p in e.premises:
            head = f"{indent}  - {p.label} [{', '.join(p.types)}]"
            lines.append(head + (f" ({words['concluded_by']} {p.inferred_by})" if p.inferred_by else ""))
            for s in p.statements:
                lines.append(f"{indent}      {s.property_label}: {s.value_label}")
            if p.source:
                lines.append(f"{indent}      {words['source']}: {p.source}")
    if e.parts:
        lines.append(f"{indent}{words['parts']}:")
        for part in e.parts:
            lines.append(f"{indent}  * {part.label} [{', '.join(part.types)}]")
            lines += _render_body(part, words, indent + "    ")
    return lines
