"""The Python API: open an organisation's store, import, infer, and read answers as records.

>>> import selaras
>>> org = selaras.open(example=True)          # the bundled example organisation, in memory
>>> org.stats().competencies_by_group["technical"]
67
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from selaras import queries
from selaras.engine import career, importer, inference, names
from selaras.engine.explain import Explanation, explain
from selaras.engine.store import FACTS_GRAPH, ONTOLOGY_GRAPH, Result, Store, open_store
from selaras.ontology import EXAMPLE_DIR, ONTOLOGY_FILES
from selaras.ontology.namespace import SEL_IRI

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


class Selaras:
    """One organisation's knowledge graph: a store plus the operations on it."""

    def __init__(self, store: Store) -> None:
        self.store = store
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
        :mod:`selaras.engine.remote`); ``path`` is then ignored.

        The ontology is (re)loaded into its graph whenever the store is writable, so a store
        always carries the ontology of the installed Selaras.
        """
        if endpoint:
            from selaras.engine.remote import RemoteStore

            org = cls(RemoteStore(endpoint, update_endpoint, read_only=read_only))  # type: ignore[arg-type]
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
        tag = ox.Quad(graph, importer.VERSION_INFO, ox.Literal(digest), importer.META)
        old_tags = list(self.store.match(graph, importer.VERSION_INFO, None, importer.META))
        if old_tags == [tag]:
            return
        quads = [tag]
        for f in ONTOLOGY_FILES:
            quads += [ox.Quad(q.subject, q.predicate, q.object, graph)
                      for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
        # one transaction; the old graph is dropped, not listed (DELETE DATA takes no blank nodes)
        self.store.replace_graph(ONTOLOGY_GRAPH, quads, also_remove=old_tags)

    def import_paths(self, paths: Sequence[str | Path], *, replace: bool = False) -> importer.ImportReport:
        """Import files and folders (see the README's import format); all or nothing."""
        return importer.import_paths(self.store, paths, replace=replace)

    def infer(self, settings: inference.Settings | None = None, **kwargs: object) -> inference.InferenceReport:
        """Run every rule into its own graph (see :func:`selaras.engine.inference.infer`).

        On disk, what the career graph is built from is then kept beside the store
        (:func:`selaras.engine.career.graph_inputs`), so that the first ``selaras career``
        command after an inference answers as fast as the next ones.
        """
        report = inference.infer(self.store, settings, **kwargs)  # type: ignore[arg-type]
        if isinstance(self.store, Store) and self.store.path is not None and not kwargs.get("only"):
            career.graph_inputs(self.store)
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

        location = self.store.location
        if not isinstance(self.store, Store) or self.store.path is None:
            raise StoreError(f"the conclusions on {location} are stale — run `selaras --endpoint {location} infer` "
                             f"with an update endpoint to refresh them")
        path = self.store.path
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
            if not isinstance(self.store, Store):  # a SPARQL server: never pull it into memory
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
        """Run SPARQL over the whole dataset (facts, ontology and conclusions)."""
        return self.store.query(sparql, bindings=bindings)

    def run(self, name: str, **params: str) -> Result:
        """Run a named query of ``queries/`` with parameters given as strings.

        A parameter that names an entity (a position, an employee …) takes its code or its name,
        and an entity the store does not hold is an error (:mod:`selaras.engine.names`).
        """
        q = queries.load(name)
        return self.store.query(q.text, bindings=q.bindings(params, find=lambda kind, value: names.find(
            self.store, kind, value)))

    def records(self, name: str, **params: str) -> list[dict[str, object]]:
        """Run a named query and return its rows as plain dicts of Python values.

        Integers and decimals become ``int`` and ``float``, booleans ``bool``, everything else
        (IRIs included) ``str``; unbound values are ``None``.
        """
        result = self.run(name, **params)
        return [{k: _python(v) for k, v in row.items()} for row in result.rows]

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
        """Explain a conclusion: its rule, statements and premises (see :mod:`selaras.engine.explain`)."""
        self.ensure_inferred()
        return explain(self.store, thing, lang)

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


def _python(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind in {"integer", "int", "long", "nonNegativeInteger"}:
            return int(term.value)
        if kind in {"decimal", "double", "float"}:
            return float(term.value)
        if kind == "boolean":
            return term.value == "true"
        return term.value
    return term.value  # type: ignore[attr-defined]


def open(  # noqa: A001 - mirrors the built-in on purpose: ``selaras.open(path)``
    path: str | os.PathLike[str] | None = None, *, example: bool = False, read_only: bool = False,
    endpoint: str | None = None, update_endpoint: str | None = None,
) -> Selaras:
    """Open an organisation's store, or a SPARQL server with ``endpoint``; see :meth:`Selaras.open`."""
    return Selaras.open(path, example=example, read_only=read_only, endpoint=endpoint,
                        update_endpoint=update_endpoint)
