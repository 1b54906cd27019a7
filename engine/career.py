"""Explore career paths: a networkx graph over the inferred career moves, and what it answers.

The graph (:class:`CareerGraph`, built by :func:`career_graph`) has one node per position
(keyed by its code) and one edge per ``sel:CareerMove`` that the rule ``career-move``
inferred. An edge carries the move's type, grade steps, target track, whether it changes
track, and the demands of the move worked out from the two positions' requirement profiles
(the same comparison as the rules ``level-increase`` and ``new-competency``; the tests check
that they agree with ``sel:totalIncrease`` and ``sel:newCompetencyCount``). The graph is built once per store state and
cached, keyed by :func:`selaras.engine.inference.state_tag` (the facts version plus the
settings): any import or change of settings makes the next call rebuild it.

Preconditions: every competency has a scale whose bounds the rule ``scale-bounds`` inferred
(``sel:minRank`` / ``sel:maxRank``); levels are integers on that scale; grades have ranks.
Scales may start anywhere and have any number of levels (1–5, 0–7 …): every measure below is
normalised by the competency's own scale, so nothing depends on one organisation's scale,
names or size.

Normalised levels. For a competency ``c`` on a scale ``lo_c … hi_c`` a level ``r`` sits at::

    x_c(r) = (r − lo_c + 1) / (hi_c − lo_c + 1)        in (0, 1];  x = 0 when not required

(for an employee: when not assessed). Weights ``w_c`` are the target profile's
``sel:importance`` values divided by their mean (a requirement without importance takes the
mean), so ``w_c = 1`` everywhere when the data has no importance or
``RankingOptions.use_importance`` is off. For a move from profile ``a`` (the current
position's requirements, or an employee's held levels) to the target profile ``b``::

    W          = Σ_{c∈b} w_c
    increase I = Σ_{c∈b, c∈a} w_c · max(0, x_b(c) − x_a(c)) / W      share of the target to climb
    new      N = Σ_{c∈b, c∉a} w_c · x_b(c) / W                         share of the target that is new
    similarity S = cos(u_A − m, u_B − m),  u_P[c] = w^P_c · x_P(c)      centred: m is the mean profile
    grade    G = |grade steps| / (highest − lowest grade rank)
    track    T = 1 if the move changes track, else 0
    observed O = people who moved from A to B / people who left A  (observed transitions)
    readiness R = mean over b of credit(c)  (employees only; the rule ``readiness``):
                 credit = 0 not assessed; 1 if held ≥ required or required ≤ lo;
                 0 if held ≤ lo; else (held − lo) / (required − lo)

    score = similarity·S − increase·I − new·N − grade·G − track_change·T + observed·O  (+ readiness·R)

with the weights of :class:`RankingOptions`, whose defaults were chosen by measurement
(``bench/ranking.py``; README, "How good is the ranking"). Higher is better: a near move
(similar profile, little to climb, few new competencies, one people often made) ranks first;
for an employee, ``I`` and ``N`` are measured from their held levels, and readiness counts.
The centred S is computed from sums over each profile's own competencies (see
:func:`centred_cosine`); the mean profile m is over every position with requirements.

Paths. :func:`best_paths` returns the k best simple paths (Yen's algorithm,
:func:`networkx.shortest_simple_paths`) by the edge weight::

    effort(A→B) = step_cost + W_B · (I + N)

that is one unit per move plus the sum of normalised level increases and new competencies
that the move demands (importance-weighted when the data has it); the score's weights rank
next moves, not paths. Among routes of equal demand the one with fewer moves wins.

Names. Positions, employees and programmes are named by code or by label, case-insensitive;
a miss raises :class:`~selaras.engine.errors.NotFoundError` listing close matches.

>>> import selaras
>>> org = selaras.open(example=True)
>>> cg = org.career()
>>> [step.target for step in best_paths(cg, "manager-sertifikasi-a2", "kepala-lsp")[0].steps]
['kepala-lsp']
"""

from __future__ import annotations

import json
import math
import os
import re
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from selaras.engine import inference, moves
from selaras.engine import names as names_
from selaras.engine.errors import InputError, NotFoundError, SelarasError
from selaras.engine.labels import Labels, grade_shown
from selaras.engine.store import Dataset
from selaras.ontology.namespace import DATA_IRI, SEL_IRI

if TYPE_CHECKING:  # networkx is imported where it is used: 0.1 s that a command drawing no graph saves
    import networkx as nx

PREFIX = f"PREFIX sel: <{SEL_IRI}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
TRACKS = {SEL_IRI + "ManagerialTrack": "managerial", SEL_IRI + "SpecialistTrack": "specialist"}
MOVE_TYPES = ("Promotion", "LateralMove", "CrossFamilyPromotion")

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


class NoPathError(SelarasError):
    """No career path leads from one position to another; ``reasons`` say what blocks it."""

    def __init__(self, source: str, target: str, reasons: list[str]) -> None:
        self.source, self.target, self.reasons = source, target, reasons
        super().__init__(f"no career path from {source} to {target}: " + "; ".join(reasons))


# --- options ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RankingOptions:
    """Weights of the ranking score and of the path effort (see the module docstring).

    >>> RankingOptions().similarity
    0.5
    >>> RankingOptions(grade=0).grade
    0
    """

    #: weight of profile similarity S (centred cosine of the two positions' normalised profiles)
    similarity: float = moves.SIMILARITY_WEIGHT
    #: weight of the normalised level increase I
    increase: float = moves.INCREASE_WEIGHT
    #: weight of the normalised new competencies N
    new: float = moves.NEW_WEIGHT
    #: weight of the grade distance G (grade steps over the span of the grade ladder)
    grade: float = moves.GRADE_WEIGHT
    #: penalty T for a move onto the other track
    track_change: float = moves.TRACK_CHANGE_WEIGHT
    #: weight of the observed transitions O (the share of the people who left the position that went there)
    observed: float = moves.OBSERVED_WEIGHT
    #: weight of the employee's readiness R for the target (employee ranking only)
    readiness: float = 1.0
    #: cost of one move in the path effort
    step_cost: float = 1.0
    #: weight competencies by ``sel:importance`` where the data has it
    use_importance: bool = True

    def __post_init__(self) -> None:
        for name in ("similarity", "increase", "new", "grade", "track_change", "observed", "readiness", "step_cost"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0 or math.isnan(value):
                raise InputError(f"ranking weight {name}={value!r} must be a number ≥ 0 — "
                                 f"give a non-negative weight, e.g. {name}=1")


# --- the graph's parts ------------------------------------------------------------------
@dataclass(frozen=True)
class Competency:
    """A competency with the bounds of its scale.

    >>> c = Competency("INT", "https://w3id.org/selaras/id/competency/INT", 1, 5)
    >>> c.x(1), c.x(5), c.x(None)
    (0.2, 1.0, 0.0)
    """

    code: str
    iri: str
    low: int
    high: int

    @property
    def levels(self) -> int:
        """The number of levels on the scale."""
        return max(1, self.high - self.low + 1)

    def x(self, level: int | None) -> float:
        """Return a level's normalised position on the scale (0 for none)."""
        if level is None:
            return 0.0
        return (level - self.low + 1) / self.levels


@dataclass
class Position:
    """A position: its place in the job architecture and its requirement profile."""

    code: str
    iri: str
    grade: str | None
    rank: int | None
    family: str | None
    track: str | None
    requirements: dict[str, int] = field(default_factory=dict)
    importance: dict[str, float] = field(default_factory=dict)
    #: normalised importance weights (mean 1) per required competency
    weights: dict[str, float] = field(default_factory=dict)
    #: normalised levels x_c, weighted levels w_c·x_c, and the norms of both vectors
    x: dict[str, float] = field(default_factory=dict)
    wx: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    wnorm: float = 0.0
    sum_x: float = 0.0
    sum_wx: float = 0.0
    #: Σ m_c·x_c and Σ m_c·w_c·x_c (m: the means over all profiles, see :class:`Centre`), and the
    #: norms of the centred vectors x − m and w·x − m
    centre_dot: float = 0.0
    wcentre_dot: float = 0.0
    cnorm: float = 0.0
    wcnorm: float = 0.0
    #: (level − scale minimum, competency) of every requirement, largest first
    rises: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Employee:
    """An employee and the position they hold."""

    code: str
    iri: str
    name: str
    position: str | None


@dataclass(frozen=True)
class Program:
    """A training programme: what it develops, to which level, in how many hours."""

    code: str
    iri: str
    hours: float | None
    develops: Mapping[str, int]


@dataclass(frozen=True)
class Scheme:
    """A certification scheme: what it certifies, up to which level."""

    code: str
    iri: str
    certifies: Mapping[str, int]


@dataclass(frozen=True)
class LevelChange:
    """One competency a move (or a plan step) demands: from a level (None: new) to a level."""

    competency: str
    before: int | None
    after: int

    @property
    def increase(self) -> int | None:
        """The raise in levels, or None for a new competency."""
        return None if self.before is None else self.after - self.before


@dataclass(frozen=True)
class Step:
    """One move of a path with what it demands."""

    source: str
    target: str
    move_type: str
    grade_steps: int
    track: str | None
    changes_track: bool
    increases: tuple[LevelChange, ...]
    new: tuple[LevelChange, ...]
    effort: float

    @property
    def total_increase(self) -> int:
        """The sum of level increases (as ``sel:totalIncrease``)."""
        return sum(c.increase or 0 for c in self.increases)


@dataclass(frozen=True)
class CareerPath:
    """A route of moves from one position to another, with its total effort."""

    positions: tuple[str, ...]
    steps: tuple[Step, ...]
    effort: float


@dataclass(frozen=True)
class RankedMove:
    """A move open from a position (or to an employee), with its score and the score's parts."""

    target: str
    move_type: str
    grade_steps: int
    changes_track: bool
    score: float
    similarity: float
    increase: float
    new: float
    grade: float
    total_increase: int
    new_count: int
    readiness: float | None = None
    met: int | None = None
    required: int | None = None
    #: False for a move the rules allow but did not conclude (below the viability bounds)
    concluded: bool = True
    #: the share of the people who left the position that moved to the target (0 without histories)
    observed: float = 0.0
    #: how many people made the move (observed transitions)
    moved: int = 0


@dataclass(frozen=True)
class Gap:
    """A requirement an employee does not meet, with what closes and certifies it."""

    competency: str
    required: int
    held: int | None
    programs: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One employee of a talent pool."""

    employee: str
    position: str | None
    route: str
    readiness: float
    met: int
    required: int
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class PlanStep:
    """One step of a development plan: a position, the gaps, the chosen programmes, the schemes."""

    source: str | None
    target: str
    move_type: str | None
    readiness: float
    gaps: tuple[Gap, ...]
    programs: tuple[str, ...]
    uncovered: tuple[str, ...]
    schemes: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A development plan of an employee towards a target position."""

    employee: str
    current: str | None
    target: str
    assumed: tuple[str, ...]
    path: tuple[str, ...]
    readiness_before: float
    readiness_assumed: float
    steps: tuple[PlanStep, ...]
    direct: bool


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
        """Return how a grade is shown (:func:`selaras.engine.labels.grade_shown`)."""
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


# --- measures -----------------------------------------------------------------------------
def readiness_score(held: Mapping[str, int], requirements: Mapping[str, int],
                    lows: Mapping[str, int]) -> tuple[float, int]:
    """Return (readiness, requirements met) as the rule ``readiness`` computes them.

    Each requirement earns credit 0 when not assessed, 1 when held ≥ required (or the
    requirement is at the scale's lowest level), 0 when held is at the lowest level, else
    (held − lowest) / (required − lowest); readiness is the mean credit (1.0 when the
    position requires nothing).

    >>> readiness_score({"A": 2, "B": 4}, {"A": 4, "B": 4, "C": 1}, {"A": 0, "B": 0, "C": 0})
    (0.5, 1)
    """
    if not requirements:
        return 1.0, 0
    total, met = 0.0, 0
    for c, required in requirements.items():
        level, low = held.get(c), lows.get(c, 0)
        if level is None:
            credit = 0.0
        elif level >= required or required <= low:
            credit = 1.0
        elif level <= low:
            credit = 0.0
        else:
            credit = (level - low) / (required - low)
        total += credit
        met += level is not None and level >= required
    return total / len(requirements), met


def _weights_of(cg: CareerGraph, pos: Position, options: RankingOptions) -> dict[str, float]:
    return pos.weights if options.use_importance else {c: 1.0 for c in pos.requirements}


def _gap_terms(cg: CareerGraph, held: Mapping[str, int], target: Position,
               options: RankingOptions) -> tuple[float, float]:
    """Return (I, N) from held levels to a target profile (normalised by the target's weight)."""
    w = _weights_of(cg, target, options)
    total = sum(w.values()) or 1.0
    inc = new = 0.0
    for c, level in target.requirements.items():
        comp = cg.competencies[c]
        if c in held:
            inc += w[c] * max(0.0, comp.x(level) - comp.x(held[c]))
        else:
            new += w[c] * comp.x(level)
    return inc / total, new / total


def _lows(cg: CareerGraph) -> dict[str, int]:
    return {c: comp.low for c, comp in cg.competencies.items()}


# --- paths --------------------------------------------------------------------------------
def _effort(cg: CareerGraph, options: RankingOptions) -> Callable[[str, str, Any], float]:
    """The path effort of a move: ``step_cost`` plus the demands themselves (not the score's weights)."""
    def weight(u: str, v: str, d: Any) -> float:  # d: the edge's data
        inc = d["increase_sum"] if options.use_importance else d["increase_plain"]
        new = d["new_sum"] if options.use_importance else d["new_plain"]
        return options.step_cost + inc + new

    return weight


def restricted(cg: CareerGraph, *, track: str | None = None, max_increase: int | None = None) -> nx.DiGraph:
    """Return a view of the graph keeping the moves onto ``track`` and raising no competency by more
    than ``max_increase`` levels (a new competency counts from its scale's lowest level)."""
    import networkx as nx
    if track is not None and track not in TRACKS.values():
        raise InputError(f"unknown track {track!r} — use managerial or specialist")
    if track is None and max_increase is None:
        return cg.graph

    def keep(u: str, v: str) -> bool:
        d = cg.graph.edges[u, v]
        return ((track is None or d["track"] == track)
                and (max_increase is None or d["max_step"] <= max_increase))

    return nx.subgraph_view(cg.graph, filter_edge=keep)


def best_paths(cg: CareerGraph, source: str, target: str, k: int = 3, *, track: str | None = None,
               max_increase: int | None = None, options: RankingOptions | None = None) -> list[CareerPath]:
    """Return the k best career paths from one position to another, least effort first.

    Args:
        cg: the career graph.
        source, target: position codes (see :func:`resolve_position`).
        k: how many paths at most (≥ 1).
        track: keep to moves onto this track (``managerial`` or ``specialist``).
        max_increase: leave out moves that raise a competency by more than this many levels.
        options: the weights of the effort (see the module docstring).

    Raises:
        NoPathError: no path exists; its ``reasons`` say what blocks it.
        InputError: ``k`` < 1, an unknown track, or source and target are the same.
    """
    import networkx as nx
    if k < 1:
        raise InputError(f"--k {k} asks for no path — give --k 1 or more")
    for code in (source, target):
        if code not in cg.positions:
            raise NotFoundError(f"no position {code!r} — name a position by its code or label")
    if source == target:
        raise InputError(f"{source} is both the start and the target — name two different positions")
    options = options or RankingOptions()
    view = restricted(cg, track=track, max_increase=max_increase)
    weight = _effort(cg, options)
    try:
        routes = list(islice(nx.shortest_simple_paths(view, source, target, weight=weight), k))
    except nx.NetworkXNoPath:
        raise NoPathError(source, target, explain_no_path(cg, source, target, track=track,
                                                          max_increase=max_increase)) from None
    return [_career_path(cg, route, weight) for route in routes]


def _career_path(cg: CareerGraph, route: Sequence[str], weight: Callable[[str, str, dict], float]) -> CareerPath:
    steps = tuple(move_step(cg, u, v, weight) for u, v in zip(route, route[1:], strict=False))
    return CareerPath(tuple(route), steps, sum(s.effort for s in steps))


def move_step(cg: CareerGraph, source: str, target: str,
              weight: Callable[[str, str, dict], float] | None = None) -> Step:
    """Return what the move from ``source`` to ``target`` demands, competency by competency."""
    d = cg.graph.edges[source, target]
    a, b = cg.positions[source], cg.positions[target]
    increases, new = [], []
    for c in sorted(b.requirements, key=lambda c: (-(b.requirements[c] - a.requirements.get(c, 0)), c)):
        if c in a.requirements:
            if b.requirements[c] > a.requirements[c]:
                increases.append(LevelChange(c, a.requirements[c], b.requirements[c]))
        else:
            new.append(LevelChange(c, None, b.requirements[c]))
    increases.sort(key=lambda ch: (-(ch.increase or 0), ch.competency))
    new.sort(key=lambda ch: (-ch.after, ch.competency))
    effort = (weight or _effort(cg, RankingOptions()))(source, target, d)
    return Step(source, target, d["type"], d["grade_steps"], d["track"], d["changes_track"],
                tuple(increases), tuple(new), effort)


def explain_no_path(cg: CareerGraph, source: str, target: str, *, track: str | None = None,
                    max_increase: int | None = None, lang: str = "en") -> list[str]:
    """Say why no path leads from ``source`` to ``target``: the grade, family, track or competency."""
    import networkx as nx
    g = cg.graph
    a, b = cg.positions[source], cg.positions[target]
    pl = lambda code: f"{cg.title(code, lang)} [{code}]"  # noqa: E731
    reasons: list[str] = []
    if not nx.has_path(g, source, target):
        if a.rank is not None and b.rank is not None and b.rank < a.rank:
            reasons.append(f"grade: {pl(target)} is at grade {b.grade}, below {a.grade} of {pl(source)}, "
                           f"and no career move lowers the grade")
        preds = sorted(g.predecessors(target))
        if not preds:
            reasons.append(f"no career move leads into {pl(target)}: no position of its family is graded "
                           f"below it, and no position of another family is close enough in grade")
        elif not reasons:
            reach = nx.descendants(g, source)
            top = max((cg.positions[p].rank or 0 for p in reach), default=a.rank or 0)
            entry = ", ".join(pl(p) for p in preds[:6]) + (" …" if len(preds) > 6 else "")
            reasons.append(f"moves into {pl(target)} start only at {entry}; "
                           f"none of them is reachable from {pl(source)} "
                           f"({len(reach)} positions reachable, up to grade rank {top})")
        return reasons
    if track is not None and b.track != track:
        reasons.append(f"track: {pl(target)} is on the {b.track} track; --track {track} keeps to "
                       f"{track} positions")
    view = restricted(cg, track=track)
    if track is not None and b.track == track and not nx.has_path(view, source, target):
        best = nx.shortest_path(g, source, target, weight=_effort(cg, RankingOptions()))
        off = [p for p in best[1:] if cg.positions[p].track != track]
        reasons.append(f"track: every route passes through a position off the {track} track "
                       f"(the best route goes through {', '.join(pl(p) for p in off)})")
    if max_increase is not None and nx.has_path(view, source, target):
        best = nx.shortest_path(view, source, target, weight=_effort(cg, RankingOptions()))
        blocks = []
        for u, v in zip(best, best[1:], strict=False):
            step = move_step(cg, u, v)
            low = {c: cg.competencies[c].low for c in cg.competencies}
            for ch in (*step.increases, *step.new):
                rise = ch.after - (ch.before if ch.before is not None else low[ch.competency])
                if rise > max_increase:
                    before = ch.before if ch.before is not None else "new"
                    blocks.append(f"{cg.label('competency', ch.competency, lang)} {before}→{ch.after} "
                                  f"(+{rise}) on {u} → {v}")
        reasons.append(f"competency: every route raises some competency by more than {max_increase} "
                       f"level(s); the best route demands " + "; ".join(blocks))
    return reasons or ["the filters leave no route"]


# --- next moves ---------------------------------------------------------------------------
def next_moves(cg: CareerGraph, position: str, options: RankingOptions | None = None, *,
               track: str | None = None, limit: int | None = None) -> list[RankedMove]:
    """Rank the moves open from a position, best first (see the module docstring's score)."""
    options = options or RankingOptions()
    view = restricted(cg, track=track)
    out = []
    for target in view.successors(position):
        d = cg.graph.edges[position, target]
        b = cg.positions[target]
        total_w = sum(_weights_of(cg, b, options).values()) or 1.0
        inc = (d["increase_sum"] if options.use_importance else d["increase_plain"]) / total_w
        new = (d["new_sum"] if options.use_importance else d["new_plain"]) / total_w
        sim = d["similarity"] if options.use_importance else d["similarity_plain"]
        out.append(_ranked(cg, position, target, d, options, sim, inc, new))
    out.sort(key=lambda m: (-m.score, m.grade_steps, m.target))
    return out[:limit] if limit else out


def _ranked(cg: CareerGraph, source: str, target: str, d: dict, options: RankingOptions, sim: float,
            inc: float, new: float, readiness: float | None = None, met: int | None = None) -> RankedMove:
    grade = abs(d["grade_steps"]) / cg.grade_span
    moved = cg.observed.get((source, target), 0)
    observed = moved / cg.departures[source] if moved else 0.0
    score = (options.similarity * sim - options.increase * inc - options.new * new
             - options.grade * grade - options.track_change * (1.0 if d["changes_track"] else 0.0)
             + options.observed * observed)
    if readiness is not None:
        score += options.readiness * readiness
    step = move_step(cg, source, target)
    b = cg.positions[target]
    return RankedMove(target, d["type"], d["grade_steps"], d["changes_track"], round(score, 6),
                      round(sim, 6), round(inc, 6), round(new, 6), round(grade, 6),
                      step.total_increase, len(step.new), None if readiness is None else round(readiness, 6),
                      met, len(b.requirements) if readiness is not None else None, d.get("concluded", True),
                      round(observed, 6), moved)


def next_moves_for_employee(cg: CareerGraph, employee: Employee, options: RankingOptions | None = None, *,
                            track: str | None = None, limit: int | None = None) -> list[RankedMove]:
    """Rank the moves open to an employee from their position, using their held levels and readiness."""
    options = options or RankingOptions()
    if employee.position is None or employee.position not in cg.positions:
        raise InputError(f"employee {employee.code} holds no known position — "
                         f"give their position in employees.csv and import again")
    held = cg.held(employee.code).get(employee.code, {})
    lows = _lows(cg)
    view = restricted(cg, track=track)
    out = []
    for target in view.successors(employee.position):
        d = cg.graph.edges[employee.position, target]
        b = cg.positions[target]
        inc, new = _gap_terms(cg, held, b, options)
        ready, met = readiness_score(held, b.requirements, lows)
        sim = d["similarity"] if options.use_importance else d["similarity_plain"]
        out.append(_ranked(cg, employee.position, target, d, options, sim, inc, new, ready, met))
    out.sort(key=lambda m: (-m.score, m.grade_steps, m.target))
    return out[:limit] if limit else out


# --- talent pool ----------------------------------------------------------------------------
def talent_pool(cg: CareerGraph, position: str, *, min_readiness: float = 0.0,
                include_holders: bool = False, reachable: bool = False,
                limit: int | None = None) -> list[Candidate]:
    """Rank employees by readiness for a position, with their remaining gaps.

    Readiness is computed for every employee from their held levels with the formula of the
    rule ``readiness`` (which infers it only for each employee's own position and the
    positions one move away); ``route`` says how they would get there: ``current`` (they
    hold it), a move type (one move away), ``path`` (several moves) or ``none`` (no career
    path leads from their position, e.g. it is graded higher). ``reachable`` keeps only
    employees with a route; holders are left out unless ``include_holders``.
    """
    import networkx as nx
    if not 0.0 <= min_readiness <= 1.0:
        raise InputError(f"--min-readiness {min_readiness} is outside 0–1 — give a share such as 0.8")
    pos = cg.positions[position]
    held = cg.held(competencies=pos.requirements)
    lows = _lows(cg)
    ancestors = nx.ancestors(cg.graph, position)
    out = []
    for code, emp in cg.employees.items():
        if emp.position == position and not include_holders:
            continue
        route = _route(cg, emp.position, position, ancestors)
        if reachable and route == "none":
            continue
        mine = held.get(code, {})
        ready, met = readiness_score(mine, pos.requirements, lows)
        if ready + 1e-9 < min_readiness:
            continue
        gaps = tuple(Gap(c, r, mine.get(c)) for c, r in sorted(pos.requirements.items())
                     if mine.get(c) is None or mine[c] < r)
        out.append(Candidate(code, emp.position, route, round(ready, 6),
                             met, len(pos.requirements), gaps))
    out.sort(key=lambda c: (-c.readiness, -c.met, c.employee))
    return out[:limit] if limit else out


def _route(cg: CareerGraph, source: str | None, target: str, ancestors: set[str]) -> str:
    if source is None or source not in cg.graph:
        return "none"
    if source == target:
        return "current"
    if cg.graph.has_edge(source, target):
        return str(cg.graph.edges[source, target]["type"])
    return "path" if source in ancestors else "none"


# --- development plan -----------------------------------------------------------------------
def development_plan(cg: CareerGraph, employee: Employee, target: str, *, assume: Sequence[str] = (),
                     options: RankingOptions | None = None) -> Plan:
    """Plan an employee's development towards a target position, step by step along the best path.

    For each position on the path after the current one: the gaps (requirements above the
    levels held by then), a small set of programmes that close them (greedy set cover: take
    the programme that closes the most open gaps, fewer hours and then code breaking ties; a
    programme closes a gap when it develops the competency to the required level or above),
    the gaps no programme closes, and the schemes that certify a gap's competency at the
    required level or above. Chosen programmes raise held levels to their levels; after each
    step the employee is taken to meet that step's requirements. ``assume`` names programmes
    taken as completed before the plan starts. When no path leads to the target, the plan
    has one direct step and ``direct`` is True.
    """
    if employee.position is None:
        raise InputError(f"employee {employee.code} holds no position — give one in employees.csv")
    programs = cg.programs
    for p in assume:
        if p not in programs:
            raise NotFoundError(f"no programme {p!r} — name programmes by code or label")
    original = dict(cg.held(employee.code).get(employee.code, {}))
    held = dict(original)
    for p in assume:
        _complete(held, programs[p])
    lows = _lows(cg)
    tgt = cg.positions[target]
    before, _ = readiness_score(original, tgt.requirements, lows)
    assumed, _ = readiness_score(held, tgt.requirements, lows)
    current = employee.position
    direct = False
    if current == target or current not in cg.graph:
        route: list[str] = [target] if current == target else [target]
        direct = current != target
        sources: list[str | None] = [None if current == target else current]
    else:
        try:
            route = list(best_paths(cg, current, target, 1, options=options)[0].positions[1:])
        except NoPathError:
            route, direct = [target], True
        sources = [current, *route[:-1]]
    steps = []
    taken: set[str] = set(assume)
    for src, pos_code in zip(sources, route, strict=True):
        pos = cg.positions[pos_code]
        ready, _ = readiness_score(held, pos.requirements, lows)
        open_gaps = {c: r for c, r in pos.requirements.items() if held.get(c) is None or held[c] < r}
        chosen = _cover(open_gaps, {k: v for k, v in programs.items() if k not in taken})
        gaps = tuple(
            Gap(c, r, held.get(c),
                tuple(p for p, prog in programs.items() if prog.develops.get(c, -10**9) >= r and p not in taken),
                tuple(s for s, sch in cg.schemes.items() if sch.certifies.get(c, -10**9) >= r))
            for c, r in sorted(open_gaps.items()))
        uncovered = tuple(g.competency for g in gaps if not any(p in chosen for p in g.programs))
        schemes = tuple(sorted({s for g in gaps for s in g.schemes}))
        move_type = (cg.graph.edges[src, pos_code]["type"]
                     if src is not None and cg.graph.has_edge(src, pos_code) else None)
        steps.append(PlanStep(src, pos_code, move_type, round(ready, 6), gaps, tuple(chosen), uncovered, schemes))
        for p in chosen:
            _complete(held, programs[p])
        taken.update(chosen)
        for c, r in open_gaps.items():
            held[c] = max(held.get(c, r), r)
    path = tuple([current, *route] if current != target else [target])
    return Plan(employee.code, current, target, tuple(assume), path, round(before, 6), round(assumed, 6),
                tuple(steps), direct)


def _complete(held: dict[str, int], program: Program) -> None:
    for c, level in program.develops.items():
        if held.get(c) is None or held[c] < level:
            held[c] = level


def _cover(gaps: Mapping[str, int], programs: Mapping[str, Program]) -> list[str]:
    """Choose programmes that close the gaps: greedy set cover, level-aware.

    >>> progs = {"p1": Program("p1", "", 40, {"A": 4, "L": 4}), "p2": Program("p2", "", 16, {"B": 4}),
    ...          "p3": Program("p3", "", 30, {"B": 4, "C": 3})}
    >>> _cover({"A": 4, "B": 4, "C": 3, "L": 3}, progs)
    ['p3', 'p1']
    """
    closes = {p: {c for c, r in gaps.items() if prog.develops.get(c, -10**9) >= r} for p, prog in programs.items()}
    closes = {p: s for p, s in closes.items() if s}
    todo = set().union(*closes.values()) if closes else set()
    chosen: list[str] = []
    while todo:
        best = min(closes, key=lambda p: (-len(closes[p] & todo),
                                          programs[p].hours if programs[p].hours is not None else math.inf, p))
        if not closes[best] & todo:
            break
        chosen.append(best)
        todo -= closes[best]
    return chosen


# --- small helpers shared by the views -------------------------------------------------------
def natural_key(text: str) -> tuple:
    """Sort key that orders numbers inside strings numerically ("C9" before "C10").

    >>> sorted(["C10", "A2", "C9", "10", "2"], key=natural_key)
    ['2', '10', 'A2', 'C9', 'C10']
    """
    parts = re.split(r"(\d+(?:\.\d+)?)", text.strip().casefold())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts) if p != "" or i == 0)
