"""Import another competency framework from two generic CSV files, so career paths work on it.

Two files are enough (UTF-8, header row, columns in any order, names case-insensitive):

``REQUIREMENTS.csv`` (long format, one row per position and competency)
    ``position``, ``competency``, ``level`` and optionally ``importance``. ``level`` is a number
    on any scale (0–7, 1–5 …); decimals (such as O*NET's 4.12) are rounded half up to whole
    levels. ``importance`` is any non-negative number (e.g. O*NET's 1–5).
``POSITIONS.csv``
    ``position``, ``label``, ``family``, ``grade`` and optionally ``track`` (``managerial`` or
    ``specialist``; default ``specialist``).

They become the standard import tables and go through the normal importer (so validation
and all-or-nothing apply): one proficiency scale ``fw<min>-<max>`` whose levels run from the
lowest to the highest level seen; each competency not yet in the store as a ``technical``
competency on that scale (a competency the store already knows keeps its group and scale);
one grade per distinct grade value, ranked by natural sort order (``1 < 2 < 10``,
``A2 < B4 < C10``); one family per family value. Identifiers that are not valid codes
(e.g. ``Reading Comprehension``) become slugs (``reading-comprehension``) and keep the
original text as their label. Every generated row's ``source`` names the file and line.

>>> slug("Reading Comprehension")
'reading-comprehension'
>>> slug("15-1252.00")
'15-1252.00'
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from selaras.engine.errors import InputError, Problem
from selaras.engine.ingest import importer
from selaras.engine.ingest.tabular import CODE_PATTERN, TRACKS
from selaras.engine.store import Dataset
from selaras.ontology.namespace import DATA_IRI

REQUIREMENT_COLUMNS = ("position", "competency", "level")
POSITION_COLUMNS = ("position", "label", "family", "grade")


@dataclass
class FrameworkReport:
    """What a framework import did."""

    positions: int = 0
    competencies_new: int = 0
    competencies_known: int = 0
    requirements: int = 0
    scale: str = ""
    low: int = 0
    high: int = 0
    grades: list[str] = field(default_factory=list)
    families: int = 0
    rounded: int = 0
    skipped: int = 0
    imported: importer.ImportReport | None = None


def slug(text: str) -> str:
    """Turn a name into a valid code (kept as is when it already is one)."""
    text = text.strip()
    if CODE_PATTERN.match(text):
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^A-Za-z0-9_.]+", "-", ascii_text).strip("-.").lower()
    return out or "x"


def _natural(text: str) -> tuple:
    parts = re.split(r"(\d+(?:\.\d+)?)", text.strip().casefold())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts) if p != "" or i == 0)


def _read(path: Path, required: Sequence[str], optional: Sequence[str]) -> tuple[list[tuple[int, dict[str, str]]],
                                                                                   list[Problem]]:
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return [], [Problem(where, None, None, "no such file", "check the path")]
    except UnicodeDecodeError:
        return [], [Problem(where, None, None, "the file is not UTF-8", "save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = [(reader.line_num, rec) for rec in reader]
    except csv.Error as err:
        return [], [Problem(where, reader.line_num, None, f"malformed CSV: {err}", "check the quoting on that line")]
    if not records:
        return [], [Problem(where, None, None, "the file is empty",
                            f"add a header row: {', '.join(required)}")]
    line, header = records[0]
    names = [h.strip().lower() for h in header]
    problems = [Problem(where, line, c, f"required column {c!r} is missing", "add it to the header row")
                for c in required if c not in names]
    unknown = [h for h in names if h and h not in (*required, *optional)]
    problems += [Problem(where, line, h, f"unknown column {h!r}",
                         f"remove it or use: {', '.join((*required, *optional))}") for h in unknown]
    if problems:
        return [], problems
    rows = []
    for line, rec in records[1:]:
        if not any(v.strip() for v in rec):
            continue
        values = {n: (rec[i].strip() if i < len(rec) else "") for i, n in enumerate(names) if n}
        for c in required:
            if not values.get(c):
                problems.append(Problem(where, line, c, f"{c} is empty", f"fill in the {c}"))
        rows.append((line, values))
    if not rows:
        problems.append(Problem(where, None, None, "the file has a header but no rows", "add data rows"))
    return rows, problems


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def build_tables(requirements: Path, positions: Path, store: Dataset | None = None, *,
                 min_importance: float | None = None) -> tuple[dict[str, list[Sequence[object]]], FrameworkReport]:
    """Convert the two generic files into the standard import tables (file name → rows, header first).

    Raises:
        InputError: every problem found in the two files; nothing is written.
    """
    req_rows, problems = _read(requirements, REQUIREMENT_COLUMNS, ("importance",))
    pos_rows, more = _read(positions, POSITION_COLUMNS, ("track",))
    problems += more
    report = FrameworkReport()
    rfile, pfile = str(requirements), str(positions)

    codes: dict[str, str] = {}
    used: set[str] = set()
    position_rows = []
    for line, v in pos_rows:
        if not v.get("position"):
            continue
        original = v["position"]
        if original in codes:
            problems.append(Problem(pfile, line, "position", f"duplicate position {original!r}",
                                    "keep one row per position"))
            continue
        code = slug(original)
        base, n = code, 2
        while code in used:
            code, n = f"{base}-{n}", n + 1
        used.add(code)
        codes[original] = code
        track = (v.get("track") or "specialist").lower()
        if track not in TRACKS:
            problems.append(Problem(pfile, line, "track", f"{v.get('track')!r} is not a track",
                                    "use managerial or specialist, or leave it empty"))
        position_rows.append((line, code, v, track))

    levels: list[tuple[int, str, str, int, str | None, bool]] = []
    seen: set[tuple[str, str]] = set()
    for line, v in req_rows:
        if not (v.get("position") and v.get("competency") and v.get("level")):
            continue
        if v["position"] not in codes:
            close = [p for p in codes if p.casefold() == v["position"].casefold()]
            hint = f"did you mean {close[0]!r}?" if close else f"add it to {positions.name}"
            problems.append(Problem(rfile, line, "position", f"unknown position {v['position']!r}", hint))
            continue
        level = _number(v["level"])
        if level is None:
            problems.append(Problem(rfile, line, "level", f"{v['level']!r} is not a number",
                                    "write the level as a number such as 3"))
            continue
        importance = v.get("importance") or None
        if importance is not None:
            imp = _number(importance)
            if imp is None or imp < 0:
                problems.append(Problem(rfile, line, "importance", f"{importance!r} is not a number ≥ 0",
                                        "write a number such as 3.5, or leave it empty"))
                continue
            if min_importance is not None and imp < Decimal(str(min_importance)):
                report.skipped += 1
                continue
        whole = int(level.to_integral_value(rounding=ROUND_HALF_UP))
        rounded = Decimal(whole) != level
        key = (v["position"], v["competency"])
        if key in seen:
            problems.append(Problem(rfile, line, "competency",
                                    f"duplicate requirement {v['position']!r} / {v['competency']!r}",
                                    "keep one row per position and competency"))
            continue
        seen.add(key)
        levels.append((line, codes[v["position"]], v["competency"], whole, importance, rounded))
    if problems:
        raise InputError(problems)
    if not levels:
        raise InputError(Problem(rfile, None, None, "no requirement is left to import",
                                 "check the file (and --min-importance)"))

    low, high = min(lv[3] for lv in levels), max(lv[3] for lv in levels)
    scale = f"fw{low}-{high}"
    known = _known_competencies(store)
    comp_codes: dict[str, str] = {}
    comp_used: set[str] = set()
    for _, _, name, *_ in levels:
        if name in comp_codes:
            continue
        code = slug(name)
        base, n = code, 2
        while code in comp_used:
            code, n = f"{base}-{n}", n + 1
        comp_used.add(code)
        comp_codes[name] = code
    grades = sorted({v["grade"] for _, _, v, _ in position_rows}, key=_natural)
    families = sorted({v["family"] for _, _, v, _ in position_rows}, key=_natural)

    src = f"framework import: derived from {requirements.name}"
    tables: dict[str, list[Sequence[object]]] = {
        "scales.csv": [["scale", "label_en", "label_id", "source"],
                       [scale, f"Framework scale {low}–{high}", f"Skala kerangka {low}–{high}", src]],
        "levels.csv": [["scale", "rank", "label_en", "label_id", "source"],
                       *([scale, r, f"Level {r}", f"Level {r}", src] for r in range(low, high + 1))],
        "competencies.csv": [["code", "group", "label_en", "scale", "source"]],
        "grades.csv": [["grade", "rank", "label", "source"],
                       *([slug(g), r, g, f"framework import: derived from {positions.name}"]
                         for g, r in grade_ranks(grades).items())],
        "families.csv": [["family", "label_en", "source"],
                         *([slug(f), f, f"framework import: derived from {positions.name}"] for f in families)],
        "positions.csv": [["position", "label", "grade", "family", "track", "source"],
                          *([code, v["label"], slug(v["grade"]), slug(v["family"]), track,
                             f"framework import: {positions.name}:{line}"]
                            for line, code, v, track in position_rows)],
        "requirements.csv": [["position", "competency", "level", "importance", "source"],
                             *([p, comp_codes[c], lv, imp or "", f"framework import: {requirements.name}:{line}"]
                               for line, p, c, lv, imp, _ in levels)],
    }
    for name, code in comp_codes.items():
        if code in known:
            report.competencies_known += 1
            continue
        tables["competencies.csv"].append([code, "technical", name, scale, src])
        report.competencies_new += 1
    if len(tables["competencies.csv"]) == 1:
        del tables["competencies.csv"]
    report.positions = len(position_rows)
    report.requirements = len(levels)
    report.scale, report.low, report.high = scale, low, high
    report.grades = grades
    report.families = len(families)
    report.rounded = sum(1 for lv in levels if lv[5])
    return tables, report


def grade_ranks(grades: Sequence[str]) -> dict[str, int]:
    """Rank grades: by their number when all share one pattern with one whole number, else by sort order.

    >>> grade_ranks(["Job Zone 2", "Job Zone 4", "Job Zone 5"])
    {'Job Zone 2': 2, 'Job Zone 4': 4, 'Job Zone 5': 5}
    >>> grade_ranks(["C10", "A2", "B4"])
    {'A2': 1, 'B4': 2, 'C10': 3}
    """
    ordered = sorted(grades, key=_natural)
    found = [re.fullmatch(r"(\D*)(\d+)(\D*)", g.strip()) for g in ordered]
    if all(found):
        shapes = {(m.group(1).casefold(), m.group(3).casefold()) for m in found if m}
        numbers = [int(m.group(2)) for m in found if m]
        if len(shapes) == 1 and len(set(numbers)) == len(numbers):
            return dict(zip(ordered, numbers, strict=True))
    return {g: i for i, g in enumerate(ordered, 1)}


def _known_competencies(store: Dataset | None) -> set[str]:
    if store is None:
        return set()
    prefix = DATA_IRI + "competency/"
    rows = store.query("SELECT ?c WHERE { ?c <https://w3id.org/selaras/ontology#scale> ?s }").rows
    return {r["c"].value[len(prefix):] for r in rows if r["c"].value.startswith(prefix)}


def import_framework(store: Dataset, requirements: str | Path, positions: str | Path, *, replace: bool = False,
                     min_importance: float | None = None) -> FrameworkReport:
    """Import a framework from the two generic CSV files into a store, all or nothing.

    Args:
        store: the store to write.
        requirements: the long-format file (``position, competency, level[, importance]``).
        positions: the positions file (``position, label, family, grade[, track]``).
        replace: drop the store's existing facts first (in the same transaction).
        min_importance: leave out requirements whose importance is below this.

    Raises:
        InputError: a problem in either file (named by file, line and column); nothing written.
    """
    tables, report = build_tables(Path(requirements), Path(positions), None if replace else store,
                                  min_importance=min_importance)
    with tempfile.TemporaryDirectory(prefix="selaras-framework-") as tmp:
        for name, rows in tables.items():
            with (Path(tmp) / name).open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(rows)
        try:
            report.imported = importer.import_paths(store, [tmp], replace=replace)
        except InputError as err:
            raise InputError(
                [Problem(f"{p.file.replace(tmp + '/', '(generated) ')}", p.row, p.column, p.message,
                         p.fix + f" (in {Path(requirements).name} or {Path(positions).name})")
                 for p in err.problems] or str(err)) from err
    return report
