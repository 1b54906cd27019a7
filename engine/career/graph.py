"""The career graph: read from the store, cached per store state, and the lookups of names."""

from __future__ import annotations

import json
import math
import os
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from selaras.engine import inference, moves
from selaras.engine.career.model import PREFIX, TRACKS, Competency, Employee, Position, Program, Scheme
from selaras.engine.store import names as names_
from selaras.engine.store import Dataset
from selaras.engine.store.labels import Labels, grade_shown
from selaras.ontology.namespace import DATA_IRI, SEL_IRI

_POSITIONS = PREFIX + """
SELECT ?p ?code ?gcode ?rank ?fcode ?track WHERE {
  ?p a sel:Position ; sel:code ?code .
  OPTIONAL { ?p sel:grade ?g . ?g sel:code ?gcode . OPTIONAL { ?g sel:rank ?rank } }
  OPTIONAL { ?p sel:jobFamily ?f . ?f sel:code ?fcode }
  OPTIONAL { ?p sel:track ?track }
}"""
_REQUIREMENTS = PREFIX + """
SELECT ?p ?c ?level ?importance WHERE {
  ?r a sel:Requirement ; sel:position ?p ; sel:competency ?c ; sel:requiredLevel ?level .
  OPTIONAL { ?r sel:importance ?importance }
}"""
_COMPETENCIES = PREFIX + """
SELECT ?c ?code (MIN(?min) AS ?low) (MAX(?max) AS ?high) WHERE {
  ?c a ?class ; sel:code ?code ; sel:scale ?s .
  # ?class: the competency classes, given as values (:data:`_COMPETENCY_CLASSES`, read first)
  ?s a sel:ProficiencyScale .
  OPTIONAL { ?s sel:minRank ?min ; sel:maxRank ?max }
} GROUP BY ?c ?code"""
#: The competency classes, asked apart: inside the query above, Virtuoso 7.2 walked the path to
#: no rows (alone it walks it right).
_COMPETENCY_CLASSES = PREFIX + "SELECT ?class WHERE { ?class rdfs:subClassOf* sel:Competency }"
_MOVES = PREFIX + """
SELECT ?m ?from ?to ?type ?steps WHERE {
  ?m a sel:CareerMove ; sel:fromPosition ?from ; sel:toPosition ?to ; sel:moveType ?type .
  OPTIONAL { ?m sel:gradeSteps ?steps }
}"""
_TRANSITIONS = PREFIX + """
SELECT ?from ?to ?count WHERE {
  ?t a sel:ObservedTransition ; sel:fromPosition ?from ; sel:toPosition ?to ; sel:transitionCount ?count .
}"""
_EMPLOYEES = PREFIX + """
SELECT ?e ?code ?name ?p WHERE {
  ?e a sel:Employee ; sel:code ?code .
  OPTIONAL { ?e rdfs:label ?name }
  OPTIONAL { ?e sel:holdsPosition ?p }
}"""
_HELD = PREFIX + """
SELECT ?e ?c ?level WHERE {
  ?h a sel:HeldCompetency ; sel:employee ?e ; sel:competency ?c ; sel:heldLevel ?level .
}"""
_READINESS = PREFIX + """
SELECT ?e ?p ?score WHERE { ?r a sel:Readiness ; sel:employee ?e ; sel:position ?p ; sel:readiness ?score . }"""
_PROGRAMS = PREFIX + """
SELECT ?prog ?code ?hours ?c ?level WHERE {
  ?prog a sel:TrainingProgram ; sel:code ?code .
  OPTIONAL { ?prog sel:hours ?hours }
  OPTIONAL { ?prog sel:develops ?d . ?d sel:competency ?c ; sel:level ?level }
}"""
_SCHEMES = PREFIX + """
SELECT ?s ?code ?c ?level WHERE {
  ?s a sel:CertificationScheme ; sel:code ?code .
  OPTIONAL { ?s sel:certifies ?d . ?d sel:competency ?c ; sel:level ?level }
}"""


# --- the graph ----------------------------------------------------------------------------
class CareerGraph:
    """The career graph of one store state, with the lookups the commands need.

    ``graph`` is an ``nx.DiGraph`` whose nodes are position codes (attribute ``position``:
    a :class:`Position`) and whose edges are career moves (attributes ``move``, ``type``,
    ``grade_steps``, ``track``, ``changes_track``,
    ``increase_sum``/``new_sum`` (importance-weighted, normalised), ``increase_plain``/``new_plain``
    (unweighted), ``max_step`` (the largest raise on one competency, a new one counted from
    the scale's lowest level), ``similarity`` and ``similarity_plain``).
    """

    def __init__(self, store: Dataset, tag: str) -> None:
        import networkx as nx
        self.store = store
        self.tag = tag
        self.graph: nx.DiGraph = nx.DiGraph()
        self.competencies: dict[str, Competency] = {}
        self.positions: dict[str, Position] = {}
        self.grade_span = 1
        self.centre = Centre()
        #: observed transitions: {(from, to): people} and {from: people who left it}
        self.observed: dict[tuple[str, str], int] = {}
        self.departures: dict[str, int] = {}
        self._labels: dict[str, Labels] = {}
        self._employees: dict[str, Employee] | None = None
        self._programs: dict[str, Program] | None = None
        self._schemes: dict[str, Scheme] | None = None
        self._by_iri: dict[str, str] = {}

    # --- labels -------------------------------------------------------------------------
    def labels(self, lang: str = "en") -> Labels:
        """Return the store's labels in a language (loaded once)."""
        if lang not in self._labels:
            self._labels[lang] = Labels(self.store, lang)
        return self._labels[lang]

    def label(self, kind: str, code: str, lang: str = "en") -> str:
        """Return the label of a position, competency, family, employee, programme or scheme."""
        iri = {"position": self.positions[code].iri if code in self.positions else None,
               "competency": self.competencies[code].iri if code in self.competencies else None}.get(kind)
        return self.labels(lang).get(iri or f"{DATA_IRI}{kind}/{code}")

    def title(self, code: str, lang: str = "en") -> str:
        """Return a position's label with its grade once: ``Manager Sertifikasi (A2)``."""
        label, grade = self.label("position", code, lang), self.positions[code].grade
        if not grade or label.endswith(f"({self.grade_name(grade, lang)})"):
            return label
        return f"{label} ({self.grade_name(grade, lang)})"

    def grade_name(self, grade: str, lang: str = "en") -> str:
        """Return how a grade is shown (:func:`selaras.engine.store.labels.grade_shown`)."""
        return grade_shown(grade, self.labels(lang).get(f"{DATA_IRI}grade/{grade}"))

    def bare_title(self, code: str, lang: str = "en") -> str:
        """Return a position's label without the grade: ``Manager Sertifikasi``."""
        label, grade = self.label("position", code, lang), self.positions[code].grade
        suffix = f" ({self.grade_name(grade, lang)})" if grade else ""
        return label[: -len(suffix)] if suffix and label.endswith(suffix) else label

    def term_label(self, local: str, lang: str = "en") -> str:
        """Return the label of a ``sel:`` term (e.g. ``Promotion``) in a language."""
        return self.labels(lang).get(SEL_IRI + local)

    # --- people and development offers (loaded when first needed) -----------------------
    @property
    def employees(self) -> dict[str, Employee]:
        """Every employee by code."""
        if self._employees is None:
            out: dict[str, Employee] = {}
            for r in self.store.query(_EMPLOYEES).rows:
                code = r["code"].value
                pos = self._by_iri.get(r["p"].value) if r["p"] is not None else None
                if code not in out or (out[code].position is None and pos):
                    out[code] = Employee(code, r["e"].value, r["name"].value if r["name"] else code, pos)
            self._employees = out
        return self._employees

    def employee_with_code(self, code: str) -> Employee | None:
        """The employee whose code is exactly ``code``, read alone (None: no such code, or several)."""
        if self._employees is not None:
            return self._employees.get(code)
        rows = self.store.query(_EMPLOYEES, bindings={"code": ox.Literal(code)}).rows
        if len({r["e"].value for r in rows}) != 1:
            return None
        pos = next((self._by_iri.get(r["p"].value) for r in rows if r["p"] is not None), None)
        name = next((r["name"].value for r in rows if r["name"] is not None), code)
        return Employee(code, rows[0]["e"].value, name, pos)

    def held(self, employee: str | None = None, competencies: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
        """Return held levels (latest assessments) by employee code, then competency code."""
        text = _HELD
        values = []
        if employee is not None:
            one = self.employee_with_code(employee) or self.employees[employee]
            values.append(f"VALUES ?e {{ {ox.NamedNode(one.iri)} }}")
        if competencies is not None:
            comps = " ".join(str(ox.NamedNode(self.competencies[c].iri)) for c in competencies
                             if c in self.competencies)
            values.append(f"VALUES ?c {{ {comps} }}")
        if values:
            text = text.replace("WHERE {", "WHERE {\n  " + "\n  ".join(values), 1)
        out: dict[str, dict[str, int]] = defaultdict(dict)
        emp_prefix = DATA_IRI + "employee/"
        for r in self.store.query(text).rows:
            c = self._by_iri.get(r["c"].value)
            if c is not None:
                out[r["e"].value[len(emp_prefix):]][c] = int(r["level"].value)
        return out

    @property
    def programs(self) -> dict[str, Program]:
        """Every training programme by code."""
        if self._programs is None:
            rows: dict[str, tuple[str, float | None, dict[str, int]]] = {}
            for r in self.store.query(_PROGRAMS).rows:
                code = r["code"].value
                hours = float(r["hours"].value) if r["hours"] is not None else None
                entry = rows.setdefault(code, (r["prog"].value, hours, {}))
                if r["c"] is not None and r["c"].value in self._by_iri:
                    c = self._by_iri[r["c"].value]
                    entry[2][c] = max(entry[2].get(c, 0), int(r["level"].value))
            self._programs = {k: Program(k, v[0], v[1], v[2]) for k, v in sorted(rows.items())}
        return self._programs

    @property
    def schemes(self) -> dict[str, Scheme]:
        """Every certification scheme by code."""
        if self._schemes is None:
            rows: dict[str, tuple[str, dict[str, int]]] = {}
            for r in self.store.query(_SCHEMES).rows:
                entry = rows.setdefault(r["code"].value, (r["s"].value, {}))
                if r["c"] is not None and r["c"].value in self._by_iri:
                    c = self._by_iri[r["c"].value]
                    entry[1][c] = max(entry[1].get(c, 0), int(r["level"].value))
            self._schemes = {k: Scheme(k, v[0], v[1]) for k, v in sorted(rows.items())}
        return self._schemes

    def inferred_readiness(self) -> dict[tuple[str, str], float]:
        """Return the ``sel:Readiness`` conclusions as {(employee, position): score}."""
        emp_prefix = DATA_IRI + "employee/"
        return {(r["e"].value[len(emp_prefix):], self._by_iri[r["p"].value]): float(r["score"].value)
                for r in self.store.query(_READINESS).rows if r["p"].value in self._by_iri}


_CACHE: weakref.WeakKeyDictionary[Dataset, CareerGraph] = weakref.WeakKeyDictionary()


@dataclass
class Centre:
    """The mean profile of the organisation, which the similarity S is centred on.

    ``x[c]`` and ``wx[c]`` are the means of x_P(c) and w_P(c)·x_P(c) over every position P
    that has a profile (0 where P does not require c); ``x_squares`` and ``wx_squares`` their
    sums of squares.
    """

    x: dict[str, float] = field(default_factory=dict)
    wx: dict[str, float] = field(default_factory=dict)
    x_squares: float = 0.0
    wx_squares: float = 0.0


def _centre(positions: Iterable[Position]) -> Centre:
    profiled = [p for p in positions if p.x]
    centre = Centre()
    if not profiled:
        return centre
    n = len(profiled)
    for p in profiled:
        for c, v in p.x.items():
            centre.x[c] = centre.x.get(c, 0.0) + v
        for c, v in p.wx.items():
            centre.wx[c] = centre.wx.get(c, 0.0) + v
    centre.x = {c: v / n for c, v in centre.x.items()}
    centre.wx = {c: v / n for c, v in centre.wx.items()}
    centre.x_squares = sum(v * v for v in centre.x.values())
    centre.wx_squares = sum(v * v for v in centre.wx.values())
    return centre


def career_graph(store: Dataset) -> CareerGraph:
    """Return the career graph of a store whose conclusions are current, building it when it changed.

    :meth:`selaras.Selaras.career` brings the conclusions up to date first, then calls this.
    The graph is cached per store and rebuilt when the store's state tag (facts version and
    settings) changes. What it is built from is also kept beside an on-disk store
    (``<store>.career.json``, see :func:`graph_inputs`), so that a fresh ``selaras career``
    process does not read the requirements and moves again while the store is unchanged.
    """
    tag = inference.state_tag(store, inference.effective_settings(store))
    cached = _CACHE.get(store)
    if cached is not None and cached.tag == tag:
        return cached
    cg = assemble_graph(store, tag, graph_inputs(store))
    _CACHE[store] = cg
    return cg


def build_graph(store: Dataset, tag: str = "") -> CareerGraph:
    """Build the career graph from a store whose conclusions are current (no cache)."""
    return assemble_graph(store, tag, read_inputs(store))


#: what the career graph is built from, as plain values (IRIs and lexical forms), by query
_INPUTS = ("competencies", "positions", "requirements", "transitions", "moves")
#: the version of the file beside the store that keeps them
_INPUTS_FORMAT = 1


def read_inputs(store: Dataset) -> dict[str, list[list[str | None]]]:
    """Read what the career graph is built from: competencies, positions, requirements, transitions, moves."""
    def plain(sparql: str, names: tuple[str, ...]) -> list[list[str | None]]:
        return [[None if r[n] is None else r[n].value for n in names] for r in store.query(sparql).rows]

    classes = " ".join(str(r["class"]) for r in store.query(_COMPETENCY_CLASSES).rows
                       if isinstance(r["class"], ox.NamedNode))
    competencies = store.query(_COMPETENCIES.replace("WHERE {", f"WHERE {{ VALUES ?class {{ {classes} }}", 1)).rows
    return {"competencies": [[None if r[n] is None else r[n].value for n in ("code", "c", "low", "high")]
                             for r in competencies],
            "positions": plain(_POSITIONS, ("code", "p", "gcode", "rank", "fcode", "track")),
            "requirements": list(_rows(store, _REQUIREMENTS)),
            "transitions": list(_rows(store, _TRANSITIONS)),
            "moves": list(_rows(store, _MOVES))}


def graph_inputs(store: Dataset) -> dict[str, list[list[str | None]]]:
    """:func:`read_inputs`, kept beside an on-disk store for the conclusions it holds.

    The file (``<store>.career.json``) holds the version marker of the conclusions it was read
    from (facts version and the settings they were inferred with); any other marker, or a file
    that cannot be read, is ignored and replaced. It is written whole or not at all, and not at
    all where the folder cannot be written (a read-only store still answers).
    """
    directory = store.capabilities.directory
    path = directory.with_name(directory.name + ".career.json") if directory is not None else None
    tag = "\n".join(inference.stored_markers(store))
    if path is not None:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept.get("format") == _INPUTS_FORMAT and kept.get("tag") == tag and tag:
                return {k: kept[k] for k in _INPUTS}
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    inputs = read_inputs(store)
    if path is not None and tag:
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(json.dumps({"format": _INPUTS_FORMAT, "tag": tag, **inputs}), encoding="utf-8")
            partial.replace(path)
        except OSError:
            partial.unlink(missing_ok=True)
    return inputs


def assemble_graph(store: Dataset, tag: str, inputs: dict[str, list[list[str | None]]]) -> CareerGraph:
    """Build the career graph from what :func:`read_inputs` read."""
    cg = CareerGraph(store, tag)
    for code, iri, low, high in inputs["competencies"]:
        if low is None or code is None or iri is None or high is None:
            continue  # a scale without levels: the competency cannot be required
        comp = Competency(code, iri, int(low), int(high))
        cg.competencies[comp.code] = comp
        cg._by_iri[comp.iri] = comp.code
    for code, iri, gcode, rank, fcode, track in inputs["positions"]:
        if code is None or iri is None or code in cg.positions:
            continue
        pos = Position(code, iri, gcode, int(rank) if rank else None, fcode, TRACKS.get(track) if track else None)
        cg.positions[code] = pos
        cg._by_iri[pos.iri] = code
    for p_iri, c_iri, level, importance in inputs["requirements"]:
        p, c = cg._by_iri.get(p_iri or ""), cg._by_iri.get(c_iri or "")
        if p is None or c is None or c not in cg.competencies or level is None:
            continue
        pos = cg.positions[p]
        pos.requirements[c] = int(level)
        if importance is not None:
            pos.importance[c] = float(importance)
    for pos in cg.positions.values():
        pos.weights = _weights(pos)
        _profile_vectors(cg, pos)
        cg.graph.add_node(pos.code, position=pos)
    cg.centre = _centre(cg.positions.values())
    for pos in cg.positions.values():
        _centred(cg.centre, pos)
    for source, target, count in inputs["transitions"]:
        u, v = cg._by_iri.get(source or ""), cg._by_iri.get(target or "")
        if u is not None and v is not None and count is not None:
            cg.observed[u, v] = cg.observed.get((u, v), 0) + int(count)
            cg.departures[u] = cg.departures.get(u, 0) + int(count)
    ranks = [p.rank for p in cg.positions.values() if p.rank is not None]
    cg.grade_span = max(1, max(ranks) - min(ranks)) if ranks else 1
    # the moves, read by pattern (faster than a SPARQL join at tens of thousands of moves)
    for move, source, target, kind, steps in inputs["moves"]:
        u, v = cg._by_iri.get(source or ""), cg._by_iri.get(target or "")
        if u is None or v is None or kind is None or cg.graph.has_edge(u, v):
            continue
        a, b = cg.positions[u], cg.positions[v]
        cg.graph.add_edge(u, v, move=move, type=kind.removeprefix(SEL_IRI),
                          grade_steps=int(steps) if steps is not None else 0, track=b.track,
                          changes_track=a.track != b.track, concluded=True, **_edge_demands(cg.centre, a, b))
    return cg


def _rows(store: Dataset, sparql: str) -> Iterator[list[str | None]]:
    """Run a SELECT and yield its rows as plain values (IRIs and lexical forms; None unbound).

    In the embedded store the results are read as TSV text, without a Python object per term
    (31,500 requirements of a 900-position framework: 0.15 s instead of 0.8 s).
    """
    embedded = store.embedded()
    if embedded is None:
        result = store.query(sparql)
        for r in result.rows:
            yield [None if r[v] is None else r[v].value for v in result.variables]
        return
    lines = embedded.query_text(sparql).split("\n")
    for line in lines[1:]:
        if line:
            yield [_tsv_value(t) for t in line.split("\t")]


def _tsv_value(token: str) -> str | None:
    """The value of an IRI or a number in SPARQL TSV results (a literal's lexical form as written)."""
    if not token:
        return None
    if token[0] == "<":
        return token[1:-1]
    if token[0] == '"':
        return token[1:token.rindex('"')]
    return token


def with_allowed_moves(cg: CareerGraph, sources: Iterable[str] | None = None) -> CareerGraph:
    """Return a copy of the career graph with every move the job architecture allows from ``sources``
    (all positions when None), also those the rule ``career-move`` did not conclude.

    The rule concludes only viable moves (similar enough profiles, the best of each position:
    the settings ``min_move_similarity`` and ``max_moves_per_position``). The edges added here
    carry ``concluded=False`` and no ``move`` IRI; their demands are computed exactly as for
    the concluded ones. ``career next --all`` and ``career paths --all`` use them. The cached
    graph of the store is left as it is.
    """
    import copy

    cg = copy.copy(cg)
    cg.graph = cg.graph.copy()
    lateral = inference.effective_settings(cg.store).max_lateral_grade_steps or 0
    places = {code: moves.Profile(code, code, p.family, p.rank, p.track or "")
              for code, p in cg.positions.items() if p.family is not None and p.rank is not None}
    for u in (sources if sources is not None else list(cg.positions)):
        a = places.get(u)
        if a is None:
            continue
        for v, b in places.items():
            kind = moves.move_type(a, b, lateral)
            if kind is None or cg.graph.has_edge(u, v):
                continue
            pa, pb = cg.positions[u], cg.positions[v]
            cg.graph.add_edge(u, v, move=None, type=kind, grade_steps=b.rank - a.rank, track=pb.track,
                              changes_track=pa.track != pb.track, concluded=False,
                              **_edge_demands(cg.centre, pa, pb))
    return cg


def _weights(pos: Position) -> dict[str, float]:
    """Normalised importance weights of a profile (mean 1; 1 everywhere without importance)."""
    if not pos.importance:
        return {c: 1.0 for c in pos.requirements}
    given = [v for c, v in pos.importance.items() if c in pos.requirements]
    mean = sum(given) / len(given) if given else 1.0
    raw = {c: pos.importance.get(c, mean) for c in pos.requirements}
    total = sum(raw.values())
    if total <= 0:
        return {c: 1.0 for c in pos.requirements}
    scale = len(raw) / total
    return {c: v * scale for c, v in raw.items()}


def _profile_vectors(cg: CareerGraph, pos: Position) -> None:
    """Precompute a position's normalised levels, weighted vector, sums and norms (for the edges)."""
    comps = cg.competencies
    pos.x = {c: comps[c].x(lv) for c, lv in pos.requirements.items()}
    pos.wx = {c: pos.weights.get(c, 1.0) * x for c, x in pos.x.items()}
    pos.norm = math.sqrt(sum(v * v for v in pos.x.values()))
    pos.wnorm = math.sqrt(sum(v * v for v in pos.wx.values()))
    pos.sum_x = sum(pos.x.values())
    pos.sum_wx = sum(pos.wx.values())
    pos.rises = sorted(((lv - comps[c].low, c) for c, lv in pos.requirements.items()), reverse=True)


def _centred(centre: Centre, pos: Position) -> None:
    """Precompute a position's terms of the centred similarity (see :func:`_edge_demands`)."""
    if not pos.x:
        return
    pos.centre_dot = sum(centre.x[c] * v for c, v in pos.x.items())
    pos.wcentre_dot = sum(centre.wx[c] * v for c, v in pos.wx.items())
    pos.cnorm = math.sqrt(max(0.0, pos.norm * pos.norm - 2 * pos.centre_dot + centre.x_squares))
    pos.wcnorm = math.sqrt(max(0.0, pos.wnorm * pos.wnorm - 2 * pos.wcentre_dot + centre.wx_squares))


def centred_cosine(dot: float, a_dot: float, b_dot: float, squares: float, a_norm: float, b_norm: float) -> float:
    """The cosine of two centred profiles from the sums over their own competencies.

    With m the mean profile, Σ_c (a_c − m_c)(b_c − m_c) = a·b − a·m − b·m + m·m over every
    competency, so the centred vectors (dense: every position differs from the mean in every
    competency) never need to be built. 0 when either profile is the mean itself.

    >>> round(centred_cosine(dot=1.0, a_dot=0.5, b_dot=0.5, squares=0.5, a_norm=1.0, b_norm=1.0), 6)
    0.5
    """
    if not (a_norm > 0 and b_norm > 0):
        return 0.0
    return max(-1.0, min(1.0, (dot - a_dot - b_dot + squares) / (a_norm * b_norm)))


def _edge_demands(centre: Centre, a: Position, b: Position) -> dict[str, Any]:
    """Work out a move's normalised demands and the similarity of the two profiles.

    Only the competencies both positions require are visited: the new ones are what is left
    of the target's precomputed sums.
    """
    inc_w = inc_p = dot = wdot = shared_x = shared_wx = 0.0
    max_step = 0
    a_req, a_x, a_wx, b_req, b_x, b_wx, b_w = a.requirements, a.x, a.wx, b.requirements, b.x, b.wx, b.weights
    for c in a_req.keys() & b_req.keys():
        xa, xb = a_x[c], b_x[c]
        shared_x += xb
        shared_wx += b_wx[c]
        dot += xa * xb
        wdot += a_wx[c] * b_wx[c]
        if xb > xa:
            inc_p += xb - xa
            inc_w += b_w[c] * (xb - xa)
            rise = b_req[c] - a_req[c]
            if rise > max_step:
                max_step = rise
    for rise, c in b.rises:  # the largest rise of a new competency, counted from the scale's lowest level
        if rise <= max_step:
            break
        if c not in a_req:
            max_step = rise
            break
    return {
        "increase_sum": inc_w, "new_sum": max(0.0, b.sum_wx - shared_wx),
        "increase_plain": inc_p, "new_plain": max(0.0, b.sum_x - shared_x),
        "max_step": max_step,
        "similarity": centred_cosine(wdot, a.wcentre_dot, b.wcentre_dot, centre.wx_squares, a.wcnorm, b.wcnorm),
        "similarity_plain": centred_cosine(dot, a.centre_dot, b.centre_dot, centre.x_squares, a.cnorm, b.cnorm),
        "cosine": wdot / (a.wnorm * b.wnorm) if a.wnorm and b.wnorm else 0.0,
    }


# --- names --------------------------------------------------------------------------------
def resolve_position(cg: CareerGraph, name: str) -> str:
    """Return the code of the position named by code or label (case-insensitive).

    Raises:
        NotFoundError: no position has that code or label (close matches are listed).
        InputError: the label names several positions (their codes are listed).
    """
    names = {p: list(dict.fromkeys(f(p, lang) for lang in ("en", "id") for f in (cg.title, cg.bare_title)))
             for p in cg.positions}
    return names_.choose("position", name, names, lambda code: f"{code} ({cg.title(code)})")


def resolve_employee(cg: CareerGraph, name: str) -> Employee:
    """Return the employee named by id or by name (case-insensitive)."""
    exact = cg.employee_with_code(name.strip())  # an id: no need to list every employee
    if exact is not None:
        return exact
    emps = cg.employees
    code = names_.choose("employee", name, {e: [emps[e].name] for e in emps},
                         lambda code: f"{code} ({emps[code].name})")
    return emps[code]


def resolve_program(cg: CareerGraph, name: str) -> str:
    """Return the code of the training programme named by code or label."""
    return names_.choose("program", name,
                         {p: [cg.labels(lang).get(cg.programs[p].iri) for lang in ("en", "id")] for p in cg.programs})
