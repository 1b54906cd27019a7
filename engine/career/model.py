"""The career graph's parts: positions, competencies, employees, moves, paths, plans, and the ranking options."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selaras.engine import moves
from selaras.engine.errors import InputError, SelarasError
from selaras.ontology.namespace import SEL_IRI

PREFIX = f"PREFIX sel: <{SEL_IRI}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
TRACKS = {SEL_IRI + "ManagerialTrack": "managerial", SEL_IRI + "SpecialistTrack": "specialist"}
MOVE_TYPES = ("Promotion", "LateralMove", "CrossFamilyPromotion")


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



# --- small helpers shared by the views -------------------------------------------------------
def natural_key(text: str) -> tuple:
    """Sort key that orders numbers inside strings numerically ("C9" before "C10").

    >>> sorted(["C10", "A2", "C9", "10", "2"], key=natural_key)
    ['2', '10', 'A2', 'C9', 'C10']
    """
    parts = re.split(r"(\d+(?:\.\d+)?)", text.strip().casefold())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts) if p != "" or i == 0)
