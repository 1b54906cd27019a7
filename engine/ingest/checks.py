"""Check a batch before anything is written: columns, values, references, hierarchies, settings.

:func:`validate` reads every row once (the first pass) and returns every problem found, each
as ``file:row:column: what — fix``. References resolve against the batch and the store
(another import's codes count); hierarchies (units, reporting lines) must not form cycles;
assignments must not overlap in time.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from selaras.engine.errors import Problem
from selaras.engine.ingest import tabular
from selaras.engine.ingest.sources import (
    FACTS, KEPT, RDF_SUFFIXES, Batch, ParsedRow, Source, Unreadable, locate_iris, source_rows,
)
from selaras.engine.ingest.tabular import TABLES, sel
from selaras.engine.store import FACTS_GRAPH, Dataset
from selaras.ontology.namespace import DATA_IRI

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
        except Unreadable:
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
            for line, values in source_rows(source, source.problems):
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
                problems.append(Problem(files, locate_iris(files, [prefix + start]).get(prefix + start), predicate,
                                        f"sel:{predicate} forms a cycle: {cycle}",
                                        f"break the cycle so that some {key} has no sel:{predicate}"))
    return problems
