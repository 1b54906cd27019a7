"""Import organisation data: parse → validate → commit in one transaction, or nothing.

Sources: a folder of CSV files or single CSV files (named as in :data:`tabular.TABLES`),
an XLSX workbook (one sheet per table), Turtle, JSON-LD, RDF/XML, N-Triples.

Every problem found is collected (not just the first) and reported as
``file:row:column: what is wrong — how to fix it``; when there is any, nothing is written.
A row describes one entity; importing it again replaces what an earlier import said of that
entity's properties (so a corrected level replaces the old one), while links that several
rows build up (a scheme's certified competencies, a scale's levels) are added to.

Memory stays far below the data's size: CSV files are read twice, row by row, never whole.
The first pass validates, holding only what cross-references need (the codes of each
table, the keys seen, the few small tables checked as a whole); the second writes each row
as N-Quads text into the store's loader, in one transaction. A CSV file that changes
between the passes aborts the transaction.

The steps live apart: :mod:`.sources` reads, :mod:`.checks` validates, :mod:`.writer` commits;
:func:`import_paths` here runs them in order.
"""
from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from selaras.engine.errors import InputError, Problem
from selaras.engine.ingest.checks import validate
from selaras.engine.ingest.sources import FACTS, read_sources
from selaras.engine.ingest.writer import (
    CHUNK_BYTES, META, FileChanged, check_shapes, nq_line, replace_facts, table_text, version_quads,
)
from selaras.engine.store import FACTS_GRAPH, INTERRUPTED, VERSION_INFO, Dataset, TextReader

__all__ = ["BULK_ROWS", "FACTS", "META", "VERSION_INFO", "ImportReport", "import_paths", "read_sources", "validate"]

#: A first import of at least this many rows into an on-disk store is bulk-loaded: Oxigraph's
#: bulk loader writes sorted files straight to disk (4× faster, bounded memory) where one
#: transaction holds every quad in memory (2.4 GB and 48 s at 10,000 employees, 18 GB at 100,000).
#: It is not a transaction: the facts version goes last, and facts without one read as an
#: interrupted import. Below it (the bundled organisation has about 5,000 rows) a transaction is quicker.
BULK_ROWS = 20_000


@dataclass(frozen=True)
class ImportReport:
    """What an import committed."""

    files: tuple[str, ...]
    rows: int
    added: int
    removed: int
    #: False when the store already held exactly this: nothing was written, the facts' version stayed
    changed: bool = True



def import_paths(store: Dataset, paths: Sequence[str | Path], *, replace: bool = False) -> ImportReport:
    """Import sources into the store's facts graph in one transaction.

    Args:
        store: the store to write.
        paths: files and folders to read.
        replace: drop all existing facts first (in the same transaction).

    Raises:
        InputError: any problem in any source; nothing was written.
    """
    batch = read_sources(paths)
    # a file that could not be read at all would make every reference to it look unknown:
    # report such problems alone; row-level problems are reported with the validation's
    if any(p.row is None or p.row == 1 for p in batch.problems):
        raise InputError(batch.problems)
    check_store = store
    if replace:
        from selaras.engine.store import open_store

        check_store = open_store()  # references resolve against the new data alone
        check_store.extend(q for q in store.quads() if q.graph_name not in (FACTS, META))
    problems = validate(batch, check_store)
    read = batch.problems
    if any(p.row is None or p.row == 1 for p in read):
        raise InputError(read)
    if problems:
        raise InputError(problems)
    rdf = list(dict.fromkeys(batch.rdf))
    overlap = 0
    if rdf:
        overlap = check_shapes(check_store, batch, rdf)
    version = version_quads()
    old_version = list(store.match(FACTS, None, None, META))
    old_facts = store.count(FACTS_GRAPH)
    if old_facts and not old_version and not replace:
        raise InputError(Problem(store.location, None, None, INTERRUPTED, "import again with --replace"))
    counter = [0]
    bulk = False
    if batch.rows == 0 and not rdf and not replace:
        return ImportReport(tuple(batch.files), 0, 0, 0, changed=False)  # headers only: nothing to say
    try:
        embedded = store.embedded()
        if old_facts == 0 and not old_version and embedded is not None:
            # nothing to replace: stream the text into the loader (one transaction), or for a
            # large first import on disk into the bulk loader, with the version written after it
            bulk = store.capabilities.on_disk and batch.rows >= BULK_ROWS
            facts_end = f" {FACTS} .\n"
            reader = TextReader(itertools.chain(table_text(batch, facts_end, counter),
                                             ["".join(nq_line(q) for q in [*rdf, *([] if bulk else version)])]))
            try:
                embedded.load(io.BufferedReader(reader, CHUNK_BYTES), "nq", trusted=True, bulk=bulk)
            except (OSError, SyntaxError, ValueError):
                if reader.error is not None:
                    raise reader.error from None
                raise
            if bulk:
                store.extend(version)
            report = ImportReport(tuple(batch.files), batch.rows, counter[0] - overlap + len(rdf), 0)
        else:
            delta = replace_facts(store, batch, rdf, version, old_version, old_facts, replace)
            if delta is None:
                return ImportReport(tuple(batch.files), batch.rows, 0, 0, changed=False)
            report = ImportReport(tuple(batch.files), batch.rows, *delta)
    except FileChanged as err:
        raise InputError([Problem(err.source.where, None, None,
                                  "the file changed while it was being imported",
                                  "import it again once nothing writes to it")]) from None
    if bulk:  # the bulk loader's files come out compacted, and no large transaction has a log to drop
        store.flush()
    else:
        store.compact()  # on disk: let go of the write-ahead log of the import's transaction
    return report
