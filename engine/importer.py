"""Import organisation data: parse → validate → commit in one transaction, or nothing.

Sources: a folder of CSV files or single CSV files (named as in :data:`tabular.TABLES`),
an XLSX workbook (one sheet per table), Turtle, JSON-LD, RDF/XML, N-Triples.

Every problem found is collected (not just the first) and reported as
``file:row:column: what is wrong — how to fix it``; when there is any, nothing is written.
A row describes one entity; importing it again replaces what an earlier import said of that
entity's properties (so a corrected level replaces the old one), while links that several
rows build up (a scheme's certified competencies, a scale's levels) are added to.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from selaras.engine import tabular
from selaras.engine.errors import InputError, Problem
from selaras.engine.store import FACTS_GRAPH, META_GRAPH, Store
from selaras.engine.tabular import TABLES, TABLES_BY_FILE, TABLES_BY_SHEET, Table, entity, sel
from selaras.ontology.namespace import DATA_IRI

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
META = ox.NamedNode(META_GRAPH)
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")


@dataclass
class ParsedRow:
    """One data row: where it came from and its parsed values."""

    file: str
    line: int
    values: dict[str, object]


@dataclass
class Batch:
    """Everything read from the sources of one import, before it is committed."""

    rows: dict[str, list[ParsedRow]] = field(default_factory=lambda: defaultdict(list))
    rdf: list[ox.Quad] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    """What an import committed."""

    files: tuple[str, ...]
    rows: int
    added: int
    removed: int


# --- reading --------------------------------------------------------------------------
def read_sources(paths: Sequence[str | Path]) -> Batch:
    """Read and parse every source into a :class:`Batch`; collect problems, never raise."""
    batch = Batch()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            known = [p for p in files if p.suffix.lower() in {".csv", ".xlsx", *RDF_SUFFIXES}]
            if not known:
                batch.problems.append(Problem(str(path), None, None, "the folder holds no CSV, XLSX or RDF file",
                                              "put files named as in the README's import format into it"))
            for p in known:
                if p.suffix.lower() in {".json"} or p.name.lower() == "readme.md":
                    continue
                _read_file(p, batch)
        elif path.is_file():
            _read_file(path, batch)
        else:
            batch.problems.append(Problem(str(path), None, None, "no such file or folder",
                                          "check the path"))
    return batch


def _read_file(path: Path, batch: Batch) -> None:
    name = str(path)
    batch.files.append(name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        batch.problems.append(Problem(
            name, None, None, f"the file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit",
            "split it into smaller files, or load it into a SPARQL server and use --endpoint"))
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = TABLES_BY_FILE.get(path.name.lower())
        if table is None:
            batch.problems.append(Problem(name, None, None, f"unknown table file name {path.name!r}",
                                          f"name it one of: {', '.join(TABLES_BY_FILE)}"))
            return
        _read_csv(path, table, batch)
    elif suffix == ".xlsx":
        _read_xlsx(path, batch)
    elif suffix in RDF_SUFFIXES:
        _read_rdf(path, RDF_SUFFIXES[suffix], batch)
    else:
        batch.problems.append(Problem(name, None, None, f"unsupported file type {suffix!r}",
                                      "use .csv, .xlsx, .ttl, .nt, .jsonld or .rdf"))


def _read_csv(path: Path, table: Table, batch: Batch) -> None:
    data = path.read_bytes()
    problem = _encoding_problem(path, data, "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)")
    if problem:
        batch.problems.append(problem)
        return
    text = data.decode("utf-8-sig")
    if "\x00" in text:
        batch.problems.append(Problem(str(path), text[: text.index("\x00")].count("\n") + 1, None,
                                      "the file contains NUL bytes (binary data, or UTF-16 without a byte-order mark)",
                                      "export the table as a plain-text CSV in UTF-8"))
        return
    # strict: a stray quote (`"x"y`) or a quote never closed is an error, not a silently merged value
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            records.append((reader.line_num, rec))
            start = reader.line_num + 1
    except csv.Error as err:
        batch.problems.append(Problem(str(path), start, None, f"malformed CSV: {err}",
                                      "check the quoting from that line on: a value holding a comma, a quote or a "
                                      "line break goes in double quotes, and a quote inside it is doubled (\"\")"))
        return
    _take_records(str(path), table, records, batch)


def _read_xlsx(path: Path, batch: Batch) -> None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_FILE_BYTES:  # a small file can unpack to gigabytes (a "zip bomb")
            batch.problems.append(Problem(
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
            batch.problems.append(Problem(str(path), None, None,
                                          f"the workbook's XML declares a DTD or entities ({root!r}), which Selaras "
                                          "refuses (entity expansion and external entities are unsafe)",
                                          "open it in a spreadsheet program and save it again as .xlsx"))
            return
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        batch.problems.append(Problem(str(path), None, None, f"not a readable XLSX workbook ({reason})",
                                      "save it as an Excel .xlsx workbook"))
        return
    for ws in wb.worksheets:
        where = f"{path}[{ws.title}]"
        table = TABLES_BY_SHEET.get(ws.title.strip().lower())
        if table is None:
            if ws.title.lower() not in {"readme", "about", "notes"}:
                batch.problems.append(Problem(where, None, None, f"unknown sheet {ws.title!r}",
                                              f"name sheets as: {', '.join(TABLES_BY_SHEET)}"))
            continue
        if ws.merged_cells.ranges:
            first = sorted(str(r) for r in ws.merged_cells.ranges)[0]
            batch.problems.append(Problem(where, None, first, "merged cells",
                                          "unmerge the cells and repeat the value in every row"))
            continue
        records: list[tuple[int, list[str]]] = []
        # only the cells the sheet stores: iter_rows() would create every empty cell of the used
        # range, and one stray formatted cell at XFD1048576 makes that 17 billion cells
        stored: dict[int, dict[int, object]] = defaultdict(dict)
        for (r, c), cell in ws._cells.items():
            if cell.value is not None:
                stored[r][c] = cell
        for r in sorted(stored):
            row = [stored[r].get(c) for c in range(1, max(stored[r]) + 1)]
            values: list[str] = []
            for cell in row:
                v = None if cell is None else cell.value  # type: ignore[attr-defined]
                if isinstance(v, str) and v.startswith("="):
                    batch.problems.append(Problem(where, r, cell.column_letter, f"a formula ({v})",  # type: ignore[attr-defined]
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
                records.append((r, values))
        _take_records(where, table, records, batch)


def _take_records(where: str, table: Table, records: list[tuple[int, list[str]]], batch: Batch) -> None:
    if not records:
        batch.problems.append(Problem(where, None, None, "the file is empty",
                                      f"add a header row: {', '.join(c.name for c in table.columns)}"))
        return
    header_line, header = records[0]
    header = [h.strip().lower() for h in header]
    known = {c.name for c in table.columns}
    for i, h in enumerate(header):
        if h not in known:
            batch.problems.append(Problem(where, header_line, h or f"#{i + 1}", f"unknown column {h!r}",
                                          f"remove it or rename it to one of: {', '.join(sorted(known))}"))
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    for m in missing:
        batch.problems.append(Problem(where, header_line, m, f"required column {m!r} is missing",
                                      "add the column to the header row"))
    if missing:
        return
    if len(set(header)) != len(header):
        batch.problems.append(Problem(where, header_line, None, "a column name appears twice",
                                      "keep one column of each name"))
        return
    for line, record in records[1:]:
        if not any(v.strip() for v in record):
            continue
        if len(record) > len(header):
            batch.problems.append(Problem(where, line, None,
                                          f"{len(record)} fields, but the header has {len(header)}",
                                          "remove the extra fields or quote values that contain commas"))
            continue
        values: dict[str, object] = {}
        ok = True
        for name, raw in zip(header, record, strict=False):
            if name not in known:
                continue
            column = table.column(name)
            value, error = tabular.parse_cell(column, raw)
            if error:
                batch.problems.append(Problem(where, line, name, *error.split(" — ", 1)))
                ok = False
            elif value is not None:
                values[name] = value
        for column in table.columns:
            if column.required and column.name not in values and ok:
                batch.problems.append(Problem(where, line, column.name, f"{column.name} is empty",
                                              f"fill in the {column.name}"))
                ok = False
        if ok:
            batch.rows[table.file].append(ParsedRow(where, line, values))


def _read_rdf(path: Path, fmt: ox.RdfFormat, batch: Batch) -> None:
    data = path.read_bytes()
    problems = [_encoding_problem(path, data, "save the file as UTF-8")]
    if problems[0] is None:
        data = data.removeprefix(codecs.BOM_UTF8)  # a UTF-8 byte-order mark is harmless: accept it
        if fmt == ox.RdfFormat.RDF_XML:
            problems = [_xml_problem(path, data)]
        elif fmt == ox.RdfFormat.JSON_LD:
            problems = _jsonld_problems(path, data)
    if any(problems):
        batch.problems.extend(p for p in problems if p)
        return
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=DATA_IRI))
    except SyntaxError as err:
        line, col = getattr(err, "lineno", None), getattr(err, "offset", None)
        batch.problems.append(Problem(str(path), line, str(col) if line and col else None,
                                      f"{fmt.name} syntax error: {err.msg if hasattr(err, 'msg') else err}",
                                      "fix the syntax at that place (or check the file's extension fits its "
                                      "format: .ttl Turtle, .nt N-Triples, .jsonld JSON-LD, .rdf RDF/XML)"))
        return
    except (ValueError, OSError) as err:
        batch.problems.append(Problem(str(path), None, None, f"cannot parse: {err}",
                                      "check the file's format matches its extension"))
        return
    if not quads:
        batch.problems.append(Problem(str(path), None, None, "the file holds no RDF statements",
                                      "check it is the file you meant to import (an export that failed "
                                      "leaves an empty file)"))
        return
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and any(c.isspace() for c in term.value):
                batch.problems.append(Problem(str(path), None, None, f"IRI with white space <{term.value}>",
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

    def refuse(*_args: object) -> None:
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

    def __init__(self, batch: Batch, store: Store) -> None:
        self.store = store
        self.batch = batch
        self.codes: dict[str, set[str]] = defaultdict(set)
        for table in TABLES:
            for row in batch.rows.get(table.file, []):
                if len(table.key) == 1:
                    self.codes[table.kind].add(str(row.values[table.key[0]]))
        self._store_codes: dict[str, set[str]] = {}

    def exists(self, kind: str, code: str) -> bool:
        if code in self.codes[kind]:
            return True
        if kind not in self._store_codes:
            cls = sel(tabular.REF_CLASSES[kind]).value
            prefix = DATA_IRI + kind + "/"
            sub = "?s a ?c . ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <%s>" % cls
            result = self.store.query(f"SELECT DISTINCT ?s WHERE {{ {sub} }}")
            self._store_codes[kind] = {
                r["s"].value[len(prefix):] for r in result.rows if r["s"].value.startswith(prefix)
            }
        return code in self._store_codes[kind]

    def scale_ranks(self) -> dict[str, tuple[int, int]]:
        """Return each competency's scale's (min, max) rank, from the batch and the store."""
        ranks: dict[str, list[int]] = defaultdict(list)
        for row in self.batch.rows.get("levels.csv", []):
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
        for row in self.batch.rows.get("competencies.csv", []):
            comp_scale[str(row.values["code"])] = str(row.values["scale"])
        return {c: (min(ranks[s]), max(ranks[s])) for c, s in comp_scale.items() if ranks.get(s)}

    def reference_date(self) -> date:
        for row in self.batch.rows.get("settings.csv", []):
            if row.values["key"] == "reference_date":
                try:
                    return date.fromisoformat(str(row.values["value"]))
                except ValueError:
                    break
        result = self.store.query("SELECT ?d WHERE { ?s <%s> ?d }" % sel("referenceDate").value)
        if result.rows:
            return date.fromisoformat(result.rows[0]["d"].value)
        return date.today()


def validate(batch: Batch, store: Store) -> list[Problem]:
    """Check references, levels, dates, duplicates and cycles; return every problem found."""
    problems = list(batch.problems)
    ctx = _Context(batch, store)
    for table in TABLES:
        rows = batch.rows.get(table.file, [])
        seen: dict[tuple, ParsedRow] = {}
        for row in rows:
            key = tuple(row.values.get(k) for k in table.key)
            if key in seen:
                first = seen[key]
                problems.append(Problem(row.file, row.line, table.key[0],
                                        f"duplicate {table.kind} {'/'.join(map(str, key))!r} "
                                        f"(first at {first.file}:{first.line})",
                                        "keep one row per " + " and ".join(table.key)))
                continue
            seen[key] = row
            for column in table.columns:
                value = row.values.get(column.name)
                if column.kind == "ref" and value is not None and not ctx.exists(column.ref or "", str(value)):
                    problems.append(Problem(row.file, row.line, column.name,
                                            f"unknown {column.ref} {value!r}",
                                            f"use a {column.ref} defined in {_defining_file(column.ref)} "
                                            f"or add it there"))
    problems += _check_settings(batch)
    problems += _check_levels(batch, ctx)
    problems += _check_dates(batch, ctx)
    problems += _check_cycles(batch, store, "positions.csv", "position", "reports_to", "reportsTo")
    problems += _check_cycles(batch, store, "units.csv", "unit", "parent", "parentUnit")
    return problems


def _defining_file(kind: str | None) -> str:
    return next((t.file for t in TABLES if t.kind == kind), "its table")


def _check_settings(batch: Batch) -> list[Problem]:
    problems = []
    for row in batch.rows.get("settings.csv", []):
        key, value = str(row.values["key"]), str(row.values["value"])
        if key == "reference_date":
            _, err = tabular.parse_cell(tabular.Column("value", "date"), value)
        else:
            parsed, err = tabular.parse_cell(tabular.Column("value", "int"), value)
            if err is None and int(parsed) < 0:  # type: ignore[call-overload]
                err = f"{value!r} is negative — use 0 or more"
        if err:
            problems.append(Problem(row.file, row.line, "value", *err.split(" — ", 1)))
    return problems


def _check_levels(batch: Batch, ctx: _Context) -> list[Problem]:
    problems = []
    ranks = ctx.scale_ranks()
    for file in ("requirements.csv", "scheme_competencies.csv", "program_competencies.csv",
                 "assessments.csv", "descriptors.csv"):
        for row in batch.rows.get(file, []):
            code, level = str(row.values["competency"]), row.values["level"]
            if code not in ranks:
                continue  # unknown competency: reported as a reference problem
            low, high = ranks[code]
            if not low <= int(level) <= high:  # type: ignore[call-overload]
                problems.append(Problem(row.file, row.line, "level",
                                        f"level {level} is outside the scale of {code} ({low}–{high})",
                                        f"use a level from {low} to {high}"))
    for row in batch.rows.get("requirements.csv", []):
        imp = row.values.get("importance")
        if imp is not None and float(str(imp)) < 0:
            problems.append(Problem(row.file, row.line, "importance", f"importance {imp} is negative",
                                    "use 0 or more (e.g. 0–1 or 1–5)"))
    for file, col in (("schemes.csv", "headcount"), ("programs.csv", "hours")):
        for row in batch.rows.get(file, []):
            v = row.values.get(col)
            if v is not None and float(str(v)) < 0:
                problems.append(Problem(row.file, row.line, col, f"{col} {v} is negative", "use 0 or more"))
    return problems


def _check_dates(batch: Batch, ctx: _Context) -> list[Problem]:
    problems = []
    ref = ctx.reference_date()
    for file, col in (("assessments.csv", "date"), ("certifications.csv", "issued")):
        for row in batch.rows.get(file, []):
            d = date.fromisoformat(str(row.values[col]))
            if d > ref:
                problems.append(Problem(row.file, row.line, col,
                                        f"{d} is after the data's reference date {ref}",
                                        "correct the date, or set reference_date in settings.csv"))
    for row in batch.rows.get("certifications.csv", []):
        if "expires" in row.values and str(row.values["expires"]) < str(row.values["issued"]):
            problems.append(Problem(row.file, row.line, "expires",
                                    f"expires {row.values['expires']} before it is issued {row.values['issued']}",
                                    "swap or correct the dates"))
    return problems


def _check_cycles(batch: Batch, store: Store, file: str, key: str, parent: str, predicate: str) -> list[Problem]:
    """Find the cycles that this import's rows or RDF statements close in a hierarchy.

    The links are the store's, then the RDF input's, then the rows' (a row's link replaces
    the stored one); a cycle that only the store holds is not this import's to report.
    """
    rows = {str(r.values[key]): r for r in batch.rows.get(file, [])}
    prefix, pred = DATA_IRI + key + "/", sel(predicate)
    old: dict[str, str] = {}
    for q in store.match(None, pred, None, FACTS):
        if q.subject.value.startswith(prefix) and q.object.value.startswith(prefix):
            old[q.subject.value[len(prefix):]] = q.object.value[len(prefix):]
    rdf = {q.subject.value[len(prefix):]: q.object.value[len(prefix):] for q in batch.rdf
           if q.predicate == pred and q.subject.value.startswith(prefix) and q.object.value.startswith(prefix)}
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
def build_quads(batch: Batch) -> list[ox.Quad]:
    """Turn validated table rows into quads of the facts graph (with provenance)."""
    quads: list[ox.Quad] = []
    source_p, illustrative_p = tabular.DCT_SOURCE, sel("illustrative")
    true = tabular.typed("true", "boolean")
    for table in TABLES:
        for row in batch.rows.get(table.file, []):
            triples = table.emit(row.values)
            if table.kind != "settings":
                node = triples[0][0] if table.kind not in {"scheme_competency", "program_competency", "level",
                                                           "descriptor"} else triples[1][0]
                triples.append((node, sel("code"), ox.Literal("/".join(str(row.values[k]) for k in table.key))))
                if row.values.get("source"):
                    triples.append((node, source_p, ox.Literal(str(row.values["source"]))))
                if row.values.get("illustrative"):
                    triples.append((node, illustrative_p, true))
            quads.extend(ox.Quad(s, p, o, FACTS) for s, p, o in triples)
    return list(dict.fromkeys(quads))


def import_paths(store: Store, paths: Sequence[str | Path], *, replace: bool = False) -> ImportReport:
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
    if problems:
        raise InputError(problems)
    rows = build_quads(batch)
    if batch.rdf:
        _check_shapes(check_store, rows + batch.rdf, batch)
    # a table row replaces what an earlier import said of its entity; RDF input only adds
    remove = list(store.quads(FACTS_GRAPH)) if replace else _superseded(store, rows)
    remove += list(store.match(FACTS, None, None, META))
    add = list(dict.fromkeys(rows + batch.rdf)) + _version_quads()
    store.replace(remove, add)
    store.flush()
    count = sum(len(v) for v in batch.rows.values())
    return ImportReport(tuple(batch.files), count, len(add), len(remove))


def _check_shapes(store: Store, new: list[ox.Quad], batch: Batch) -> None:
    """Validate RDF input with the SHACL shapes, over the store's facts plus the new ones.

    Tables are checked column by column above; RDF can say anything, so the shapes decide.
    """
    from selaras.engine import inference, validation
    from selaras.engine.store import open_store

    candidate = open_store()
    candidate.extend(q for q in store.quads() if q.graph_name != META)
    candidate.extend(new)
    inference.infer(candidate, only=["scale-bounds"])
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


def _superseded(store: Store, add: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Existing facts that the new quads replace: same subject and (non-additive) predicate."""
    if store.count(FACTS_GRAPH) == 0:
        return []
    pairs = {(q.subject, q.predicate) for q in add if q.predicate.value not in ADDITIVE}
    new = set(add)
    removed = []
    subjects = {s for s, _ in pairs}
    for s in subjects:
        for q in store.match(s, None, None, FACTS):
            if (q.subject, q.predicate) in pairs and q not in new:
                removed.append(q)
    return removed


def _version_quads() -> list[ox.Quad]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return [
        ox.Quad(FACTS, VERSION_INFO, ox.Literal(uuid.uuid4().hex), META),
        ox.Quad(FACTS, MODIFIED, tabular.typed(now, "dateTime"), META),
    ]


def facts_version(store: Store) -> str | None:
    """Return the version tag of the facts graph (changes on every import), or None."""
    for q in store.match(FACTS, VERSION_INFO, None, META):
        return q.object.value
    return None
