"""Career paths: the k best routes between two positions (Yen's algorithm), and why none exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from selaras.engine.career.graph import CareerGraph
from selaras.engine.career.model import TRACKS, CareerPath, LevelChange, NoPathError, RankingOptions, Step
from selaras.engine.errors import InputError, NotFoundError

if TYPE_CHECKING:  # networkx is imported where it is used: 0.1 s that a command drawing no graph saves
    import networkx as nx

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
