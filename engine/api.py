"""The Python API: open an organisation's store, import, infer, and read answers as records.

>>> import selaras
>>> org = selaras.open(example=True)          # the bundled example organisation, in memory
>>> org.stats().competencies_by_group["technical"]
67
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from selaras import queries
from selaras.engine import inference
from selaras.engine.errors import SelarasError
from selaras.engine.explain import Explanation, explain
from selaras.engine.ingest import importer
from selaras.engine.sparql import looks_like_update
from selaras.engine.store import (
    FACTS_GRAPH, INFERRED_PREFIX, META_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, RDF_FORMATS, VERSION_INFO, Dataset, Result,
    names, open_store,
)
from selaras.engine.types import python_value
from selaras.ontology import EXAMPLE_DIR, ONTOLOGY_FILES
from selaras.ontology.namespace import SEL_IRI

if TYPE_CHECKING:
    from selaras.engine.career import Career
    from typing import BinaryIO

    from selaras.engine.audit.run import AuditReport
    from selaras.engine.ingest.framework import FrameworkReport
    from selaras.engine.validation import OwlReport, ShaclResult

#: The store directory used when none is given.
DEFAULT_STORE = Path(os.environ.get("SELARAS_STORE", ".selaras"))


@dataclass(frozen=True)
class Stats:
    """Counts that say what a store holds."""

    classes: dict[str, int]
    illustrative: dict[str, int]
    competencies_by_group: dict[str, int]
    levels_by_scale: dict[str, int]
    schemes: list[dict[str, object]] = field(default_factory=list)

    @property
    def headcount(self) -> int:
        """Total people over all schemes' occupation maps."""
        return sum(int(s["headcount"] or 0) for s in self.schemes)  # type: ignore[call-overload]


@dataclass(frozen=True)
class CheckReport:
    """What ``check`` found: the SHACL results and, when asked, HermiT's consistency report."""

    shacl: list[ShaclResult]
    owl: OwlReport | None = None

    @property
    def errors(self) -> list[ShaclResult]:
        """The SHACL results of severity error."""
        return [r for r in self.shacl if r.severity == "error"]

    @property
    def conforms(self) -> bool:
        """No SHACL error, and consistent when the reasoner ran."""
        return not self.errors and (self.owl is None or self.owl.consistent)


@dataclass(frozen=True)
class Overview:
    """What ``selaras demo`` shows of an organisation (besides its :class:`Stats`): inference, conclusions, audit."""

    inference: inference.InferenceReport
    owl: OwlReport
    #: (class IRI, how many) for the main kinds of conclusion
    conclusions: list[tuple[str, int]]
    #: (competency IRI, level, people, positions): the technical competencies no scheme certifies, most people first
    unaligned: list[tuple[str, int, int, int]]
    audit: AuditReport


#: The kinds of conclusion an overview counts (``selaras demo``), by class.
_CONCLUSION_COUNTS = """PREFIX sel: <https://w3id.org/selaras/ontology#> SELECT ?type (COUNT(?x) AS ?n) WHERE {
  VALUES ?type { sel:CompetencyGap sel:CareerMove sel:Readiness sel:UnalignedCompetency sel:ModelAnomaly
                 sel:StaleAssessment sel:MissingAssessment sel:CertificationNeed sel:ObservedTransition }
  ?x a ?type } GROUP BY ?type ORDER BY ?type"""
#: The unaligned technical competencies that no scheme certifies, most people affected first.
_UNALIGNED_BY_PEOPLE = """PREFIX sel: <https://w3id.org/selaras/ontology#> SELECT ?c ?level ?people ?positions WHERE {
  ?u a sel:UnalignedCompetency ; sel:lacks sel:NoCertificationScheme ; sel:competency ?c ;
     sel:requiredLevel ?level ; sel:peopleAffected ?people ; sel:positionsAffected ?positions }
ORDER BY DESC(?people) DESC(?positions) LIMIT 5"""
#: ``export``'s parts of the dataset, by the graphs they keep.
EXPORT_PARTS: dict[str, Callable[[str], bool]] = {
    "facts": lambda g: g == FACTS_GRAPH, "ontology": lambda g: g == ONTOLOGY_GRAPH,
    "inferred": lambda g: g.startswith(INFERRED_PREFIX), "all": lambda g: True,
}


class Selaras:
    """One organisation's knowledge graph: a store plus the operations on it."""

    def __init__(self, store: Dataset) -> None:
        self.store: Dataset = store
        #: where notes for the user go (the CLI prints them on stderr); silent by default
        self.notify: Callable[[str], None] = lambda message: None
        #: a context manager that yields a ``progress(rule, done, total)`` callback for inference
        #: (the CLI draws a progress bar); none by default
        self.progress: Callable[[], AbstractContextManager[Callable[[str, int, int], None]]] | None = None

    # --- opening ------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        example: bool = False,
        read_only: bool = False,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
    ) -> Selaras:
        """Open a store (``path=None``: in memory); with ``example`` load the bundled organisation.

        With ``endpoint`` (a SPARQL 1.1 query URL, and ``update_endpoint`` when the server's
        update URL cannot be guessed) the store is that server instead (see
        :mod:`selaras.engine.store.remote`); ``path`` is then ignored.

        The ontology is (re)loaded into its graph whenever the store is writable, so a store
        always carries the ontology of the installed Selaras.

        >>> org = Selaras.open(example=True)          # in memory; Selaras.open("my-store") on disk
        >>> org.holds_organisation()
        True
        """
        if endpoint:
            from selaras.engine.store.remote import RemoteStore

            org = cls(RemoteStore(endpoint, update_endpoint, read_only=read_only))
        else:
            org = cls(open_store(path, read_only=read_only))
        if not read_only:
            org.load_ontology()
            if example and not org.holds_organisation():
                org.import_paths([EXAMPLE_DIR])
        return org

    def close(self) -> None:
        """Flush and close the store."""
        self.store.close()

    def __enter__(self) -> Selaras:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ------------------------------------------------------------------
    def load_ontology(self) -> None:
        """Load the ontology and policy vocabulary into the ontology graph, when they changed.

        The graph is tagged with a digest of the Turtle files, so opening a store writes
        nothing unless the installed Selaras brings a different ontology.
        """
        import hashlib

        graph = ox.NamedNode(ONTOLOGY_GRAPH)
        digest = hashlib.sha256(b"".join(f.read_bytes() for f in ONTOLOGY_FILES)).hexdigest()
        meta = ox.NamedNode(META_GRAPH)
        tag = ox.Quad(graph, VERSION_INFO, ox.Literal(digest), meta)
        old_tags = list(self.store.match(graph, VERSION_INFO, None, meta))
        if old_tags == [tag]:
            return
        quads = [tag]
        for f in ONTOLOGY_FILES:
            quads += [ox.Quad(q.subject, q.predicate, q.object, graph)
                      for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        # one transaction; the old graph is dropped, not listed (DELETE DATA takes no blank nodes)
        self.store.replace_graph(ONTOLOGY_GRAPH, quads, also_remove=old_tags)

    def import_paths(self, paths: Sequence[str | Path], *, replace: bool = False) -> importer.ImportReport:
        """Import files and folders (see the README's import format); all or nothing.

        >>> from selaras.ontology import EXAMPLE_DIR
        >>> org = Selaras.open()
        >>> report = org.import_paths([EXAMPLE_DIR])
        >>> len(report.files), report.changed, org.import_paths([EXAMPLE_DIR]).changed
        (18, True, False)
        """
        return importer.import_paths(self.store, paths, replace=replace)

    def infer(self, settings: inference.Settings | None = None, *, force: bool = True, owl: bool = False,
              **kwargs: object) -> inference.InferenceReport:
        """Run every rule into its own graph (see :func:`selaras.engine.inference.infer`).

        ``force=False`` runs nothing when the stored conclusions already reflect the facts and
        these settings (the report says ``current``); ``owl`` also classifies the model with
        HermiT, beside the rules (the report's ``owl``; when current, only if never classified).
        On disk, what the career graph is built from is then kept beside the store
        (:func:`selaras.engine.career.graph_inputs`), so that the first ``selaras career``
        command after an inference answers as fast as the next ones.

        >>> org = Selaras.open(example=True)
        >>> report = org.infer()
        >>> len(report.runs), report.current, org.infer(force=False).current
        (22, False, True)
        """
        from selaras.engine import validation

        if not force and inference.is_current(self.store, settings, strict=True):
            classified = validation.classify(self.store) if owl and self.store.count(OWL_GRAPH) == 0 else None
            return inference.InferenceReport(inference.effective_settings(self.store, settings), current=True,
                                             owl=classified)
        behind = validation.classify_behind(self.store) if owl else None  # the reasoner (Java) beside the rules
        report = inference.infer(self.store, settings, **kwargs)  # type: ignore[arg-type]
        if self.store.capabilities.on_disk and not kwargs.get("only"):
            from selaras.engine.career.graph import graph_inputs

            graph_inputs(self.store)
        report.owl = behind() if behind else None
        return report

    def ensure_inferred(self, settings: inference.Settings | None = None) -> inference.InferenceReport | None:
        """Bring the conclusions up to date and store them, unless they already reflect the facts and settings.

        A reading command that finds them stale infers once, into the store (an on-disk store
        opened for reading is reopened for writing), with a note through :attr:`notify`; the
        next command finds them current. With ``settings`` that differ from the data's (a
        what-if, e.g. another reference date) the conclusions are inferred into an in-memory
        copy and not stored. A SPARQL server opened read-only, or a store another process is
        writing, is not changed: :class:`~selaras.engine.errors.StoreError` says how to refresh it.
        """
        if inference.is_current(self.store, settings):
            return None
        what_if = inference.requested(settings)
        if what_if:
            self.make_writable()
        elif self.store.read_only:
            self._reopen_for_writing()
        if not what_if:  # a what-if is asked for; inferring the store's own stale conclusions is news
            self.notify(f"note: the conclusions in {self.store.location} are stale (the facts or settings changed "
                        f"since they were inferred); inferring them into the store, once")
        if self.progress is None:
            return self.infer(settings)
        with self.progress() as step:
            return self.infer(settings, progress=step)

    def _reopen_for_writing(self) -> None:
        """Reopen a read-only on-disk store for writing, or say why its stale conclusions stay."""
        from selaras.engine.errors import StoreError

        location, path = self.store.location, self.store.capabilities.directory
        if path is None:
            raise StoreError(f"the conclusions on {location} are stale — run `selaras --endpoint {location} infer` "
                             f"with an update endpoint to refresh them")
        self.store.close()
        try:
            self.store = open_store(path)
        except StoreError as err:
            self.store = open_store(path, read_only=True)
            raise StoreError(f"the conclusions in {location} are stale and the store cannot be written now ({err}) — "
                             f"run `selaras --store {location} infer` when it is free") from err

    def make_writable(self) -> None:
        """Switch a read-only store to an in-memory copy, so derived graphs can be written."""
        if self.store.read_only:
            if not self.store.capabilities.embedded:  # a SPARQL server: never pull it into memory
                from selaras.engine.errors import StoreError

                raise StoreError(f"the conclusions on {self.store.location} are stale — run "
                                 f"`selaras --endpoint {self.store.location} infer` first")
            copy = open_store()
            copy.extend(self.store.quads())
            self.store = copy

    # --- reading ------------------------------------------------------------------
    def holds_organisation(self) -> bool:
        """Tell whether any organisation was imported: the facts graph holds something (not only the ontology)."""
        return bool(self.store.query(f"ASK {{ GRAPH <{FACTS_GRAPH}> {{ ?s ?p ?o }} }}").boolean)

    def query(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> Result:
        """Run SPARQL over the whole dataset (facts, ontology and conclusions).

        >>> org = Selaras.open(example=True)
        >>> result = org.query("SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/selaras/ontology#Position> }")
        >>> result.rows[0]["n"].value
        '32'
        """
        return self.store.query(sparql, bindings=bindings)

    def run(self, name: str, **params: str) -> Result:
        """Run a named query of ``queries/`` with parameters given as strings.

        A parameter that names an entity (a position, an employee …) takes its code or its name,
        and an entity the store does not hold is an error (:mod:`selaras.engine.store.names`).
        """
        q = queries.load(name)
        return self.store.query(q.text, bindings=self._bindings(q, params))

    def _bindings(self, named: queries.NamedQuery, params: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """A named query's parameters as RDF terms, the entities they name found in this store."""
        return named.bindings(dict(params), find=lambda kind, value: names.find(self.store, kind, value))

    def records(self, name: str, **params: str) -> list[dict[str, object]]:
        """Run a named query and return its rows as plain dicts of Python values.

        Integers and decimals become ``int`` and ``float``, booleans ``bool``, everything else
        (IRIs included) ``str``; unbound values are ``None``.

        >>> org = Selaras.open(example=True)
        >>> _ = org.ensure_inferred()                 # records reads the store as it is
        >>> gap = org.records("employee-gaps", employee="E0013")[0]
        >>> gap["code"], gap["required"], gap["held"], gap["gap_status"]
        ('IMI', 2, 1, 'below')
        """
        result = self.run(name, **params)
        return [{k: python_value(v) for k, v in row.items()} for row in result.rows]

    def gaps(self, employee: str, status: str = "unmet") -> list[dict[str, object]]:
        """Return an employee's competency gaps (``status``: unmet, below, not-assessed, met, any)."""
        self.ensure_inferred()
        return self.records("employee-gaps", employee=employee, status=status)

    def moves(self, position: str) -> list[dict[str, object]]:
        """Return the career moves open from a position, with what each demands."""
        self.ensure_inferred()
        return self.records("moves-from-position", position=position)

    def unaligned(self, lacking: str = "any") -> list[dict[str, object]]:
        """Return the technical competencies no scheme certifies / no programme develops, by level."""
        self.ensure_inferred()
        return self.records("unaligned-competencies", lacking=lacking)

    def explain(self, thing: str, lang: str = "en") -> Explanation:
        """Explain a conclusion: its rule, statements and premises (see :mod:`selaras.engine.explain`).

        >>> e = Selaras.open(example=True).explain("E0013 CM")
        >>> e.rule, e.label
        ('gap', 'Siti Hakim · Competence Management')
        """
        self.ensure_inferred()
        return explain(self.store, thing, lang)

    def audit(
        self,
        settings: inference.Settings | None = None,
        *,
        checks: Sequence[str] | None = None,
        skip: Sequence[str] = (),
        fail_on: str = "error",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> AuditReport:
        """Audit the alignment: infer if the conclusions are stale, then run every check (or ``checks``).

        See :func:`selaras.engine.audit.run.run_audit` for the arguments; an unknown check id is
        an error before anything is inferred.

        >>> report = open(example=True).audit(checks=["R2-no-scheme"])
        >>> report.findings[0].check, report.exit_code()
        ('R2-no-scheme', 1)
        """
        from selaras.engine.audit import get, run_audit

        for check in [*(checks or ()), *skip]:
            get(check)
        location = self.store.location
        self.ensure_inferred(settings)
        return run_audit(self.store, settings, checks=checks, skip=skip, fail_on=fail_on, progress=progress,
                         location=location)

    def ask(self, query: str, params: Mapping[str, str] | None = None, *, lang: str = "en",
            sparql: bool = False) -> Result:
        """Answer what ``selaras query`` is given: a named query (``queries/``) or SPARQL text.

        ``query`` is a named query when it is a bare name (``employee-gaps``) and ``sparql`` is
        false. A named query takes ``params`` (its ``lang`` defaults to ``lang``); an update is refused
        (``selaras query`` only reads); a query that reads conclusions brings them up to date first.

        >>> org = open(example=True)
        >>> len(org.ask("competency-dictionary", {"group": "core"}).rows)   # the paper's four core competencies
        4
        """
        given, bindings = dict(params or {}), None
        if not sparql and re.fullmatch(r"[A-Za-z0-9_-]+", query.strip()):  # anything else is SPARQL text
            named = queries.load(query)
            if "lang" in {p.name for p in named.params} and "lang" not in given:
                given["lang"] = lang
            text, bindings = named.text, self._bindings(named, given)
        else:
            text = query
        if looks_like_update(text):
            raise SelarasError("`selaras query` only reads: this is a SPARQL update — change facts with "
                               "`selaras import FILES` (`--replace` to replace them; conclusions follow with "
                               "`selaras infer`), or send updates to `selaras serve --allow-update --token …`")
        if queries.reads_conclusions(text):
            self.ensure_inferred()  # gaps, moves, readiness … must reflect the current facts
        return self.store.query(text, bindings=bindings)

    def check(self, *, owl: bool = True, step: Callable[[str], None] | None = None) -> CheckReport:
        """Validate the facts with the SHACL shapes and, with ``owl``, the model with HermiT.

        ``step`` is told when the reasoner starts (the CLI shows it). Nothing is written.

        >>> open(example=True).check(owl=False).conforms
        True
        """
        from selaras.engine import validation

        store = validation.shapes_store(self.store)  # with current scale bounds, which the shapes read
        results = validation.shacl_report(store)
        if owl and step is not None:
            step("reasoning over the ontology and the model (OWL, HermiT)")
        return CheckReport(results, validation.owl_reasoning(store) if owl else None)

    def career(self) -> Career:
        """The career questions (``selaras career``), over the career graph of the current conclusions.

        The answer's methods are the commands: ``next``, ``paths``, ``pool``, ``plan`` and
        ``map``; each answer has ``render(fmt, lang)``. ``.graph`` is the :class:`CareerGraph`
        (positions, moves, what each demands) that ``selaras.engine.career`` ranks and routes.

        >>> career = open(example=True).career()
        >>> career.next("verifikator-pmr", limit=1).moves[0].target
        'verifikator-senior'
        >>> career.pool("verifikator-senior", min_readiness=0.9).candidates[0].readiness >= 0.9
        True
        >>> len(career.graph.positions) > 20
        True
        """
        self.ensure_inferred()
        from selaras.engine.career import Career, career_graph  # imported when asked: 0.1 s other commands save

        return Career(career_graph(self.store))

    def import_framework(self, requirements: str | Path, positions: str | Path, *, replace: bool = False,
                         min_importance: float | None = None) -> FrameworkReport:
        """Import another framework: a long requirements CSV and a positions CSV (see ``selaras career import-framework``)."""
        from selaras.engine.ingest import framework

        return framework.import_framework(self.store, Path(requirements), Path(positions), replace=replace,
                                          min_importance=min_importance)

    def export(self, to: str | Path | BinaryIO, *, fmt: str = "trig", graph: str = "all",
               pseudonymise: bool = False, key: str | None = None) -> int:
        """Write the dataset (``graph``: all, facts, ontology or inferred) as RDF; return the bytes written to a file.

        A file is written beside its name and renamed, so a failed export leaves none. With
        ``pseudonymise`` employee codes and names become keyed pseudonyms (``key``, see
        :mod:`selaras.engine.ingest.privacy`). Stale conclusions are exported as they are, with a note.

        >>> import io
        >>> out = io.BytesIO()
        >>> _ = Selaras.open(example=True).export(out, fmt="nq", graph="facts")
        >>> out.getvalue().startswith(b"<https://w3id.org/selaras/")
        True
        """
        from selaras.engine.ingest import privacy

        secret = privacy.check_key(key) if pseudonymise else None
        wanted = EXPORT_PARTS[graph]
        if graph in {"inferred", "all"} and self.holds_organisation() and not inference.is_current(self.store):
            self.notify(f"note: the conclusions in {self.store.location} are stale (the facts or settings changed since "
                        f"they were inferred) — this export holds them as they are; run `selaras infer` first for "
                        f"current ones")
        # streamed from the store to the output: an organisation's quads are never all in memory
        # (pseudonymising reads them all first: it must find every employee before renaming one)
        quads: Iterator[ox.Quad] = (q for q in self.store.quads() if wanted(getattr(q.graph_name, "value", "")))
        if secret is not None:
            quads = privacy.pseudonymise(quads, secret)
        items = quads if fmt in {"nq", "trig"} else (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        if not isinstance(to, (str, Path)):
            ox.serialize(items, to, format=RDF_FORMATS[fmt])
            to.flush()
            return 0
        output = Path(to)
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("wb") as out:
                ox.serialize(items, out, format=RDF_FORMATS[fmt])
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        return output.stat().st_size

    def overview(self) -> Overview:
        """Infer, classify, count the conclusions, audit: what ``selaras demo`` shows of an organisation."""
        from selaras.engine import validation

        report = self.infer()
        owl = validation.classify(self.store)
        conclusions = [(r["type"].value, int(r["n"].value)) for r in self.query(_CONCLUSION_COUNTS).rows]
        unaligned = [(r["c"].value, int(r["level"].value), int(r["people"].value), int(r["positions"].value))
                     for r in self.query(_UNALIGNED_BY_PEOPLE).rows]
        return Overview(report, owl, conclusions, unaligned, self.audit())

    def stats(self) -> Stats:
        """Count classes, competency groups, scale levels and scheme headcounts."""
        classes: dict[str, int] = {}
        illustrative: dict[str, int] = {}
        for row in self.run("class-counts").rows:
            name = row["class"].value.removeprefix(SEL_IRI)
            classes[name] = int(row["count"].value)
            illustrative[name] = int(row["illustrative"].value)
        groups = Counter(r["group"].value for r in self.run("competency-dictionary").rows)
        scales = self.query(
            "PREFIX sel: <%s> SELECT ?code (COUNT(?l) AS ?n) WHERE "
            "{ ?s a sel:ProficiencyScale ; sel:code ?code ; sel:hasLevel ?l } GROUP BY ?code" % SEL_IRI
        )
        schemes = [
            {"code": r["code"].value, "label": r["scheme_label"].value,
             "headcount": int(r["headcount"].value) if r["headcount"] else None,
             "certified": int(r["certified"].value), "recognised": r["recognised"].value == "true",
             "recognised_illustrative": r["recognised_illustrative"].value == "true",
             "certified_illustrative": r["certified_illustrative"].value == "true"}
            for r in self.run("scheme-headcounts").rows
        ]
        return Stats(
            classes=classes,
            illustrative=illustrative,
            competencies_by_group={g: groups.get(g, 0) for g in ("core", "leadership", "behavioral", "technical")},
            levels_by_scale={r["code"].value: int(r["n"].value) for r in scales.rows},
            schemes=schemes,
        )


def open(  # noqa: A001 - mirrors the built-in on purpose: ``selaras.open(path)``
    path: str | os.PathLike[str] | None = None, *, example: bool = False, read_only: bool = False,
    endpoint: str | None = None, update_endpoint: str | None = None,
) -> Selaras:
    """Open an organisation's store, or a SPARQL server with ``endpoint``; see :meth:`Selaras.open`."""
    return Selaras.open(path, example=example, read_only=read_only, endpoint=endpoint,
                        update_endpoint=update_endpoint)
