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
import time
from collections.abc import Callable
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
#: An on-disk store with more facts than this is inferred in place, on disk, instead of in an
#: in-memory copy: the copy and its conclusions take about 0.4 KB of memory per quad, so the
#: facts of about 30,000 employees and their conclusions would outgrow a small machine.
IN_MEMORY_FACTS_LIMIT = 5_000_000
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

    DEFAULTS = {"stale_after_months": 24, "expiry_warning_days": 90, "max_lateral_grade_steps": 1,
                "readiness_scope": "moves"}
    READINESS_SCOPES = READINESS_SCOPES

    def __post_init__(self) -> None:
        if self.readiness_scope is not None and self.readiness_scope not in self.READINESS_SCOPES:
            raise InputError(f"readiness scope {self.readiness_scope!r} is unknown — use "
                             + " or ".join(self.READINESS_SCOPES))

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
    #: how it was evaluated: "sparql" (its update) or "fast" (set at a time, engine/fastpath.py)
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
    }
    settings_node = ox.NamedNode("https://w3id.org/selaras/id/settings")
    for term, attr in names.items():
        for q in store.match(settings_node, sel(term), None, FACTS):
            value = q.object.value
            data[attr] = (date.fromisoformat(value) if attr == "reference_date"
                          else value if attr == "readiness_scope" else int(value))
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
    ]
    return [ox.Quad(a, b, c, g) for a, b, c in triples]


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


def is_current(store: Store, overrides: Settings | None = None) -> bool:
    """Tell whether the stored conclusions were inferred from the current facts and settings."""
    tag = state_tag(store, effective_settings(store, overrides))
    return any(q.object.value == tag for q in store.match(INFERRED, VERSION_INFO, None, META))


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

    An on-disk embedded store is worked on in memory: the rules run on an in-memory copy of
    its facts and ontology (random reads on disk made them 15 times slower), then the
    conclusions replace the old ones on disk. Above :data:`IN_MEMORY_FACTS_LIMIT` facts the
    rules run in place on disk instead, so that memory stays bounded. A remote store runs the
    rules inside the server. In every case the old version marker goes before the first
    conclusion changes and the new one is written last, so an interrupted run leaves
    conclusions that :func:`is_current` reports stale.

    Raises:
        SelarasError: the rules did not converge within :data:`MAX_ITERATIONS` passes.
    """
    if only is None:  # a partial run (the importer's scale bounds of a candidate) may precede the version
        check_complete(store)
    if isinstance(store, Store) and store.path is not None and store.count(FACTS.value) <= IN_MEMORY_FACTS_LIMIT:
        return _infer_in_memory(store, overrides, only=only, progress=progress)
    started = time.perf_counter()
    if only is None:  # from here until the new marker, the conclusions read as stale
        store.update(f"DELETE WHERE {{ GRAPH {META} {{ {INFERRED} {VERSION_INFO} ?tag }} }}")
    settings = effective_settings(store, overrides)
    store.replace_graph(rule_registry.SETTINGS_GRAPH, _settings_quads(settings))
    selected = [r for r in rule_registry.all_rules() if r.id in _with_dependencies(only)]
    report = InferenceReport(settings)
    fast_path = FastPath(store) if fast and isinstance(store, Store) else None
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
        for n, rule in enumerate(todo):
            if progress:
                progress(rule.id, n, len(todo))
            t0 = time.perf_counter()
            if fast_path is not None and rule.fast and fast_path.run(rule):
                store.update(_rule_description(rule))
                path = "fast"
            elif isinstance(store, Store) and store.path is not None:  # in place on disk: bulk-loaded
                store.construct_into(rule.graph, rule.text, rule.input_graphs())
                store.update(_rule_description(rule))
                path = "sparql"
            else:
                store.update(rule.as_update() + " ;\n" + _rule_description(rule))
                path = "sparql"
            size = store.count(rule.graph)
            report.runs.append(RuleRun(rule.id, size, time.perf_counter() - t0, path))
            clock += 1
            ran_at[rule.id] = clock
            if sizes.get(rule.id) != size:
                changed_at[rule.id] = clock
            sizes[rule.id] = size
    if only is None:
        tag = ox.Literal(state_tag(store, settings))
        old = list(store.match(INFERRED, VERSION_INFO, None, META))
        store.replace(old, [ox.Quad(INFERRED, VERSION_INFO, tag, META)])
    store.flush()
    report.seconds = time.perf_counter() - started
    return report


def _infer_in_memory(store: Store, overrides: Settings | None, **kwargs: object) -> InferenceReport:
    started = time.perf_counter()
    work = Store()
    work.extend(q for q in store.quads() if not q.graph_name.value.startswith(INFERRED_PREFIX)
                and q.graph_name != META)
    work.extend(store.match(FACTS, None, None, META))  # the facts version, for the marker
    only = kwargs.get("only")
    report = infer(work, overrides, **kwargs)  # type: ignore[arg-type]
    graphs = {rule_registry.SETTINGS_GRAPH, *(r.graph for r in rule_registry.all_rules()
                                              if r.id in _with_dependencies(only))}  # type: ignore[arg-type]
    # the old marker goes in the same transaction as the old conclusions, so a run killed
    # before the new marker is written leaves conclusions that read as stale, never a store
    # that claims to be current while its rule graphs are empty or half written
    old = list(store.match(INFERRED, VERSION_INFO, None, META))
    store.update(" ;\n".join([*(f"DROP SILENT GRAPH <{g}>" for g in sorted(graphs)),
                              f"DELETE WHERE {{ GRAPH {META} {{ {INFERRED} {VERSION_INFO} ?tag }} }}"]))
    store.extend(q for q in work.quads() if q.graph_name.value in graphs)
    marker = list(work.match(INFERRED, VERSION_INFO, None, META))
    if not marker:  # a partial run (only=…): the old marker still holds if facts and settings are the same
        marker = [q for q in old if q.object.value == state_tag(work, report.settings)]
    if marker:
        store.extend(marker)
    store.flush()
    report.seconds = time.perf_counter() - started
    return report


def _with_dependencies(only: list[str] | None) -> set[str]:
    every = rule_registry.all_rules()
    if only is None:
        return {r.id for r in every}
    wanted = {rule_registry.get(i).id for i in only}
    for rule in reversed(every):
        if rule.id in wanted:
            wanted.update(rule.depends)
    return wanted
