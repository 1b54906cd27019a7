"""The measures of a move (readiness, increase, new) and the rankings they give: next moves, talent pools."""

from __future__ import annotations

from collections.abc import Mapping

from selaras.engine.career.graph import CareerGraph
from selaras.engine.career.model import Candidate, Employee, Gap, Position, RankedMove, RankingOptions
from selaras.engine.career.paths import move_step, restricted
from selaras.engine.errors import InputError

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
