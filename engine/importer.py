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

import csv
import io
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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        batch.problems.append(Problem(str(path), line, None,
                                      f"byte 0x{data[err.start]:02x} is not valid UTF-8",
                                      "save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)"))
        return
    if "\x00" in text:
        batch.problems.append(Problem(str(path), None, None, "the file contains NUL bytes (binary data)",
                                      "export the table as a plain-text CSV"))
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, rec) for rec in reader]
    except csv.Error as err:
        batch.problems.append(Problem(str(path), reader.line_num, None, f"malformed CSV: {err}",
                                      "check the quoting on that line"))
        return
    _take_records(str(path), table, records, batch)


def _read_xlsx(path: Path, batch: Batch) -> None:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=False, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        batch.problems.append(Problem(str(path), None, None, f"not a readable XLSX workbook ({err})",
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
        for r, row in enumerate(ws.iter_rows(), start=1):
            values: list[str] = []
            for cell in row:
                v = cell.value
                if isinstance(v, str) and v.startswith("="):
                    batch.problems.append(Problem(where, r, cell.column_letter, f"a formula ({v})",
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
    if fmt == ox.RdfFormat.RDF_XML and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        line = data[: max(data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY"), 0)].count(b"\n") + 1
        batch.problems.append(Problem(str(path), line, None,
                                      "the RDF/XML declares a DOCTYPE or entities, which Selaras refuses "
                                      "(entity expansion and external entities are unsafe)",
                                      "remove the DOCTYPE and write entity values out in full"))
        return
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=DATA_IRI))
    except SyntaxError as err:
        line = getattr(err, "lineno", None)
        batch.problems.append(Problem(str(path), line, None, f"syntax error: {err.msg if hasattr(err, 'msg') else err}",
                                      "fix the RDF syntax at that place"))
        return
    except (ValueError, OSError) as err:
        batch.problems.append(Problem(str(path), None, None, f"cannot parse: {err}",
                                      "check the file's format matches its extension"))
        return
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and any(c.isspace() for c in term.value):
                batch.problems.append(Problem(str(path), None, None, f"IRI with white space <{term.value}>",
                                              "percent-encode spaces (%20) or use '-' in the IRI"))
                return
    batch.rdf.extend(ox.Quad(q.subject, q.predicate, q.object, FACTS) for q in quads)


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
    problems += _check_cycles(batch, "positions.csv", "position", "reports_to")
    problems += _check_cycles(batch, "units.csv", "unit", "parent")
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


def _check_cycles(batch: Batch, file: str, key: str, parent: str) -> list[Problem]:
    rows = {str(r.values[key]): r for r in batch.rows.get(file, [])}
    links = {k: str(r.values[parent]) for k, r in rows.items() if r.values.get(parent)}
    problems, reported = [], set()
    for start in links:
        seen, node = [start], links[start]
        while node in links and node not in seen:
            seen.append(node)
            node = links[node]
        if node == start and start not in reported:
            reported.update(seen)
            row = rows[start]
            problems.append(Problem(row.file, row.line, parent,
                                    f"{parent} forms a cycle: {' → '.join([*seen, start])}",
                                    f"break the cycle so that some {key} has no {parent}"))
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
        raise InputError([
            Problem(where, None, (r.path or "").rsplit("#", 1)[-1] or None,
                    f"{r.focus_label} <{r.focus}>: {r.message.split('. ')[0]}",
                    r.message.split(". ", 1)[1] if ". " in r.message else "correct the data to fit the shape")
            for r in errors
        ])


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
