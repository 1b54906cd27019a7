"""The embedded store: Oxigraph (``pyoxigraph``) on disk at a directory, or in memory for tests.

Every write is one Oxigraph transaction, so a write either lands whole or not at all. Opening,
locking, read-only opening, the bulk loader and the next generation of an on-disk store live
here; the named graphs in :mod:`.base`, the protocol in :mod:`.dataset`.

>>> store = open_store()                  # in memory
>>> store.update('INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> 1 } }')
>>> store.query('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }').rows[0]["n"].value
'1'
"""


from __future__ import annotations

import ctypes
import errno
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, TypedDict, cast

import pyoxigraph as ox

from selaras.engine.errors import QueryError, StoreError, StoreInUseError
from selaras.engine.sparql import bind_values, syntax_error
from selaras.engine.store.base import (
    FACTS_GRAPH, INFERRED_PREFIX, META_GRAPH, RDF_FORMATS, VERSION_INFO, Capabilities, Result,
)
from selaras.engine.types import Term

def exists(path: str | os.PathLike[str]) -> bool:
    """Tell whether a directory holds an on-disk store (RocksDB's ``CURRENT`` file is there)."""
    return (Path(path) / "CURRENT").exists()


def state_of(store: ox.Store) -> str:
    """The version of what a store holds: its facts' version and its conclusions' tag, in one word.

    What a served store reports in its answers (``X-Selaras-Version``); empty for a store that
    has no facts yet. Read from the bookkeeping graph, so it costs two index lookups.
    """
    found = {q.subject.value: q.object.value for q in store.quads_for_pattern(
        None, VERSION_INFO, None, ox.NamedNode(META_GRAPH))
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}
    facts = found.get(FACTS_GRAPH, "")
    conclusions = found.get(INFERRED_PREFIX.rstrip("/"), "")
    if not facts and not conclusions:
        return ""
    import hashlib

    inferred = hashlib.sha256(conclusions.encode()).hexdigest()[:12] if conclusions else "none"
    return f"{facts[:12] or 'none'}-{inferred}"


def published_state(path: Path) -> Path:
    """The file beside an on-disk store that says which state its last writer left (:func:`state_of`).

    Written when a writer closes the store, after everything it wrote is committed; a served
    store follows it (:mod:`selaras.engine.serve.endpoint`). A killed writer leaves it as it was.
    """
    return path.with_name(path.name + ".state")



#: Files of Selaras's own N-Quads below this size (about 10,000 quads) are written in one
#: transaction, larger ones by the bulk loader: its fixed setup (about 50 ms) costs what a
#: transaction of this size does, and per quad it is twice as fast (bundled organisation,
#: first inference on disk: 2.4 s with 16 MB here, 1.7 s with 2 MB).
SMALL_WRITE_BYTES = 2 << 20

#: A large file of lines (N-Triples, N-Quads) without blank nodes is bulk-loaded in parts of
#: about this size, cut at line ends, one loader call each: a call holds up to a million quads
#: in memory before it writes them out (1.3 GB for the 1.57 million triples of the gap graph at
#: 10,000 employees), a part of 32 MB about 230,000 (0.3 GB). Blank nodes keep one call: the
#: loader names them afresh in every call.
LOAD_PART_BYTES = 32 << 20



class _ToGraph(TypedDict, total=False):
    """The graph a load puts triples in, when one is given (pyoxigraph's ``to_graph``)."""

    to_graph: ox.NamedNode


class TextReader(io.RawIOBase):
    """A binary stream over text chunks, for the store's loader; remembers what stopped it."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self.chunks = iter(chunks)
        self.buffer = b""
        self.at = 0
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, out: memoryview) -> int:  # type: ignore[override]  # (BufferedReader passes a memoryview)
        while self.at >= len(self.buffer):
            try:
                chunk = next(self.chunks, None)
            except BaseException as err:
                self.error = err
                raise
            if chunk is None:
                return 0
            self.buffer, self.at = chunk.encode("utf-8"), 0
        n = min(len(out), len(self.buffer) - self.at)
        out[:n] = self.buffer[self.at:self.at + n]
        self.at += n
        return n


class Store:
    """An embedded Oxigraph dataset: on disk at ``path``, or in memory when ``path`` is None.

    Args:
        path: the store directory; created when missing. ``None`` keeps everything in memory.
        read_only: open an existing on-disk store for reading only; other processes may
            read at the same time, and a writer may hold it.

    Raises:
        StoreInUseError: another process has the store open for writing.
        StoreError: the directory exists but is not a store, or cannot be read.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
                 writer_lock: bool = True):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self._writer: IO[bytes] | None = None
        #: files being bulk-loaded by the background writer (see load_file(behind=True)), by graph
        self._behind: dict[str | None, list[Future[None]]] = {}
        self._background: ThreadPoolExecutor | None = None
        try:
            if self.path is None:
                self._ox = ox.Store()
            elif read_only:
                if not exists(self.path):
                    raise StoreError(
                        f"{self.path}: no Selaras store here — run `selaras init` "
                        f"(or `selaras import …`) first, or pass --store PATH"
                    )
                self._ox = open_read_only(self.path)
            else:
                self._writer = _writer_lock(self.path) if writer_lock else None
                parked = self.path.with_name(self.path.name + ".previous")
                if not self.path.exists() and parked.exists():  # a swap of generations was cut short
                    os.rename(parked, self.path)
                self.path.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(self.path))
        except OSError as err:
            self._release_writer()
            if "lock" in str(err).lower():
                raise StoreInUseError(
                    f"{self.path}: the store is in use by another Selaras process "
                    f"(its write lock is held) — wait for that command to finish and try again"
                ) from err
            raise StoreError(
                f"{self.path}: cannot open the store ({err}) — check the path, "
                f"or start afresh with `selaras init --store NEW_PATH`"
            ) from err

    @property
    def location(self) -> str:
        """Say where the data lives, in words."""
        return "memory" if self.path is None else str(self.path)

    @property
    def capabilities(self) -> Capabilities:
        """Embedded, and on disk when it has a path (see :class:`Capabilities`)."""
        return Capabilities(embedded=True, directory=self.path)

    def embedded(self) -> Store:
        """This store, for what only the embedded store does (see :meth:`Dataset.embedded`)."""
        return self

    # --- reading ------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[str] | None = None,
    ) -> Result:
        """Run a SPARQL query; the default graph is the union of all graphs unless given.

        Args:
            sparql: the query text.
            bindings: values for variables, as RDF terms (written as a VALUES block, never pasted as text).
            default_graphs: IRIs of the graphs that form the default graph.

        Raises:
            QueryError: the query is malformed or cannot be evaluated.
        """
        kwargs: dict[str, Any] = {}
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if bindings:
            sparql = bind_values(sparql, bindings)
        try:
            raw = self._ox.query(sparql, **kwargs)
            return _to_result(raw)
        except SyntaxError as err:
            raise QueryError(f"{syntax_error(sparql, str(err))}\n— fix the query text") from err
        except (OSError, ValueError) as err:
            raise QueryError(f"the query failed: {err} — check the query") from err
        except RuntimeError as err:  # storage errors, e.g. a file a writer's compaction removed mid-read
            raise StoreError(f"{self.location}: the store could not be read ({err}) — if another Selaras "
                             f"process was writing it, run the command again") from err

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate over the quads of one named graph, or of the whole dataset."""
        g = ox.NamedNode(graph) if graph else None
        return iter(self._ox.quads_for_pattern(None, None, None, g))

    def match(self, s: ox.NamedNode | ox.BlankNode | None, p: ox.NamedNode | None, o: Term | None,
              g: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """Iterate over the quads matching a pattern (None matches anything)."""
        return iter(self._ox.quads_for_pattern(s, p, o, g))

    def quads_about(self, subjects: Sequence[ox.NamedNode | ox.BlankNode | ox.Triple], graph: str) -> Iterator[ox.Quad]:
        """Iterate over the quads of one named graph whose subject is one of ``subjects``."""
        g = ox.NamedNode(graph)
        return (q for s in subjects for q in self._ox.quads_for_pattern(s, None, None, g))

    def graph_names(self) -> list[str]:
        """List the named graphs that hold data."""
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        """Count the quads of one named graph, or of the whole dataset."""
        if graph is None:
            return len(self._ox)
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(cast(ox.QuerySolutions, self._ox.query(q))))["n"].value)

    def query_text(self, sparql: str, *, default_graphs: Sequence[str] | None = None) -> str:
        """Run a SELECT and return its results as SPARQL TSV text, for reading many rows fast.

        Terms are in N-Triples syntax (numbers and booleans abbreviated, as TSV allows);
        no Python object is made per term.

        >>> open_store().query_text('SELECT ?x WHERE { VALUES ?x { <urn:a> 1 } }')
        '?x\\n<urn:a>\\n1\\n'
        """
        kwargs: dict[str, Any] = {}
        if default_graphs is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        try:
            raw = self._ox.query(sparql, **kwargs)
        except SyntaxError as err:
            raise QueryError(f"{syntax_error(sparql, str(err))}\n— fix the query text") from err
        if not isinstance(raw, ox.QuerySolutions):
            raise QueryError("query_text runs SELECT queries only — use query() for CONSTRUCT and ASK")
        return cast(bytes, raw.serialize(format=ox.QueryResultsFormat.TSV)).decode("utf-8")  # no output: the bytes

    def dump(self, fmt: str = "nq", graph: str | None = None) -> bytes:
        """Serialise the dataset (quad formats) or one graph (any format) to bytes."""
        rdf_format = RDF_FORMATS[fmt]
        # (given no output, pyoxigraph returns the bytes)
        if graph is not None:
            return cast(bytes, self._ox.dump(format=rdf_format, from_graph=ox.NamedNode(graph)))
        if fmt in {"nq", "trig"}:
            return cast(bytes, self._ox.dump(format=rdf_format))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in self._ox]
        return cast(bytes, ox.serialize(triples, format=rdf_format))

    # --- writing (each call is one transaction) -----------------------------------
    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction.

        Raises:
            QueryError: the update is malformed or failed; nothing was written.
        """
        self._check_writable()
        try:
            self._ox.update(sparql)
        except SyntaxError as err:
            raise QueryError(f"malformed SPARQL update: {err} — fix the update text") from err
        except (OSError, ValueError) as err:
            raise QueryError(f"the update failed: {err} — nothing was written") from err

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._check_writable()
        self._ox.extend(quads)

    def load(self, data: bytes | IO[bytes], fmt: str = "nq", *, trusted: bool = False, bulk: bool = False,
             to_graph: str | None = None) -> None:
        """Add the quads of an RDF document (N-Quads unless told) in one transaction.

        Parsing text in the store is several times faster than making a Python object
        per quad, which is what bulk writers (the rules' fast path) need. ``trusted`` text,
        written by Selaras from terms it read from the store, skips the parser's IRI and
        literal validation (Oxigraph's ``lenient`` mode, about 30% faster); never pass it
        for user input. ``data`` may be a binary stream, read piece by piece (the
        transaction is still one). ``bulk`` uses Oxigraph's bulk loader instead: much faster
        and bounded in memory on disk, but not a transaction (a crash leaves part of the data).
        Triples (``nt``, ``ttl``) go into ``to_graph`` when it is given, else the default graph.
        """
        self._check_writable()
        graph: _ToGraph = {"to_graph": ox.NamedNode(to_graph)} if to_graph else {}
        if bulk:
            self._ox.bulk_load(data, format=RDF_FORMATS[fmt], lenient=trusted, **graph)
        else:
            self._ox.load(data, format=RDF_FORMATS[fmt], lenient=trusted, **graph)

    def construct_into(self, graph: str, construct: str, default_graphs: Sequence[str], *,
                       source: Store | None = None) -> None:
        """Make ``graph`` hold what a CONSTRUCT query concludes over ``default_graphs``, written as a file.

        What ``DROP GRAPH g ; INSERT { GRAPH g {…} } USING … WHERE {…}`` does, for an on-disk
        store: its transaction would hold every new quad in memory until it commits. Not one
        transaction: for rebuildable graphs only (inference drops its version marker first).
        A large result is loaded behind (see :meth:`load_file`): :meth:`settle` the graph before
        reading it. ``source``: a store holding the same ``default_graphs`` (a copy in memory,
        quicker to read) to evaluate the query on.
        """
        self._check_writable()
        self.settle([graph] if source is not None else [graph, *default_graphs])
        self._ox.update(f"DROP SILENT GRAPH <{graph}>")
        found = (source or self)._ox.query(construct, default_graph=[ox.NamedNode(g) for g in default_graphs])
        result = cast(ox.QueryTriples, found)  # a CONSTRUCT's
        text = scratch_file()
        try:
            result.serialize(text, format=ox.RdfFormat.N_TRIPLES)
        except BaseException:
            text.close()
            raise
        self.load_file(text, "nt", to_graph=graph, behind=True)

    def load_file(self, text: IO[bytes], fmt: str = "nq", *, to_graph: str | None = None,
                  behind: bool = False) -> None:
        """Add the quads of a file that Selaras wrote (read from its start; its position is where it ends).

        A small file (below :data:`SMALL_WRITE_BYTES`) goes in as one transaction, which is quick;
        a large one through Oxigraph's bulk loader, which holds no transaction and keeps the
        write-ahead log small but costs a fixed setup on every call, in parts of
        :data:`LOAD_PART_BYTES` (its memory grows with a call's quads) unless the file mentions
        a blank node. Not one transaction for a large file: for rebuildable data only.

        With ``behind`` (inference), a large file on disk is bulk-loaded by a background thread
        while the caller goes on (Oxigraph's loader runs without Python's lock, so the next
        rule is computed meanwhile on the other core); the store owns and closes ``text``.
        :meth:`settle` waits for it; every reader of that graph must settle it first.
        """
        self._check_writable()
        size = text.tell()
        text.seek(0)
        graph: _ToGraph = {"to_graph": ox.NamedNode(to_graph)} if to_graph else {}
        if self.path is None or size < SMALL_WRITE_BYTES:
            try:
                self._ox.load(format=RDF_FORMATS[fmt], lenient=True, **graph, **_source(text))
            finally:
                if behind:
                    text.close()
        elif not behind:
            self._bulk_load(text, fmt, graph)
        else:
            def load() -> None:
                with text:
                    self._bulk_load(text, fmt, graph)
            if self._background is None:
                self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="selaras-writer")
            self._behind.setdefault(to_graph, []).append(self._background.submit(load))

    def _bulk_load(self, text: IO[bytes], fmt: str, graph: _ToGraph) -> None:
        """Bulk-load a file Selaras wrote: in parts of :data:`LOAD_PART_BYTES` when it can be cut."""
        parts = _line_parts(text, LOAD_PART_BYTES) if fmt in ("nt", "nq") else None
        if parts is None:
            text.seek(0)
            self._ox.bulk_load(format=RDF_FORMATS[fmt], lenient=True, **graph, **_source(text))
            return
        for part in parts:
            self._ox.bulk_load(part, format=RDF_FORMATS[fmt], lenient=True, **graph)

    def constructs_rules(self) -> bool:
        """Tell whether inference writes a rule's graph with :meth:`construct_into` rather than one update.

        On disk: an update's transaction would hold every new quad in memory until it commits.
        """
        return self.path is not None

    def evaluates_apart(self, rule_id: str) -> bool:  # noqa: ARG002  (RemoteStore's signature)
        """Tell whether a rule must be evaluated apart from the store: never here (see RemoteStore)."""
        return False

    def settle(self, graphs: Iterable[str | None] | None = None) -> None:
        """Wait until the files loading behind (:meth:`load_file`) into ``graphs`` (None: all) are in.

        Raises the first error a background load met.
        """
        wanted = list(self._behind) if graphs is None else [g for g in graphs if g in self._behind]
        errors = []
        for g in wanted:
            for future in self._behind.pop(g, []):
                try:
                    future.result()
                except BaseException as err:  # noqa: BLE001  (re-raised below, after every wait)
                    errors.append(err)
        if errors:
            raise errors[0]

    # --- generations (rebuilding an on-disk store beside itself) ----------------------
    def copy_graphs(self, keep_graph: Callable[[str], bool]) -> Store:
        """Return a store in memory holding the named graphs that ``keep_graph`` accepts, whole."""
        copy = Store()
        for graph in self._ox.named_graphs():
            if isinstance(graph, ox.NamedNode) and keep_graph(graph.value):
                with scratch_file() as text:
                    self._dump_graph(graph, text, copy)
        return copy

    def _dump_graph(self, graph: ox.NamedNode, text: IO[bytes], mirror: Store | None = None) -> None:
        """Write one named graph to ``text`` as N-Triples (left positioned at its end); ``mirror`` loads it too."""
        self._ox.dump(text, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        if mirror is not None:
            end = text.tell()
            text.seek(0)
            mirror._ox.load(format=ox.RdfFormat.N_TRIPLES, to_graph=graph, lenient=True, **_source(text))
            text.seek(end)

    def next_generation(self, keep_graph: Callable[[str], bool], extra: Callable[[Store], Iterable[ox.Quad]],
                        *, mirror: Store | None = None) -> Store:
        """Start the next generation of an on-disk store: a new store beside it, bulk-loaded.

        The new store (``<path>.next``, any leftover of a cut-short run removed first) holds
        the named graphs that ``keep_graph`` accepts, whole, and the quads that ``extra`` picks
        from this store (e.g. some bookkeeping). It is written with Oxigraph's
        bulk loader: no transaction holds the data, no write-ahead log grows with it, and the
        files come out compacted. Fill it, then :meth:`adopt` it; until then this store is
        untouched, so a run killed half-way leaves the store as it was. ``mirror`` (a store in
        memory) gets the kept graphs too, from the same files: a copy that is quicker to read.
        With a mirror, the new store's graphs are loaded behind (see :meth:`load_file`): read
        them from the mirror, or :meth:`settle` them first.
        """
        if self.path is None:
            raise StoreError("only an on-disk store has generations — infer an in-memory store in place")
        self._check_writable()
        target = self.path.with_name(self.path.name + ".next")
        shutil.rmtree(target, ignore_errors=True)
        new = Store(target, writer_lock=False)  # this store's writer lock covers it
        for graph in self._ox.named_graphs():
            if isinstance(graph, ox.NamedNode) and keep_graph(graph.value):
                text = scratch_file(self.path.parent)
                try:
                    self._dump_graph(graph, text, mirror)
                except BaseException:
                    text.close()
                    raise
                # with a mirror to read, the load goes on behind (the store then owns the file)
                new.load_file(text, "nt", to_graph=graph.value, behind=mirror is not None)
                if mirror is None:
                    text.close()
        new._ox.extend(extra(self))
        return new

    def adopt(self, new: Store) -> None:
        """Make a finished next generation this store: swap the two directories, drop the old one.

        The swap is one atomic ``renameat2(RENAME_EXCHANGE)`` on Linux: a process that opens the
        store sees the old generation or the new one, never neither. This store then reopens
        at its path, on the new generation. Its writer lock (``<path>.lock``, beside the store,
        held from open to close) keeps every other Selaras writer out meanwhile.
        """
        assert self.path is not None and new.path is not None
        new.close()
        self.flush()
        del self._ox  # RocksDB writes by path: the old generation is closed before its folder moves
        _exchange(self.path, new.path)
        try:
            self._ox = ox.Store(str(self.path))
        except OSError as err:
            raise StoreInUseError(f"{self.path}: the new conclusions are in place, but another Selaras process "
                                  f"opened the store before this one could reopen it ({err}) — run the "
                                  f"command again once it has finished") from err
        finally:
            shutil.rmtree(new.path, ignore_errors=True)

    def replace(self, remove: Sequence[ox.Quad], add: Sequence[ox.Quad]) -> None:
        """Remove some quads and add others in one transaction (all or nothing)."""
        self._check_writable()
        if not remove:
            self._ox.extend(add)
            return
        text = (
            f"DELETE DATA {{ {_quads_text(remove)} }} ;\nINSERT DATA {{ {_quads_text(add)} }}"
            if add
            else f"DELETE DATA {{ {_quads_text(remove)} }}"
        )
        self._ox.update(text)

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad], *, also_remove: Sequence[ox.Quad] = ()) -> None:
        """Make a named graph hold exactly the given quads (which may be in other graphs too), in one transaction.

        ``also_remove`` lists quads of other graphs to remove in the same transaction.
        """
        self._check_writable()
        quads = list(quads)
        text = f"DROP SILENT GRAPH <{graph}>"
        if also_remove:
            text += f" ;\nDELETE DATA {{ {_quads_text(also_remove)} }}"
        if quads:
            text += f" ;\nINSERT DATA {{ {_quads_text(quads)} }}"
        self._ox.update(text)

    def compact(self, *, full: bool = True) -> None:
        """After a large write on disk: compact the files and let go of the write-ahead log.

        RocksDB keeps the log of every transaction until the store is next opened, which
        replays and removes it; reopening here does that at once, so the folder holds the
        data and not a second copy of it. ``full=False`` only flushes and reopens (no
        compaction: for a small write). A no-op in memory.
        """
        if self.path is None or self.read_only:
            return
        self.flush()
        if full:
            self._ox.optimize()
        del self._ox  # the writer lock beside the store stays held
        self._ox = ox.Store(str(self.path))

    def flush(self) -> None:
        """Write buffered data to disk (no-op in memory), the files loading behind first."""
        self.settle()
        if self.path is not None and not self.read_only:
            self._ox.flush()

    def close(self) -> None:
        """Flush and release the store (and its write lock); a writer publishes the state it leaves."""
        try:
            self.flush()
        finally:
            if self._background is not None:
                self._background.shutdown(wait=True)
                self._background = None
        if self.path is not None and self._writer is not None:  # the writer (not a generation being built)
            try:
                mark = published_state(self.path)
                partial = mark.with_name(f"{mark.name}.{os.getpid()}.tmp")
                partial.write_text(state_of(self._ox) + "\n", encoding="utf-8")
                partial.replace(mark)  # whole or not at all
            except OSError:
                pass  # a read-only folder: no served store can follow it, nothing else changes
        del self._ox
        self._release_writer()

    def _release_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()  # closing the file releases its lock
            self._writer = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.location}: the store was opened read-only — "
                f"run the command that writes without --read-only"
            )


def remove_store(path: Path) -> None:
    """Delete an on-disk store: its folder, a leftover next generation and its writer lock file.

    For a store a failed command has just created, so that nothing is left behind.
    """
    for leftover in (path, path.with_name(path.name + ".next")):
        shutil.rmtree(leftover, ignore_errors=True)
    path.with_name(path.name + ".lock").unlink(missing_ok=True)
    published_state(path).unlink(missing_ok=True)


def _writer_lock(path: Path) -> IO[bytes]:
    """Take the store's writer lock: an exclusive ``flock`` on ``<path>.lock`` beside it.

    RocksDB's own lock lives inside the store's folder, which inference swaps for a new
    generation; this one stays put, so one writer at a time holds the store across the swap.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path.with_name(path.name + ".lock"), "ab")  # noqa: SIM115 - held until close()
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreInUseError(f"{path}: the store is in use by another Selaras process (its write lock is held) "
                              f"— wait for that command to finish and try again") from None
    return handle


#: How often a read-only open is tried while a writer replaces the store's files under it.
READ_ONLY_ATTEMPTS = 5


def open_read_only(path: Path) -> ox.Store:
    """Open a read-only view of an on-disk store, retrying while a writer's compaction moves files.

    A reader opens the files that the store's manifest lists; a writer compacting at that
    moment may delete one of them ("IO error: No such file … .sst"). The next attempt reads
    the new manifest.
    """
    import time

    for attempt in range(1, READ_ONLY_ATTEMPTS + 1):
        try:
            return ox.Store.read_only(str(path))
        except RuntimeError as err:
            if "no such file" not in str(err).lower() or attempt == READ_ONLY_ATTEMPTS:
                raise StoreError(f"{path}: cannot open the store for reading ({err}) — if another Selaras "
                                 f"process is writing it, run the command again") from err
            time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically (Linux ``renameat2``); elsewhere by two renames."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        renameat2 = None
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # else the file system cannot exchange
            raise StoreError(f"{a}: cannot swap in the new generation ({os.strerror(code)}) — "
                             f"the store is unchanged; check the folder's permissions and try again")
    parked = a.with_name(a.name + ".previous")
    shutil.rmtree(parked, ignore_errors=True)
    os.rename(a, parked)
    os.rename(b, a)
    os.rename(parked, b)


def scratch_file(directory: Path | None = None) -> IO[bytes]:
    """A temporary file for text a store will load (see :meth:`Store.load_file`), gone when closed.

    Anonymous (nothing is left behind if the process is killed), and read by Oxigraph through
    its path under ``/proc/self/fd`` where Linux offers one (:func:`_source`): a file object is
    read through Python, a chunk at a time, each waiting for the interpreter's lock. With
    another thread computing in pure Python meanwhile (as the rules do during a load behind),
    the bulk load of 948,000 triples took 488 s from a file object and 7.6 s from its path
    (8.3 s alone).
    """
    return tempfile.TemporaryFile(dir=directory)  # noqa: SIM115  (the caller owns and closes it)


def _line_parts(text: IO[bytes], size: int) -> Iterator[bytes] | None:
    """The parts of a file of lines, each of about ``size`` bytes up to a line's end; None when
    the file mentions a blank node (``_:`` anywhere, literals included: when in doubt, one part).

    >>> import io
    >>> list(_line_parts(io.BytesIO(b"<a> <b> <c> .\\n<d> <e> <f> .\\n"), 5))
    [b'<a> <b> <c> .\\n', b'<d> <e> <f> .\\n']
    >>> _line_parts(io.BytesIO(b"_:x <b> <c> .\\n"), 5) is None
    True
    """
    text.seek(0)
    last = b""
    while chunk := text.read(size):
        if b"_:" in chunk or (last == b"_" and chunk[:1] == b":"):
            return None
        last = chunk[-1:]

    def parts() -> Iterator[bytes]:
        text.seek(0)
        while part := text.read(size):
            yield part + text.readline()
    return parts()


def _source(text: IO[bytes]) -> dict[str, Any]:
    """How Oxigraph should read ``text`` (written, and positioned at 0): by a path when it has one."""
    name = getattr(text, "name", None)
    path = f"/proc/self/fd/{name}" if isinstance(name, int) else name
    if isinstance(path, str) and os.path.isfile(path):
        text.flush()
        return {"path": path}
    return {"input": text}


def _quads_text(quads: Iterable[ox.Quad]) -> str:
    return "\n".join(
        f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
        if isinstance(q.graph_name, ox.NamedNode)
        else f"{q.subject} {q.predicate} {q.object} ."
        for q in quads
    )


def _to_result(raw: Any) -> Result:
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = [{v: sol[v] for v in variables} for sol in raw]
        return Result("select", variables=variables, rows=rows)
    if isinstance(raw, ox.QueryTriples):
        return Result("graph", triples=list(raw))
    return Result("ask", boolean=bool(raw))


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
    """Open the embedded store at ``path`` (``None``: in memory).

    >>> open_store().location
    'memory'
    """
    return Store(path, read_only=read_only)
