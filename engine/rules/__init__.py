"""The rules: one SPARQL ``CONSTRUCT`` file each, and the one registry that lists them.

A rule file starts with a header that a reader (and :func:`load`) understands::

    # title: Competency gap
    # judul: Kesenjangan kompetensi
    # source: Endry §A.2 — development need = position profile − assessed level
    # depends: held-level

followed by ``PREFIX`` lines and one ``CONSTRUCT { template } WHERE { pattern }``. The
template says what the rule concludes. A node it concludes carries ``sel:inferredBy`` (the
rule) and ``sel:premise`` (the facts it rests on), which is what ``selaras explain`` reads —
except for the **lean** rules, whose conclusions come by the hundred thousand (one per employee
and competency, per move and competency): they store neither, since the graph a node is in
names its rule, and their header gives the pattern that finds the premises again::

    # premise: ?node sel:employee ?e ; sel:competency ?c . ?premise a sel:CompetencyGap ; …

The engine runs a rule as the SPARQL 1.1 Update ``INSERT { GRAPH <its graph> { template } }
USING <facts> USING <ontology> USING <graphs of the rules it depends on> WHERE { pattern }``,
so the same text runs in the embedded store and inside any SPARQL 1.1 server.
Nodes a rule mints are built from the match keys (``id:gap/E0001/INT``), so re-running a
rule adds nothing new: every rule's output is a fixpoint after one run in dependency order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from selaras.engine.errors import unknown
from selaras.engine.sparql import joined, read_header, split_construct, update_text
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, SETTINGS_GRAPH, inferred_graph
from selaras.ontology.namespace import RULE_IRI

#: Every rule, in an order where each comes after the rules it depends on.
RULE_IDS: tuple[str, ...] = (
    "scale-bounds",
    "held-level",
    "gap",
    "stale-assessment",
    "missing-assessment",
    "observed-transition",
    "career-move",
    "level-increase",
    "new-competency",
    "move-totals",
    "readiness",
    "training-need",
    "certification-need",
    "unaligned-scheme",
    "unaligned-training",
    "anomaly-grade-order",
    "anomaly-supervisor",
    "anomaly-title",
    "anomaly-merged-title",
    "anomaly-missing-core",
    "anomaly-missing-leadership",
    "anomaly-scheme-outside-model",
)
#: Rules that the embedded store evaluates set at a time (:mod:`selaras.engine.fastpath`), with
#: conclusions identical to their SPARQL's; a SPARQL server, and ``infer(fast=False)``, run the SPARQL.
FAST_PATH: frozenset[str] = frozenset({
    "held-level", "gap", "stale-assessment", "missing-assessment", "observed-transition", "career-move", "level-increase",
    "new-competency", "move-totals", "readiness", "training-need", "certification-need",
})
#: The graphs every rule reads, whatever it depends on: the facts, the ontology and the settings.
BASE_GRAPHS: tuple[str, ...] = (FACTS_GRAPH, ONTOLOGY_GRAPH, SETTINGS_GRAPH)


def only_base(graphs: Iterable[str]) -> bool:
    """Tell whether ``graphs`` are all base graphs (what inference's copy in memory holds).

    >>> only_base([FACTS_GRAPH, SETTINGS_GRAPH]), only_base([FACTS_GRAPH, inferred_graph("gap")])
    (True, False)
    """
    return set(graphs) <= set(BASE_GRAPHS)

#: The header lines of a rule file (``# key: value``); ``source`` may take several lines.
_HEADER = ("title", "judul", "source", "depends", "premise")


@dataclass(frozen=True)
class Rule:
    """One declared rule: identity, documentation, dependencies and its SPARQL body."""

    id: str
    title: str
    judul: str
    source: str
    depends: tuple[str, ...]
    text: str
    #: for a lean rule, whose conclusions carry no ``sel:inferredBy`` / ``sel:premise``: a SPARQL
    #: group pattern that finds the premises (``?premise``) of one conclusion (``?node``) again
    premise: str | None = None

    @property
    def lean(self) -> bool:
        """Tell whether the rule's conclusions leave their rule and premises to be found again."""
        return self.premise is not None

    @property
    def iri(self) -> str:
        """The rule's IRI (``https://w3id.org/selaras/rule/<id>``)."""
        return RULE_IRI + self.id

    @property
    def fast(self) -> bool:
        """Tell whether the embedded store may evaluate this rule set at a time (same conclusions)."""
        return self.id in FAST_PATH

    @property
    def graph(self) -> str:
        """The named graph that holds this rule's conclusions."""
        return inferred_graph(self.id)

    def input_graphs(self) -> list[str]:
        """The graphs the rule's pattern reads: facts, ontology, settings, its dependencies."""
        return [*BASE_GRAPHS, *(inferred_graph(d) for d in self.depends)]

    def as_update(self) -> str:
        """Return the rule as one SPARQL 1.1 Update that replaces its graph.

        >>> "INSERT" in get("gap").as_update() and "USING <" in get("gap").as_update()
        True
        """
        return update_text(self.text, self.graph, self.input_graphs())


def _parse(rule_id: str, text: str) -> Rule:
    meta = joined(read_header(text, _HEADER)[0])
    for key in ("title", "judul", "source"):
        if not meta.get(key):
            raise ValueError(f"engine/rules/{rule_id}.rq: header line '# {key}:' is missing")
    depends = tuple(d.strip() for d in meta.get("depends", "").split(",") if d.strip())
    split_construct(text)  # fail at load time on a malformed body
    return Rule(rule_id, meta["title"], meta["judul"], meta["source"], depends, text, meta.get("premise"))


@cache
def all_rules() -> tuple[Rule, ...]:
    """Load every rule of :data:`RULE_IDS`, in order."""
    rules = tuple(_parse(i, (files(__name__) / f"{i}.rq").read_text(encoding="utf-8")) for i in RULE_IDS)
    known: set[str] = set()
    for r in rules:
        missing = [d for d in r.depends if d not in known]
        if missing:
            raise ValueError(f"rule {r.id!r} depends on {missing} which do not come before it in RULE_IDS")
        known.add(r.id)
    return rules


@cache
def lean_by_graph() -> dict[str, Rule]:
    """The lean rules by the IRI of the graph that holds their conclusions (which names them).

    >>> lean_by_graph()["https://w3id.org/selaras/graph/inferred/gap"].id
    'gap'
    """
    return {r.graph: r for r in all_rules() if r.lean}


def get(rule_id: str) -> Rule:
    """Return one rule by id.

    Raises:
        NotFoundError: no rule has that id (the message lists close matches).
    """
    by_id = {r.id: r for r in all_rules()}
    if rule_id not in by_id:
        raise unknown("rule", rule_id, by_id, "see `selaras rules`")
    return by_id[rule_id]
