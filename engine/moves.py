"""Which career moves the job architecture allows, and which of them are viable: the rule ``career-move``, set at a time.

The rule ``engine/rules/career-move.rq`` is the declaration (and what a SPARQL server runs);
this module computes the same thing in Python for the fast path (:mod:`selaras.engine.fastpath`)
and for the commands that work out moves on demand (``career next --all``, ``career paths
--all``). ``tests/test_fastpath.py`` checks that both give the same moves.

A move from position A to position B is **allowed** (Endry §A.4) when B is in A's family and
graded higher (a promotion), or in another family at most ``max_lateral`` grade ranks higher
(a lateral move at the same rank, else a cross-family promotion). It is **viable** when the
profiles of A and B overlap enough: the uncentred cosine of their weighted profiles reaches
``min_similarity`` (when both have a profile to compare:
a position whose requirements are not imported yet is not judged by them) and it is among the ``max_moves`` best
allowed moves of A by the score of ``career next`` with its default weights (see
:mod:`selaras.engine.career`)::

    score = 0.5·S − 0.25·I − 1·N − 0·G − 0·T + 8·O

S the centred cosine of the importance-weighted normalised profiles, I and N the shares of
B's weight to climb and new, G the grade steps over the span of grade ranks, T 1 for a change
of track, O the share of the people who left A that moved to B (observed transitions). Ties go
to the smaller target code. Scores and similarities are compared at nine decimals, rounded as
``FLOOR(x · 10⁹ + 0.5)``, so that the last bits of a floating-point sum (which depend on the
order a SPARQL engine adds in) never decide.

The arithmetic is the rule's, in IEEE doubles: a profile's value for a requirement is
``u = w · (level − min + 1) / (max − min + 1)`` with ``w`` the requirement's importance over
its position's mean importance (the mean itself when it has none; 1 when the position has
none), the mean profile ``m`` averages ``u`` over the positions that have a profile, and
``S = cov / √(var_A · var_B)`` with ``cov = u_A·u_B − u_A·m − u_B·m + m·m`` and
``var_P = u_P·u_P − 2·u_P·m + m·m``; the square root of S² is taken by the rule's ten Newton
steps, and S has the sign of ``cov``.

>>> newton_sqrt(0.25)
0.5
>>> bucket(0.1234567894), bucket(0.1234567895)
(123456789, 123456790)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul, sub

_ZEROS = repeat(0.0)  # endless: map() stops with the shortest of its inputs
#: Weights of the score that ranks the moves (``career next``'s defaults, which the rule uses);
#: chosen by measurement: README, "How good is the ranking", and ``bench/ranking.py --grid``.
SIMILARITY_WEIGHT = 0.5
INCREASE_WEIGHT = 0.25
NEW_WEIGHT = 1.0
GRADE_WEIGHT = 0.0
TRACK_CHANGE_WEIGHT = 0.0
OBSERVED_WEIGHT = 8.0


def bucket(value: float) -> int:
    """Round a score to nine decimals as the rule does: ``FLOOR(x · 1e9 + 0.5)``."""
    return math.floor(value * 1.0e9 + 0.5)


def newton_sqrt(square: float) -> float:
    """The rule's square root of a cos² in [0, 1]: ten Newton steps from 1 (0 for 0)."""
    if not square > 0:
        return 0.0
    s = (1.0 + square) / 2
    for _ in range(9):
        s = (s + square / s) / 2
    return s


@dataclass
class Profile:
    """A position as the rule sees it: place in the job architecture and weighted profile."""

    #: what names the position to the caller (its IRI, or its code)
    key: str
    #: its ``sel:code``, which breaks ties between equal scores
    code: str
    family: str
    rank: int
    track: str
    #: competency → (x, w) with x the normalised level and w the weight
    cells: dict[str, tuple[float, float]] = field(default_factory=dict)
    squares: float = 0.0
    total: float = 0.0
    weight: float = 0.0
    #: Σ m·u over its competencies, with m the mean profile (set by :func:`align`)
    centre: float = 0.0
    #: people who moved from it to each position (observed transitions), and in all
    moved: dict[str, int] = field(default_factory=dict)
    left: int = 0
    #: the profile as vectors over the competencies of all profiles (see :func:`align`): w·x, x, w, 1/0 required
    wx: list[float] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)
    ws: list[float] = field(default_factory=list)
    mask: list[float] = field(default_factory=list)


def mean_profile(profiles: Iterable[Profile]) -> dict[str, float]:
    """The mean u of each competency over the profiles that have any requirement (0 where not required)."""
    profiled = [p for p in profiles if p.cells]
    sums: dict[str, float] = {}
    for p in profiled:
        for c, (x, w) in p.cells.items():
            sums[c] = sums.get(c, 0.0) + w * x
    return {c: v / len(profiled) for c, v in sums.items()}


def align(profiles: Iterable[Profile], mean: Mapping[str, float] | None = None) -> float:
    """Give every profile its vectors over one common list of competencies (0 where not required).

    The sums of :func:`similarity_and_score` then run over these lists in C (``sum(map(…))``);
    a term of a competency one side does not require is an exact 0, so the sums are those of
    the shared competencies. ``mean`` is the mean profile (:func:`mean_profile` of these
    profiles when None); each profile gets its ``centre`` term. Returns Σ m², the mean
    profile's squares, which :func:`similarity_and_score` takes.
    """
    profiles = list(profiles)
    if mean is None:
        mean = mean_profile(profiles)
    for p in profiles:
        p.centre = sum(mean[c] * (w * x) for c, (x, w) in p.cells.items())
    order = sorted({c for p in profiles for c in p.cells})
    for p in profiles:
        cells = [p.cells.get(c) for c in order]
        p.xs = [cell[0] if cell else 0.0 for cell in cells]
        p.ws = [cell[1] if cell else 0.0 for cell in cells]
        p.wx = [cell[1] * cell[0] if cell else 0.0 for cell in cells]
        p.mask = [1.0 if cell else 0.0 for cell in cells]
    return sum(v * v for v in mean.values())


def profile(key: str, code: str, family: str, rank: int, track: str,
            requirements: Iterable[tuple[str, int, float | None]], bounds: Mapping[str, tuple[int, int]],
            importance_sum: float | None, importance_count: int) -> Profile:
    """Build a position's profile from its requirements ``(competency, level, importance or None)``.

    ``bounds`` gives each competency's scale (min, max); requirements of a competency without
    bounds are left out, as the rule's join leaves them. ``importance_sum`` and
    ``importance_count`` are over the position's requirements (of a competency with bounds)
    that have an importance; the weights are the importances over their mean.
    """
    p = Profile(key, code, family, rank, track)
    mean = importance_sum / importance_count if importance_count > 0 and importance_sum is not None else 1.0
    for comp, level, importance in requirements:
        if comp not in bounds:
            continue
        lo, hi = bounds[comp]
        w = (importance if importance is not None else mean) / mean if mean > 0 else 1.0
        x = float(level - lo + 1) / float(hi - lo + 1)
        u = w * float(level - lo + 1) / float(hi - lo + 1)
        p.cells[comp] = (x, w)
        p.squares += u * u
        p.total += u
        p.weight += w
    return p


def move_type(a: Profile, b: Profile, max_lateral: int) -> str | None:
    """Return the ``sel:`` move type of A → B when the job architecture allows it, else None."""
    if a.key == b.key:
        return None
    steps = b.rank - a.rank
    if a.family == b.family:
        return "Promotion" if steps > 0 else None
    if 0 <= steps <= max_lateral:
        return "LateralMove" if steps == 0 else "CrossFamilyPromotion"
    return None


def similarity_and_score(a: Profile, b: Profile, rank_span: int,
                         mean_squares: float = 0.0) -> tuple[float, float, float]:
    """Return (overlap, S, score) of the move A → B, computed as the rule computes them (after :func:`align`).

    The overlap is the uncentred cosine of the two weighted profiles (how much of them
    coincide), which ``min_move_similarity`` bounds; S, the centred one, ranks.
    """
    dot = sum(map(mul, a.wx, b.wx))
    shared = sum(map(mul, b.wx, a.mask))
    climb = sum(map(mul, map(mul, b.ws, map(max, map(sub, b.xs, a.xs), _ZEROS)), a.mask))
    cov = dot - a.centre - b.centre + mean_squares
    var_a = a.squares - 2 * a.centre + mean_squares
    var_b = b.squares - 2 * b.centre + mean_squares
    cos2 = (cov * cov) / (var_a * var_b) if a.squares > 0 and b.squares > 0 and var_a > 0 and var_b > 0 else 0.0
    root = newton_sqrt(cos2)
    similarity = -root if cov < 0 else root
    overlap = newton_sqrt((dot * dot) / (a.squares * b.squares) if dot > 0 and a.squares > 0 and b.squares > 0 else 0.0)
    increase = climb / b.weight if b.weight > 0 else 0.0
    new_sum = b.total - shared
    new = new_sum / b.weight if b.weight > 0 and new_sum > 0 else 0.0
    grade = float(abs(b.rank - a.rank)) / (float(rank_span) if rank_span > 1 else 1.0)
    moved = a.moved.get(b.key, 0)
    observed = float(moved) / float(a.left) if a.left > 0 else 0.0
    score = (SIMILARITY_WEIGHT * similarity - INCREASE_WEIGHT * increase - NEW_WEIGHT * new - GRADE_WEIGHT * grade
             - (TRACK_CHANGE_WEIGHT if a.track != b.track else 0.0) + OBSERVED_WEIGHT * observed)
    return overlap, similarity, score


@dataclass(frozen=True)
class Move:
    """An allowed move with what ranks it (positions by their profiles' keys)."""

    source: str
    target: str
    #: the target's code, which breaks ties
    target_code: str
    type: str
    grade_steps: int
    changes_track: bool
    overlap: float
    similarity: float
    score: float


def allowed_moves(a: Profile, profiles: Iterable[Profile], max_lateral: int, rank_span: int,
                  mean_squares: float = 0.0) -> Iterator[Move]:
    """Every move the job architecture allows from A, scored."""
    for b in profiles:
        kind = move_type(a, b, max_lateral)
        if kind is None:
            continue
        overlap, sim, score = similarity_and_score(a, b, rank_span, mean_squares)
        yield Move(a.key, b.key, b.code, kind, b.rank - a.rank, a.track != b.track, overlap, sim, score)


def viable_moves(a: Profile, profiles: Iterable[Profile], *, max_lateral: int, min_similarity: float,
                 max_moves: int, rank_span: int, mean_squares: float = 0.0) -> list[Move]:
    """The moves the rule concludes from A: allowed, similar enough, the best ``max_moves``."""
    floor = bucket(min_similarity)
    squares = {p.key: p.squares for p in profiles}
    found = [m for m in allowed_moves(a, profiles, max_lateral, rank_span, mean_squares)
             if bucket(m.overlap) >= floor or not (a.squares > 0 and squares[m.target] > 0)]
    found.sort(key=lambda m: (-bucket(m.score), m.target_code))
    return found[:max_moves]
