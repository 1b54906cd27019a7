"""Run the rules: settings first, then every rule in dependency order, each into its own graph.

Each rule runs as one SPARQL Update that drops and refills its graph in one transaction, so
re-running is idempotent and conclusions of facts that are gone disappear. Rules mint their
nodes from the match keys, so one pass in dependency order reaches the fixpoint; the loop
still re-runs any rule whose inputs changed after it ran, up to :data:`MAX_ITERATIONS`, and
says so if that cap is ever reached.

Facts are never written by inference.
"""

from __future__ import annotations

import calendar
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pyoxigraph as ox

from selaras.engine import rules as rule_registry
from selaras.engine.errors import InputError, SelarasError
from selaras.engine.fastpath import FastPath
from selaras.engine.importer import FACTS, META, VERSION_INFO, check_complete, facts_version
from selaras.engine.store import INFERRED_PREFIX, Store
from selaras.engine.tabular import RDF_TYPE, RDFS_LABEL, READINESS_SCOPES, integer, sel, typed

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
SETTINGS_NODE = ox.NamedNode("https://w3id.org/selaras/id/settings/effective")
INFERRED = ox.NamedNode(INFERRED_PREFIX.rstrip("/"))
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


@dataclass(frozen=True)
class Settings:
    """Policy settings for inference; ``None`` fields take the data's value, then the default.

    >>> Settings(reference_date=date(2026, 6, 30), stale_after_months=24).stale_before()
    datetime.date(2024, 6, 30)
    """

    reference_date: date | None = None
    stale_after_months: int | None = None
    expiry_warning_days: int | None = None
    max_lateral_grade_steps: int | None = None
    #: which positions the rule ``readiness`` scores each employee against: "moves" (their own
    #: position and every position one career move away; employees × moves conclusions) or
    #: "position" (their own position only, linear in the employees; ``career next`` and
    #: ``career pool`` still compute readiness for any position on demand)
    readiness_scope: str | None = None
    #: the least profile similarity (0–1) a move needs to be concluded (the rule ``career-move``)
    min_move_similarity: float | None = None
    #: the most moves concluded from one position, the best by the score of ``career next``
    max_moves_per_position: int | None = None

    DEFAULTS = {"stale_after_months": 24, "expiry_warning_days": 90, "max_lateral_grade_steps": 1,
                "readiness_scope": "moves", "min_move_similarity": 0.3, "max_moves_per_position": 15}
    READINESS_SCOPES = READINESS_SCOPES

    def __post_init__(self) -> None:
        if self.readiness_scope is not None and self.readiness_scope not in self.READINESS_SCOPES:
            raise InputError(f"readiness scope {self.readiness_scope!r} is unknown — use "
                             + " or ".join(self.READINESS_SCOPES))
        if self.min_move_similarity is not None and not 0 <= self.min_move_similarity <= 1:
            raise InputError(f"min move similarity {self.min_move_similarity} is outside 0–1 — "
                             f"give a share such as 0.3")
        if self.max_moves_per_position is not None and self.max_moves_per_position < 1:
            raise InputError(f"max moves per position {self.max_moves_per_position} is below 1 — "
                             f"give 1 or more (e.g. 15)")

    def stale_before(self) -> date:
        """The cut-off date: assessments before it are stale."""
        ref = self.reference_date or date.today()
        months = self.stale_after_months if self.stale_after_months is not None else 24
        y, m = divmod(ref.month - 1 - months, 12)
        year, month = ref.year + y, m + 1
        return date(year, month, min(ref.day, calendar.monthrange(year, month)[1]))

    def expiring_before(self) -> date:
        """Certifications expiring before this date (and not yet expired) are expiring soon."""
        ref = self.reference_date or date.today()
        return ref + timedelta(days=self.expiry_warning_days if self.expiry_warning_days is not None else 90)


@dataclass
class RuleRun:
    """What one rule did in one inference run."""

    rule: str
    triples: int
    seconds: float
    #: how it was evaluated: "sparql" (its update), "fast" (set at a time, engine/fastpath.py) or
    #: "apart" (in memory over a copy of its inputs, on a server: engine/remote.py)
    path: str = "sparql"


@dataclass
class InferenceReport:
    """What an inference run did."""

    settings: Settings
    runs: list[RuleRun] = field(default_factory=list)
    iterations: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        """Inferred triples in all rule graphs."""
        latest: dict[str, int] = {}
        for r in self.runs:
            latest[r.rule] = r.triples
        return sum(latest.values())


def effective_settings(store: Store, overrides: Settings | None = None) -> Settings:
    """Combine command-line overrides, the data's ``settings.csv`` values and the defaults."""
    data: dict[str, object] = {}
    names = {
        "referenceDate": "reference_date",
        "staleAfterMonths": "stale_after_months",
        "expiryWarningDays": "expiry_warning_days",
        "maxLateralGradeSteps": "max_lateral_grade_steps",
        "readinessScope": "readiness_scope",
        "minMoveSimilarity": "min_move_similarity",
        "maxMovesPerPosition": "max_moves_per_position",
    }
    settings_node = ox.NamedNode("https://w3id.org/selaras/id/settings")
    for term, attr in names.items():
        for q in store.match(settings_node, sel(term), None, FACTS):
            value = q.object.value
            data[attr] = (date.fromisoformat(value) if attr == "reference_date"
                          else value if attr == "readiness_scope"
                          else float(value) if attr == "min_move_similarity" else int(value))
    merged = Settings(**{**Settings.DEFAULTS, **data})  # type: ignore[arg-type]
    if overrides:
        merged = replace(merged, **{k: v for k, v in vars(overrides).items() if v is not None})
    if merged.reference_date is None:
        merged = replace(merged, reference_date=date.today())
    return merged


def _settings_quads(s: Settings) -> list[ox.Quad]:
    g = ox.NamedNode(rule_registry.SETTINGS_GRAPH)
    n = SETTINGS_NODE
    assert s.reference_date is not None
    triples = [
        (n, RDF_TYPE, sel("Settings")),
        (n, sel("referenceDate"), typed(s.reference_date.isoformat(), "date")),
        (n, sel("staleAfterMonths"), integer(s.stale_after_months or 0)),
        (n, sel("staleBefore"), typed(s.stale_before().isoformat(), "date")),
        (n, sel("expiryWarningDays"), integer(s.expiry_warning_days or 0)),
        (n, sel("expiringBefore"), typed(s.expiring_before().isoformat(), "date")),
        (n, sel("maxLateralGradeSteps"), integer(s.max_lateral_grade_steps or 0)),
        (n, sel("readinessScope"), ox.Literal(s.readiness_scope or Settings.DEFAULTS["readiness_scope"])),
        (n, sel("minMoveSimilarity"), typed(_decimal_text(s.min_move_similarity), "decimal")),
        (n, sel("maxMovesPerPosition"), integer(s.max_moves_per_position or 1)),
    ]
    return [ox.Quad(a, b, c, g) for a, b, c in triples]


def _decimal_text(value: float | None) -> str:
    """Write a share as an ``xsd:decimal`` lexical form.

    >>> _decimal_text(0.4), _decimal_text(1), _decimal_text(None), _decimal_text(1e-5)
    ('0.4', '1', '0', '0.00001')
    """
    return f"{float(value or 0.0):.9f}".rstrip("0").rstrip(".")


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


def state_tag(store: Store, settings: Settings) -> str:
    """Return the tag of what inference depends on: the facts version and the settings."""
    return f"{facts_version(store)}|{settings}"


#: Ends the version marker of conclusions inferred with settings given for the run (``infer --…``).
BY_REQUEST = "|by request"


def requested(overrides: Settings | None) -> bool:
    """Tell whether settings were given for a run (any field set), rather than taken from the data.

    >>> requested(None), requested(Settings()), requested(Settings(max_moves_per_position=5))
    (False, False, True)
    """
    return overrides is not None and any(v is not None for v in vars(overrides).values())


def stored_markers(store: Store) -> list[str]:
    """The version markers of the stored conclusions (facts version, settings, ``|by request``), sorted."""
    return sorted(q.object.value for q in store.match(INFERRED, VERSION_INFO, None, META))


def is_current(store: Store, overrides: Settings | None = None, *, strict: bool = False) -> bool:
    """Tell whether the stored conclusions were inferred from the current facts and settings.

    Conclusions inferred with settings given for the run (``selaras infer --max-moves-per-position 5``)
    stay current for the commands that read them without settings of their own, until the facts
    change: a query after such a run answers from it rather than inferring the defaults again.
    ``strict`` compares the settings exactly (``selaras infer`` itself does).
    """
    tag = state_tag(store, effective_settings(store, overrides))
    stored = stored_markers(store)
    if any(t in (tag, tag + BY_REQUEST) for t in stored):
        return True
    if strict or requested(overrides):
        return False
    facts = f"{facts_version(store)}|"
    return any(t.startswith(facts) and t.endswith(BY_REQUEST) for t in stored)


def infer(
    store: Store,
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
    leaves conclusions that :func:`is_current` reports stale.

    Raises:
        SelarasError: the rules did not converge within :data:`MAX_ITERATIONS` passes.
    """
    if only is None:  # a partial run (the importer's scale bounds of a candidate) may precede the version
        check_complete(store)
    if isinstance(store, Store) and store.path is not None and only is None:
        return _infer_next_generation(store, overrides, progress=progress, fast=fast)
    return _infer_here(store, overrides, only=only, progress=progress, fast=fast)


def _infer_here(store: Store, overrides: Settings | None, *, only: list[str] | None,
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
    store.replace_graph(rule_registry.SETTINGS_GRAPH, _settings_quads(settings))
    if reader is not None:
        reader.replace_graph(rule_registry.SETTINGS_GRAPH, _settings_quads(settings))
    selected = [r for r in rule_registry.all_rules() if r.id in _with_dependencies(only)]
    report = InferenceReport(settings)
    fast_path = FastPath(store, reader) if fast and isinstance(store, Store) else None
    clock, ran_at, changed_at, sizes = 0, {}, {}, {}
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
            elif store.evaluates_apart(rule.id):  # on a server: see RemoteStore.infer_apart
                store.settle(rule.input_graphs())
                store.infer_apart(rule)  # type: ignore[attr-defined]
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
    if only is None and isinstance(store, Store):
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


def _facts_at_most(store: Store, limit: int) -> bool:
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
