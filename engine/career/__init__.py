"""Explore career paths: a networkx graph over the inferred career moves, and what it answers.

The package, by module: ``model`` (the graph's parts and the ranking options), ``graph``
(building and caching the graph, looking up names), ``paths`` (routes and why none exists),
``scoring`` (the measures, next moves, talent pools), ``plan`` (development plans), ``views``
(tables, Markdown, JSON) and ``service`` (:class:`Career`, what :meth:`selaras.Selaras.career`
returns: one method per ``selaras career`` command).

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
>>> cg = org.career().graph
>>> [step.target for step in best_paths(cg, "manager-sertifikasi-a2", "kepala-lsp")[0].steps]
['kepala-lsp']
"""


from selaras.engine.career.graph import (
    CareerGraph, Centre, assemble_graph, build_graph, career_graph, centred_cosine, graph_inputs, read_inputs,
    resolve_employee, resolve_position, resolve_program, with_allowed_moves,
)
from selaras.engine.career.model import (
    MOVE_TYPES, PREFIX, TRACKS, Candidate, CareerPath, Competency, Employee, Gap, LevelChange, NoPathError, Plan,
    PlanStep, Position, Program, RankedMove, RankingOptions, Scheme, Step, natural_key,
)
from selaras.engine.career.paths import best_paths, explain_no_path, move_step, restricted
from selaras.engine.career.plan import development_plan
from selaras.engine.career.scoring import next_moves, next_moves_for_employee, readiness_score, talent_pool
from selaras.engine.career.service import Career, DevelopmentPlan, NextMoves, Paths, Pool

__all__ = [
    "MOVE_TYPES", "PREFIX", "TRACKS", "Candidate", "Career", "CareerGraph", "CareerPath", "Centre", "Competency",
    "DevelopmentPlan", "Employee", "Gap", "LevelChange", "NextMoves", "NoPathError", "Paths", "Plan", "PlanStep",
    "Pool", "Position", "Program", "RankedMove", "RankingOptions", "Scheme", "Step", "assemble_graph", "best_paths",
    "build_graph", "career_graph", "centred_cosine", "development_plan", "explain_no_path", "graph_inputs",
    "move_step", "natural_key", "next_moves", "next_moves_for_employee", "read_inputs", "readiness_score",
    "resolve_employee", "resolve_position", "resolve_program", "restricted", "talent_pool", "with_allowed_moves",
]
