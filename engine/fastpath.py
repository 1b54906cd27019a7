"""Evaluate the heavy per-employee rules set-at-a-time, with exactly the conclusions of their SPARQL.

The rules in :data:`FAST_RULES` conclude something for every employee and competency (held
levels, gaps, stale and missing assessments, readiness, certification and training needs).
Evaluated as SPARQL in the embedded store, their joins run a nested loop per employee and
their conclusions are written one triple at a time: at 100,000 employees that takes hours.
Here the same rule is evaluated in three steps:

1. **read** — the star-shaped parts of the rule's pattern (an employee and their position,
   a requirement and its level, an assessment and its date) are run by Oxigraph as plain
   ``SELECT`` queries over the rule's input graphs and read as text;
2. **join** — the joins, ``OPTIONAL``\\ s, aggregates, arithmetic and IRI minting of the rule
   run in Python over dictionaries keyed by employee, position and competency, once for all
   employees (set at a time), with SPARQL's own semantics: integer arithmetic, ``xsd:decimal``
   division truncated at 18 digits as Oxigraph does, ``ENCODE_FOR_URI``;
3. **write** — the conclusions are written as N-Triples text in large batches into the rule's
   graph, the same triples the rule's ``CONSTRUCT`` template would give.

The rule's ``.rq`` file stays its declaration (``selaras rules show``), the explanation of its
conclusions and the way it runs on a SPARQL server; this module is an evaluation strategy of
the same meaning, and ``tests/test_fastpath.py`` checks that both give identical graphs.

The fast path covers data of the shape that table imports give: one position and one code per
employee, one row per requirement of a position and competency, one value per property of an
assessment or certification, integer levels and ``xsd:date`` dates. Data of any other shape
(possible through RDF imports) raises :class:`Unsupported` and the rule's SPARQL runs instead,
so the conclusions never depend on the strategy.

>>> encode_for_uri("E 1/é")
'E%201%2F%C3%A9'
>>> decimal_text(2 * 10**18 // 3)
'0.666666666666666666'
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import product
from urllib.parse import quote

from selaras.engine import moves
from selaras.engine import rules as rule_registry
from selaras.engine.store import Store, scratch_file
from selaras.ontology.namespace import DATA_IRI, RULE_IRI, SEL_IRI

#: Rules evaluated here, in registry order (flagged in :data:`selaras.engine.rules.FAST_PATH`).
FAST_RULES: tuple[str, ...] = tuple(r for r in rule_registry.RULE_IDS if r in rule_registry.FAST_PATH)
#: Concluded nodes written per batch: the text of one batch stays a few hundred megabytes at most.
BATCH_NODES = 50_000
#: Up to this many subjects, :meth:`FastPath.values` looks their values up (a ``VALUES`` block of
#: subjects) rather than reading the whole predicate: the codes of 10 schemes need not read the
#: codes of 200,000 assessments.
LOOKUP_SUBJECTS = 50_000
#: Subjects per lookup query.
LOOKUP_BATCH = 10_000

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = f"^^<{XSD}integer>"
_DECIMAL = f"^^<{XSD}decimal>"
_DATE = re.compile(r'^"(\d{4}-\d{2}-\d{2})"\^\^<http://www\.w3\.org/2001/XMLSchema#date>$')
_BARE_INT = re.compile(r"^[+-]?\d+$")
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SETTINGS = f"<{DATA_IRI}settings/effective>"
_PREFIX = f"PREFIX sel: <{SEL_IRI}>\n"
_SCALE = 10**18  # Oxigraph's xsd:decimal: 18 fractional digits in an i128
_I128_MAX = 2**127 - 1


def s(term: str) -> str:
    """Return a ``sel:`` term in N-Triples syntax.

    >>> s("Employee")
    '<https://w3id.org/selaras/ontology#Employee>'
    """
    return f"<{SEL_IRI}{term}>"


class Unsupported(Exception):
    """The data has a shape the fast path does not cover; the rule's SPARQL runs instead."""


def encode_for_uri(text: str) -> str:
    """Percent-encode as SPARQL's ``ENCODE_FOR_URI`` does (all but ``A-Za-z0-9-._~``)."""
    return quote(text, safe="")


def decimal_text(scaled: int) -> str:
    """Write a non-negative ``xsd:decimal`` held as an integer of 10⁻¹⁸ units, as Oxigraph does.

    >>> decimal_text(10**18), decimal_text(0), decimal_text(5 * 10**17)
    ('1', '0', '0.5')
    """
    whole, frac = divmod(scaled, _SCALE)
    return str(whole) if frac == 0 else f"{whole}.{frac:018d}".rstrip("0")


def round_nine(scaled: int) -> int:
    """Round a non-negative decimal of 10⁻¹⁸ units to nine decimals, half up, as the rule's
    ``ROUND(?mean * 1000000000) / 1000000000`` does (readiness).

    >>> decimal_text(round_nine(2 * 10**18 // 3)), decimal_text(round_nine(10**18 // 4))
    ('0.666666667', '0.25')
    """
    unit = _SCALE // 10**9
    return (scaled + unit // 2) // unit * unit


def integer_nt(value: int) -> str:
    """Return an ``xsd:integer`` literal in N-Triples syntax."""
    return f'"{value}"{_INTEGER}'


_ESCAPES = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(m: re.Match[str]) -> str:
    g = m.group(1)
    return chr(int(g[1:], 16)) if g[0] in "uU" and len(g) > 1 else _SIMPLE.get(g, g)


def string_value(token: str) -> str | None:
    """Return the text of a string literal (simple, ``xsd:string`` or language-tagged), else None.

    ``None`` is what makes ``ENCODE_FOR_URI`` fail in SPARQL, so no node is minted.

    >>> string_value('"E1"'), string_value('"a\\\\"b"@en'), string_value("3")
    ('E1', 'a"b', None)
    """
    if not token.startswith('"'):
        return None
    end = token.rfind('"')
    rest = token[end + 1:]
    if rest and not (rest.startswith("@") or rest == f"^^<{XSD}string>"):
        return None
    body = token[1:end]
    return _ESCAPES.sub(_unescape, body) if "\\" in body else body


def term_nt(token: str) -> str:
    """Expand a term of SPARQL TSV results (which abbreviates numbers and booleans) to N-Triples.

    >>> term_nt("3"), term_nt("<urn:x>")
    ('"3"^^<http://www.w3.org/2001/XMLSchema#integer>', '<urn:x>')
    """
    if not token or token[0] in '<"_':
        return token
    if _BARE_INT.match(token):
        return f'"{token}"{_INTEGER}'
    if token in ("true", "false"):
        return f'"{token}"^^<{XSD}boolean>'
    if "e" in token or "E" in token:
        return f'"{token}"^^<{XSD}double>'
    return f'"{token}"{_DECIMAL}'


def _chunks(nodes: Iterable[str]) -> Iterator[str]:
    """N-Triples text of a rule's nodes, BATCH_NODES at a time."""
    batch: list[str] = []
    for node in nodes:
        batch.append(node)
        if len(batch) >= BATCH_NODES:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


class FastPath:
    """One inference run's set-at-a-time evaluator over an embedded store.

    Keeps what the rules it evaluated concluded (compactly, by employee and competency), so a
    rule that depends on another reads its conclusions from memory instead of the store. A rule
    whose dependency ran as SPARQL in this run is not evaluated here (:class:`Unsupported`).

    Args:
        store: the embedded store the rules read and write.
        reader: a copy in memory of the store's facts and ontology graphs (and the settings),
            read instead of the store when a read needs no other graph: on disk every term
            read is a lookup in RocksDB, several times slower.
    """

    def __init__(self, store: Store, reader: Store | None = None) -> None:
        self.store = store
        self.reader = reader
        self.base_graphs = list(rule_registry.BASE_GRAPHS)
        self._selects: dict[str, list[list[str]]] = {}
        self._memo: dict[str, object] = {}
        self.derived: dict[str, object] = {}

    @staticmethod
    def handles(rule_id: str) -> bool:
        """Tell whether a rule has a fast-path evaluation."""
        return rule_id in _EVALUATORS

    def run(self, rule: rule_registry.Rule) -> bool:
        """Evaluate one rule into its graph; return False (writing nothing) when the data is unsupported.

        The graph is emptied first and then filled in batches; when the rule cannot be
        evaluated here the caller runs its SPARQL, which replaces the graph whole.
        """
        self.derived.pop(rule.id, None)
        try:
            chunks = _chunks(_EVALUATORS[rule.id](self, rule))
            self.store.settle([rule.graph])
            self.store.update(f"DROP SILENT GRAPH <{rule.graph}>")
            if self.store.path is not None:
                self._write_file(chunks, rule.graph)
            else:
                for text in chunks:  # trusted: every term was read from the store or minted by encode_for_uri
                    self.store.load(text.encode(), "nt", trusted=True, to_graph=rule.graph)
        except Unsupported:
            self.derived.pop(rule.id, None)
            return False
        finally:  # a column of every assessment is large: kept for one rule's reads, not the run's
            for name in [n for n in self._memo if n.startswith("column-")]:
                del self._memo[name]
        return True

    def _write_file(self, chunks: Iterable[str], graph: str) -> None:
        """Write a rule's graph into an on-disk store through a file (see :meth:`Store.load_file`).

        A transaction on disk keeps every written quad in memory until it commits; a large
        graph goes through the bulk loader instead, behind: while it loads, the next rule is
        computed (the inference loop settles a graph before a rule reads it). It is not one
        transaction, which is safe here: inference writes into a generation that is swapped in
        only when complete (or, in place, with the version marker removed first and written
        after every load has settled), so a cut-short run is never current.
        """
        text = scratch_file()
        try:
            for chunk in chunks:
                text.write(chunk.encode("utf-8"))
        except BaseException:
            text.close()
            raise
        self.store.load_file(text, "nt", to_graph=graph, behind=True)

    # --- reading -------------------------------------------------------------------
    def select(self, body: str, graphs: list[str] | None = None, *, keep: bool = True) -> list[list[str]]:
        """Run a SELECT over the base graphs (or ``graphs``) and return its rows as TSV tokens.

        Unbound values are empty strings. Results are kept for the run unless ``keep`` is false
        (for a large result the caller indexes itself).
        """
        key = body if graphs is None else f"{body}\n{graphs}"
        if key in self._selects:
            return self._selects[key]
        graphs = graphs or self.base_graphs
        if self.reader is not None and rule_registry.only_base(graphs):
            text = self.reader.query_text(_PREFIX + body, default_graphs=graphs)
        else:
            self.store.settle(graphs)  # a graph an earlier rule wrote behind (on disk)
            text = self.store.query_text(_PREFIX + body, default_graphs=graphs)
        if text.startswith("_:") or "\t_:" in text or "\n_:" in text:
            raise Unsupported("blank nodes in the rule's input")
        rows = [r.split("\t") for r in text.split("\n")[1:] if r]
        if keep:
            self._selects[key] = rows
        return rows

    def memo(self, name: str, build: Callable[[], object]) -> object:
        """Compute an index once per run."""
        if name not in self._memo:
            self._memo[name] = build()
        return self._memo[name]

    def needs(self, rule_id: str) -> object:
        """Return the in-memory conclusions of a dependency evaluated here in this run."""
        if rule_id not in self.derived:
            raise Unsupported(f"{rule_id} did not run on the fast path")
        return self.derived[rule_id]

    def with_conclusions(self, rule_id: str) -> list[str]:
        """The base graphs and one rule's graph: what a read of that rule's conclusions needs.

        A read names only the graphs it needs: of the graphs a rule reads, the others hold
        nothing it matches (each rule concludes its own classes), and one of them may still be
        loading behind (on disk).
        """
        return [*self.base_graphs, rule_registry.inferred_graph(rule_id)]

    def setting(self, name: str, rule: rule_registry.Rule) -> str | None:
        """Return the one value of an effective setting (N-Triples), None when it has none."""
        # the base graphs, not all the rule reads: no rule concludes anything of the settings
        # node, and a graph a rule before it is still writing (on disk) need not be waited for
        rows = self.select(f"SELECT ?v WHERE {{ {_SETTINGS} sel:{name} ?v }}")
        if len(rows) > 1:
            raise Unsupported(f"several values of sel:{name}")
        return term_nt(rows[0][0]) if rows else None

    # --- indexes shared by the rules -------------------------------------------------
    def holdings(self) -> dict[str, str]:
        """Every typed employee's one position: {employee: position}."""
        def build() -> dict[str, str]:
            out: dict[str, str] = {}
            for emp, pos in self.select("SELECT ?e ?p WHERE { ?e a sel:Employee ; sel:holdsPosition ?p }"):
                if emp in out:
                    raise Unsupported("an employee holds several positions")
                out[emp] = pos
            return out
        return self.memo("holdings", build)  # type: ignore[return-value]

    def instances(self, cls: str) -> set[str]:
        """Every subject typed ``sel:cls`` in the base graphs (one scan of the type index)."""
        def build() -> set[str]:
            return {x for (x,) in self.select(f"SELECT ?x WHERE {{ ?x a sel:{cls} }}", keep=False)}
        return self.memo(f"instances-{cls}", build)  # type: ignore[return-value]

    def column(self, predicate: str) -> dict[str, list[str]]:
        """Every value of ``sel:predicate`` in the base graphs by subject, read in one scan of the predicate.

        Kept while one rule is evaluated (see :meth:`run`).

        A star pattern (``?a a sel:Assessment ; sel:employee ?e ; sel:competency ?c …``) on an
        on-disk store looks each of its subjects up again per predicate; scanning each predicate
        once and joining here by subject is several times faster on large data.
        """
        def build() -> dict[str, list[str]]:
            out: dict[str, list[str]] = defaultdict(list)
            for x, v in self.select(f"SELECT ?x ?v WHERE {{ ?x sel:{predicate} ?v }}", keep=False):
                values = out[x]
                if v not in values:  # a triple in two of the base graphs is one statement
                    values.append(v)
            return dict(out)
        return self.memo(f"column-{predicate}", build)  # type: ignore[return-value]

    def values(self, predicate: str, subjects: Iterable[str]) -> dict[str, list[str]]:
        """Every value of ``sel:predicate`` of each of ``subjects`` (those that have any), as :meth:`column` gives them.

        From the column when this rule has read it already, or when the subjects are many
        (above :data:`LOOKUP_SUBJECTS`); else looked up, :data:`LOOKUP_BATCH` subjects a query.
        """
        wanted = subjects if isinstance(subjects, (set, frozenset)) else set(subjects)
        name = f"column-{predicate}"
        if name in self._memo or len(wanted) > LOOKUP_SUBJECTS:
            column = self.column(predicate)
            return {x: column[x] for x in wanted if x in column}
        out: dict[str, list[str]] = {}
        ordered = sorted(wanted)
        for start in range(0, len(ordered), LOOKUP_BATCH):
            batch = " ".join(ordered[start:start + LOOKUP_BATCH])
            for x, v in self.select(f"SELECT ?x ?v WHERE {{ VALUES ?x {{ {batch} }} ?x sel:{predicate} ?v }}",
                                    keep=False):
                values = out.setdefault(x, [])
                if v not in values:  # a triple in two of the base graphs is one statement
                    values.append(v)
        return out

    def one(self, predicate: str, subjects: Iterable[str], what: str) -> dict[str, str]:
        """The one value of ``sel:predicate`` of each of ``subjects`` that has any; several are unsupported."""
        wanted = subjects if isinstance(subjects, (set, frozenset)) else set(subjects)
        column = self.values(predicate, wanted)
        out: dict[str, str] = {}
        for x in wanted:
            values = column.get(x)
            if values:
                if len(values) > 1:
                    raise Unsupported(f"{what} with several values of sel:{predicate}")
                out[x] = values[0]
        return out

    def codes(self, kind: str) -> dict[str, str]:
        """The one ``sel:code`` of each subject of a kind of pattern, checked one-to-one."""
        def subjects() -> set[str]:
            if kind == "employee":
                return self.instances("Employee")
            if kind == "competency":
                column = self.column("competency")
                return {c for x in self.instances("Requirement") | self.instances("Assessment")
                        for c in column.get(x, ())}
            if kind == "position":
                held = self.column("holdsPosition")
                return self.instances("Position") | {p for e in self.instances("Employee") for p in held.get(e, ())}
            return self.instances("CertificationScheme")

        def build() -> dict[str, str]:
            out = self.one("code", subjects(), f"a {kind}")
            if len(set(out.values())) != len(out):
                raise Unsupported(f"a code of several {kind}s")
            return out
        return self.memo(f"codes-{kind}", build)  # type: ignore[return-value]

    def requirements(self) -> dict[str, list[tuple[str, str, str, int]]]:
        """Each position's requirements: {position: [(requirement, competency, level token, level)]}."""
        def build() -> dict[str, list[tuple[str, str, str, int]]]:
            out: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
            seen: set[str] = set()
            pairs: set[tuple[str, str]] = set()
            for req, pos, comp, level in self.select(
                    "SELECT ?r ?p ?c ?l WHERE { ?r a sel:Requirement ; sel:position ?p ; sel:competency ?c ; "
                    "sel:requiredLevel ?l }"):
                if req in seen or (pos, comp) in pairs:
                    raise Unsupported("a requirement with several values, or two of one position and competency")
                seen.add(req)
                pairs.add((pos, comp))
                out[pos].append((req, comp, term_nt(level), self.integer(level)))
            return dict(out)
        return self.memo("requirements", build)  # type: ignore[return-value]

    def integer(self, token: str) -> int:
        """Return the value of an ``xsd:integer`` token; other types are unsupported."""
        if _BARE_INT.match(token):
            return int(token)
        if token.endswith(_INTEGER) and token.startswith('"'):
            return int(token[1:-len(_INTEGER) - 1])
        raise Unsupported(f"a level that is not an xsd:integer: {token}")

    @staticmethod
    def date(token: str) -> str:
        """Return the lexical form of an ``xsd:date`` without time zone (sortable as text)."""
        m = _DATE.match(token)
        if not m:
            raise Unsupported(f"a date that is not a plain xsd:date: {token}")
        return m.group(1)


# --- the rules ------------------------------------------------------------------------
def _node(kind: str, *codes: str) -> str | None:
    parts = []
    for code in codes:
        text = string_value(code)
        if text is None:
            return None
        parts.append(encode_for_uri(text))
    return f"<{DATA_IRI}{kind}/{'/'.join(parts)}>"


def _held_level(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    assessments = fp.instances("Assessment")
    employee, competency, on, levels = (fp.one(p, assessments, "an assessment")
                                        for p in ("employee", "competency", "assessedOn", "assessedLevel"))
    rows = ((a, employee[a], competency[a], on[a], levels.get(a, "")) for a in assessments
            if a in employee and a in competency and a in on)
    latest: dict[tuple[str, str], tuple[str, list[tuple[str, str, str]]]] = {}
    for a, emp, comp, d, level in rows:
        day = fp.date(d)
        key = (emp, comp)
        best = latest.get(key)
        if best is None or day > best[0]:
            latest[key] = (day, [(a, d, level)])
        elif day == best[0]:
            best[1].append((a, d, level))
    ecodes = fp.memo("codes-of-assessed", lambda: _codes_of_assessed(fp))
    ccodes = fp.codes("competency")
    held: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    fp.derived[rule.id] = held
    return _held_nodes(fp, rule, latest, ecodes, ccodes, held)  # type: ignore[arg-type]


def _codes_of_assessed(fp: FastPath) -> dict[str, str]:
    assessments, employee = fp.instances("Assessment"), fp.column("employee")
    out = fp.one("code", {e for a in assessments for e in employee.get(a, ())}, "an assessed employee")
    employees = fp.codes("employee")
    if any(employees.get(x, code) != code for x, code in out.items()) or len(set(out.values())) != len(out):
        raise Unsupported("an employee code shared by several employees")
    return out


def _held_nodes(fp: FastPath, rule: rule_registry.Rule, latest: dict, ecodes: dict[str, str],
                ccodes: dict[str, str], held: dict[tuple[str, str], tuple[int, str, str, str]]) -> Iterator[str]:
    T = _TYPE
    cls, p_emp, p_comp, p_level, p_on = (
        s("HeldCompetency"), s("employee"), s("competency"), s("heldLevel"), s("assessedOn"))
    for (emp, comp), (_, found) in latest.items():
        found = [f for f in found if f[2]]
        if not found:
            continue
        if len(found) > 1:
            raise Unsupported("two latest assessments of one competency on one day")
        _, d, level = found[0]
        e, c = ecodes.get(emp), ccodes.get(comp)
        if e is None or c is None:
            continue
        n = _node("held", e, c)
        if n is None:
            continue
        lv = term_nt(level)
        held[(emp, comp)] = (fp.integer(level), d, n, lv)
        yield (f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_comp} {comp} .\n{n} {p_level} {lv} .\n"
               f"{n} {p_on} {d} .\n")


#: one gap: (node, employee, competency, position, required level, status, employee code, competency code)
GapRow = tuple[str, str, str, str, int, str, str, str]


def _gap(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    held: dict[tuple[str, str], tuple[int, str, str, str]] = fp.needs("held-level")  # type: ignore[assignment]
    holdings, requirements = fp.holdings(), fp.requirements()
    ecodes, ccodes = fp.codes("employee"), fp.codes("competency")
    gaps: list[GapRow] = []
    fp.derived[rule.id] = gaps
    return _gap_nodes(rule, held, holdings, requirements, ecodes, ccodes, gaps)


def _gap_nodes(rule: rule_registry.Rule, held: dict, holdings: dict[str, str], requirements: dict,
               ecodes: dict[str, str], ccodes: dict[str, str], gaps: list[GapRow]) -> Iterator[str]:
    T = _TYPE
    cls, p_emp, p_comp, p_pos, p_req, p_held, p_gap, p_status = (
        s("CompetencyGap"), s("employee"), s("competency"), s("position"), s("requiredLevel"), s("heldLevel"),
        s("gap"), s("gapStatus"))
    met, below, not_assessed = s("Met"), s("Below"), s("NotAssessed")
    for emp, pos in holdings.items():
        e = ecodes.get(emp)
        if e is None:
            continue
        e_text = string_value(e)
        for req, comp, req_tok, required in requirements.get(pos, ()):
            c = ccodes.get(comp)
            if c is None or e_text is None:
                continue
            c_text = string_value(c)
            if c_text is None:
                continue
            n = f"<{DATA_IRI}gap/{encode_for_uri(e_text)}/{encode_for_uri(c_text)}>"
            h = held.get((emp, comp))
            head = (f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_comp} {comp} .\n{n} {p_pos} {pos} .\n"
                    f"{n} {p_req} {req_tok} .\n")
            if h is None:
                gaps.append((n, emp, comp, pos, required, not_assessed, e, c))
                yield head + f"{n} {p_status} {not_assessed} .\n"
            else:
                level, _, hnode, level_tok = h
                status = met if level >= required else below
                gaps.append((n, emp, comp, pos, required, status, e, c))
                yield (head + f"{n} {p_held} {level_tok} .\n{n} {p_gap} {integer_nt(max(required - level, 0))} .\n"
                       f"{n} {p_status} {status} .\n")


def _stale(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    held: dict[tuple[str, str], tuple[int, str, str, str]] = fp.needs("held-level")  # type: ignore[assignment]
    gaps: list[GapRow] = fp.needs("gap")  # type: ignore[assignment]
    cutoff = fp.setting("staleBefore", rule)
    if cutoff is None:
        return iter(())
    before = fp.date(cutoff)
    T = _TYPE
    cls, p_emp, p_comp, p_pos, p_on, p_before = (
        s("StaleAssessment"), s("employee"), s("competency"), s("position"), s("assessedOn"), s("staleBefore"))

    def nodes() -> Iterator[str]:
        for _, emp, comp, pos, _, _, e, c in gaps:
            h = held.get((emp, comp))
            if h is None or fp.date(h[1]) >= before:
                continue
            n = _node("stale", e, c)
            yield (f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_comp} {comp} .\n{n} {p_pos} {pos} .\n"
                   f"{n} {p_on} {h[1]} .\n{n} {p_before} {cutoff} .\n")
    return nodes()


def _missing(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    gaps: list[GapRow] = fp.needs("gap")  # type: ignore[assignment]
    T = _TYPE
    cls, p_emp, p_comp, p_pos = s("MissingAssessment"), s("employee"), s("competency"), s("position")
    not_assessed = s("NotAssessed")
    return (f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_comp} {comp} .\n{n} {p_pos} {pos} .\n"
            for _, emp, comp, pos, _, status, e, c in gaps if status == not_assessed
            for n in (_node("missing", e, c),))


def _training_need(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    gaps: list[GapRow] = fp.needs("gap")  # type: ignore[assignment]
    providers: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for kind, cls, link in (("closedBy", "TrainingProgram", "develops"),
                            ("certifiableBy", "CertificationScheme", "certifies")):
        for who, comp, level in fp.select(f"SELECT ?who ?c ?l WHERE {{ ?who a sel:{cls} ; sel:{link} ?x . "
                                          f"?x sel:competency ?c ; sel:level ?l }}"):
            providers[comp].append((s(kind), who, fp.integer(level)))
    met = s("Met")

    def nodes() -> Iterator[str]:
        for gnode, _, comp, _, required, status, _, _ in gaps:
            if status == met:
                continue
            found = [f"{gnode} {p} {who} .\n" for p, who, level in providers.get(comp, ()) if level >= required]
            if found:
                yield "".join(found)
    return nodes()


def _certification_need(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    today_tok = fp.setting("referenceDate", rule)
    if today_tok is None:
        return iter(())
    today = fp.date(today_tok)
    # DISTINCT ?position ?scheme: ?scheme a sel:CertificationScheme ; sel:certifies/sel:competency ?competency .
    # ?r a sel:Requirement ; sel:position ?position ; sel:competency ?competency
    schemes, requirements, certifications = (fp.instances(c) for c in ("CertificationScheme", "Requirement",
                                                                      "Certification"))
    certifies = fp.values("certifies", schemes)
    competency = fp.values("competency", {x for v in certifies.values() for x in v} | requirements)
    position = fp.values("position", requirements)
    schemes_of: dict[str, set[str]] = defaultdict(set)
    for scheme in schemes:
        for certified in certifies.get(scheme, ()):
            for comp in competency.get(certified, ()):
                schemes_of[comp].add(scheme)
    wanted: dict[str, set[str]] = defaultdict(set)
    for r in requirements:
        for pos, comp in product(position.get(r, ()), competency.get(r, ())):
            wanted[pos] |= schemes_of.get(comp, set())
    valid: set[tuple[str, str]] = set()
    employee, scheme_of, issued_on, expires_on = (fp.values(p, certifications)
                                                  for p in ("employee", "scheme", "issuedOn", "expiresOn"))
    for c in certifications:  # ?c a sel:Certification ; … OPTIONAL { ?c sel:expiresOn ?x }
        for emp, scheme, issued, expires in product(employee.get(c, ()), scheme_of.get(c, ()), issued_on.get(c, ()),
                                                    expires_on.get(c) or ("",)):
            if fp.date(issued) <= today and (not expires or fp.date(expires) >= today):
                valid.add((emp, scheme))
    holdings, ecodes, scodes = fp.holdings(), fp.codes("employee"), fp.codes("scheme")
    T = _TYPE
    cls, p_emp, p_scheme, p_pos = s("CertificationNeed"), s("employee"), s("scheme"), s("position")

    def nodes() -> Iterator[str]:
        for emp, pos in holdings.items():
            e = ecodes.get(emp)
            if e is None:
                continue
            for scheme in wanted.get(pos, ()):
                if (emp, scheme) in valid or scheme not in scodes:
                    continue
                n = _node("certification-need", e, scodes[scheme])
                if n is None:
                    continue
                yield f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_scheme} {scheme} .\n{n} {p_pos} {pos} .\n"
    return nodes()


def _readiness(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    held: dict[tuple[str, str], tuple[int, str, str, str]] = fp.needs("held-level")  # type: ignore[assignment]
    minimum: dict[str, int] = {}
    for comp, low in fp.select("SELECT ?c ?min WHERE { ?c sel:scale ?s . ?s sel:minRank ?min }",
                               fp.with_conclusions("scale-bounds")):
        if comp in minimum:
            raise Unsupported("a competency on several scales")
        minimum[comp] = fp.integer(low)
    moves: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    one_move_away = fp.setting("readinessScope", rule) == '"moves"'
    stated = "SELECT ?from ?to WHERE { ?m a sel:CareerMove ; sel:fromPosition ?from ; sel:toPosition ?to }"
    if not one_move_away:
        pairs: Iterable[Sequence[str]] = ()
    elif "career-move" in fp.derived:  # concluded in this run: kept in memory (and any the facts state),
        # so that readiness need not wait for the graphs still loading behind (on disk) to read them
        pairs = [*((a, b) for _, a, b in _concluded_moves(fp, rule)), *fp.select(stated)]
    else:
        pairs = fp.select(stated, fp.with_conclusions("career-move"))
    for a, b in pairs:
        if (a, b) in seen:
            raise Unsupported("two career moves between the same positions")
        seen.add((a, b))
        moves[a].append(b)
    holdings, requirements = fp.holdings(), fp.requirements()
    ecodes, pcodes = fp.codes("employee"), fp.codes("position")
    T = _TYPE
    cls, p_emp, p_pos, p_score, p_met, p_count = (
        s("Readiness"), s("employee"), s("position"), s("readiness"), s("requirementsMet"), s("requirementCount"))
    # (credit in 10⁻¹⁸ units, met) by (held level or None, required, scale minimum): few distinct keys
    credits: dict[tuple[int | None, int, int], tuple[int, int]] = {}

    def credit(level: int | None, required: int, low: int) -> tuple[int, int]:
        key = (level, required, low)
        if key not in credits:
            if level is None:
                credits[key] = (0, 0)
            elif level >= required or required <= low:
                credits[key] = (_SCALE, 1 if level >= required else 0)
            elif level <= low:
                credits[key] = (0, 0)
            else:
                credits[key] = ((level - low) * _SCALE // (required - low), 0)
        return credits[key]

    def nodes() -> Iterator[str]:
        for emp, current in holdings.items():
            e = ecodes.get(emp)
            if e is None:
                continue
            e_text = string_value(e)
            for target in (current, *moves.get(current, ())):
                reqs = requirements.get(target)
                t = pcodes.get(target)
                if not reqs or t is None or e_text is None:
                    continue
                t_text = string_value(t)
                if t_text is None:
                    continue
                total = met = count = 0
                for _, comp, _, required in reqs:
                    h = held.get((emp, comp))
                    level = None if h is None else h[0]
                    low = minimum.get(comp)
                    if low is not None:
                        c, m = credit(level, required, low)
                        total += c
                        met += m
                        count += 1
                if not count:
                    continue  # no requirement on a scale: the rule's aggregate has no group
                n = f"<{DATA_IRI}readiness/{encode_for_uri(e_text)}/{encode_for_uri(t_text)}>"
                out = (f"{n} {T} {cls} .\n{n} {p_emp} {emp} .\n{n} {p_pos} {target} .\n"
                       f"{n} {p_met} {integer_nt(met)} .\n{n} {p_count} {integer_nt(count)} .\n")
                if total * _SCALE <= _I128_MAX:  # Oxigraph's AVG fails (unbound) past an i128
                    out += f'{n} {p_score} "{decimal_text(round_nine(total // count))}"{_DECIMAL} .\n'
                yield out
    return nodes()


def _career_move(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    """The viable career moves (:mod:`selaras.engine.moves`), as the rule's CONSTRUCT writes them."""
    max_lateral = fp.setting("maxLateralGradeSteps", rule)
    min_similarity = fp.setting("minMoveSimilarity", rule)
    max_moves = fp.setting("maxMovesPerPosition", rule)
    if max_lateral is None or min_similarity is None or max_moves is None:
        return iter(())
    lateral, most = fp.integer(max_lateral), fp.integer(max_moves)
    least = _number(min_similarity)
    bounds: dict[str, tuple[int, int]] = {}
    for comp, lo, hi in fp.select("SELECT ?c ?lo ?hi WHERE { ?c sel:scale ?s . ?s sel:minRank ?lo ; sel:maxRank ?hi }",
                                  fp.with_conclusions("scale-bounds")):
        if comp in bounds:
            raise Unsupported("a competency on several scales")
        bounds[comp] = (fp.integer(lo), fp.integer(hi))
    places: dict[str, tuple[str, str, int, str, str]] = {}
    for pos, family, grade, r, track, code in fp.select(
            "SELECT ?p ?f ?g ?r ?t ?code WHERE { ?p a sel:Position ; sel:jobFamily ?f ; sel:grade ?g ; "
            "sel:track ?t ; sel:code ?code . ?g sel:rank ?r }"):
        if pos in places:
            raise Unsupported("a position with several families, grades, ranks, tracks or codes")
        places[pos] = (family, grade, fp.integer(r), track, code)
    ranks = [fp.integer(r) for (r,) in fp.select("SELECT ?r WHERE { ?p a sel:Position ; sel:grade/sel:rank ?r }")]
    span = max(ranks) - min(ranks) if ranks else 0
    cells: dict[str, list[tuple[str, int, float | None]]] = defaultdict(list)
    importance: dict[str, tuple[float, int]] = {}
    seen: set[str] = set()
    for req, pos, comp, level, weight in fp.select(
            "SELECT ?r ?p ?c ?l ?i WHERE { ?r a sel:Requirement ; sel:position ?p ; sel:competency ?c ; "
            "sel:requiredLevel ?l . OPTIONAL { ?r sel:importance ?i } }"):
        if req in seen:
            raise Unsupported("a requirement with several values")
        seen.add(req)
        value = _number(term_nt(weight)) if weight else None
        cells[pos].append((comp, fp.integer(level), value))
        if value is not None and comp in bounds:
            total, count = importance.get(pos, (0.0, 0))
            importance[pos] = (total + value, count + 1)

    def profile_of(pos: str, code: str, family: str, rank: int, track: str) -> moves.Profile:
        total, count = importance.get(pos, (0.0, 0))
        return moves.profile(pos, code, family, rank, track, cells.get(pos, ()), bounds, total if count else None, count)

    profiles = []
    for pos, (family, _, rank, track, code) in places.items():
        text = string_value(code)
        if text is None:
            raise Unsupported("a position code that is not a string")
        profiles.append(profile_of(pos, text, family, rank, track))
    # the mean profile is over every position with a profile, also those without a place in the architecture
    others = [profile_of(pos, "", "", 0, "") for (pos,) in fp.select("SELECT ?p WHERE { ?p a sel:Position }")
              if pos not in places]
    mean_squares = moves.align(profiles, moves.mean_profile(profiles + others))
    by_key = {p.key: p for p in profiles}
    stated = ("SELECT ?a ?b ?n WHERE { ?o a sel:ObservedTransition ; sel:fromPosition ?a ; sel:toPosition ?b ; "
              "sel:transitionCount ?n }")
    if "observed-transition" in fp.derived:  # concluded in this run: kept in memory (and any the facts state)
        transitions: list[tuple[str, str, int]] = [
            *fp.derived["observed-transition"],  # type: ignore[misc]
            *((a, b, fp.integer(n)) for a, b, n in fp.select(stated))]
    else:
        transitions = [(a, b, fp.integer(n)) for a, b, n in fp.select(stated, fp.with_conclusions("observed-transition"))]
    for a, b, n in transitions:
        if a in by_key:
            by_key[a].moved[b] = by_key[a].moved.get(b, 0) + n
            by_key[a].left += n
    codes = {pos: place[4] for pos, place in places.items()}
    T, R = _TYPE, f"<{RULE_IRI}{rule.id}>"
    cls, p_from, p_to, p_type, p_steps, p_track, p_changes, p_by, p_prem = (
        s("CareerMove"), s("fromPosition"), s("toPosition"), s("moveType"), s("gradeSteps"), s("track"),
        s("changesTrack"), s("inferredBy"), s("premise"))
    true, false = f'"true"^^<{XSD}boolean>', f'"false"^^<{XSD}boolean>'

    concluded: list[tuple[str, str, str]] = []  # (move, from, to), for the rules after it
    fp.derived[rule.id] = concluded

    def nodes() -> Iterator[str]:
        for a in profiles:
            for m in moves.viable_moves(a, profiles, max_lateral=lateral, min_similarity=least, max_moves=most,
                                        rank_span=span, mean_squares=mean_squares):
                n = _node("move", codes[m.source], codes[m.target])
                if n is None:
                    continue
                concluded.append((n, m.source, m.target))
                yield (f"{n} {T} {cls} .\n{n} {p_from} {m.source} .\n{n} {p_to} {m.target} .\n"
                       f"{n} {p_type} {s(m.type)} .\n{n} {p_steps} {integer_nt(m.grade_steps)} .\n"
                       f"{n} {p_track} {places[m.target][3]} .\n{n} {p_changes} {true if m.changes_track else false} .\n"
                       f"{n} {p_by} {R} .\n{n} {p_prem} {m.source} .\n{n} {p_prem} {m.target} .\n")
    return nodes()


def _concluded_moves(fp: FastPath, rule: rule_registry.Rule) -> list[tuple[str, str, str]]:
    """The career moves of this run: [(move, from, to)], as the rule ``career-move`` concluded them."""
    def build() -> list[tuple[str, str, str]]:
        out = []
        seen: set[str] = set()
        if "career-move" in fp.derived:  # concluded in this run: kept in memory, not read back
            found: Iterable[tuple[str, str, str]] = fp.derived["career-move"]  # type: ignore[assignment]
        else:
            found = fp.select("SELECT ?m ?f ?t WHERE { ?m a sel:CareerMove ; sel:fromPosition ?f ; "
                              "sel:toPosition ?t }", [rule_registry.get("career-move").graph])  # type: ignore[assignment]
        for move, source, target in found:
            if move in seen:
                raise Unsupported("a career move with several positions")
            seen.add(move)
            if not move.startswith("<"):
                raise Unsupported("a career move that is a blank node")
            out.append((move, source, target))
        return out
    return fp.memo("concluded-moves", build)  # type: ignore[return-value]


def _level_increase(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    """Each competency both positions of a move require whose required level rises."""
    requirements, ccodes = fp.requirements(), fp.codes("competency")
    by_position = {pos: {comp: (req, tok, level) for req, comp, tok, level in reqs}
                   for pos, reqs in requirements.items()}
    T = _TYPE
    cls, p_inc, p_comp, p_from, p_to, p_amount = (
        s("LevelIncrease"), s("levelIncrease"), s("competency"), s("fromLevel"), s("toLevel"), s("increase"))
    totals: dict[str, int] = {}
    fp.derived[rule.id] = totals

    def nodes() -> Iterator[str]:
        for move, source, target in _concluded_moves(fp, rule):
            before = by_position.get(source, {})
            base = move[1:-1] + "/increase/"
            total = 0
            for comp, (_, to_tok, to_level) in by_position.get(target, {}).items():
                found = before.get(comp)
                if found is None or to_level <= found[2]:
                    continue
                code = string_value(ccodes.get(comp, ""))
                if code is None:
                    continue
                _, from_tok, from_level = found
                n = f"<{base}{encode_for_uri(code)}>"
                total += to_level - from_level
                yield (f"{move} {p_inc} {n} .\n{n} {T} {cls} .\n{n} {p_comp} {comp} .\n{n} {p_from} {from_tok} .\n"
                       f"{n} {p_to} {to_tok} .\n{n} {p_amount} {integer_nt(to_level - from_level)} .\n")
            totals[move] = total
    return nodes()


def _new_competency(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    """Each competency the target of a move requires and its source does not, at its required level."""
    requirements, ccodes = fp.requirements(), fp.codes("competency")
    required = {pos: {comp for _, comp, _, _ in reqs} for pos, reqs in requirements.items()}
    T = _TYPE
    cls, p_new, p_comp, p_level = s("NewCompetency"), s("newCompetency"), s("competency"), s("requiredLevel")
    counts: dict[str, int] = {}
    fp.derived[rule.id] = counts

    def nodes() -> Iterator[str]:
        for move, source, target in _concluded_moves(fp, rule):
            before = required.get(source, set())
            base = move[1:-1] + "/new/"
            count = 0
            for _, comp, tok, _ in requirements.get(target, ()):
                if comp in before:
                    continue
                code = string_value(ccodes.get(comp, ""))
                if code is None:
                    continue
                n = f"<{base}{encode_for_uri(code)}>"
                count += 1
                yield f"{move} {p_new} {n} .\n{n} {T} {cls} .\n{n} {p_comp} {comp} .\n{n} {p_level} {tok} .\n"
            counts[move] = count
    return nodes()


def _move_totals(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    """The sum of a move's level increases and the number of its new competencies."""
    increases: dict[str, int] = fp.needs("level-increase")  # type: ignore[assignment]
    news: dict[str, int] = fp.needs("new-competency")  # type: ignore[assignment]
    p_total, p_count = s("totalIncrease"), s("newCompetencyCount")
    return (f"{move} {p_total} {integer_nt(increases.get(move, 0))} .\n"
            f"{move} {p_count} {integer_nt(news.get(move, 0))} .\n"
            for move, _, _ in _concluded_moves(fp, rule))


def _observed_transition(fp: FastPath, rule: rule_registry.Rule) -> Iterator[str]:
    """Moves between consecutive tenures of each employee, counted per pair of positions."""
    tenures = fp.instances("Tenure")
    employee = fp.one("employee", tenures, "a tenure")
    start = {x: fp.date(d) for x, d in fp.one("startDate", tenures, "a tenure").items()}
    position = fp.one("position", tenures, "a tenure")
    starts: dict[str, list[str]] = defaultdict(list)  # employee → the start dates of their tenures
    at: dict[tuple[str, str], list[str]] = defaultdict(list)  # (employee, start) → positions starting then
    for x in tenures:
        e, day = employee.get(x), start.get(x)
        if e is None or day is None:
            continue
        starts[e].append(day)
        if x in position:
            at[e, day].append(position[x])
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str], str] = {}
    last: dict[tuple[str, str], str] = {}
    for x in tenures:
        e, day, source = employee.get(x), start.get(x), position.get(x)
        if e is None or day is None or source is None:
            continue
        later = [d for d in starts[e] if d > day]
        if not later:
            continue
        nxt = min(later)
        for target in at[e, nxt]:
            if target == source:
                continue
            pair = (source, target)
            people[pair].add(e)
            first[pair] = min(first.get(pair, nxt), nxt)
            last[pair] = max(last.get(pair, nxt), nxt)
    codes = fp.one("code", {p for pair in people for p in pair}, "a position")
    T, R = _TYPE, f"<{RULE_IRI}{rule.id}>"
    cls, p_from, p_to, p_count, p_first, p_last, p_by, p_prem = (
        s("ObservedTransition"), s("fromPosition"), s("toPosition"), s("transitionCount"), s("firstObserved"),
        s("lastObserved"), s("inferredBy"), s("premise"))

    def day_nt(day: str) -> str:
        return f'"{day}"^^<{XSD}date>'

    concluded: list[tuple[str, str, int]] = []  # (from, to, count), for the rule career-move
    fp.derived[rule.id] = concluded

    def nodes() -> Iterator[str]:
        for (a, b), who in people.items():
            if a not in codes or b not in codes:
                continue
            n = _node("transition", codes[a], codes[b])
            if n is None:
                continue
            concluded.append((a, b, len(who)))
            yield (f"{n} {T} {cls} .\n{n} {p_from} {a} .\n{n} {p_to} {b} .\n"
                   f"{n} {p_count} {integer_nt(len(who))} .\n{n} {p_first} {day_nt(first[a, b])} .\n"
                   f"{n} {p_last} {day_nt(last[a, b])} .\n{n} {p_by} {R} .\n{n} {p_prem} {a} .\n{n} {p_prem} {b} .\n")
    return nodes()


def _number(token: str) -> float:
    """Return the value of a numeric literal in N-Triples syntax as SPARQL's ``xsd:double()`` casts it."""
    if token.startswith('"'):
        token = token[1:token.rindex('"')]
    try:
        return float(token)
    except ValueError:
        raise Unsupported(f"a number that is not one: {token}") from None


_EVALUATORS: dict[str, Callable[[FastPath, rule_registry.Rule], Iterable[str]]] = {
    "observed-transition": _observed_transition,
    "career-move": _career_move,
    "level-increase": _level_increase,
    "new-competency": _new_competency,
    "move-totals": _move_totals,
    "held-level": _held_level,
    "gap": _gap,
    "stale-assessment": _stale,
    "missing-assessment": _missing,
    "readiness": _readiness,
    "training-need": _training_need,
    "certification-need": _certification_need,
}
assert set(_EVALUATORS) == set(FAST_RULES), "every rule flagged fast needs an evaluator here"
