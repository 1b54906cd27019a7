"""What ``selaras career`` answers, as one object: :class:`Career`, from :meth:`selaras.Selaras.career`.

Each method names its positions, employees and programmes the way the command line does (by
code or by label, case-insensitive; a miss lists close matches) and returns an answer that
keeps what it was asked, so that ``render`` can write it as a table, Markdown or JSON. The
labels are read from the store as an answer is written: render it while the store is open.

>>> import selaras
>>> career = selaras.open(example=True).career()
>>> [m.target for m in career.next("verifikator-pmr", limit=2).moves]
['verifikator-senior', 'verifikator-ahli']
>>> [s.target for s in career.paths("manager-sertifikasi-a2", "kepala-lsp").paths[0].steps]
['kepala-lsp']
>>> career.map("mermaid", family="sertifikasi").splitlines()[0]
'flowchart BT'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from selaras.engine.career import views
from selaras.engine.career.graph import (
    CareerGraph, resolve_employee, resolve_position, resolve_program, with_allowed_moves,
)
from selaras.engine.career.model import (
    Candidate, CareerPath, Employee, NoPathError, Plan, RankedMove, RankingOptions,
)
from selaras.engine.career.paths import best_paths, explain_no_path
from selaras.engine.career.plan import development_plan
from selaras.engine.career.scoring import next_moves, next_moves_for_employee, talent_pool
from selaras.engine.errors import InputError


@dataclass(frozen=True)
class NextMoves:
    """The moves open from a position (or to an employee), ranked best first: ``career next``."""

    graph: CareerGraph
    position: str
    moves: list[RankedMove]
    options: RankingOptions
    employee: Employee | None = None

    def render(self, fmt: str = "table", lang: str = "en") -> str:
        """Write the ranking as ``table``, ``md`` or ``json``."""
        return views.render_next(self.graph, self.position, self.moves, self.options, fmt, lang, self.employee)


@dataclass(frozen=True)
class Paths:
    """The best career paths between two positions, or why there is none: ``career paths``."""

    graph: CareerGraph
    source: str
    target: str
    paths: list[CareerPath]
    track: str | None = None
    max_increase: int | None = None
    #: why there is no path, in English, as the search that found none already said
    english: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        """Whether any path leads from the source to the target."""
        return bool(self.paths)

    def reasons(self, lang: str = "en") -> list[str]:
        """Why no path exists (grade, family, track or competency); empty when one does."""
        if self.paths:
            return []
        if self.english and lang != "id":
            return list(self.english)
        return explain_no_path(self.graph, self.source, self.target, track=self.track,
                               max_increase=self.max_increase, lang=lang)

    def render(self, fmt: str = "table", lang: str = "en") -> str:
        """Write the paths (or the reasons there are none) as ``table``, ``md`` or ``json``."""
        if not self.paths:
            return views.render_no_path(self.graph, self.source, self.target, self.reasons(lang), fmt, lang)
        return views.render_paths(self.graph, self.source, self.target, self.paths, fmt, lang)


@dataclass(frozen=True)
class Pool:
    """A position's talent pool, employees ranked by readiness: ``career pool``."""

    graph: CareerGraph
    position: str
    candidates: list[Candidate]
    min_readiness: float = 0.0

    def render(self, fmt: str = "table", lang: str = "en") -> str:
        """Write the pool as ``table``, ``md`` or ``json``."""
        return views.render_pool(self.graph, self.position, self.candidates, self.min_readiness, fmt, lang)


@dataclass(frozen=True)
class DevelopmentPlan:
    """An employee's development plan toward a position: ``career plan``."""

    graph: CareerGraph
    employee: Employee
    plan: Plan

    def render(self, fmt: str = "table", lang: str = "en") -> str:
        """Write the plan as ``table``, ``md`` or ``json``."""
        return views.render_plan(self.graph, self.plan, self.employee, fmt, lang)


class Career:
    """The career questions over one career graph (``graph``, a :class:`CareerGraph`)."""

    def __init__(self, graph: CareerGraph) -> None:
        self.graph = graph

    def next(self, position: str | None = None, *, employee: str | None = None, track: str | None = None,
             limit: int | None = 10, all_moves: bool = False, options: RankingOptions | None = None) -> NextMoves:
        """Rank the moves open from ``position``, or to ``employee`` from their position.

        Args:
            position: a position's code or title (give this or ``employee``).
            employee: an employee's id or name; their held levels and readiness then count.
            track: keep to moves onto ``"managerial"`` or ``"specialist"`` positions.
            limit: how many to return (``None``: all).
            all_moves: also rank the moves the job architecture allows that the rules did not conclude.
            options: the ranking's weights (default: :class:`RankingOptions`).
        """
        if (position is None) == (employee is None):
            raise InputError("give a position or an employee (one of them)")
        options = options or RankingOptions()
        cg = self.graph
        emp = None if employee is None else resolve_employee(cg, employee)
        code = resolve_position(cg, str(position)) if emp is None else str(emp.position)
        if all_moves and (emp is None or emp.position is not None):
            cg = with_allowed_moves(cg, [code])
        ranked = (next_moves(cg, code, options, track=track, limit=limit) if emp is None
                  else next_moves_for_employee(cg, emp, options, track=track, limit=limit))
        return NextMoves(cg, code, ranked, options, emp)

    def paths(self, source: str, target: str, k: int = 3, *, track: str | None = None,
              max_increase: int | None = None, all_moves: bool = False,
              options: RankingOptions | None = None) -> Paths:
        """The ``k`` best career paths from ``source`` to ``target`` (none: :attr:`Paths.reasons` says why).

        ``max_increase`` leaves out moves that raise a competency by more than that many levels;
        ``all_moves`` routes over every move the job architecture allows.
        """
        cg = with_allowed_moves(self.graph) if all_moves else self.graph
        a, b = resolve_position(cg, source), resolve_position(cg, target)
        try:
            return Paths(cg, a, b, best_paths(cg, a, b, k, track=track, max_increase=max_increase, options=options),
                         track, max_increase)
        except NoPathError as err:
            return Paths(cg, a, b, [], track, max_increase, tuple(err.reasons))

    def pool(self, position: str, *, min_readiness: float = 0.0, include_holders: bool = False,
             reachable: bool = False, limit: int | None = 20) -> Pool:
        """The talent pool of ``position``: employees by readiness, with their remaining gaps."""
        code = resolve_position(self.graph, position)
        candidates = talent_pool(self.graph, code, min_readiness=min_readiness, include_holders=include_holders,
                                 reachable=reachable, limit=limit)
        return Pool(self.graph, code, candidates, min_readiness)

    def plan(self, employee: str, target: str, *, assume: Sequence[str] = ()) -> DevelopmentPlan:
        """A development plan for ``employee`` toward ``target``, taking the ``assume`` programmes as done."""
        emp = resolve_employee(self.graph, employee)
        code = resolve_position(self.graph, target)
        programs = [resolve_program(self.graph, p) for p in assume]
        return DevelopmentPlan(self.graph, emp, development_plan(self.graph, emp, code, assume=programs))

    def map(self, fmt: str = "dot", *, family: str | None = None, all_moves: bool = False,
            lang: str = "en") -> str:
        """Draw the career map as ``dot``, ``mermaid``, ``svg`` or a self-contained ``html`` page."""
        from selaras.engine.career import map as career_map

        return career_map.render_map(self.graph, fmt, family=family, all_moves=all_moves, lang=lang)
