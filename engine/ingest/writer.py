"""Write a checked batch into the facts graph: as N-Quads text into one load, or as a delta.

A first import streams every row as N-Quads text into the store's loader (one transaction, or
the bulk loader for a large first import on disk); a later one computes what changes and
writes it in one transaction. The facts graph gets a new version tag with every change.
RDF sources pass the SHACL shapes before they are written (:func:`check_shapes`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from selaras.engine.errors import InputError, Problem
from selaras.engine.ingest import tabular
from selaras.engine.ingest.sources import FACTS, RDF_SUFFIXES, Batch, Source, Unreadable, locate_iris, source_rows
from selaras.engine.ingest.tabular import TABLES, sel
from selaras.engine.store import FACTS_GRAPH, META_GRAPH, VERSION_INFO, Dataset
from selaras.ontology.namespace import typed

#: Predicates that several rows build up; every other property of an entity is replaced
#: by a later import of the same entity.
ADDITIVE = frozenset(str(sel(p).value) for p in ("hasLevel", "certifies", "develops", "levelDescriptor"))
META = ox.NamedNode(META_GRAPH)
MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
#: Bytes of N-Quads text handed to the store's loader at a time.
CHUNK_BYTES = 1 << 20


# --- committing -----------------------------------------------------------------------
class FileChanged(Exception):
    """A CSV file changed between validating and writing it."""

    def __init__(self, source: Source) -> None:
        super().__init__(source.where)
        self.source = source


def table_text(batch: Batch, end: str = " .\n", counter: list[int] | None = None) -> Iterator[str]:
    """Yield the triples of every validated table row as N-Triples text, about a megabyte at a time.

    ``end`` closes each line: ``" .\\n"`` for N-Triples (and SPARQL), ``" <graph> .\\n"`` for
    N-Quads. A triple that several rows make (the dictionary's type) is written once;
    ``counter[0]`` is increased by the number of lines written. Raises :class:`FileChanged`
    when a CSV file no longer holds what was validated.
    """
    by_table: dict[str, list[Source]] = defaultdict(list)
    for source in batch.sources:
        by_table[source.table.file].append(source)
    shared: set[str] = set()  # lines whose subject is not the row's own node
    lines: list[str] = []
    size = written = 0
    for table in TABLES:
        linked = table.kind in tabular._LINKED_KINDS
        every = table.kind == "settings"  # all rows describe the one settings node
        for source in by_table.get(table.file, []):
            expected = source.digest
            try:
                for _line, values in source_rows(source, None):
                    triples = table.text_triples(values)
                    own = triples[1][0] if linked else triples[0][0]
                    for s, p, o in triples:
                        text = f"{s} {p} {o}{end}"
                        if every or s != own:
                            if text in shared:
                                continue
                            shared.add(text)
                        lines.append(text)
                        size += len(text)
                    if size >= CHUNK_BYTES:
                        written += len(lines)
                        yield "".join(lines)
                        lines, size = [], 0
            except Unreadable:
                raise FileChanged(source) from None
            if source.path is not None and source.digest != expected:
                raise FileChanged(source)
    written += len(lines)
    if counter is not None:
        counter[0] += written
    if lines:
        yield "".join(lines)


def build_quads(batch: Batch) -> list[ox.Quad]:
    """Turn validated table rows into quads of the facts graph (with provenance), all in memory.

    For small imports and tests; :func:`import_paths` writes :func:`table_text` instead.
    """
    return [q for chunk in table_text(batch, f" <{FACTS_GRAPH}> .\n")
            for q in ox.parse(chunk, format=ox.RdfFormat.N_QUADS)]


def nq_line(q: ox.Quad) -> str:
    return f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"



def replace_facts(store: Dataset, batch: Batch, rdf: list[ox.Quad], version: list[ox.Quad], old_version: list[ox.Quad],
             old_facts: int, replace: bool) -> tuple[int, int] | None:
    """Write over existing facts in one transaction: a SPARQL update holding the new data's text.

    Returns (facts added, facts removed), or None when the store holds exactly these facts
    already: then nothing is written and the facts' version stays, so no conclusion turns stale.
    Unlike a first import this holds the whole text in memory: removing and adding in one
    transaction needs a single update (or, on a SPARQL server, the store's own requests).
    """
    chunks = list(table_text(batch, " .\n", [0]))
    new = [ox.Quad(t.subject, t.predicate, t.object, FACTS)
           for chunk in chunks for t in ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES)]
    new = list(dict.fromkeys(new + rdf))
    if replace:
        old = set(store.quads(FACTS_GRAPH))
        remove, fresh = list(old), new
        unchanged = old == set(new)
    else:
        remove, fresh = _delta(store, new) if old_facts else ([], new)
        unchanged = not remove and not fresh
    if unchanged and old_version:  # (facts without a version, of a cut-short import, get one)
        return None
    changed = (len(fresh), len(remove))
    if not store.capabilities.embedded:  # a SPARQL server: the store sends the quads its own way
        store.replace(remove + old_version, new + version)
        return changed
    ops = []
    if replace and old_facts:
        ops.append(f"CLEAR SILENT GRAPH {FACTS}")
    deleted = ([] if replace else remove) + old_version
    if deleted:
        ops.append("DELETE DATA { " + "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
                                                for q in deleted) + " }")
    rdf_text = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in rdf)
    version_text = "".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in version)
    chunks.append(rdf_text)
    ops.append(f"INSERT DATA {{ GRAPH {FACTS} {{\n{''.join(chunks)}}}\nGRAPH {META} {{\n{version_text}}} }}")
    del chunks
    store.update(" ;\n".join(ops))
    return changed


def check_shapes(store: Dataset, batch: Batch, rdf: list[ox.Quad]) -> int:
    """Validate RDF input with the SHACL shapes, over the store's facts plus the new ones.

    Tables are checked column by column above; RDF can say anything, so the shapes decide.
    Returns how many of the tables' quads the RDF input states too.
    """
    from selaras.engine import validation
    from selaras.engine.rules import settings
    from selaras.engine.store import open_store

    candidate = open_store()
    candidate.extend(q for q in store.quads() if q.graph_name != META)
    stated, overlap = set(rdf), 0
    for chunk in table_text(batch, f" {FACTS} .\n"):
        quads = list(ox.parse(chunk, format=ox.RdfFormat.N_QUADS))
        overlap += sum(q in stated for q in quads)
        candidate.extend(quads)
    candidate.extend(rdf)
    settings.derive(candidate, ["scale-bounds"])
    errors = [r for r in validation.shacl_report(candidate) if r.severity == "error"]
    if errors:
        where = ", ".join(f for f in batch.files if Path(f).suffix.lower() in RDF_SUFFIXES)
        lines = locate_iris(where, [r.focus for r in errors])
        raise InputError(list(dict.fromkeys(  # one problem once, though several shapes report it
            Problem(where, lines.get(r.focus), (r.path or "").rsplit("#", 1)[-1] or None,
                    f"{r.focus_label} <{r.focus}>: {r.message.split('. ')[0]}",
                    r.message.split(". ", 1)[1] if ". " in r.message else "correct the data to fit the shape")
            for r in errors
        )))
    return overlap


def _delta(store: Dataset, add: Iterable[ox.Quad]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """What new facts change: the existing facts they supersede (same subject and non-additive
    predicate, another value) and those of them the store does not hold yet."""
    by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Quad]] = {}
    for q in add:
        by_subject.setdefault(q.subject, []).append(q)
    removed: list[ox.Quad] = []
    fresh: list[ox.Quad] = []
    subjects = list(by_subject)
    for i in range(0, len(subjects), _DELTA_SUBJECTS):  # (a server answers a part in one request)
        part = subjects[i: i + _DELTA_SUBJECTS]
        held: dict[object, set[ox.Quad]] = {}
        for q in store.quads_about(part, FACTS_GRAPH):
            held.setdefault(q.subject, set()).add(q)
        for s in part:
            quads, existing = by_subject[s], held.get(s, set())
            pairs = {q.predicate for q in quads if q.predicate.value not in ADDITIVE}
            news = set(quads)
            removed += [q for q in existing if q.predicate in pairs and q not in news]
            fresh += [q for q in quads if q not in existing]
    return removed, fresh


#: Subjects whose stored facts :func:`_delta` holds at a time (the memory of a re-import stays that of its input).
_DELTA_SUBJECTS = 2_000


def version_quads() -> list[ox.Quad]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return [
        ox.Quad(FACTS, VERSION_INFO, ox.Literal(uuid.uuid4().hex), META),
        ox.Quad(FACTS, MODIFIED, typed(now, "dateTime"), META),
    ]
