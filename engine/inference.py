"""Run the rules: settings first, then every rule in dependency order, each into its own graph.

Each rule runs as one SPARQL Update that drops and refills its graph in one transaction, so
re-running is idempotent and conclusions of facts that are gone disappear. Rules mint their
nodes from the match keys, so one pass in dependency order reaches the fixpoint; the loop
still re-runs any rule whose inputs changed after it ran, up to :data:`MAX_ITERATIONS`, and
says so if that cap is ever reached.

Facts are never written by inference.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from selaras.engine import rules as rule_registry
from selaras.engine.errors import SelarasError
from selaras.engine.fastpath import FastPath
from selaras.engine.rules.settings import (
    BY_REQUEST, INFERRED, Settings, effective_settings, is_current, requested, settings_quads, state_tag, stored_markers,
)
from selaras.engine.sparql import constants_read
from selaras.engine.store import (
    FACTS_GRAPH, INFERRED_PREFIX, META_GRAPH, VERSION_INFO, Dataset, Store, check_complete,
)
from selaras.ontology.namespace import DCT_SOURCE, RDF_TYPE, RDFS_LABEL, sel

if TYPE_CHECKING:
    from selaras.engine.validation import OwlReport

__all__ = [  # what inference offers; the settings and the version tag live with the rules they feed
    "InferenceReport", "RuleRun", "Settings", "effective_settings", "evaluate_apart", "infer", "is_current",
    "requested", "state_tag", "stored_markers",
]

#: The most passes over the rules before inference stops and reports non-convergence.
MAX_ITERATIONS = 4
#: On disk, the rules read the facts and the ontology from a copy in memory when the facts are
#: at most this many quads: some 420 bytes a quad (10,000 employees have 1.7 million facts,
#: copied in about 700 MB); reading them from RocksDB costs a lookup per term, about ten times
#: the time. Above it (100,000 employees) the rules read the store itself.
READ_IN_MEMORY_FACTS = 2_500_000
#: On disk, conclusions of at least this many triples are followed by a full compaction of the
#: store (:meth:`~selaras.engine.store.Store.compact`); fewer are flushed and the write-ahead
#: log dropped only. Compacting after many bulk loads makes later reads up to 2.3× faster (at
#: 10,000 employees); after the bundled organisation's 87,000 triples it took a fifth of the
#: inference (0.4 of 2 s) for no measurable gain in reading.
COMPACT_FROM = 1_000_000
FACTS, META = ox.NamedNode(FACTS_GRAPH), ox.NamedNode(META_GRAPH)


@dataclass
class RuleRun:
    """What one rule did in one inference run."""

    rule: str
    triples: int
    seconds: float
    #: how it was evaluated: "sparql" (its update), "fast" (set at a time, engine/fastpath.py) or
    #: "apart" (in memory over a copy of its inputs, on a server: engine/store/remote.py)
    path: str = "sparql"


@dataclass
class InferenceReport:
    """What an inference run did."""

    settings: Settings
    runs: list[RuleRun] = field(default_factory=list)
    iterations: int = 0
    seconds: float = 0.0
    #: nothing ran: the stored conclusions already reflected the facts and settings (``infer(force=False)``)
    current: bool = False
    #: HermiT's classification of the model, when asked for beside the rules (``Selaras.infer(owl=True)``)
    owl: OwlReport | None = None

    @property
    def triples(self) -> int:
        """Inferred triples in all rule graphs."""
        latest: dict[str, int] = {}
        for r in self.runs:
            latest[r.rule] = r.triples
        return sum(latest.values())


def _rule_description(rule: rule_registry.Rule) -> str:
    node = ox.NamedNode(rule.iri)
    g = f"<{rule.graph}>"
    lines = [
        f"{node} {RDF_TYPE} {sel('Rule')} .",
        f"{node} {sel('code')} {ox.Literal(rule.id)} .",
        f"{node} {RDFS_LABEL} {ox.Literal(rule.title, language='en')} .",
        f"{node} {RDFS_LABEL} {ox.Literal(rule.judul, language='id')} .",
        f"{node} {DCT_SOURCE} {ox.Literal(rule.source)} .",
    ]
    return f"INSERT DATA {{ GRAPH {g} {{ {' '.join(lines)} }} }}"


def infer(
    store: Dataset,
    overrides: Settings | None = None,
    *,
    only: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    fast: bool = True,
) -> InferenceReport:
    """Run every rule (or ``only`` some, with what they depend on) to a fixpoint.

    Args:
        store: the store to read facts from and write conclusions to.
        overrides: settings that take precedence over the data's settings.
        only: rule ids to run (with their dependencies); all when None.
        progress: called as ``progress(rule_id, done, total)`` before each rule.
        fast: evaluate the rules flagged ``fast`` in the registry set-at-a-time
            (:mod:`selaras.engine.fastpath`, same conclusions) in the embedded store;
            False runs every rule's SPARQL.

    An on-disk embedded store with conclusions is rebuilt, not edited: the rules run in its
    next generation (:meth:`~selaras.engine.store.Store.next_generation`, a new store beside it
    holding its facts, ontology and bookkeeping, bulk-loaded), every conclusion is written there
    through a file (:meth:`~selaras.engine.store.Store.load_file`), and the finished generation
    is swapped in at once (:meth:`~selaras.engine.store.Store.adopt`). No transaction holds the
    conclusions, no write-ahead log grows with them, memory stays bounded by the rules' own
    working sets, and a run killed at any point leaves the store as it was. A store without
    conclusions yet, and a partial run (``only``), work in place. Up to
    :data:`READ_IN_MEMORY_FACTS` facts, the rules read the facts and the ontology from a copy in
    memory (made from the files the next generation is loaded from; that load then goes on
    behind the rules). A remote store runs the rules
    inside the server. In place, on disk, in memory and on a server, the old version marker goes
    before the first conclusion changes and the new one is written last, so an interrupted run
    leaves conclusions that :func:`~selaras.engine.rules.settings.is_current` reports stale.

    Raises:
        SelarasError: the rules did not converge within :data:`MAX_ITERATIONS` passes.
    """
    if only is None:  # a partial run (the importer's scale bounds of a candidate) may precede the version
        check_complete(store)
    disk = store.embedded() if store.capabilities.on_disk and only is None else None
    if disk is not None:
        return _infer_next_generation(disk, overrides, progress=progress, fast=fast)
    return _infer_here(store, overrides, only=only, progress=progress, fast=fast)


def _infer_here(store: Dataset, overrides: Settings | None, *, only: list[str] | None,
                progress: Callable[[str, int, int], None] | None, fast: bool,
                reader: Store | None = None) -> InferenceReport:
    """Run the rules into the store they read (see :func:`infer`).

    ``reader``: a copy in memory of the store's facts and ontology graphs; the rules read those
    (and the settings, copied there too) from it, and their conclusions from the store.
    """
    started = time.perf_counter()
    if only is None:  # from here until the new marker, the conclusions read as stale
        store.update(f"DELETE WHERE {{ GRAPH {META} {{ {INFERRED} {VERSION_INFO} ?tag }} }}")
    settings = effective_settings(store if reader is None else reader, overrides)
    store.replace_graph(rule_registry.SETTINGS_GRAPH, settings_quads(settings))
    if reader is not None:
        reader.replace_graph(rule_registry.SETTINGS_GRAPH, settings_quads(settings))
    selected = [r for r in rule_registry.all_rules() if r.id in _with_dependencies(only)]
    report = InferenceReport(settings)
    embedded = store.embedded() if fast else None
    fast_path = FastPath(embedded, reader) if embedded is not None else None
    clock = 0
    ran_at: dict[str, int] = {}  # rule → the clock when it last ran
    changed_at: dict[str, int] = {}  # rule → the clock when its graph last changed size
    sizes: dict[str, int] = {}
    for iteration in range(1, MAX_ITERATIONS + 2):
        # a rule runs again only when a graph it reads changed after it last ran; with
        # stratified rules and IRIs minted from match keys the second pass finds nothing to do
        todo = [r for r in selected
                if r.id not in ran_at or any(changed_at.get(d, 0) > ran_at[r.id] for d in r.depends)]
        if not todo:
            break
        if iteration > MAX_ITERATIONS:
            raise SelarasError(f"inference did not converge within {MAX_ITERATIONS} passes "
                               f"(still changing: {', '.join(r.id for r in todo)}) — "
                               f"a rule mints new nodes on every run; mint IRIs from the match keys")
        report.iterations = iteration
        counted: list[tuple[RuleRun, int]] = []  # counted once the pass's writes have settled
        for n, rule in enumerate(todo):
            if progress:
                progress(rule.id, n, len(todo))
            t0 = time.perf_counter()
            # the fast path waits only for the graphs it reads (often none: it keeps what the
            # rules before it concluded), the SPARQL for every graph the rule reads
            if fast_path is not None and rule.fast and fast_path.run(rule):
                store.update(_rule_description(rule))
                path = "fast"
            elif store.evaluates_apart(rule.id):  # on a server: see evaluate_apart
                store.settle(rule.input_graphs())
                evaluate_apart(store, rule)
                store.update(_rule_description(rule))
                path = "apart"
            elif store.constructs_rules():  # on disk (bulk-loaded) and on Virtuoso: its CONSTRUCT, then its triples
                inputs = rule.input_graphs()  # read from the copy in memory when it holds them all
                store.construct_into(rule.graph, rule.text, inputs,  # (settles its inputs)
                                     source=reader if reader is not None and rule_registry.only_base(inputs) else None)
                store.update(_rule_description(rule))
                path = "sparql"
            else:
                store.settle(rule.input_graphs())  # what the rules before it wrote behind (on disk)
                store.update(rule.as_update() + " ;\n" + _rule_description(rule))
                path = "sparql"
            run = RuleRun(rule.id, 0, time.perf_counter() - t0, path)
            report.runs.append(run)
            clock += 1
            ran_at[rule.id] = clock
            counted.append((run, clock))
        store.settle()
        for run, at in counted:
            run.triples = size = store.count(rule_registry.get(run.rule).graph)
            if sizes.get(run.rule) != size:
                changed_at[run.rule] = at
            sizes[run.rule] = size
    if only is None:
        tag = ox.Literal(state_tag(store, settings) + (BY_REQUEST if requested(overrides) else ""))
        old = list(store.match(INFERRED, VERSION_INFO, None, META))
        store.replace(old, [ox.Quad(INFERRED, VERSION_INFO, tag, META)])
    if only is None and store.capabilities.embedded:
        # on disk: no write-ahead log of the small graphs left behind, and after a large write compacted
        store.compact(full=report.triples >= COMPACT_FROM)
    else:
        store.flush()
    report.seconds = time.perf_counter() - started
    return report


def _infer_next_generation(store: Store, overrides: Settings | None, **kwargs: object) -> InferenceReport:
    """Infer an on-disk store into its next generation, then swap that in (see :func:`infer`).

    A store with no conclusions yet (the first inference after an import) has nothing to
    replace: its rules write into it directly, the version marker last.
    """
    started = time.perf_counter()
    mirror = _facts_at_most(store, READ_IN_MEMORY_FACTS)
    if not any(g.startswith(INFERRED_PREFIX) for g in store.graph_names()):
        reader = store.copy_graphs(_kept) if mirror else None
        report = _infer_here(store, overrides, only=None, reader=reader, **kwargs)  # type: ignore[arg-type]
        report.seconds = time.perf_counter() - started  # the copy included
        return report
    reader = Store() if mirror else None
    work = store.next_generation(keep_graph=_kept, extra=_kept_bookkeeping, mirror=reader)
    try:
        report = _infer_here(work, overrides, only=None, reader=reader, **kwargs)  # type: ignore[arg-type]
    except BaseException:
        try:
            work.close()  # waits for what it was loading behind
        except BaseException:  # noqa: BLE001  (the first error is the one to report)
            pass
        shutil.rmtree(work.path, ignore_errors=True)  # type: ignore[arg-type]
        raise
    _adopt(store, work)
    report.seconds = time.perf_counter() - started
    return report


def _facts_at_most(store: Dataset, limit: int) -> bool:
    """Tell whether the facts graph holds at most ``limit`` quads (counting no further)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ GRAPH {FACTS} {{ ?s ?p ?o }} }} "
                       f"LIMIT {limit + 1} }}").rows
    return int(rows[0]["n"].value) <= limit


def _kept(graph: str) -> bool:
    """A graph the next generation keeps: everything but the conclusions and the bookkeeping."""
    return not graph.startswith(INFERRED_PREFIX) and graph != META.value


def _kept_bookkeeping(old: Store) -> Iterator[ox.Quad]:
    """The bookkeeping the next generation keeps: all but the conclusions' version marker."""
    return (q for q in old.match(None, None, None, META) if q.subject != INFERRED)


def _adopt(store: Store, work: Store) -> None:
    """Swap the finished generation in; if that fails, remove it (the store stays as it was)."""
    try:
        store.adopt(work)
    except BaseException:
        try:
            work.close()
        except BaseException:  # noqa: BLE001  (closed already; the first error is the one to report)
            pass
        raise
    finally:  # after the swap this is the old generation, which adopt removes too
        shutil.rmtree(work.path, ignore_errors=True)  # type: ignore[arg-type]


def _with_dependencies(only: list[str] | None) -> set[str]:
    every = rule_registry.all_rules()
    if only is None:
        return {r.id for r in every}
    wanted = {rule_registry.get(i).id for i in only}
    for rule in reversed(every):
        if rule.id in wanted:
            wanted.update(rule.depends)
    return wanted


def evaluate_apart(store: Dataset, rule: rule_registry.Rule) -> int:
    """Evaluate a rule with the embedded engine over a copy of what it reads; write its graph into ``store``.

    For a rule the server's planner cannot run in reasonable time (:data:`selaras.engine.store.remote.APART`: the server says so with ``evaluates_apart``).
    The copy holds only the triples the rule's patterns can match: those of its predicates,
    and the ``rdf:type`` triples of its classes (:func:`~selaras.engine.sparql.constants_read`),
    read from its input graphs; the rule then runs in memory as it does in the embedded store
    (set at a time when it has a fast path, else its SPARQL), so the conclusions are the
    embedded store's. Returns the number of triples read.
    """
    wanted = constants_read(rule.text)
    graphs = rule.input_graphs()
    if wanted is None:
        text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    else:
        predicates, classes = wanted
        values = " ".join(f"<{p}>" for p in sorted(predicates))
        kinds = ", ".join(f"<{c}>" for c in sorted(classes)) or "<urn:x-selaras:none>"
        text = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o "
                f"FILTER(?p != {RDF_TYPE} || ?o IN ({kinds})) }}")
    rows = store.query(text, default_graphs=graphs).rows
    copy = Store()
    into = ox.NamedNode(FACTS_GRAPH)  # one base graph: the rule reads the union of its inputs
    copy.extend(ox.Quad(r["s"], r["p"], r["o"], into) for r in rows)
    out = ox.NamedNode(rule.graph)
    # set at a time when the rule has a fast path (its SPARQL over every pair of positions takes
    # minutes at hundreds of positions, in Oxigraph too), else the rule's SPARQL
    if rule.fast and FastPath(copy).run(rule):
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in copy.quads(rule.graph)]
    else:
        triples = copy.query(rule.text).triples
    store.replace_graph(rule.graph, [ox.Quad(t.subject, t.predicate, t.object, out) for t in triples])
    return len(rows)
