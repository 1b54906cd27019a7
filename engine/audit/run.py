"""Run the audit: evaluate every check over current conclusions, explain every finding.

``selaras.open(example=True).audit()`` audits the bundled organisation (:meth:`selaras.Selaras.audit`
infers first when the conclusions are stale, then calls :func:`run_audit`); ``tests/test_audit.py``
shows what it finds there. Checks read the store's default graph (the union of facts, ontology
and every rule's conclusions); a read-only store whose conclusions are stale is audited on an
in-memory copy, so auditing never writes to a store.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from selaras.engine import rules as rule_registry
from selaras.engine.audit.coverage import Coverage, Priority, coverage, priorities
from selaras.engine.audit.describe import Namer
from selaras.engine.audit.findings import SEVERITIES, Explanation, Finding, Ref, Severity, Text
from selaras.engine.audit.registry import POLICY_IRI, SECTIONS, Check, all_checks, get
from selaras.engine.errors import InputError, Problem
from selaras.engine.inference import Settings, effective_settings
from selaras.engine.store import Dataset
from selaras.engine.types import python_value
from selaras.ontology.namespace import DATA_IRI, RULE_IRI, SEL_IRI

#: ``--fail-on`` values and the lightest severity each fails on (None: never fail).
FAIL_ON: dict[str, Severity | None] = {"error": Severity.ERROR, "warning": Severity.WARNING, "never": None}
#: Result variables that explain a finding rather than fill its message.
_EXPLAINING = ("focus", "conclusions", "premises")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]+))?\}")
_MODEL_TITLE = Text("Model consistency", "Konsistensi model")


@dataclass(frozen=True)
class Section:
    """A part of the report: one recommendation and the principles it serves, or the model."""

    id: str
    title: Text
    recommendation: Ref | None
    principles: tuple[Ref, ...]


@dataclass(frozen=True)
class CheckRun:
    """What one check did: how many findings, or why it was skipped."""

    check: Check
    findings: int
    skipped: str | None = None


@dataclass
class AuditReport:
    """The outcome of an audit: findings, what each check did, the coverage matrix, priorities."""

    settings: Settings
    store: str
    sections: list[Section]
    runs: list[CheckRun]
    findings: list[Finding]
    coverage: Coverage
    priorities: list[Priority]
    fail_on: str = "error"
    notes: list[str] = field(default_factory=list)

    def ran(self, section: str) -> bool:
        """Tell whether any check of a section ran (``--check``/``--skip`` may leave a section out)."""
        return any(r.check.section == section and not r.skipped for r in self.runs)

    def counts(self, section: str | None = None) -> dict[Severity, int]:
        """Count findings by severity (in one section, or in all)."""
        found = Counter(f.severity for f in self.findings if section is None or f.section == section)
        return {s: found.get(s, 0) for s in SEVERITIES}

    def exit_code(self, fail_on: str | None = None) -> int:
        """Return 1 when findings at or above ``fail_on`` (error, warning, never) exist, else 0."""
        key = fail_on or self.fail_on
        if key not in FAIL_ON:
            raise InputError(Problem("--fail-on", None, None, f"unknown value {key!r}", "use error, warning or never"))
        threshold = FAIL_ON[key]
        if threshold is None:
            return 0
        return int(any(f.severity >= threshold for f in self.findings))


def run_audit(
    store: Dataset,
    settings: Settings | None = None,
    *,
    checks: Sequence[str] | None = None,
    skip: Sequence[str] = (),
    fail_on: str = "error",
    progress: Callable[[str, int, int], None] | None = None,
    location: str | None = None,
) -> AuditReport:
    """Audit a store whose conclusions are current: every check, every finding explained.

    :meth:`selaras.Selaras.audit` brings the conclusions up to date first, then calls this.

    Args:
        store: the organisation's store, its conclusions current for ``settings``.
        settings: overrides of the data's settings (reference date, stale window …).
        checks: ids of the checks to run; all of :data:`selaras.engine.audit.CHECK_IDS` when None.
        skip: ids of checks to leave out (reported as skipped), e.g. ``model-data-quality`` (the
            SHACL validation of the facts).
        fail_on: the default threshold of :meth:`AuditReport.exit_code`.
        progress: called before each check with its id, how many ran and how many there are.
        location: where the organisation is, for the report (default: the store's location).

    Raises:
        NotFoundError: a check id is unknown.
    """
    selected = [get(c) for c in checks] if checks is not None else list(all_checks())
    skipped_ids = {get(c).id for c in skip}
    if fail_on not in FAIL_ON:
        raise InputError(Problem("--fail-on", None, None, f"unknown value {fail_on!r}", "use error, warning or never"))
    location = store.location if location is None else location
    namer = Namer(store)
    runs: list[CheckRun] = []
    findings: list[Finding] = []
    notes: list[str] = []
    sections = _sections(store, namer)
    by_id = {s.id: s for s in sections}
    for done, check in enumerate(selected):
        if progress is not None:
            progress(check.id, done, len(selected))
        if check.id in skipped_ids:
            found: list[Finding] = []
            skipped: str | None = "left out on request (--skip)"
        elif check.kind == "shacl":
            found, skipped = _shacl_findings(check, store, namer, by_id[check.section])
        else:
            found, skipped = _sparql_findings(check, store, namer, by_id[check.section]), None
        if skipped:
            notes.append(f"{check.id} skipped: {skipped}")
        runs.append(CheckRun(check, len(found), skipped))
        findings.extend(found)
    order = {s: n for n, s in enumerate(SECTIONS)}
    findings.sort(key=lambda f: order[f.section])  # stable: registry and query order inside a section
    table = coverage(store, namer)
    return AuditReport(
        settings=effective_settings(store, settings), store=location, sections=sections, runs=runs,
        findings=findings, coverage=table, priorities=priorities(store, namer, table), fail_on=fail_on, notes=notes)


# --- sections ------------------------------------------------------------------------

_POLICY = f"""
PREFIX sel: <{SEL_IRI}>
SELECT ?recommendation ?principle WHERE {{
  ?recommendation a sel:Recommendation . OPTIONAL {{ ?recommendation sel:servesPrinciple ?principle }}
}}
"""


def _sections(store: Dataset, namer: Namer) -> list[Section]:
    serves: dict[str, list[str]] = {}
    for row in store.query(_POLICY).rows:
        serves.setdefault(row["recommendation"].value, [])
        if row["principle"] is not None:
            serves[row["recommendation"].value].append(row["principle"].value)
    out = []
    for sid in SECTIONS:
        if sid == "model":
            principles = sorted({c.principle_iri for c in all_checks() if c.section == "model"})
            out.append(Section(sid, _MODEL_TITLE, None, tuple(Ref(p, namer.name(p)) for p in principles)))
            continue
        iri = POLICY_IRI + sid
        principles = sorted(serves.get(iri, []))
        out.append(Section(sid, namer.name(iri), Ref(iri, namer.name(iri)),
                           tuple(Ref(p, namer.name(p)) for p in principles)))
    return out


# --- SPARQL checks --------------------------------------------------------------------

def _sparql_findings(check: Check, store: Dataset, namer: Namer, section: Section) -> list[Finding]:
    body, order = _order_here(check.body)
    rows = _ordered(store.query(body).rows, order)
    conclusions = {r: _iris(row.get("conclusions")) for r, row in enumerate(rows)}
    explained = _explain(store, [c for cs in conclusions.values() for c in cs])
    premise_iris: set[str] = set()
    for r, row in enumerate(rows):
        premise_iris.update(_iris(row.get("premises")))
        for c in conclusions[r]:
            premise_iris.update(explained.get(c, ("", []))[1])
    namer.describe(sorted(premise_iris))
    principle = Ref(check.principle_iri, namer.name(check.principle_iri))
    out = []
    for r, row in enumerate(rows):
        focus = row.get("focus")
        if focus is None:
            continue
        values = _values(row)
        message = Text(_format(check.message, "en", row, namer), _format(check.pesan, "id", row, namer))
        out.append(Finding(
            check=check.id, severity=check.severity, section=check.section, recommendation=section.recommendation,
            principle=principle, focus=namer.ref(focus.value), message=message,
            explanation=_explanation(check, conclusions[r], _iris(row.get("premises")), explained, namer),
            values=values))
    return out


_KEY = r"(?:(?:ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+)"
_ORDER_BY = re.compile(rf"\bORDER\s+BY\s+({_KEY}(?:\s+{_KEY})*)\s*$", re.IGNORECASE)
_NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("integer", "decimal", "double", "float")}


def _order_here(body: str) -> tuple[str, list[tuple[str, bool]]]:
    """Take a check's ``ORDER BY`` of plain variables out of its text, to sort its rows here.

    Virtuoso cannot sort rows that hold a long ``GROUP_CONCAT`` (the conclusions of a finding:
    "SR319 Max row length is exceeded … temp col"); it can return them unsorted. Returns the text
    without the clause and the keys (variable, descending); the text unchanged and no keys when
    the clause orders by anything else.

    >>> _order_here("SELECT ?f ?n WHERE { ?f <urn:p> ?n } ORDER BY DESC(?n) ?f")
    ('SELECT ?f ?n WHERE { ?f <urn:p> ?n } ', [('n', True), ('f', False)])
    """
    m = _ORDER_BY.search(body)
    if m is None:
        return body, []
    keys = [(name, (direction or "").upper() == "DESC")
            for direction, name in re.findall(r"(ASC|DESC)?\s*\(?\s*\?(\w+)", m.group(1), re.IGNORECASE)]
    return body[: m.start()], keys


def _ordered(rows: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Sort rows as SPARQL's ``ORDER BY`` of those keys does: unbound first, then blank nodes,
    IRIs and literals; numbers by value, other literals by their text."""
    def key(term: Any) -> tuple[int, float, str]:
        if term is None:
            return (0, 0.0, "")
        if isinstance(term, ox.BlankNode):
            return (1, 0.0, term.value)
        if isinstance(term, ox.NamedNode):
            return (2, 0.0, term.value)
        if term.datatype.value in _NUMERIC:
            return (3, float(term.value), "")
        return (4, 0.0, term.value)

    for name, descending in reversed(keys):  # stable sorts, the last key first
        rows = sorted(rows, key=lambda row: key(row.get(name)), reverse=descending)
    return rows


def _iris(term: Any) -> list[str]:
    if term is None:
        return []
    return sorted(dict.fromkeys(term.value.split()))


def _explain(store: Dataset, conclusions: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Return, for each concluded node, its rule IRI and premises.

    The lean rules' conclusions first (they come by the ten thousand), then the others', which
    name their rule and premises (``sel:inferredBy``, ``sel:premise``).
    """
    out: dict[str, tuple[str, list[str]]] = {}
    unique = list(dict.fromkeys(conclusions))
    _explain_lean(store, unique, out)
    rest = [c for c in unique if c not in out]
    for start in range(0, len(rest), 500):
        values = " ".join(f"<{c}>" for c in rest[start:start + 500])
        text = (f"PREFIX sel: <{SEL_IRI}>\nSELECT ?c ?rule ?premise WHERE {{ VALUES ?c {{ {values} }} "
                f"?c sel:inferredBy ?rule . OPTIONAL {{ ?c sel:premise ?premise }} }}")
        for row in store.query(text).rows:
            _, premises = out.setdefault(row["c"].value, (row["rule"].value, []))
            if row["premise"] is not None:
                premises.append(row["premise"].value)
    return out


#: What a lean conclusion of a finding rests on, as the audit cites it: the entities it is about.
LEAN_PREMISES = ("employee", "position", "competency", "scheme")


def _explain_lean(store: Dataset, nodes: list[str], out: dict[str, tuple[str, list[str]]]) -> None:
    """Add the rule and premises of lean rules' conclusions (see :mod:`selaras.engine.rules`).

    The rule is the one whose graph holds the node. A finding may rest on tens of thousands of
    them, so the audit cites the entities each is about (its employee, position, competency or
    scheme) rather than finding its premises again by the rule's pattern, which
    ``selaras explain IRI`` does for any one of them.

    On disk a node looked up costs a random read (about 0.1 ms at 10,000 employees); reading
    the cited properties of every node in a rule's graph costs about a quarter of that per node
    there. So when the nodes of one kind (the same path under the data IRI, e.g.
    ``…/id/certification-need/``) are at least a quarter of their rule's graph, that graph is
    read (:func:`_lean_scan`; 79,000 certification needs: 7 s -> 3 s); the others, and any
    the read did not find, are looked up (:func:`_lean_lookups`).
    """
    lean = rule_registry.lean_by_graph()
    kinds: dict[str, list[str]] = {}
    for c in nodes:
        kinds.setdefault(c.rsplit("/", 2)[0] if c.startswith(DATA_IRI) else "", []).append(c)
    rest: list[str] = []
    for kind, members in kinds.items():
        if not kind or len(members) < LEAN_SCAN_FROM:
            rest += members
            continue
        graph = next((q.graph_name.value for q in store.match(ox.NamedNode(members[0]), None, None)
                      if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in lean), None)
        if graph is None or len(members) * 4 < _nodes_in(store, graph):
            rest += members
            continue
        _lean_scan(store, lean[graph], set(members), out)
        rest += [c for c in members if c not in out]
    _lean_lookups(store, rest, lean, out)


#: Nodes of one kind from which :func:`_explain_lean` reads their rule's graph instead of each node.
LEAN_SCAN_FROM = 2_000


def _nodes_in(store: Dataset, graph: str) -> int:
    """The typed nodes of a graph (a count: read in order, no term spelled out)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?c a ?type }} }}").rows
    return int(rows[0]["n"].value)


def _lean_scan(store: Dataset, rule: rule_registry.Rule, wanted: set[str], out: dict[str, tuple[str, list[str]]]) -> None:
    """Read the cited properties of every node in a lean rule's graph; keep those of ``wanted``."""
    union = " UNION ".join(f"{{ ?c sel:{p} ?v }}" for p in LEAN_PREMISES)
    text = f"PREFIX sel: <{SEL_IRI}>\nSELECT ?c ?v WHERE {{ GRAPH <{rule.graph}> {{ {union} }} }}"
    embedded = store.embedded()
    if embedded is not None:  # the embedded store gives the rows as text: no object per term
        pairs: Iterable[tuple[str, str]] = (line.partition("\t")[::2] for line in embedded.query_text(text).split("\n")[1:])
    else:
        pairs = ((str(row["c"]), str(row["v"])) for row in store.query(text).rows)
    odd: set[str] = set()  # nodes with a blank or literal value: left to the lookups, which read terms exactly
    for c, v in pairs:
        if not c.startswith("<") or c[1:-1] not in wanted:
            continue
        if not v.startswith("<"):
            odd.add(c[1:-1])
            continue
        premises = out.setdefault(c[1:-1], (rule.iri, []))[1]
        if v[1:-1] not in premises:
            premises.append(v[1:-1])
    for c in odd:
        out.pop(c, None)


def _lean_lookups(store: Dataset, nodes: list[str], lean: dict[str, rule_registry.Rule],
                  out: dict[str, tuple[str, list[str]]]) -> None:
    """Look each node's cited properties up: one query per 500 nodes, each property an OPTIONAL
    of one pattern on the bound node (looked up node by node, and only the properties cited)."""
    optionals = " ".join(f"OPTIONAL {{ GRAPH ?g{i} {{ ?c sel:{p} ?v{i} }} }}" for i, p in enumerate(LEAN_PREMISES))
    for start in range(0, len(nodes), 500):
        values = " ".join(f"<{c}>" for c in nodes[start:start + 500])
        text = f"PREFIX sel: <{SEL_IRI}>\nSELECT * WHERE {{ VALUES ?c {{ {values} }} {optionals} }}"
        for row in store.query(text).rows:
            for i in range(len(LEAN_PREMISES)):
                graph, value = row[f"g{i}"], row[f"v{i}"]
                rule = lean.get(graph.value) if isinstance(graph, ox.NamedNode) else None
                if rule is not None and value is not None:
                    premises = out.setdefault(row["c"].value, (rule.iri, []))[1]
                    if value.value not in premises:
                        premises.append(value.value)


def _explanation(check: Check, conclusions: list[str], premises: list[str],
                 explained: dict[str, tuple[str, list[str]]], namer: Namer) -> Explanation:
    if not conclusions:
        return Explanation(check.id, check.iri, Text(check.title, check.judul), (),
                           tuple(namer.ref(p) for p in premises))
    rules = Counter(explained[c][0] for c in conclusions if c in explained)
    rule_iri = rules.most_common(1)[0][0] if rules else check.iri
    rule_id = rule_iri.removeprefix(RULE_IRI)
    try:
        rule = rule_registry.get(rule_id)
        title = Text(rule.title, rule.judul)
    except Exception:  # noqa: BLE001 - a rule of a newer store: name it by its id
        title = Text(rule_id, rule_id)
    under = list(premises)
    for c in conclusions:
        under.extend(explained.get(c, ("", []))[1])
    return Explanation(rule_id, rule_iri, title, tuple(conclusions),
                       tuple(namer.ref(p) for p in sorted(dict.fromkeys(under))))


def _values(row: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    out: list[tuple[str, Any]] = []
    for name, term in row.items():
        if name in _EXPLAINING or term is None:
            continue
        if name.endswith("_list"):
            out.append((name.removesuffix("_list"), sorted(x for x in term.value.split("|") if x)))
        else:
            out.append((name, _plain(term)))
    return tuple(out)


def _plain(term: Any) -> Any:
    """Turn an RDF term into a JSON-friendly value: IRIs and IRI lists as strings, numbers as numbers."""
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    value = python_value(term)  # then whole numbers as int, a literal of IRIs as their sorted list
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and isinstance(term, ox.Literal):
        words = value.split()
        if words and all(w.startswith(("http://", "https://")) for w in words):
            return sorted(words)
    return value


def _format(template: str, lang: str, row: dict[str, Any], namer: Namer) -> str:
    """Fill a message template from a result row (see the package docstring for the syntax)."""
    def fill(m: re.Match[str]) -> str:
        name, word = m.group(1), m.group(2)
        if name in row or f"{name}_list" not in row:
            term = row.get(name)
        else:
            term = row.get(f"{name}_list")
            if term is None:
                return "–"
            return ", ".join(sorted(x for x in term.value.split("|") if x))
        if term is None:
            return "–"
        if word is not None:
            number = _plain(term)
            singular, _, plural = word.partition("/")
            if lang == "id":
                return f"{number} {singular}"
            return f"{number} {singular if number == 1 else (plural or singular + 's')}"
        if isinstance(term, ox.NamedNode):
            return namer.name(term.value).get(lang)
        value = _plain(term)
        if isinstance(value, list):
            return ", ".join(sorted(namer.name(v).get(lang) for v in value))
        return str(value)

    return _PLACEHOLDER.sub(fill, template)


# --- SHACL check ------------------------------------------------------------------------

def _shacl_findings(check: Check, store: Dataset, namer: Namer, section: Section) -> tuple[list[Finding], str | None]:
    try:
        from selaras.engine.validation import shacl_report  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return [], "the SHACL validator (selaras.engine.validation.shacl_report) is not available"
    principle = Ref(check.principle_iri, namer.name(check.principle_iri))
    out = []
    for result in shacl_report(store):
        focus, path, message, severity = (_field(result, n, i) for n, i in
                                          (("focus", 0), ("path", 1), ("message", 2), ("severity", 3)))
        focus_iri = str(getattr(focus, "value", focus) or "")
        path_iri = str(getattr(path, "value", path) or "")
        text = str(getattr(message, "value", message) or "")
        path_label = namer.name(path_iri) if path_iri else Text("(node)", "(simpul)")
        out.append(Finding(
            check=check.id, severity=_shacl_severity(severity, check.severity), section=check.section,
            recommendation=section.recommendation, principle=principle,
            focus=namer.ref(focus_iri) if focus_iri else Ref("", Text("(graph)", "(graf)")),
            message=Text(_format_plain(check.message, path_label.en, text),
                         _format_plain(check.pesan, path_label.id, text)),
            explanation=Explanation(check.id, check.iri, Text(check.title, check.judul), (),
                                    (namer.ref(focus_iri),) if focus_iri else ()),
            values=(("path", path_iri), ("text", text))))
    return out, None


def _field(result: Any, name: str, index: int) -> Any:
    if isinstance(result, dict):
        return result.get(name)
    if hasattr(result, name):
        return getattr(result, name)
    try:
        return result[index]
    except (TypeError, IndexError, KeyError):
        return None


def _shacl_severity(value: Any, default: Severity) -> Severity:
    text = str(getattr(value, "value", value) or "").lower()
    for needle, severity in (("violation", Severity.ERROR), ("error", Severity.ERROR),
                             ("warning", Severity.WARNING), ("info", Severity.INFO)):
        if needle in text:
            return severity
    return default


def _format_plain(template: str, path: str, text: str) -> str:
    return template.replace("{path}", path).replace("{text}", text)


def iter_sections(report: AuditReport) -> Iterable[tuple[Section, list[CheckRun], list[Finding]]]:
    """Yield each section with its check runs and findings, in report order."""
    for section in report.sections:
        runs = [r for r in report.runs if r.check.section == section.id]
        yield section, runs, [f for f in report.findings if f.section == section.id]
