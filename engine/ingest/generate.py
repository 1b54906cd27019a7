"""Generate a synthetic organisation of any size in the import format, the same for the same arguments.

For tests, benchmarks and demonstrations: ``generate(out, employees=10_000, positions=400)``
writes a folder of CSV files (``spec/FORMAT.md``; column names come from
:data:`selaras.engine.ingest.tabular.TABLES`) that ``selaras import`` reads as it is. Everything in
it is made up and marked ``illustrative``; nothing is any organisation's data.

What it looks like:

- **competencies**: the paper's structure — 4 core, 6 leadership, 9 behavioural, the rest
  technical. With the default 86 they are the bundled example's dictionary (Endry §E);
  with another count, codes and labels are synthesised (``C1``, ``L1``, ``B1``, ``T001`` …).
- **scale**: one scale of ``scale_levels`` levels (1…L). Levels are planned on a five-step
  ladder and mapped onto the scale, so a 7-level scale gets the same shape.
- **job architecture**: 8–20 job families (one per 12 positions; fewer than 8 only below 16
  positions, with at least two positions each), an 11-rank grade ladder
  A1 < A2 < A3 < B4 < … < C11, one unit per family under a head office. Each family has a
  specialist ladder (ranks 1–8) and a managerial ladder (ranks 6–11); every position but the
  family head reports to a manager of its family with a higher grade.
- **requirements**: every position requires all core and leadership competencies, 3–6
  behavioural ones and 4–10 technical ones from its family's pool, at levels that rise with
  grade (managers need more leadership), capped at the scale's top. Levels never fall with
  grade inside a family, so the model holds no planted anomaly.
- **schemes**: 10–40 certification schemes, each certifying 2–5 of one family's technical
  competencies at levels 2–4, with the occupation map's headcount; most are recognised by BNSP.
- **programmes**: two or three per family (technical, with every development method) plus
  general ones (core, leadership, behavioural), some preparing for a scheme.
- **people**: employees spread over the positions as a pyramid (one holder per family head,
  more people at low grades, every position filled when there are enough people); assessments of about 95% of the required
  competencies at levels around the required one, dated within three years before the
  reference date 2026-06-30 (about one in eight employees last assessed over 24 months ago),
  some of a competency of a higher position, some reassessed; certifications for about a third
  of the people in a scheme's occupation, some expired and some expiring soon.
- **position histories**: each employee's earlier positions, drawn from where people come from
  in the job architecture (a lower grade of the family; a neighbouring family whose positions
  share technical competencies; rarely anywhere), never from the ranking of ``career next``
  (:func:`position_histories`); they make the observed transitions that ``bench/ranking.py``
  holds out to measure the ranking.

``assessments.csv`` and ``position_history.csv`` carry no provenance columns (they are the
largest files by far, and each column would add a triple per row); every employee is marked
``illustrative``.

Only :class:`random.Random` (seeded) draws the numbers, no clock is read and rows are written
in a fixed order, so the same arguments give byte-identical files. Rows stream to disk with
:mod:`csv`, so 100,000 employees take seconds.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     report = generate(Path(d), employees=50, positions=20, seed=1)
>>> report.rows["employees.csv"], report.rows["positions.csv"], report.families
(50, 20, 8)
"""

from __future__ import annotations

import bisect
import csv
import io
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from selaras.engine.errors import InputError, Problem
from selaras.engine.ingest.tabular import TABLES_BY_FILE
from selaras.engine.rules.settings import READINESS_SCOPES
from selaras.ontology import EXAMPLE_DIR

#: The as-of date of generated data.
REFERENCE_DATE = date(2026, 6, 30)
#: Ranks of the grade ladder, lowest first.
GRADES = ("A1", "A2", "A3", "B4", "B5", "B6", "C7", "C8", "C9", "C10", "C11")
#: Sizes of the four competency groups besides technical (the paper's structure).
SOFT_GROUPS = (("core", 4), ("leadership", 6), ("behavioral", 9))
MIN_COMPETENCIES = 19 + 6
MAX_LEVELS = 10
#: Job families: code, English label, Indonesian label (the first ones are the example's).
FAMILIES = (
    ("kepesertaan", "Membership", "Kepesertaan"),
    ("iuran", "Contributions", "Iuran"),
    ("penjaminan-manfaat", "Benefit assurance", "Penjaminan manfaat"),
    ("pelayanan", "Customer service", "Pelayanan"),
    ("kepatuhan", "Compliance", "Kepatuhan"),
    ("keuangan", "Finance", "Keuangan"),
    ("investasi", "Investment", "Investasi"),
    ("teknologi-informasi", "Information technology", "Teknologi informasi"),
    ("sdm", "Human capital", "Sumber daya manusia"),
    ("hukum", "Legal", "Hukum"),
    ("audit-internal", "Internal audit", "Audit internal"),
    ("manajemen-risiko", "Risk management", "Manajemen risiko"),
    ("perencanaan", "Strategic planning", "Perencanaan strategis"),
    ("komunikasi", "Communications", "Komunikasi"),
    ("pengadaan", "Procurement", "Pengadaan"),
    ("umum", "General affairs", "Umum"),
    ("aktuaria", "Actuarial", "Aktuaria"),
    ("analitik-data", "Data analytics", "Analitik data"),
    ("manajemen-mutu", "Quality management", "Manajemen mutu"),
    ("sertifikasi", "Professional certification", "Sertifikasi profesi"),
)
#: Specialist titles by rank band (rank ≤ key), managerial titles likewise.
SPECIALIST_TITLES = ((2, "Staf"), (4, "Staf Senior"), (6, "Spesialis"), (8, "Spesialis Senior"), (11, "Ahli"))
MANAGERIAL_TITLES = ((7, "Asisten Manager"), (9, "Manager"), (10, "Kepala Divisi"), (11, "Deputi"))
METHODS = ("classroom", "job_assignment", "coaching_mentoring", "self_directed")
#: Level offsets of an assessment from the required level, and their weights.
DELTAS = (-2, -1, 0, 1, 2)
DELTA_WEIGHTS = (4, 18, 45, 27, 6)
GIVEN = (
    "Agus", "Andi", "Anisa", "Ayu", "Bayu", "Budi", "Citra", "Dedi", "Dewi", "Dimas", "Eka", "Eko",
    "Endang", "Fajar", "Fitri", "Galih", "Gilang", "Hana", "Hendra", "Ikhsan", "Indah", "Irfan", "Joko",
    "Kartika", "Ketut", "Lestari", "Made", "Maya", "Nanda", "Novi", "Nur", "Putri", "Rahmat", "Ratna",
    "Rina", "Rizky", "Sari", "Siti", "Taufik", "Teguh", "Utami", "Wahyu", "Wayan", "Wulan", "Yoga",
    "Yuni", "Zainal", "Arif", "Dian", "Hesti", "Bambang", "Sri", "Rudi", "Lina", "Hadi", "Ani",
)
SURNAMES = (
    "Pratama", "Saputra", "Wijaya", "Kusuma", "Hidayat", "Nugroho", "Santoso", "Rahayu", "Siregar",
    "Nasution", "Harahap", "Simanjuntak", "Sitompul", "Purba", "Wibowo", "Setiawan", "Gunawan", "Hakim",
    "Permana", "Ramadhan", "Syahputra", "Halim", "Manurung", "Tambunan", "Situmorang", "Lubis",
    "Batubara", "Suryadi", "Hartono", "Wahyudi", "Firmansyah", "Maharani", "Utomo", "Susanto",
)
#: Words for synthesised technical competencies: (English, Indonesian).
TOPICS = (
    ("Claims", "Klaim"), ("Contribution", "Iuran"), ("Membership", "Kepesertaan"), ("Benefit", "Manfaat"),
    ("Provider", "Fasilitas Kesehatan"), ("Treasury", "Treasuri"), ("Investment", "Investasi"),
    ("Actuarial", "Aktuaria"), ("Procurement", "Pengadaan"), ("Contract", "Kontrak"), ("Audit", "Audit"),
    ("Risk", "Risiko"), ("Data", "Data"), ("Network", "Jaringan"), ("Application", "Aplikasi"),
    ("Payroll", "Penggajian"), ("Tax", "Pajak"), ("Budget", "Anggaran"), ("Asset", "Aset"),
    ("Complaint", "Pengaduan"), ("Regulation", "Regulasi"), ("Fraud", "Kecurangan"), ("Quality", "Mutu"),
    ("Records", "Arsip"), ("Communication", "Komunikasi"), ("Facility", "Fasilitas"),
)
ACTIVITIES = (
    ("Analysis", "Analisis"), ("Management", "Manajemen"), ("Verification", "Verifikasi"),
    ("Planning", "Perencanaan"), ("Reporting", "Pelaporan"), ("Control", "Pengendalian"),
    ("Governance", "Tata Kelola"), ("Operations", "Operasional"), ("Modelling", "Pemodelan"),
    ("Inspection", "Pemeriksaan"), ("Negotiation", "Negosiasi"), ("Development", "Pengembangan"),
)
#: Level labels (English, Indonesian) for scales of 5 (the paper's reading) and 7 levels.
LEVEL_LABELS = {
    5: (("Knows and can explain", "Tahu dan dapat menjelaskan"),
        ("Application and implementation", "Aplikasi dan implementasi"),
        ("Analysis and solution", "Analisis dan solusi"),
        ("Review and evaluation", "Review dan evaluasi"),
        ("Subject-matter expert and innovation", "Ahli (SME), pengembangan dan inovasi")),
    7: (("Follow", "Mengikuti"), ("Assist", "Membantu"), ("Apply", "Menerapkan"), ("Enable", "Memampukan"),
        ("Ensure and advise", "Memastikan dan memberi saran"),
        ("Initiate and influence", "Memprakarsai dan memengaruhi"),
        ("Set strategy and inspire", "Menetapkan strategi dan menginspirasi")),
}


#: Maps a level planned on a five-step ladder onto the generated scale.
ToScale = Callable[[float], int]
#: A job family: code, English label, Indonesian label.
Family = tuple[str, str, str]
#: A scheme: code, family index, certified (competency, level) pairs.
Scheme = tuple[str, int, list[tuple[str, int]]]


@dataclass(frozen=True)
class GenerateReport:
    """What :func:`generate` wrote."""

    out: Path
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    families: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        """Data rows in all files."""
        return sum(self.rows.values())


@dataclass
class _Position:
    code: str
    label: str
    rank: int
    family: int
    track: str
    reports_to: str = ""
    requirements: list[tuple[str, int]] = field(default_factory=list)
    headcount: int = 0


@dataclass
class _Competency:
    code: str
    group: str
    label_en: str
    label_id: str
    definition_en: str = ""
    definition_id: str = ""


class _Writer:
    """Write the tables, each with the columns :data:`TABLES` declares, and count the rows."""

    def __init__(self, out: Path, source: str) -> None:
        self.out = out
        self.source = source
        self.rows: dict[str, int] = {}

    def write(self, file: str, rows: Iterable[Mapping[str, object]]) -> None:
        """Write dict rows with every declared column, provenance included."""
        columns = [c.name for c in TABLES_BY_FILE[file].columns]
        provenance = {"source": self.source, "illustrative": "true"}
        self.write_tuples(file, columns, ([{**row, **provenance}.get(c, "") for c in columns] for row in rows))

    def write_tuples(self, file: str, columns: list[str], rows: Iterable[Iterable[object]]) -> None:
        """Write rows given in the order of ``columns`` (a subset of the declared ones)."""
        declared = [c.name for c in TABLES_BY_FILE[file].columns]
        assert all(c in declared for c in columns), f"{file}: {columns} not all declared in TABLES"
        count = 0
        with open(self.out / file, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                count += 1
        self.rows[file] = count


def generate(out: Path, *, employees: int, positions: int, seed: int = 0, competencies: int = 86,
             scale_levels: int = 5, readiness_scope: str | None = None) -> GenerateReport:
    """Write a synthetic organisation into the folder ``out`` (created when missing).

    Args:
        out: the folder to write the CSV files (and a README.md) into; files there are replaced.
        employees: how many employees (0 or more).
        positions: how many positions (2 or more).
        seed: the seed of the random numbers; the same arguments give byte-identical files.
        competencies: size of the dictionary (at least 25); 86 reuses the bundled example's.
        scale_levels: levels of the proficiency scale (3 to 10), numbered from 1.
        readiness_scope: written to settings.csv when given: "moves" or "position" (readiness
            for each employee's own position only, for large organisations).

    Returns:
        a report of the rows written per file.

    Raises:
        InputError: an argument is out of range (the message says the allowed range).
    """
    problems = []
    if employees < 0:
        problems.append(Problem("--employees", None, None, f"{employees} is negative", "give 0 or more"))
    if positions < 2:
        problems.append(Problem("--positions", None, None, f"{positions} is too few", "give 2 or more"))
    if competencies < MIN_COMPETENCIES:
        problems.append(Problem("--competencies", None, None, f"{competencies} is too few",
                                f"give {MIN_COMPETENCIES} or more (19 soft ones plus technical ones)"))
    if not 3 <= scale_levels <= MAX_LEVELS:
        problems.append(Problem("--levels", None, None, f"{scale_levels} levels is out of range",
                                f"give 3 to {MAX_LEVELS}"))
    if readiness_scope is not None and readiness_scope not in READINESS_SCOPES:
        problems.append(Problem("--readiness-scope", None, None, f"{readiness_scope!r} is unknown",
                                "give " + " or ".join(READINESS_SCOPES)))
    if problems:
        raise InputError(problems)
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    w = _Writer(out, f"synthetic: selaras generate (seed {seed})")
    scale = f"gen{scale_levels}"

    def level(nominal: float) -> int:
        """Map a level planned on a five-step ladder onto the scale (1…scale_levels)."""
        nominal = min(5.0, max(1.0, nominal))
        return max(1, min(scale_levels, int(1 + (nominal - 1) * (scale_levels - 1) / 4 + 0.5)))

    # --- settings, scale, authority ---------------------------------------------------
    w.write("settings.csv", [
        {"key": "reference_date", "value": REFERENCE_DATE.isoformat()},
        {"key": "stale_after_months", "value": "24"},
        {"key": "expiry_warning_days", "value": "90"},
        {"key": "max_lateral_grade_steps", "value": "1"},
        *([{"key": "readiness_scope", "value": readiness_scope}] if readiness_scope else []),
    ])
    w.write("scales.csv", [{"scale": scale, "label_en": f"Synthetic {scale_levels}-level proficiency scale",
                            "label_id": f"Skala kemahiran sintetis {scale_levels} level"}])
    labels = LEVEL_LABELS.get(scale_levels, tuple((f"Level {r}", f"Level {r}") for r in range(1, scale_levels + 1)))
    w.write("levels.csv", [{"scale": scale, "rank": r, "label_en": labels[r - 1][0], "label_id": labels[r - 1][1]}
                           for r in range(1, scale_levels + 1)])
    w.write("authorities.csv", [{"authority": "BNSP", "label_en": "National Professional Certification Agency",
                                 "label_id": "Badan Nasional Sertifikasi Profesi"}])

    # --- competencies -------------------------------------------------------------------
    dictionary = _competencies(competencies, rng)
    by_group: dict[str, list[str]] = {g: [] for g in ("core", "leadership", "behavioral", "technical")}
    for c in dictionary:
        by_group[c.group].append(c.code)
    w.write("competencies.csv", [{**vars(c), "scale": scale} for c in dictionary])

    # --- families, grades, units ---------------------------------------------------------
    n_families = max(1, min(len(FAMILIES), max(8, positions // 12), positions // 2))
    families = FAMILIES[:n_families]
    w.write("grades.csv", [{"grade": g, "rank": r, "label": f"Grade {g}"} for r, g in enumerate(GRADES, 1)])
    w.write("families.csv", [{"family": f, "label_en": en, "label_id": id_} for f, en, id_ in families])
    units = [{"unit": "kantor-pusat", "label_en": "Head office", "label_id": "Kantor Pusat"}]
    units += [{"unit": f"div-{f}", "label_en": f"{en} division", "label_id": f"Divisi {id_}",
               "parent": "kantor-pusat"} for f, en, id_ in families]
    w.write("units.csv", units)

    technical = by_group["technical"]
    order = technical[:]
    rng.shuffle(order)
    pool_size = min(len(order), max(8, min(14, len(order) // 3)))
    step = max(1, len(order) // n_families)
    pools = [[order[(i * step + k) % len(order)] for k in range(pool_size)] for i in range(n_families)]
    behavioural = by_group["behavioral"]
    family_behaviour = [rng.sample(behavioural, 3) for _ in range(n_families)]

    # --- positions and requirements -------------------------------------------------------
    counts = [positions // n_families + (1 if i < positions % n_families else 0) for i in range(n_families)]
    all_positions: list[_Position] = []
    for fi, n in enumerate(counts):
        all_positions += _family_positions(fi, n, families[fi], rng)
    for p in all_positions:
        p.requirements = _requirements(p, by_group, pools[p.family], family_behaviour[p.family], level, rng)
    _allocate(all_positions, employees, rng)
    w.write("positions.csv", [
        {"position": p.code, "label": p.label, "grade": GRADES[p.rank - 1], "family": families[p.family][0],
         "track": p.track, "unit": f"div-{families[p.family][0]}", "reports_to": p.reports_to}
        for p in all_positions])
    w.write("requirements.csv", [
        {"position": p.code, "competency": c, "level": lv, "importance": _importance(c, by_group, p)}
        for p in all_positions for c, lv in p.requirements])

    # --- schemes and programmes ---------------------------------------------------------
    n_schemes = max(10, min(40, n_families * 2))
    schemes: list[Scheme] = []
    for s in range(n_schemes):
        fi = s % n_families
        taken = {c for code, f, cov in schemes if f == fi for c, _ in cov}
        candidates = [c for c in pools[fi] if c not in taken] or pools[fi]
        picked = rng.sample(candidates, min(len(candidates), rng.randint(2, 5)))
        schemes.append((f"skema-{families[fi][0]}-{s // n_families + 1}", fi,
                        [(c, level(rng.randint(2, 4))) for c in picked]))
    occupation: dict[str, list[_Position]] = {}  # the specialist positions a scheme certifies
    for code, fi, cov in schemes:
        certified = {c for c, _ in cov}
        needing = [p for p in all_positions if p.family == fi and certified & {c for c, _ in p.requirements}]
        occupation[code] = [p for p in needing if p.track == "specialist"] or needing
    w.write("schemes.csv", [
        {"scheme": code, "label": f"{families[fi][1]}: {_label(dictionary, cov[0][0])}".upper(),
         "headcount": max(1, int(sum(p.headcount for p in occupation[code]) * rng.uniform(0.9, 1.6) + 0.5)),
         "recognised_by": "BNSP" if rng.random() < 0.85 else "", "proposed_by": f"div-{families[fi][0]}"}
        for code, fi, cov in schemes])
    w.write("scheme_competencies.csv", [{"scheme": code, "competency": c, "level": lv}
                                        for code, _, cov in schemes for c, lv in cov])
    programs, developed = _programs(families, pools, schemes, by_group, level, rng)
    w.write("programs.csv", programs)
    w.write("program_competencies.csv", developed)

    # --- people ---------------------------------------------------------------------------
    width = max(4, len(str(employees)))
    people = [(f"E{n:0{width}d}", p) for n, p in enumerate(
        (p for p in all_positions for _ in range(p.headcount)), 1)]
    w.write("employees.csv", ({"employee": e, "name": f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                               "position": p.code} for e, p in people))
    soft = set(by_group["core"] + by_group["leadership"] + behavioural)
    technical_set = set(technical)
    higher = _higher_requirements(all_positions)
    w.write_tuples("assessments.csv", ["employee", "competency", "level", "date", "method"],
                   _assessments(people, soft, higher, scale_levels, rng))
    w.write("certifications.csv", _certifications(people, schemes, occupation, rng))
    # histories draw from a generator of their own: the other files stay as they were without them
    places = {p.code: Place(p.code, families[p.family][0], p.rank,
                            frozenset(c for c, _ in p.requirements if c in technical_set)) for p in all_positions}
    histories = position_histories(((e, places[p.code]) for e, p in people), list(places.values()),
                                   random.Random(f"history-{seed}"))
    w.write_tuples("position_history.csv", ["employee", "position", "start", "end"],
                   ((h["employee"], h["position"], h["start"], h["end"]) for h in histories))
    _readme(out, seed, employees, positions, competencies, scale_levels, w.rows)
    return GenerateReport(out, seed, dict(w.rows), n_families, time.perf_counter() - started)


# --- the parts --------------------------------------------------------------------------------
def _competencies(n: int, rng: random.Random) -> list[_Competency]:
    if n == 86:
        with open(EXAMPLE_DIR / "competencies.csv", encoding="utf-8", newline="") as fh:
            return [_Competency(r["code"], r["group"], r["label_en"], r.get("label_id") or "",
                                r.get("definition_en") or "", r.get("definition_id") or "")
                    for r in csv.DictReader(fh)]
    out = []
    names = {"core": ("Core competency", "Kompetensi dasar"),
             "leadership": ("Leadership competency", "Kompetensi kepemimpinan"),
             "behavioral": ("Behavioural competency", "Kompetensi perilaku")}
    for group, size in SOFT_GROUPS:
        prefix = group[0].upper()
        out += [_Competency(f"{prefix}{i}", group, f"{names[group][0]} {i}", f"{names[group][1]} {i}")
                for i in range(1, size + 1)]
    pairs = [(t, a) for t in TOPICS for a in ACTIVITIES]
    rng.shuffle(pairs)
    width = max(3, len(str(n - 19)))
    for i in range(1, n - 19 + 1):
        (t_en, t_id), (a_en, a_id) = pairs[(i - 1) % len(pairs)]
        suffix = "" if i <= len(pairs) else f" {(i - 1) // len(pairs) + 1}"
        out.append(_Competency(f"T{i:0{width}d}", "technical", f"{t_en} {a_en}{suffix}", f"{a_id} {t_id}{suffix}"))
    return out


def _family_positions(fi: int, n: int, family: Family, rng: random.Random) -> list[_Position]:
    """A family's managerial ladder (ranks 6–11) and specialist ladder (ranks 1–8), top first."""
    code, _, label_id = family
    managers = max(1, round(n * 0.35)) if n > 1 else 1
    specialists = n - managers
    top = 11 if fi % 2 == 0 else 10
    # one head at the top, the other managers spread over ranks 6 … top-1
    m_ranks = [top] + [(top - 1) - ((i - 1) * (top - 7)) // max(1, managers - 2) for i in range(1, managers)]
    s_ranks = sorted((1 + (i * 8) // specialists for i in range(specialists)), reverse=True)
    out: list[_Position] = []
    seen: dict[str, int] = {}

    def title(kind: str, rank: int) -> str:
        bands = MANAGERIAL_TITLES if kind == "managerial" else SPECIALIST_TITLES
        base = f"{next(t for limit, t in bands if rank <= limit)} {label_id.title()}"
        seen[base] = seen.get(base, 0) + 1
        return base if seen[base] == 1 else f"{base} {_roman(seen[base])}"

    for i, r in enumerate(m_ranks):
        out.append(_Position(f"{code}-m{i + 1:02d}", title("managerial", r), r, fi, "managerial"))
    for i, r in enumerate(s_ranks):
        out.append(_Position(f"{code}-s{i + 1:02d}", title("specialist", r), r, fi, "specialist"))
    managers_by_rank = sorted((p for p in out if p.track == "managerial"), key=lambda p: p.rank)
    for p in out:
        # everyone but the head reports to a lowest-graded manager above them (spread over equals)
        above = [m for m in managers_by_rank if m.rank > p.rank]
        if above:
            lowest = [m for m in above if m.rank == above[0].rank]
            p.reports_to = lowest[rng.randrange(len(lowest))].code
    return out


def _roman(n: int) -> str:
    """Write a small number in Roman numerals.

    >>> _roman(4), _roman(12)
    ('IV', 'XII')
    """
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letter in numerals:
        while n >= value:
            out += letter
            n -= value
    return out


def _requirements(p: _Position, by_group: dict[str, list[str]], pool: list[str], behaviour: list[str],
                  to_scale: ToScale, rng: random.Random) -> list[tuple[str, int]]:
    """All core and leadership, 3–6 behavioural, 4–10 technical; levels rise with grade.

    Levels depend on the grade alone (never on the track), so a higher grade never requires
    less than a lower one of the same family: managers differ by importance, not level.
    """
    r = p.rank
    soft_level = 2 if r <= 4 else 3 if r <= 8 else 4
    lead_level = 1 if r <= 2 else 2 if r <= 5 else 3 if r <= 8 else 4
    out = [(c, to_scale(soft_level)) for c in by_group["core"]]
    out += [(c, to_scale(lead_level)) for c in by_group["leadership"]]
    extra = [c for c in by_group["behavioral"] if c not in behaviour]
    behaviours = behaviour + sorted(rng.sample(extra, rng.randint(0, 3)), key=by_group["behavioral"].index)
    out += [(c, to_scale(soft_level)) for c in behaviours]
    n_tech = min(len(pool), max(4, min(10, 4 + round(6 * (r - 1) / 10) + rng.randint(-1, 1))))
    # the family's first competencies are its staples: everyone needs them; seniors add more
    staples = pool[: max(2, n_tech // 2)]
    rest = rng.sample(pool[len(staples):], max(0, n_tech - len(staples))) if n_tech > len(staples) else []
    tech_level = 1 + 4 * (r - 1) / 10
    out += [(c, to_scale(tech_level)) for c in staples + sorted(rest, key=pool.index)]
    return out


def _importance(code: str, by_group: dict[str, list[str]], p: _Position) -> str:
    if code in by_group["core"]:
        return "1.0"
    if code in by_group["leadership"]:
        return "0.9" if p.track == "managerial" else "0.6"
    if code in by_group["behavioral"]:
        return "0.7"
    return "0.8"


def _allocate(positions: list[_Position], employees: int, rng: random.Random) -> None:
    """Spread employees over positions as a pyramid: one head per family, and below that a
    weight that halves every two ranks up (managers' posts a third as large); every position
    gets someone when there are enough people."""
    heads = [p for p in positions if not p.reports_to]
    others = [p for p in positions if p.reports_to]
    if employees < len(positions) or not others:
        heads, others = [], positions
    for p in heads:
        p.headcount = 1
    employees -= len(heads)
    weights = [2 ** ((11 - p.rank) / 2) * (0.35 if p.track == "managerial" else 1.0) * rng.uniform(0.7, 1.3)
               for p in others]
    base = 1 if employees >= len(others) else 0
    rest = employees - base * len(others)
    total = sum(weights)
    shares = [rest * wt / total for wt in weights]
    counts = [base + int(s) for s in shares]
    left = employees - sum(counts)
    by_remainder = sorted(range(len(others)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_remainder[:left]:
        counts[i] += 1
    for p, c in zip(others, counts):
        p.headcount = c


def _programs(families: tuple[Family, ...], pools: list[list[str]], schemes: list[Scheme],
              by_group: dict[str, list[str]], to_scale: ToScale,
              rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Two or three technical programmes per family, then four general ones (soft competencies)."""
    programs: list[dict[str, object]] = []
    developed: list[dict[str, object]] = []
    scheme_of_family: dict[int, list[str]] = {}
    for code, fi, _ in schemes:
        scheme_of_family.setdefault(fi, []).append(code)
    for fi, (fam, en, id_) in enumerate(families):
        for k in range(2 + (1 if fi % 3 == 0 else 0)):
            method = METHODS[(fi + k) % len(METHODS)]
            code = f"prog-{fam}-{k + 1}"
            prepares = rng.choice(scheme_of_family[fi]) if fi in scheme_of_family and rng.random() < 0.7 else ""
            programs.append({"program": code, "label_en": f"{en} programme {k + 1}",
                             "label_id": f"Program {id_} {k + 1}", "method": method,
                             "hours": rng.choice((8, 16, 24, 40, 60, 80)), "prepares_for": prepares})
            for c in rng.sample(pools[fi], min(len(pools[fi]), rng.randint(2, 5))):
                developed.append({"program": code, "competency": c, "level": to_scale(rng.randint(2, 4))})
    general = (("prog-kepemimpinan", "Leadership development", "Pengembangan kepemimpinan", "classroom",
                "leadership", 4),
               ("prog-nilai-inti", "Core values", "Nilai-nilai inti", "self_directed", "core", 3),
               ("prog-perilaku-kerja", "Work behaviour coaching", "Coaching perilaku kerja", "coaching_mentoring",
                "behavioral", 3),
               ("prog-penugasan-manajer", "Manager job rotation", "Rotasi penugasan manajer", "job_assignment",
                "leadership", 3))
    for code, en, id_, method, group, top in general:
        programs.append({"program": code, "label_en": en, "label_id": id_, "method": method,
                         "hours": rng.choice((16, 24, 40)), "prepares_for": ""})
        members = by_group[group]
        for c in rng.sample(members, min(len(members), rng.randint(3, 5))):
            developed.append({"program": code, "competency": c, "level": to_scale(rng.randint(2, top))})
    return programs, developed


def _higher_requirements(positions: list[_Position]) -> dict[str, list[tuple[str, int]]]:
    """For each position, technical requirements of higher positions of its family it lacks."""
    out: dict[str, list[tuple[str, int]]] = {}
    for p in positions:
        own = {c for c, _ in p.requirements}
        seen: dict[str, int] = {}
        for q in positions:
            if q.family == p.family and q.rank > p.rank:
                for c, lv in q.requirements:
                    if c not in own and c not in seen:
                        seen[c] = lv
        out[p.code] = list(seen.items())
    return out


def _day(rng: random.Random, newest: int, oldest: int) -> str:
    """A date between ``newest`` and ``oldest`` days before the reference date."""
    return (REFERENCE_DATE - timedelta(days=rng.randint(newest, oldest))).isoformat()


def _assessments(people: list[tuple[str, _Position]], soft: set[str], higher: dict[str, list[tuple[str, int]]],
                 levels: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    """Yield assessment rows: two sessions per employee (soft, technical), ~5% of pairs missing."""
    cumulative = []
    acc = 0
    for wt in DELTA_WEIGHTS:
        acc += wt
        cumulative.append(acc)
    total = float(acc)
    rand = rng.random
    fresh_after = (REFERENCE_DATE - timedelta(days=23 * 30)).isoformat()
    for e, p in people:
        stale = rand() < 0.12
        # fresh sessions fall in the last 23 months, stale ones 25–36 months back
        soft_date = _day(rng, 25 * 30 + 5, 36 * 30) if stale else _day(rng, 0, 23 * 30)
        tech_date = _day(rng, 25 * 30 + 5, 36 * 30) if stale and rand() < 0.7 else _day(rng, 0, 23 * 30)
        soft_method = "assessment centre" if rand() < 0.5 else "360"
        tech_method = "supervisor review" if rand() < 0.6 else "technical test"
        for c, required in p.requirements:
            if rand() < 0.05:
                continue
            delta = DELTAS[bisect.bisect_right(cumulative, rand() * total)]
            held = min(levels, max(1, required + delta))
            is_soft = c in soft
            when = soft_date if is_soft else tech_date
            if rand() < 0.03 and when >= fresh_after:  # reassessed: an earlier result 7–13 months before
                earlier = (date.fromisoformat(when) - timedelta(days=rng.randint(200, 400))).isoformat()
                yield (e, c, min(levels, max(1, held - 1 if rand() < 0.7 else held + 1)), earlier,
                       soft_method if is_soft else tech_method)
            yield (e, c, held, when, soft_method if is_soft else tech_method)
        options = higher[p.code]
        if options and rand() < 0.15:  # preparing for a higher position of the family
            c, lv = options[rng.randrange(len(options))]
            yield (e, c, max(1, lv - rng.randint(0, 1)), tech_date, tech_method)


def _certifications(people: list[tuple[str, _Position]], schemes: list[Scheme],
                    occupation: dict[str, list[_Position]], rng: random.Random) -> Iterator[dict[str, object]]:
    """Yield certification rows: about a third of each scheme's occupation holds it."""
    schemes_of: dict[str, list[str]] = {}
    for code, _, _ in schemes:
        for p in occupation[code]:
            schemes_of.setdefault(p.code, []).append(code)
    for e, p in people:
        for code in schemes_of.get(p.code, ()):
            if rng.random() < 0.35:
                issued = REFERENCE_DATE - timedelta(days=rng.randint(30, 4 * 365))
                expires = issued.replace(year=issued.year + 3) if not (issued.month == 2 and issued.day == 29) \
                    else date(issued.year + 3, 3, 1)
                yield {"employee": e, "scheme": code, "issued": issued.isoformat(), "expires": expires.isoformat()}


@dataclass(frozen=True)
class Place:
    """A position as :func:`position_histories` sees it: its family, grade rank and technical competencies."""

    code: str
    family: str
    rank: int
    technical: frozenset[str]


def _predecessors(places: Sequence[Place], max_lateral: int) -> dict[str, tuple[list[Place], list[float]]]:
    """Where the holders of each position came from, with weights: the career structure's moves.

    Inside the family, from a lower grade (the nearer, the likelier); from another family, at the
    same grade or up to ``max_lateral`` grades lower, as likely as the two positions share
    technical competencies (skills that transfer); and rarely from anywhere lower (moves the
    structure does not foresee).
    """
    out = {}
    for q in places:
        cands, weights = [], []
        for p in places:
            if p.code == q.code or p.rank > q.rank:
                continue
            if p.family == q.family:
                w = 3.0 / (q.rank - p.rank) ** 2 if p.rank < q.rank else 0.0
            elif q.rank - p.rank <= max_lateral:
                shared = len(p.technical & q.technical)
                w = 1.5 * shared / max(1, len(p.technical | q.technical))
            else:
                w = 0.0
            w += 0.01  # the unforeseen
            cands.append(p)
            weights.append(w)
        out[q.code] = (cands, weights)
    return out


def position_histories(holders: Iterable[tuple[str, Place]], places: Sequence[Place], rng: random.Random, *,
                       reference: date = REFERENCE_DATE, max_lateral: int = 1) -> Iterator[dict[str, object]]:
    """Yield illustrative position-history rows that follow the career structure.

    Each employee holds their current position since a day in the last five years and, before
    that, with probability 0.6 per step (at most five), held a position they moved from, drawn
    by :func:`_predecessors` and held for one to five years: the histories are made by where
    people come from in the job architecture and by shared technical competencies, never by the
    ranking that ``career next`` computes. Rows run oldest first per employee; every tenure but
    the current ends on the day the next begins.
    """
    before = _predecessors(places, max_lateral)
    for employee, place in holders:
        start = reference - timedelta(days=rng.randint(30, 5 * 365))
        chain = [(place, start)]
        current = place
        while len(chain) < 6 and rng.random() < 0.6:
            cands, weights = before[current.code]
            if not cands:
                break
            current = rng.choices(cands, weights)[0]
            start = start - timedelta(days=rng.randint(365, 5 * 365))
            chain.append((current, start))
        chain.reverse()
        for i, (p, day) in enumerate(chain):
            end = chain[i + 1][1].isoformat() if i + 1 < len(chain) else ""
            yield {"employee": employee, "position": p.code, "start": day.isoformat(), "end": end}


def _label(dictionary: list[_Competency], code: str) -> str:
    return next(c.label_en for c in dictionary if c.code == code)


def _readme(out: Path, seed: int, employees: int, positions: int, competencies: int, levels: int,
            rows: dict[str, int]) -> None:
    buf = io.StringIO()
    buf.write("# Synthetic organisation (selaras generate)\n\n")
    buf.write("Everything in this folder is made up by `selaras generate`; it is no organisation's data.\n")
    buf.write("Every row is marked `illustrative` (assessments.csv and position_history.csv carry no provenance\n")
    buf.write("columns; their employees are marked).\n\n")
    buf.write(f"    selaras generate --employees {employees} --positions {positions} --seed {seed} "
              f"--competencies {competencies} --levels {levels} --out DIR\n\n")
    buf.write("The same command writes byte-identical files. Reference date: "
              f"{REFERENCE_DATE.isoformat()}.\n\n| file | rows |\n|---|---:|\n")
    for name, n in rows.items():
        buf.write(f"| {name} | {n} |\n")
    (out / "README.md").write_text(buf.getvalue(), encoding="utf-8")
