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
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import json
import re
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pyoxigraph as ox

from selaras.engine.errors import InputError, Problem
from selaras.engine.ingest import tabular
from selaras.engine.ingest.tabular import TABLES, TABLES_BY_FILE, TABLES_BY_SHEET, Table, sel
from selaras.engine.store import FACTS_GRAPH, INTERRUPTED, META_GRAPH, VERSION_INFO, Dataset, TextReader
from selaras.ontology.namespace import DATA_IRI, typed

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

#: Files larger than this are refused before they are read (bytes).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Predicates that several rows build up; every other property of an entity is replaced
#: by a later import of the same entity.
ADDITIVE = frozenset(str(sel(p).value) for p in ("hasLevel", "certifies", "develops", "levelDescriptor"))
RDF_SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
FACTS = ox.NamedNode(FACTS_GRAPH)
#: A first import of at least this many rows into an on-disk store is bulk-loaded: Oxigraph's
#: bulk loader writes sorted files straight to disk (4× faster, bounded memory) where one
#: transaction holds every quad in memory (2.4 GB and 48 s at 10,000 employees, 18 GB at 100,000).
#: It is not a transaction: the facts version goes last, and facts without one read as an
#: interrupted import. Below it (the bundled organisation has about 5,000 rows) a transaction is quicker.
BULK_ROWS = 20_000
META = ox.NamedNode(META_GRAPH)
MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
#: Tables whose rows are kept after the first pass: validation looks at them as a whole
#: (settings, scales' ranks, hierarchies). Every other table is only streamed.
KEPT = frozenset({"settings.csv", "levels.csv", "competencies.csv", "positions.csv", "units.csv",
                  "position_history.csv"})
#: Bytes of N-Quads text handed to the store's loader at a time.
CHUNK_BYTES = 1 << 20


@dataclass
class ParsedRow:
    """One data row: where it came from and its parsed values."""

    file: str
    line: int
    values: dict[str, object]


@dataclass
class Source:
    """One table's worth of rows: a CSV file (read again to write it) or an XLSX sheet (kept)."""

    where: str
    table: Table
    path: Path | None = None
    records: list[tuple[int, list[str]]] | None = None
    problems: list[Problem] = field(default_factory=list)
    digest: bytes = b""
    #: problems found while reading the source (an XLSX sheet's formulas), before its rows are parsed
    read_problems: int = 0
    #: the file could not be read as a whole (encoding, NUL bytes, quoting): its rows count for nothing
    unreadable: bool = False


@dataclass
class Batch:
    """What the first pass read of the sources of one import, before it is committed."""

    sources: list[Source] = field(default_factory=list)
    kept: dict[str, list[ParsedRow]] = field(default_factory=lambda: defaultdict(list))
    rdf: list[ox.Quad] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rows: int = 0
    #: problems in reading order; each source's list is one slot, filled when the source is scanned
    slots: list[list[Problem]] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        """The problems found reading the sources, in the order of the files."""
        return [p for slot in self.slots for p in slot]

    def problem(self, p: Problem) -> None:
        self.slots.append([p])


@dataclass(frozen=True)
class ImportReport:
    """What an import committed."""

    files: tuple[str, ...]
    rows: int
    added: int
    removed: int
    #: False when the store already held exactly this: nothing was written, the facts' version stayed
    changed: bool = True


# --- reading --------------------------------------------------------------------------
def read_sources(paths: Sequence[str | Path]) -> Batch:
    """Find and open every source of an import; collect problems, never raise.

    RDF files and XLSX workbooks are parsed here; CSV files are only named, and read row by
    row when the tables are scanned (:func:`scan`).
    """
    batch = Batch()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            known = [p for p in files if p.suffix.lower() in {".csv", ".xlsx", *RDF_SUFFIXES}]
            if not known:
                batch.problem(Problem(str(path), None, None, "the folder holds no CSV, XLSX or RDF file",
                                      "put files named as in the README's import format into it"))
            for p in known:
                if p.suffix.lower() in {".json"} or p.name.lower() == "readme.md":
                    continue
                _read_file(p, batch)
        elif path.is_file():
            _read_file(path, batch)
        else:
            batch.problem(Problem(str(path), None, None, "no such file or folder", "check the path"))
    return batch


def _read_file(path: Path, batch: Batch) -> None:
    name = str(path)
    batch.files.append(name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        batch.problem(Problem(
            name, None, None, f"the file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
            "split it into smaller files, or load it into a SPARQL server and use --endpoint"))
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = TABLES_BY_FILE.get(path.name.lower())
        if table is None:
            batch.problem(Problem(name, None, None, f"unknown table file name {path.name!r}",
                                  f"name it one of: {', '.join(TABLES_BY_FILE)}"))
            return
        source = Source(name, table, path=path)
        batch.sources.append(source)
        batch.slots.append(source.problems)
    elif suffix == ".xlsx":
        _read_xlsx(path, batch)
    elif suffix in RDF_SUFFIXES:
        slot: list[Problem] = []
        batch.slots.append(slot)
        _read_rdf(path, RDF_SUFFIXES[suffix], batch, slot)
    else:
        batch.problem(Problem(name, None, None, f"unsupported file type {suffix!r}",
                              "use .csv, .xlsx, .ttl, .nt, .jsonld or .rdf"))


class _Unreadable(Exception):
    """A CSV file cannot be read as a whole (its problem is on the source)."""


class _Hashing(io.RawIOBase):
    """A binary file that hashes what is read from it (to notice a change between the passes)."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw, self.hash = raw, hashlib.blake2b(digest_size=20)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # (BufferedReader passes a memoryview)
        n = self.raw.readinto(buffer)
        if n:
            self.hash.update(memoryview(buffer)[:n])
        return n or 0


def _csv_records(source: Source) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, fields)`` of a CSV file, reading it piece by piece.

    Whatever makes the file unreadable as a whole (not UTF-8, NUL bytes, broken quoting) is
    put on the source as its only problem, and :class:`_Unreadable` raised. The file's
    digest is set once it is read to its end.
    """
    assert source.path is not None
    fix = "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)"
    with open(source.path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                          (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
            if head.startswith(bom):
                raise _unreadable(source, Problem(source.where, 1, None, f"the file is {name} encoded", fix))
        hashing = _Hashing(fh)
        text = io.TextIOWrapper(io.BufferedReader(hashing, 1 << 20), encoding="utf-8-sig", newline="")
        # strict: a stray quote (`"x"y`) or a quote never closed is an error, not a silently merged value
        reader = csv.reader(_no_nul(text), strict=True)
        start = 1
        try:
            for rec in reader:
                yield reader.line_num, rec
                start = reader.line_num + 1
        except (UnicodeDecodeError, ValueError) as err:  # not UTF-8, or a NUL byte (_no_nul)
            problem = _whole_file_problem(source.path) or Problem(source.where, None, None, str(err), fix)
            raise _unreadable(source, problem) from None
        except csv.Error as err:
            # a NUL byte or an encoding error further on is the file's problem, as when reading it whole
            problem = _whole_file_problem(source.path) or Problem(
                source.where, start, None, f"malformed CSV: {err}",
                "check the quoting from that line on: a value holding a comma, a quote or a "
                "line break goes in double quotes, and a quote inside it is doubled (\"\")")
            raise _unreadable(source, problem) from None
        source.digest = hashing.hash.digest()


def _no_nul(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if "\x00" in line:
            raise ValueError("NUL byte")
        yield line


def _unreadable(source: Source, problem: Problem) -> _Unreadable:
    source.problems[:] = [problem]
    source.unreadable = True
    return _Unreadable()


def _whole_file_problem(path: Path) -> Problem | None:
    """The encoding or NUL-byte problem of a whole CSV file (read whole: only on the error path)."""
    data = path.read_bytes()
    problem = _encoding_problem(path, data, "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)")
    if problem:
        return problem
    text = data.decode("utf-8-sig")
    if "\x00" in text:
        return Problem(str(path), text[: text.index("\x00")].count("\n") + 1, None,
                       "the file contains NUL bytes (binary data, or UTF-16 without a byte-order mark)",
                       "export the table as a plain-text CSV in UTF-8")
    return None


def _read_xlsx(path: Path, batch: Batch) -> None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_FILE_BYTES:  # a small file can unpack to gigabytes (a "zip bomb")
            batch.problem(Problem(
                str(path), None, None,
                f"the workbook unpacks to {unpacked / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
                "split it into smaller workbooks, or save the large sheets as CSV files"))
            return
        wb = load_workbook(path, read_only=False, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        root: BaseException = err
        while root.__cause__ or root.__context__:
            root = root.__cause__ or root.__context__  # type: ignore[assignment]
        if type(root).__module__.startswith("defusedxml"):  # DTDForbidden, EntitiesForbidden …
            batch.problem(Problem(str(path), None, None,
                                  f"the workbook's XML declares a DTD or entities ({root!r}), which Selaras "
                                  "refuses (entity expansion and external entities are unsafe)",
                                  "open it in a spreadsheet program and save it again as .xlsx"))
            return
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        batch.problem(Problem(str(path), None, None, f"not a readable XLSX workbook ({reason})",
                              "save it as an Excel .xlsx workbook"))
        return
    for ws in wb.worksheets:
        where = f"{path}[{ws.title}]"
        table = TABLES_BY_SHEET.get(ws.title.strip().lower())
        if table is None:
            if ws.title.lower() not in {"readme", "about", "notes"}:
                batch.problem(Problem(where, None, None, f"unknown sheet {ws.title!r}",
                                      f"name sheets as: {', '.join(TABLES_BY_SHEET)}"))
            continue
        if ws.merged_cells.ranges:
            first = sorted(str(r) for r in ws.merged_cells.ranges)[0]
            batch.problem(Problem(where, None, first, "merged cells",
                                  "unmerge the cells and repeat the value in every row"))
            continue
        source = Source(where, table, records=[])
        batch.sources.append(source)
        batch.slots.append(source.problems)
        # only the cells the sheet stores: iter_rows() would create every empty cell of the used
        # range, and one stray formatted cell at XFD1048576 makes that 17 billion cells
        stored: dict[int, dict[int, Cell]] = defaultdict(dict)
        for (r, c), found in ws._cells.items():
            if found.value is not None:  # (so not a MergedCell)
                stored[r][c] = found
        for r in sorted(stored):
            row = [stored[r].get(c) for c in range(1, max(stored[r]) + 1)]
            values: list[str] = []
            for cell in row:
                v = None if cell is None else cell.value
                if isinstance(v, str) and v.startswith("="):
                    source.problems.append(Problem(where, r, cell.column_letter, f"a formula ({v})",  # type: ignore[union-attr]
                                                   "paste the computed value instead of the formula"))
                    v = ""
                if isinstance(v, datetime):
                    v = v.date().isoformat()
                elif isinstance(v, date):
                    v = v.isoformat()
                elif isinstance(v, float) and v.is_integer():
                    v = int(v)
                values.append("" if v is None else str(v))
            while values and values[-1] == "":
                values.pop()
            if values:
                source.records.append((r, values))  # type: ignore[union-attr]
        source.read_problems = len(source.problems)


def _records(source: Source) -> Iterator[tuple[int, list[str]]]:
    return iter(source.records) if source.records is not None else _csv_records(source)


def _rows(source: Source, problems: list[Problem] | None) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield ``(line, values)`` of each well-formed row of a source, in order.

    Problems of the header and of single cells go to ``problems`` (``None``: the rows were
    validated before, so none is expected). Raises :class:`_Unreadable` for a file that
    cannot be read as a whole.
    """
    where, table = source.where, source.table
    out = problems if problems is not None else []
    records = _records(source)
    first = next(records, None)
    if first is None:
        out.append(Problem(where, None, None, "the file is empty",
                           f"add a header row: {', '.join(c.name for c in table.columns)}"))
        return
    header_line, header = first
    header = [h.strip().lower() for h in header]
    known = {c.name for c in table.columns}
    for i, h in enumerate(header):
        if h not in known:
            out.append(Problem(where, header_line, h or f"#{i + 1}", f"unknown column {h!r}",
                               f"remove it or rename it to one of: {', '.join(sorted(known))}"))
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    for m in missing:
        out.append(Problem(where, header_line, m, f"required column {m!r} is missing",
                           "add the column to the header row"))
    if missing:
        return
    if len(set(header)) != len(header):
        out.append(Problem(where, header_line, None, "a column name appears twice", "keep one column of each name"))
        return
    width = len(header)
    cells = [(name, tabular.cell_parser(table.column(name))) for name in header if name in known]
    columns = [i for i, name in enumerate(header) if name in known]
    if len(columns) == width:
        columns = []  # every column is known: no need to pick
    required = [c.name for c in table.columns if c.required]
    for line, record in records:
        if not "".join(record).strip():
            continue
        if len(record) > width:
            out.append(Problem(where, line, None, f"{len(record)} fields, but the header has {width}",
                               "remove the extra fields or quote values that contain commas"))
            continue
        if columns:
            record = [record[i] if i < len(record) else "" for i in columns]
        values: dict[str, object] = {}
        ok = True
        for (name, parse), raw in zip(cells, record, strict=False):
            value, error = parse(raw)
            if error:
                out.append(Problem(where, line, name, *error.split(" — ", 1)))
                ok = False
            elif value is not None:
                values[name] = value
        if ok:
            for name in required:
                if name not in values:
                    out.append(Problem(where, line, name, f"{name} is empty", f"fill in the {name}"))
                    ok = False
                    break
        if ok:
            yield line, values


def _read_rdf(path: Path, fmt: ox.RdfFormat, batch: Batch, slot: list[Problem]) -> None:
    data = path.read_bytes()
    problems: Sequence[Problem | None] = [_encoding_problem(path, data, "save the file as UTF-8")]
    if problems[0] is None:
        data = data.removeprefix(codecs.BOM_UTF8)  # a UTF-8 byte-order mark is harmless: accept it
        if fmt == ox.RdfFormat.RDF_XML:
            problems = [_xml_problem(path, data)]
        elif fmt == ox.RdfFormat.JSON_LD:
            problems = _jsonld_problems(path, data)
    if any(problems):
        slot.extend(p for p in problems if p)
        return
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=DATA_IRI))
    except SyntaxError as err:
        line, col = getattr(err, "lineno", None), getattr(err, "offset", None)
        slot.append(Problem(str(path), line, str(col) if line and col else None,
                                      f"{fmt.name} syntax error: {err.msg if hasattr(err, 'msg') else err}",
                                      "fix the syntax at that place (or check the file's extension fits its "
                                      "format: .ttl Turtle, .nt N-Triples, .jsonld JSON-LD, .rdf RDF/XML)"))
        return
    except (ValueError, OSError) as err:
        slot.append(Problem(str(path), None, None, f"cannot parse: {err}",
                                      "check the file's format matches its extension"))
        return
    if not quads:
        slot.append(Problem(str(path), None, None, "the file holds no RDF statements",
                                      "check it is the file you meant to import (an export that failed "
                                      "leaves an empty file)"))
        return
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and any(c.isspace() for c in term.value):
                slot.append(Problem(str(path), None, None, f"IRI with white space <{term.value}>",
                                              "percent-encode spaces (%20) or use '-' in the IRI"))
                return
    batch.rdf.extend(ox.Quad(q.subject, q.predicate, q.object, FACTS) for q in quads)


def _encoding_problem(path: Path, data: bytes, fix: str) -> Problem | None:
    """Say why bytes are not UTF-8 text (a UTF-8 byte-order mark is fine), or return None.

    >>> print(_encoding_problem(Path("a.csv"), "a\\nb".encode("utf-16"), "save as UTF-8"))
    a.csv:1: the file is UTF-16 encoded — save as UTF-8
    >>> print(_encoding_problem(Path("a.ttl"), b"a\\n\\xe9", "save as UTF-8"))
    a.ttl:2:1: byte 0xe9 is not valid UTF-8 — save as UTF-8
    """
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            return Problem(str(path), 1, None, f"the file is {name} encoded", fix)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return Problem(str(path), line, str(column) if path.suffix.lower() != ".csv" else None,
                       f"byte 0x{data[err.start]:02x} is not valid UTF-8", fix)
    return None


class _RefusedDoctype(Exception):
    """Raised from inside the XML scanner when a document declares a DOCTYPE."""


def _xml_problem(path: Path, data: bytes) -> Problem | None:
    """Check RDF/XML is one complete, well-formed XML document without a DOCTYPE.

    The scan stops at the DOCTYPE, before any entity is declared, so neither external
    entities nor "billion laughs" expansion ever happen; and it catches a truncated file,
    which the RDF/XML parser would read up to where it ends.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def refuse(*_args: object) -> NoReturn:
        raise _RefusedDoctype

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        parser.Parse(data, True)
    except _RefusedDoctype:
        at = data.find(b"<!DOCTYPE")
        line, column = ((data.count(b"\n", 0, at) + 1, at - data.rfind(b"\n", 0, at)) if at >= 0
                        else (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))
        return Problem(str(path), line, str(column),
                       "the RDF/XML declares a DOCTYPE or entities, which Selaras refuses "
                       "(entity expansion and external entities are unsafe)",
                       "remove the DOCTYPE and write entity values out in full")
    except expat.ExpatError as err:
        return Problem(str(path), err.lineno, str(err.offset + 1),
                       f"not well-formed XML: {expat.ErrorString(err.code)}",
                       "fix the XML there (a file that ends early was cut off: export it again)")
    return None


#: JSON-LD keywords whose string values are IRIs.
_JSONLD_IRI_KEYS = ("@id", "@type", "@vocab", "@base")


def _jsonld_problems(path: Path, data: bytes) -> list[Problem]:
    """Find what a JSON-LD processor would fetch from the network or silently drop.

    A JSON-LD processor drops, without a word, a property that no ``@context`` maps to an
    IRI and a node whose IRI is invalid (white space); and it fetches a remote ``@context``.
    Selaras never fetches (the parser has no loader) and reports all three, with a line.
    Malformed JSON is left to the parser, which reports the line and column.
    """
    text = data.decode("utf-8")
    try:
        doc = json.loads(text)
    except RecursionError:
        return [Problem(str(path), None, None, "the JSON is nested too deeply",
                        "flatten the document: give nodes an @id and refer to them by it")]
    except ValueError:
        return []
    problems: list[Problem] = []

    def where(token: object, key: bool = False) -> int | None:
        found = re.search(re.escape(json.dumps(token, ensure_ascii=False)) + (r"\s*:" if key else ""), text)
        return None if found is None else text.count("\n", 0, found.start()) + 1

    def add(line: int | None, column: str | None, what: str, fix: str) -> None:
        if len(problems) < 20:
            problems.append(Problem(str(path), line, column, what, fix))

    contexts: list[dict] = []
    nodes: list[object] = [doc]
    while nodes:  # collect the inline contexts first: a term may be defined anywhere in the document
        node = nodes.pop()
        if isinstance(node, dict):
            ctx = node.get("@context")
            for c in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(c, str):
                    add(where(c), "@context", f"the @context is a remote document ({c}), which Selaras does "
                        "not fetch (an import never reads the network)", "copy the context into the file "
                        "as an object, or write full IRIs")
                elif isinstance(c, dict):
                    contexts.append(c)
                    if isinstance(c.get("@import"), str):
                        add(where(c["@import"]), "@import", f"the @context imports a remote document "
                            f"({c['@import']}), which Selaras does not fetch", "copy that context in instead")
            nodes.extend(v for k, v in node.items() if k != "@context")
        elif isinstance(node, list):
            nodes.extend(node)
    terms = {k for c in contexts for k in c if not k.startswith("@")}
    aliases = {k for c in contexts for k, v in c.items() if v in _JSONLD_IRI_KEYS}  # "id": "@id"
    vocab = any(c.get("@vocab") for c in contexts)
    for c in contexts:
        for k, v in c.items():
            definition = v.get("@id") if isinstance(v, dict) else v
            if isinstance(definition, str) and any(ch.isspace() for ch in definition):
                add(where(definition), k, f"IRI with white space {definition!r}",
                    "percent-encode spaces (%20) or use '-' in the IRI")
    nodes = [doc]
    while nodes:
        node = nodes.pop()
        if isinstance(node, list):
            nodes.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        for k, v in node.items():
            if k == "@context" or (k == "@value" and "@type" in node and node["@type"] == "@json"):
                continue
            if k in _JSONLD_IRI_KEYS or k in aliases:
                for iri in v if isinstance(v, list) else [v]:
                    if isinstance(iri, str) and any(ch.isspace() for ch in iri):
                        add(where(iri), k, f"IRI with white space {iri!r}",
                            "percent-encode spaces (%20) or use '-' in the IRI")
                continue
            if not k.startswith("@"):
                if any(ch.isspace() for ch in k):
                    add(where(k, key=True), k, f"property IRI with white space {k!r}",
                        "percent-encode spaces (%20) or use '-' in the IRI")
                elif k not in terms and ":" not in k and not vocab:
                    add(where(k, key=True), k, f"property {k!r} is neither an IRI nor defined in an @context, "
                        "so a JSON-LD reader would drop it without a word",
                        f"write the full IRI (e.g. https://w3id.org/selaras/ontology#{k}) or define {k!r} "
                        "in the @context")
            nodes.append(v)
    return problems


# --- validating -----------------------------------------------------------------------
class _Context:
    """What an import's references may point at: the batch's entities plus the store's."""

    def __init__(self, batch: Batch, store: Dataset) -> None:
        self.store = store
        self.batch = batch
        self.codes: dict[str, set[str]] = defaultdict(set)
        self._store_codes: dict[str, set[str]] = {}

    def exists(self, kind: str, code: str) -> bool:
        if code in self.codes[kind]:
            return True
        if kind not in self._store_codes:
            cls = sel(tabular.REF_CLASSES[kind]).value
            prefix = DATA_IRI + kind + "/"
            # the class and its subclasses asked apart (inside a larger pattern Virtuoso 7.2 walked
            # the path to no rows), then their instances
            subclasses = self.store.query(
                f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}").rows
            classes = " ".join({str(r["c"]) for r in subclasses if isinstance(r["c"], ox.NamedNode)} | {f"<{cls}>"})
            result = self.store.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {classes} }} ?s a ?c }}")
            self._store_codes[kind] = {
                r["s"].value[len(prefix):] for r in result.rows if r["s"].value.startswith(prefix)
            }
        return code in self._store_codes[kind]

    def scale_ranks(self) -> dict[str, tuple[int, int]]:
        """Return each competency's scale's (min, max) rank, from the batch and the store."""
        ranks: dict[str, list[int]] = defaultdict(list)
        for row in self.batch.kept.get("levels.csv", []):
            ranks[str(row.values["scale"])].append(int(row.values["rank"]))  # type: ignore[call-overload]
        result = self.store.query(
            "SELECT ?scale ?rank WHERE { ?l a <%s> ; <%s> ?s ; <%s> ?rank . BIND(STR(?s) AS ?scale) }"
            % (sel("ProficiencyLevel").value, sel("scale").value, sel("rank").value)
        )
        prefix = DATA_IRI + "scale/"
        for r in result.rows:
            ranks[r["scale"].value[len(prefix):]].append(int(r["rank"].value))
        comp_scale: dict[str, str] = {}
        result = self.store.query(
            "SELECT ?c ?s WHERE { ?c <%s> ?s . ?s a <%s> }" % (sel("scale").value, sel("ProficiencyScale").value)
        )
        for r in result.rows:
            comp_scale[r["c"].value[len(DATA_IRI + "competency/"):]] = r["s"].value[len(prefix):]
        for row in self.batch.kept.get("competencies.csv", []):
            comp_scale[str(row.values["code"])] = str(row.values["scale"])
        return {c: (min(ranks[s]), max(ranks[s])) for c, s in comp_scale.items() if ranks.get(s)}

    def reference_date(self) -> date:
        for row in self.batch.kept.get("settings.csv", []):
            if row.values["key"] == "reference_date":
                try:
                    return date.fromisoformat(str(row.values["value"]))
                except ValueError:
                    break
        result = self.store.query("SELECT ?d WHERE { ?s <%s> ?d }" % sel("referenceDate").value)
        if result.rows:
            return date.fromisoformat(result.rows[0]["d"].value)
        return date.today()


#: Where each entity kind is defined, by table position (references point backwards).
_TABLE_INDEX = {t.kind: i for i, t in enumerate(TABLES)}
#: Files whose levels must lie on the competency's scale, in the order they are reported.
_LEVEL_FILES = ("requirements.csv", "scheme_competencies.csv", "program_competencies.csv", "assessments.csv",
                "descriptors.csv")
_NEGATIVE = {"schemes.csv": "headcount", "programs.csv": "hours"}
_DATED = {"assessments.csv": "date", "certifications.csv": "issued", "position_history.csv": "start"}


def validate(batch: Batch, store: Dataset) -> list[Problem]:
    """Read every table row by row and check references, levels, dates, duplicates and cycles.

    Returns every problem found: first those of reading the sources (:attr:`Batch.problems`),
    then those of the checks. A CSV file found unreadable half-way counts for nothing: the
    tables are then checked again without it.
    """
    while True:
        try:
            checked = _scan(batch, store)
        except _Unreadable:
            continue  # the source is marked: scan again without it
        return batch.problems + checked


def _scan(batch: Batch, store: Dataset) -> list[Problem]:
    ctx = _Context(batch, store)
    batch.kept = defaultdict(list)
    batch.rows = 0
    by_table: dict[str, list[Source]] = defaultdict(list)
    for source in batch.sources:
        by_table[source.table.file].append(source)
    refs: list[Problem] = []
    levels: dict[str, list[Problem]] = {f: [] for f in _LEVEL_FILES}
    importance: list[Problem] = []
    negative: dict[str, list[Problem]] = {f: [] for f in _NEGATIVE}
    dates: dict[str, list[Problem]] = {f: [] for f in _DATED}
    expiry: list[Problem] = []
    ranks: dict[str, tuple[int, int]] | None = None
    reference: str | None = None
    intern = sys.intern
    #: per table, the problems found row by row, and the references to check once every table is read
    deferred: list[tuple[list[tuple[int, int, Problem]], list[tuple[int, int, str, str, int, str, str]]]] = []
    for ti, table in enumerate(TABLES):
        sources = by_table.get(table.file)
        if not sources:
            continue
        file, key_columns = table.file, table.key
        single = key_columns[0] if len(key_columns) == 1 else None
        codes = ctx.codes[table.kind]
        ref_columns = [(pos, c.name, c.ref or "") for pos, c in enumerate(table.columns) if c.kind == "ref"]
        now = [(*r, ctx.codes[r[2]]) for r in ref_columns if _TABLE_INDEX[r[2]] < ti]
        later = [r for r in ref_columns if _TABLE_INDEX[r[2]] >= ti]  # the table's own codes: at the end
        pending: list[tuple[int, int, str, str, int, str, str]] = []
        found: list[tuple[int, int, Problem]] = []
        seen: dict[tuple, int] = {}
        keep = batch.kept[file] if file in KEPT else None
        level_list = levels.get(file)
        if level_list is not None and ranks is None:
            ranks = ctx.scale_ranks()
        negative_column, negative_list = _NEGATIVE.get(file), negative.get(file)
        date_column, date_list = _DATED.get(file), dates.get(file)
        if date_column and reference is None:
            reference = ctx.reference_date().isoformat()
        seq = 0
        for si, source in enumerate(sources):
            if source.unreadable:
                continue
            del source.problems[source.read_problems:]
            where = source.where
            for line, values in _rows(source, source.problems):
                seq += 1
                if keep is not None:
                    keep.append(ParsedRow(where, line, values))
                if single:
                    codes.add(str(values[single]))
                key = tuple([intern(v) if type(v) is str else v for v in map(values.get, key_columns)])
                at = si << 32 | line
                first = seen.setdefault(key, at)
                if first != at:
                    f_source = sources[first >> 32].where
                    found.append((seq, -1, Problem(
                        where, line, key_columns[0],
                        f"duplicate {table.kind} {'/'.join(map(str, key))!r} (first at {f_source}:{first & 0xFFFFFFFF})",
                        "keep one row per " + " and ".join(key_columns))))
                else:
                    for pos, name, kind, known in now:
                        value = values.get(name)
                        if value is not None and value not in known and not ctx.exists(kind, str(value)):
                            found.append((seq, pos, _unknown(where, line, name, kind, value)))
                    for pos, name, kind in later:
                        value = values.get(name)
                        if value is not None:
                            pending.append((seq, pos, where, name, line, kind, str(value)))
                if level_list is not None:
                    code, level = str(values["competency"]), values["level"]
                    bounds = ranks.get(code)  # type: ignore[union-attr]
                    if bounds is not None and not bounds[0] <= int(level) <= bounds[1]:  # type: ignore[call-overload]
                        low, high = bounds
                        level_list.append(Problem(where, line, "level",
                                                  f"level {level} is outside the scale of {code} ({low}–{high})",
                                                  f"use a level from {low} to {high}"))
                    if file == "requirements.csv":
                        imp = values.get("importance")
                        if imp is not None and float(str(imp)) < 0:
                            importance.append(Problem(where, line, "importance", f"importance {imp} is negative",
                                                      "use 0 or more (e.g. 0–1 or 1–5)"))
                if negative_list is not None:
                    v = values.get(negative_column)  # type: ignore[arg-type]
                    if v is not None and float(str(v)) < 0:
                        negative_list.append(Problem(where, line, negative_column, f"{negative_column} {v} is negative",
                                                     "use 0 or more"))
                if date_list is not None:
                    day = str(values[date_column])  # type: ignore[index]
                    if day > reference:  # type: ignore[operator]  # ISO dates sort as the days do
                        date_list.append(Problem(where, line, date_column,
                                                 f"{day} is after the data's reference date {reference}",
                                                 "correct the date, or set reference_date in settings.csv"))
                    if file == "certifications.csv" and "expires" in values \
                            and str(values["expires"]) < str(values["issued"]):
                        expiry.append(Problem(where, line, "expires",
                                              f"expires {values['expires']} before it is issued {values['issued']}",
                                              "swap or correct the dates"))
                    elif file == "position_history.csv" and "end" in values \
                            and str(values["end"]) < str(values["start"]):
                        expiry.append(Problem(where, line, "end",
                                              f"ends {values['end']} before it starts {values['start']}",
                                              "swap or correct the dates"))
        deferred.append((found, pending))
        batch.rows += seq
    for found, pending in deferred:  # every table read: references to a table's own codes can be checked
        for seq_, pos, where, name, line, kind, value in pending:
            if not ctx.exists(kind, value):
                found.append((seq_, pos, _unknown(where, line, name, kind, value)))
        if pending:
            found.sort(key=lambda f: (f[0], f[1]))
        refs.extend(p for _, _, p in found)
    problems = refs + _check_settings(batch)
    for file in _LEVEL_FILES:
        problems += levels[file]
    problems += importance
    for file in _NEGATIVE:
        problems += negative[file]
    for file in _DATED:
        problems += dates[file]
    problems += expiry
    problems += _check_overlaps(batch, store)
    problems += _check_cycles(batch, store, "positions.csv", "position", "reports_to", "reportsTo")
    problems += _check_cycles(batch, store, "units.csv", "unit", "parent", "parentUnit")
    return problems


def _unknown(where: str, line: int, name: str, kind: str, value: object) -> Problem:
    return Problem(where, line, name, f"unknown {kind} {value!r}",
                   f"use {_article(kind)} {kind} defined in {_defining_file(kind)} or add it there")


def _article(noun: str) -> str:
    """``a`` or ``an`` before a noun, by its first letter (the kinds of table rows are plain words)."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _defining_file(kind: str | None) -> str:
    return next((t.file for t in TABLES if t.kind == kind), "its table")


def _check_settings(batch: Batch) -> list[Problem]:
    problems = []
    for row in batch.kept.get("settings.csv", []):
        key, value = str(row.values["key"]), str(row.values["value"])
        if key == "reference_date":
            _, err = tabular.parse_cell(tabular.Column("value", "date"), value)
        elif key in tabular.SETTING_CHOICES:
            choices = tabular.SETTING_CHOICES[key]
            err = None if value in choices else f"{key} {value!r} is unknown — use {' or '.join(choices)}"
        elif key in tabular.SHARE_SETTINGS:
            err = None if re.fullmatch(r"(0(\.\d+)?|1(\.0+)?|\.\d+)", value.strip()) else (
                f"{key} {value!r} is not a share from 0 to 1 — write a decimal such as 0.3")
        else:
            parsed, err = tabular.parse_cell(tabular.Column("value", "int"), value)
            if err is None and int(parsed) < 0:  # type: ignore[call-overload]
                err = f"{value!r} is negative — use 0 or more"
            elif err is None and key == "max_moves_per_position" and int(parsed) < 1:  # type: ignore[call-overload]
                err = f"{value!r} allows no move at all — use 1 or more (default 15)"
        if err:
            problems.append(Problem(row.file, row.line, "value", *err.split(" — ", 1)))
    return problems


_TENURES = """PREFIX sel: <https://w3id.org/selaras/ontology#>
SELECT ?e ?p ?start ?end WHERE { GRAPH <%s> {
  ?t a sel:Tenure ; sel:employee ?e ; sel:position ?p ; sel:startDate ?start . OPTIONAL { ?t sel:endDate ?end } } }"""


def _check_overlaps(batch: Batch, store: Dataset) -> list[Problem]:
    """Find the tenures of one employee that overlap (a history must be one position after another).

    A tenure without an end lasts until today; one that ends on the day the next starts does
    not overlap it. The rows are compared with each other and with the tenures the store
    holds of the same employees (a row replaces the stored tenure of its employee, position
    and start).
    """
    rows = batch.kept.get("position_history.csv", [])
    if not rows:
        return []
    by_employee: dict[str, dict[tuple[str, str], tuple[str | None, ParsedRow | None]]] = defaultdict(dict)
    for r in rows:
        v = r.values
        by_employee[str(v["employee"])][(str(v["start"]), str(v["position"]))] = (
            None if v.get("end") is None else str(v["end"]), r)
    emp_prefix, pos_prefix = DATA_IRI + "employee/", DATA_IRI + "position/"
    for q in store.query(_TENURES % FACTS_GRAPH).rows:
        emp = q["e"].value.removeprefix(emp_prefix)
        if emp in by_employee:
            key = (q["start"].value, q["p"].value.removeprefix(pos_prefix))
            by_employee[emp].setdefault(key, (q["end"].value if q["end"] else None, None))
    problems = []
    for emp, tenures in by_employee.items():
        ordered = sorted(tenures.items())
        for ((start_a, pos_a), (end_a, row_a)), ((start_b, pos_b), (_, row_b)) in zip(ordered, ordered[1:]):
            if end_a is None or end_a > start_b:
                row = row_b or row_a
                if row is None:
                    continue  # both stored: not this import's to report
                held = f"{pos_a} from {start_a}" + (f" to {end_a}" if end_a else " with no end date")
                problems.append(Problem(row.file, row.line, "start" if row is row_b else "end",
                                        f"employee {emp}'s tenure in {pos_b} from {start_b} overlaps {held}",
                                        f"give {pos_a} an end date on or before {start_b}, or correct the dates"))
    problems.sort(key=lambda p: (p.file, p.row or 0))
    return problems


def _check_cycles(batch: Batch, store: Dataset, file: str, key: str, parent: str, predicate: str) -> list[Problem]:
    """Find the cycles that this import's rows or RDF statements close in a hierarchy.

    The links are the store's, then the RDF input's, then the rows' (a row's link replaces
    the stored one); a cycle that only the store holds is not this import's to report.
    """
    rows = {str(r.values[key]): r for r in batch.kept.get(file, [])}
    prefix, pred = DATA_IRI + key + "/", sel(predicate)
    old: dict[str, str] = {}
    # (pyoxigraph types a subject or object as possibly an RDF-star triple, which has no value)
    for q in store.match(None, pred, None, FACTS):
        if q.subject.value.startswith(prefix) and q.object.value.startswith(prefix):  # type: ignore[union-attr]
            old[q.subject.value[len(prefix):]] = q.object.value[len(prefix):]  # type: ignore[union-attr]
    rdf = {q.subject.value[len(prefix):]: q.object.value[len(prefix):]  # type: ignore[union-attr]
           for q in batch.rdf if q.predicate == pred
           and q.subject.value.startswith(prefix) and q.object.value.startswith(prefix)}  # type: ignore[union-attr]
    new = {**rdf, **{k: str(r.values[parent]) for k, r in rows.items() if r.values.get(parent)}}
    links = {**old, **new}
    problems, reported = [], set()
    for start in new:
        seen, node = [start], links[start]
        while node in links and node not in seen:
            seen.append(node)
            node = links[node]
        if node == start and start not in reported:
            reported.update(seen)
            cycle = " → ".join([*seen, start])
            if start in rows:
                problems.append(Problem(rows[start].file, rows[start].line, parent, f"{parent} forms a cycle: {cycle}",
                                        f"break the cycle so that some {key} has no {parent}"))
            else:
                files = ", ".join(f for f in batch.files if Path(f).suffix.lower() in RDF_SUFFIXES)
                problems.append(Problem(files, _locate(files, [prefix + start]).get(prefix + start), predicate,
                                        f"sel:{predicate} forms a cycle: {cycle}",
                                        f"break the cycle so that some {key} has no sel:{predicate}"))
    return problems


# --- committing -----------------------------------------------------------------------
class _Changed(Exception):
    """A CSV file changed between validating and writing it."""

    def __init__(self, source: Source) -> None:
        super().__init__(source.where)
        self.source = source


def table_text(batch: Batch, end: str = " .\n", counter: list[int] | None = None) -> Iterator[str]:
    """Yield the triples of every validated table row as N-Triples text, about a megabyte at a time.

    ``end`` closes each line: ``" .\\n"`` for N-Triples (and SPARQL), ``" <graph> .\\n"`` for
    N-Quads. A triple that several rows make (the dictionary's type) is written once;
    ``counter[0]`` is increased by the number of lines written. Raises :class:`_Changed`
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
                for _line, values in _rows(source, None):
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
            except _Unreadable:
                raise _Changed(source) from None
            if source.path is not None and source.digest != expected:
                raise _Changed(source)
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


def _nq(q: ox.Quad) -> str:
    return f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"


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
        overlap = _check_shapes(check_store, batch, rdf)
    version = _version_quads()
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
                                             ["".join(_nq(q) for q in [*rdf, *([] if bulk else version)])]))
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
            delta = _replace(store, batch, rdf, version, old_version, old_facts, replace)
            if delta is None:
                return ImportReport(tuple(batch.files), batch.rows, 0, 0, changed=False)
            report = ImportReport(tuple(batch.files), batch.rows, *delta)
    except _Changed as err:
        raise InputError([Problem(err.source.where, None, None,
                                  "the file changed while it was being imported",
                                  "import it again once nothing writes to it")]) from None
    if bulk:  # the bulk loader's files come out compacted, and no large transaction has a log to drop
        store.flush()
    else:
        store.compact()  # on disk: let go of the write-ahead log of the import's transaction
    return report


def _replace(store: Dataset, batch: Batch, rdf: list[ox.Quad], version: list[ox.Quad], old_version: list[ox.Quad],
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


def _check_shapes(store: Dataset, batch: Batch, rdf: list[ox.Quad]) -> int:
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
        lines = _locate(where, [r.focus for r in errors])
        raise InputError(list(dict.fromkeys(  # one problem once, though several shapes report it
            Problem(where, lines.get(r.focus), (r.path or "").rsplit("#", 1)[-1] or None,
                    f"{r.focus_label} <{r.focus}>: {r.message.split('. ')[0]}",
                    r.message.split(". ", 1)[1] if ". " in r.message else "correct the data to fit the shape")
            for r in errors
        )))
    return overlap


def _locate(file: str, iris: Iterable[str]) -> dict[str, int]:
    """Return the line of an RDF file where each IRI first appears (full, prefixed or relative).

    Only for error messages, so only on the error path: RDF parsers report no positions for
    the statements they return. ``file`` may list several files; then no line is given.
    """
    path = Path(file)
    if not path.is_file() or path.suffix.lower() not in RDF_SUFFIXES:
        return {}
    data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        parser = ox.parse(data, format=RDF_SUFFIXES[path.suffix.lower()], base_iri=DATA_IRI)
        for _ in parser:
            pass
        prefixes = dict(getattr(parser, "prefixes", {}) or {})
    except (SyntaxError, ValueError, OSError):
        prefixes = {}
    text = data.decode("utf-8", errors="replace")
    lines = {}
    for iri in set(iris):
        forms = [f"<{iri}>", f'"{iri}"']
        if iri.startswith(DATA_IRI):
            forms += [f'"{iri[len(DATA_IRI):]}"', f"<{iri[len(DATA_IRI):]}>"]
        names = [f"{p}:{iri[len(ns):]}" for p, ns in prefixes.items() if iri.startswith(ns) and iri != ns]
        pattern = "|".join([*map(re.escape, forms), *(re.escape(n) + r"(?![\w\-:%]|\.[\w\-])" for n in names)])
        found = re.search(pattern, text)
        if found:
            lines[iri] = text.count("\n", 0, found.start()) + 1
    return lines


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


def _version_quads() -> list[ox.Quad]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return [
        ox.Quad(FACTS, VERSION_INFO, ox.Literal(uuid.uuid4().hex), META),
        ox.Quad(FACTS, MODIFIED, typed(now, "dateTime"), META),
    ]
