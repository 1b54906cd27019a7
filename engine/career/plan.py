"""Development plans: the gaps of each step toward a position, and the programmes that close them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from selaras.engine.career.graph import CareerGraph
from selaras.engine.career.model import Employee, Gap, NoPathError, Plan, PlanStep, Program, RankingOptions
from selaras.engine.career.paths import best_paths
from selaras.engine.career.scoring import _lows, readiness_score
from selaras.engine.errors import InputError, NotFoundError

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
