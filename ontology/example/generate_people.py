#!/usr/bin/env python3
"""Generate the illustrative people of the Selaras example organisation (Lembaga XY).

Reads ``positions.csv``, ``grades.csv``, ``competencies.csv`` and ``requirements.csv``
from this folder and writes
``employees.csv``, ``assessments.csv``, ``certifications.csv`` and ``position_history.csv``
next to them (the histories with :func:`selaras.engine.ingest.generate.position_histories`, from a
random generator of their own, so the other files stay as they were).
Every row written is illustrative (made up, not from the paper); names are
fictitious combinations of common Indonesian given names and surnames.

The output is deterministic (``random.Random(42)``, no clock, no environment):
running the script twice gives byte-identical files. Usage::

    python3 generate_people.py            # writes into this script's folder
    python3 generate_people.py OUTDIR     # reads this folder, writes into OUTDIR

Planted cases (listed in README.md, tests rely on them) are built explicitly
below, after the random part, and are marked ``# planted``.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "illustrative: Selaras example organisation (generate_people.py)"
REFERENCE = dt.date(2026, 6, 30)
STALE_BEFORE = dt.date(2024, 6, 30)  # reference date minus 24 months

#: People per position (more at staff grades).
HEADCOUNT = {
    "kepala-lsp": 1, "manager-sertifikasi-c8": 1, "manager-sertifikasi-a2": 1,
    "staf-sertifikasi-c8": 3, "manager-manajemen-mutu-staf-a2": 1,
    "manager-manajemen-mutu-staf-c8": 1, "manager-administrasi-a1": 1,
    "asesor-kompetensi": 6, "staf-manajemen-mutu": 3,
    "petugas-pemeriksa-kepatuhan": 12, "pemeriksa-kepatuhan-senior": 4,
    "manager-kepatuhan": 2, "deputi-kepatuhan": 1,
    "verifikator-pmr": 32, "verifikator-senior": 8, "verifikator-ahli": 3,
    "staf-faskes-primer": 10, "staf-faskes-rujukan": 10, "manager-verifikasi": 2,
    "manager-faskes": 2, "deputi-penjaminan-manfaat": 1,
    "staf-adm-perluasan-kepesertaan": 8, "staf-adm-kepesertaan-kc": 18,
    "relationship-officer": 15, "manager-kepesertaan": 2, "deputi-kepesertaan": 1,
    "staf-penagihan-iuran": 12, "manager-iuran": 2,
    "staf-frontliner": 22, "staf-pengaduan-kc": 28, "manager-pelayanan-kc": 5, "kepala-kc": 4,
}

#: Position -> LSP scheme that certifies its occupation (Endry §D), with the
#: probability that a holder is certified.
SCHEME_OF = {
    "petugas-pemeriksa-kepatuhan": ("pemeriksa-kepatuhan", 0.55),
    "pemeriksa-kepatuhan-senior": ("pemeriksa-kepatuhan", 0.8),
    "verifikator-pmr": ("verifikator-pmr", 0.55),
    "verifikator-senior": ("verifikator-pmr", 0.8),
    "verifikator-ahli": ("verifikator-pmr", 0.8),
    "staf-penagihan-iuran": ("penagihan-iuran", 0.55),
    "relationship-officer": ("relationship-officer", 0.55),
    "staf-frontliner": ("frontliner", 0.5),
    "staf-adm-perluasan-kepesertaan": ("adm-perluasan-kepesertaan", 0.5),
    "staf-adm-kepesertaan-kc": ("adm-kepesertaan-kc", 0.5),
    "staf-faskes-primer": ("faskes-primer", 0.5),
    "staf-faskes-rujukan": ("faskes-rujukan", 0.5),
    "staf-pengaduan-kc": ("pengaduan-kc", 0.5),
}

GIVEN = [
    "Agus", "Andi", "Anisa", "Ayu", "Bayu", "Budi", "Citra", "Dedi", "Dewi", "Dimas",
    "Eka", "Eko", "Endang", "Fajar", "Fitri", "Galih", "Gilang", "Hana", "Hendra", "Ikhsan",
    "Indah", "Irfan", "Joko", "Kartika", "Ketut", "Lestari", "Made", "Maya", "Nanda", "Novi",
    "Nur", "Putri", "Rahmat", "Ratna", "Rina", "Rizky", "Sari", "Siti", "Taufik", "Teguh",
    "Utami", "Wahyu", "Wayan", "Wulan", "Yoga", "Yuni", "Zainal", "Arif", "Dian", "Hesti",
]
SURNAME = [
    "Pratama", "Saputra", "Wijaya", "Kusuma", "Hidayat", "Nugroho", "Santoso", "Rahayu",
    "Siregar", "Nasution", "Harahap", "Simanjuntak", "Sitompul", "Purba", "Wibowo", "Setiawan",
    "Gunawan", "Hakim", "Permana", "Ramadhan", "Syahputra", "Halim", "Manurung", "Tambunan",
    "Situmorang", "Lubis", "Batubara", "Suryadi", "Hartono", "Wahyudi", "Firmansyah", "Maharani",
]


def read(name):
    with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(outdir, name, header, rows):
    with open(os.path.join(outdir, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def day(rng, start, end):
    """A uniformly random date in [start, end]."""
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def plus_years(d, n):
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def main(outdir=HERE):
    rng = random.Random(42)
    positions = read("positions.csv")
    grade_rank = {r["grade"]: int(r["rank"]) for r in read("grades.csv")}
    groups = {r["code"]: r["group"] for r in read("competencies.csv")}
    req = {}
    for r in read("requirements.csv"):
        req.setdefault(r["position"], {})[r["competency"]] = int(r["level"])
    pinfo = {p["position"]: p for p in positions}

    # ---- employees -------------------------------------------------------
    employees = []  # (id, name, position)
    used = set()
    n = 0
    for p in positions:
        for _ in range(HEADCOUNT[p["position"]]):
            n += 1
            while True:
                name = f"{rng.choice(GIVEN)} {rng.choice(SURNAME)}"
                if name not in used:
                    used.add(name)
                    break
            employees.append((f"E{n:04d}", name, p["position"]))

    # ---- assessments -----------------------------------------------------
    def level_near(required):
        delta = rng.choices([-2, -1, 0, 1, 2], weights=[4, 18, 45, 27, 6])[0]
        return max(1, min(5, required + delta))

    def session():
        if rng.random() < 0.10:  # stale: older than 24 months
            return day(rng, dt.date(2022, 6, 1), dt.date(2024, 6, 1))
        return day(rng, dt.date(2024, 7, 15), REFERENCE)

    by_pos = {}
    for e, _, p in employees:
        by_pos.setdefault(p, []).append(e)
    ready = by_pos["verifikator-pmr"][0]          # planted: ready for verifikator-senior
    never = set(rng.sample([e for e, _, p in employees if e != ready], 5))  # planted: never assessed

    assessments = {}  # (employee, competency, date) -> (level, method)
    for e, _, p in employees:
        if e in never:
            continue
        soft_date, tech_date = session(), session()
        soft_method = rng.choice(["assessment centre", "360-degree"])
        tech_method = rng.choice(["supervisor review", "technical test"])
        for c, lv in req[p].items():
            if e != ready and rng.random() < 0.03:  # missing pair
                continue
            soft = groups[c] != "technical"
            assessments[(e, c, soft_date if soft else tech_date)] = (
                level_near(lv), soft_method if soft else tech_method)
        # some people were also assessed on competencies of a higher position in their family
        if e != ready and rng.random() < 0.2:
            fam, rank = pinfo[p]["family"], grade_rank[pinfo[p]["grade"]]
            extra = sorted({c for q in positions if q["family"] == fam
                            and grade_rank[q["grade"]] > rank
                            for c in req[q["position"]] if c not in req[p]})
            for c in rng.sample(extra, min(len(extra), rng.randint(1, 2))):
                soft = groups[c] != "technical"
                assessments[(e, c, soft_date if soft else tech_date)] = (
                    rng.randint(1, 3), soft_method if soft else tech_method)

    # planted: the first Verifikator PMR meets every requirement of their own position and
    # of verifikator-senior, with fresh assessments
    for k in [k for k in assessments if k[0] == ready]:
        del assessments[k]
    target = dict(req["verifikator-pmr"])
    for c, lv in req["verifikator-senior"].items():
        target[c] = max(target.get(c, 0), lv)
    for c, lv in target.items():
        soft = groups[c] != "technical"
        assessments[(ready, c, dt.date(2025, 11, 12) if soft else dt.date(2025, 11, 19))] = (
            lv, "assessment centre" if soft else "technical test")

    # planted: reassessments (two dates, the later one counts)
    reassessed = []
    candidates = [e for e, _, p in employees if e not in never and e != ready]
    for i, e in enumerate(rng.sample(candidates, 6)):
        p = dict((x, y) for x, _, y in employees)[e]
        c = sorted(c for c in req[p] if groups[c] == "technical")[0]
        for k in [k for k in assessments if k[0] == e and k[1] == c]:
            del assessments[k]
        lv = req[p][c]
        if i < 3:   # improved: old below requirement, new meets it
            old, new = max(1, lv - 1), lv
        else:       # declined: old meets requirement, new falls below it
            old, new = lv, max(1, lv - 1)
        if old == new:
            old, new = (lv + 1, lv) if i >= 3 else (lv, lv + 1)
        d_old, d_new = dt.date(2024, 9, 10 + i), dt.date(2026, 2, 2 + i)
        assessments[(e, c, d_old)] = (old, "supervisor review")
        assessments[(e, c, d_new)] = (new, "technical test")
        reassessed.append((e, c, d_old, old, d_new, new))

    # ---- certifications ------------------------------------------------------
    certs = {}  # (employee, scheme, issued) -> expires
    for e, _, p in employees:
        if p in SCHEME_OF:
            scheme, prob = SCHEME_OF[p]
            if rng.random() < prob:
                issued = day(rng, dt.date(2022, 1, 1), REFERENCE)
                certs[(e, scheme, issued)] = plus_years(issued, 3)
    # planted: certificates expiring within 90 days of the reference date
    expiring = []
    for i, e in enumerate(by_pos["staf-pengaduan-kc"][:2] + by_pos["verifikator-pmr"][1:3]
                          + by_pos["relationship-officer"][:1]):
        p = dict((x, y) for x, _, y in employees)[e]
        scheme = SCHEME_OF[p][0]
        for k in [k for k in certs if k[0] == e]:
            del certs[k]
        issued = dt.date(2023, 7, 3) + dt.timedelta(days=17 * i)
        certs[(e, scheme, issued)] = plus_years(issued, 3)
        expiring.append((e, scheme, issued))
    # planted: renewals (an expired certificate and its later renewal)
    renewed = []
    for i, e in enumerate(by_pos["staf-penagihan-iuran"][:2] + by_pos["staf-faskes-primer"][:1]):
        p = dict((x, y) for x, _, y in employees)[e]
        scheme = SCHEME_OF[p][0]
        for k in [k for k in certs if k[0] == e]:
            del certs[k]
        first = dt.date(2022, 2, 14) + dt.timedelta(days=30 * i)
        second = dt.date(2025, 3, 3) + dt.timedelta(days=30 * i)
        certs[(e, scheme, first)] = plus_years(first, 3)
        certs[(e, scheme, second)] = plus_years(second, 3)
        renewed.append((e, scheme, first, second))
    # planted: certificates of a scheme other than the holder's current occupation
    other = [(by_pos["staf-pengaduan-kc"][-1], "frontliner", dt.date(2024, 10, 7)),
             (by_pos["manager-kepesertaan"][0], "relationship-officer", dt.date(2023, 1, 16)),
             (by_pos["manager-pelayanan-kc"][0], "pengaduan-kc", dt.date(2024, 4, 22))]
    for e, scheme, issued in other:
        certs[(e, scheme, issued)] = plus_years(issued, 3)

    # ---- write -----------------------------------------------------------------
    write(outdir, "employees.csv", ["employee", "name", "position", "source", "illustrative"],
          [[e, name, p, SOURCE, "true"] for e, name, p in employees])
    write(outdir, "assessments.csv",
          ["employee", "competency", "level", "date", "method", "source", "illustrative"],
          [[e, c, lv, d.isoformat(), m, SOURCE, "true"]
           for (e, c, d), (lv, m) in sorted(assessments.items())])
    write(outdir, "certifications.csv", ["employee", "scheme", "issued", "expires", "source", "illustrative"],
          [[e, s, i.isoformat(), x.isoformat(), SOURCE, "true"]
           for (e, s, i), x in sorted(certs.items())])

    # ---- position histories (their own random numbers: the files above do not change) -------
    from selaras.engine.ingest.generate import Place, position_histories

    settings = {r["key"]: r["value"] for r in read("settings.csv")}
    places = {p["position"]: Place(p["position"], p["family"], grade_rank[p["grade"]],
                                   frozenset(c for c in req.get(p["position"], {}) if groups[c] == "technical"))
              for p in positions}
    history = list(position_histories(((e, places[p]) for e, _, p in employees), list(places.values()),
                                      random.Random(43), reference=REFERENCE,
                                      max_lateral=int(settings["max_lateral_grade_steps"])))
    write(outdir, "position_history.csv", ["employee", "position", "start", "end", "source", "illustrative"],
          [[h["employee"], h["position"], h["start"], h["end"], SOURCE, "true"] for h in history])

    print(f"employees: {len(employees)}, assessments: {len(assessments)}, certifications: {len(certs)}, "
          f"tenures: {len(history)}")
    print(f"planted ready-for-promotion: {ready} (verifikator-pmr -> verifikator-senior)")
    print(f"planted never assessed: {', '.join(sorted(never))}")
    for e, c, d1, l1, d2, l2 in reassessed:
        print(f"planted reassessment: {e} {c} {d1} level {l1} -> {d2} level {l2}")
    for e, s, i in expiring:
        print(f"planted expiring: {e} {s} issued {i} expires {plus_years(i, 3)}")
    for e, s, a, b in renewed:
        print(f"planted renewal: {e} {s} {a} (expired {plus_years(a, 3)}) renewed {b}")
    for e, s, i in other:
        print(f"planted other-occupation certificate: {e} {s} issued {i}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
