"""Read import sources: CSV files and folders, XLSX workbooks, Turtle, JSON-LD, RDF/XML, N-Triples.

:func:`read_sources` finds the files, refuses what is hostile or unreadable (too large, not
UTF-8, an XML DOCTYPE, JSON-LD that would fetch a context) and parses what it can into a
:class:`Batch`: the RDF as quads, the CSV and XLSX rows streamed (read again when they are
written, never held whole) except the few tables checked as a whole (:data:`KEPT`). Every
problem is collected as ``file:row:column: what — fix``.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pyoxigraph as ox

from selaras.engine.errors import Problem
from selaras.engine.ingest import tabular
from selaras.engine.ingest.tabular import TABLES_BY_FILE, TABLES_BY_SHEET, Table
from selaras.engine.store import FACTS_GRAPH
from selaras.ontology.namespace import DATA_IRI

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

#: The facts graph, where every import goes.
FACTS = ox.NamedNode(FACTS_GRAPH)
#: Files larger than this are refused before they are read (bytes).
MAX_FILE_BYTES = 256 * 1024 * 1024
RDF_SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
#: Tables whose rows are kept after the first pass: validation looks at them as a whole
#: (settings, scales' ranks, hierarchies). Every other table is only streamed.
KEPT = frozenset({"settings.csv", "levels.csv", "competencies.csv", "positions.csv", "units.csv",
                  "position_history.csv"})


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


class Unreadable(Exception):
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
    put on the source as its only problem, and :class:`Unreadable` raised. The file's
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


def _unreadable(source: Source, problem: Problem) -> Unreadable:
    source.problems[:] = [problem]
    source.unreadable = True
    return Unreadable()


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


def source_rows(source: Source, problems: list[Problem] | None) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield ``(line, values)`` of each well-formed row of a source, in order.

    Problems of the header and of single cells go to ``problems`` (``None``: the rows were
    validated before, so none is expected). Raises :class:`Unreadable` for a file that
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


def locate_iris(file: str, iris: Iterable[str]) -> dict[str, int]:
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
