"""Generate a dense competency framework shaped like O*NET, as input for ``career import-framework``.

Illustrative synthetic data: it is *shaped like* O*NET (every occupation rated on every skill,
levels on a 0–7 scale with two decimals, importance on 1–5, occupations grouped in job families
and in five Job Zones), but it is **not O*NET data**: the skill names, families, occupations
and every number are made up here. Use it to test and benchmark dense frameworks.

It writes the two generic files that :mod:`selaras.engine.ingest.framework` reads:

``requirements.csv``
    ``position,competency,level,importance``: one row for every position and every competency.
``positions.csv``
    ``position,label,family,grade,track``: codes shaped like O*NET-SOC (``15-1034.00``),
    grades ``Job Zone 1`` … ``Job Zone N`` (imported as ``job-zone-1`` …), tracks
    ``managerial`` (more often at higher grades) or ``specialist``.

What the profiles look like: competencies fall into kinds (basic, social, problem solving,
technical, systems, resource management), each with a typical level. Every family has a
characteristic profile (its own lean per kind, and a few signature competencies well above the
rest); positions vary around their family's profile (a few competencies of their own a bit
higher, plus noise); levels rise with the grade (more steeply for reasoning and management
than for hands-on technical work), and managerial positions need more resource management and
social competencies. Importance follows the level, with noise.

Only :class:`random.Random` (seeded) draws the numbers and rows are written in a fixed order,
so the same arguments give byte-identical files. Run it as a command::

    python -m selaras.engine.ingest.framework_gen --out DIR [--positions 900 --competencies 35
                                                      --families 22 --grades 5 --seed 0]
    selaras --store ./fw career import-framework DIR/requirements.csv DIR/positions.csv

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     summary = generate_framework(Path(d), positions=12, competencies=5, families=3, grades=4)
>>> summary["positions"], summary["requirements"], summary["families"], summary["grades"]
(12, 60, 3, 4)
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: Competencies: (name, kind). Generic skill names, in the order they are taken.
SKILLS: tuple[tuple[str, str], ...] = (
    ("Reading and Comprehension", "basic"), ("Written Expression", "basic"), ("Oral Expression", "basic"),
    ("Attentive Listening", "basic"), ("Numeracy", "basic"), ("Scientific Reasoning", "basic"),
    ("Critical Reasoning", "basic"), ("Learning Agility", "basic"), ("Teaching Methods", "basic"),
    ("Self-Monitoring", "basic"),
    ("Team Coordination", "social"), ("Influencing", "social"), ("Negotiating", "social"),
    ("Instructing Others", "social"), ("Customer Orientation", "social"), ("Interpersonal Awareness", "social"),
    ("Complex Problem Solving", "problem"),
    ("Process Analysis", "technical"), ("Technical Design", "technical"), ("Tool Selection", "technical"),
    ("Equipment Installation", "technical"), ("Software Development", "technical"),
    ("Process Monitoring", "technical"), ("Machine Operation", "technical"), ("Equipment Upkeep", "technical"),
    ("Fault Diagnosis", "technical"), ("Repair Work", "technical"), ("Quality Inspection", "technical"),
    ("Decision Making", "systems"), ("Systems Thinking", "systems"), ("Performance Evaluation", "systems"),
    ("Time Planning", "resource"), ("Budget Management", "resource"), ("Materials Management", "resource"),
    ("People Management", "resource"),
)
#: Per kind: typical level at the middle grade, rise from the lowest to the highest grade,
#: and what a managerial track adds.
KINDS: dict[str, tuple[float, float, float]] = {
    "basic": (3.1, 2.2, 0.1), "social": (2.7, 1.8, 0.5), "problem": (2.9, 2.4, 0.3),
    "technical": (1.3, 1.0, -0.3), "systems": (2.6, 2.6, 0.4), "resource": (1.9, 2.0, 1.0),
}
#: Job families: names for the first ones, synthesised beyond.
FAMILY_NAMES = (
    "Executive Leadership", "Business Operations", "Finance and Accounting", "Computing and Data",
    "Engineering", "Life and Physical Sciences", "Social Services", "Legal", "Education and Training",
    "Arts and Media", "Health Practice", "Health Support", "Protective Services", "Food Services",
    "Facilities and Grounds", "Personal Care", "Sales", "Office Support", "Agriculture and Forestry",
    "Construction", "Installation and Repair", "Production", "Transportation", "Logistics",
)
#: Share of positions per grade with five grades (lowest first), like the spread of Job Zones.
ZONE_WEIGHTS = (5, 30, 27, 24, 14)
#: Titles by grade band (share of the ladder ≤ key): specialist, managerial.
TITLES = ((0.2, "Assistant", "Crew Lead"), (0.45, "Technician", "Supervisor"), (0.7, "Specialist", "Manager"),
          (0.9, "Senior Specialist", "Senior Manager"), (1.0, "Principal", "Director"))
REQUIREMENT_HEADER = ("position", "competency", "level", "importance")
POSITION_HEADER = ("position", "label", "family", "grade", "track")


@dataclass(frozen=True)
class _Position:
    code: str
    label: str
    family: int
    grade: int  # 1 … grades
    track: str


def _competencies(n: int) -> list[tuple[str, str]]:
    """The first ``n`` competencies, taken kind by kind in turn so a short list still mixes kinds."""
    if n >= len(SKILLS):
        return list(SKILLS) + [(f"Specialised Skill {i}", "technical") for i in range(len(SKILLS) + 1, n + 1)]
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for skill in SKILLS:
        by_kind.setdefault(skill[1], []).append(skill)
    out: list[tuple[str, str]] = []
    while len(out) < n:
        for kind in KINDS:
            if by_kind.get(kind) and len(out) < n:
                out.append(by_kind[kind].pop(0))
    return out


def _families(n: int) -> list[str]:
    return [FAMILY_NAMES[i] if i < len(FAMILY_NAMES) else f"Occupational Family {i + 1}" for i in range(n)]


def _grade_weights(n: int) -> list[float]:
    if n == len(ZONE_WEIGHTS):
        return [float(w) for w in ZONE_WEIGHTS]
    # a hump a little below the middle, like the Job Zones
    return [1.0 + 4.0 * math.sin(math.pi * (g + 0.7) / (n + 0.6)) for g in range(n)]


def _spread(rng: random.Random, n: int, k: int, weights: Sequence[float]) -> list[int]:
    """``n`` values in ``range(k)``: each at least once when ``n >= k``, the rest by weight; shuffled."""
    values = list(range(min(n, k)))
    values += rng.choices(range(k), weights=weights, k=n - len(values))
    rng.shuffle(values)
    return values


def _positions(rng: random.Random, n: int, families: list[str], grades: int) -> list[_Position]:
    family_of = _spread(rng, n, len(families), [rng.uniform(0.4, 2.0) for _ in families])
    grade_of = _spread(rng, n, grades, _grade_weights(grades))
    minors = {f: 1000 + rng.randint(1, 60) for f in range(len(families))}
    titles: dict[str, int] = {}
    out = []
    for i in range(n):
        f, g = family_of[i], grade_of[i] + 1
        share = g / grades
        manager_chance = 0.05 + 0.5 * (g - 1) / max(1, grades - 1)
        track = "managerial" if rng.random() < manager_chance else "specialist"
        title = next(t for t in TITLES if share <= t[0] + 1e-9)[2 if track == "managerial" else 1]
        minors[f] += rng.randint(1, 30)
        code = f"{11 + 2 * f:02d}-{minors[f]:04d}.00"
        label = f"{families[f]} {title}"
        titles[label] = titles.get(label, 0) + 1
        out.append(_Position(code, f"{label} {titles[label]}", f, g, track))
    return sorted(out, key=lambda p: p.code)


def _family_profiles(rng: random.Random, comps: list[tuple[str, str]], n: int) -> list[list[float]]:
    """Each family's level per competency at the middle grade."""
    profiles = []
    for _ in range(n):
        lean = {kind: rng.uniform(-0.6, 0.6) for kind in KINDS}
        signature = set(rng.sample(range(len(comps)), min(len(comps), rng.randint(3, 6))))
        profiles.append([KINDS[kind][0] + lean[kind] + rng.uniform(-0.3, 0.3)
                         + (rng.uniform(1.5, 3.0) if c in signature else 0.0)
                         for c, (_, kind) in enumerate(comps)])
    return profiles


def _levels(rng: random.Random, p: _Position, profile: list[float], comps: list[tuple[str, str]],
            grades: int) -> list[tuple[float, float]]:
    """(level, importance) of every competency for one position."""
    frac = (p.grade - 1) / max(1, grades - 1)  # 0 at the lowest grade, 1 at the highest
    own = set(rng.sample(range(len(comps)), min(len(comps), rng.randint(1, 3))))
    out = []
    for c, (_, kind) in enumerate(comps):
        _, rise, managerial = KINDS[kind]
        level = (profile[c] + (frac - 0.45) * rise + (managerial if p.track == "managerial" else 0.0)
                 + (rng.uniform(0.8, 1.6) if c in own else 0.0) + rng.gauss(0.0, 0.3))
        level = min(7.0, max(0.0, level))
        importance = min(5.0, max(1.0, 1.0 + 0.55 * level + rng.gauss(0.0, 0.25)))
        out.append((level, importance))
    return out


def generate_framework(out: Path, *, positions: int = 900, competencies: int = 35, families: int = 22,
                       grades: int = 5, seed: int = 0) -> dict:
    """Write ``requirements.csv`` and ``positions.csv`` of a synthetic dense framework into ``out``.

    Returns a summary: the folder, the two files, and how many positions, competencies,
    requirements, families and grades were written (families and grades actually used: all of
    them when there are at least as many positions).

    Raises:
        ValueError: a count below 1.
    """
    for name, value in (("positions", positions), ("competencies", competencies), ("families", families),
                        ("grades", grades)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    rng = random.Random(seed)
    comps = _competencies(competencies)
    family_names = _families(families)
    profiles = _family_profiles(rng, comps, families)
    plist = _positions(rng, positions, family_names, grades)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    req_path, pos_path = out / "requirements.csv", out / "positions.csv"
    with pos_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(POSITION_HEADER)
        w.writerows((p.code, p.label, family_names[p.family], f"Job Zone {p.grade}", p.track) for p in plist)
    with req_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REQUIREMENT_HEADER)
        for p in plist:
            for (name, _), (level, importance) in zip(comps, _levels(rng, p, profiles[p.family], comps, grades),
                                                      strict=True):
                w.writerow((p.code, name, f"{level:.2f}", f"{importance:.2f}"))
    return {"out": str(out), "requirements_csv": str(req_path), "positions_csv": str(pos_path),
            "positions": len(plist), "competencies": len(comps), "requirements": len(plist) * len(comps),
            "families": len({p.family for p in plist}), "grades": len({p.grade for p in plist}),
            "managerial": sum(p.track == "managerial" for p in plist), "seed": seed}


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: write the files and print a one-line summary."""
    parser = argparse.ArgumentParser(
        prog="python -m selaras.engine.ingest.framework_gen",
        description="Write a synthetic dense framework shaped like O*NET (not O*NET data): "
                    "requirements.csv and positions.csv for `selaras career import-framework`.")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the two CSV files into")
    parser.add_argument("--positions", type=int, default=900, help="positions (default 900)")
    parser.add_argument("--competencies", type=int, default=35, help="competencies (default 35)")
    parser.add_argument("--families", type=int, default=22, help="job families (default 22)")
    parser.add_argument("--grades", type=int, default=5, help="grades, 'Job Zone 1' … (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random numbers (default 0)")
    args = parser.parse_args(argv)
    try:
        s = generate_framework(args.out, positions=args.positions, competencies=args.competencies,
                               families=args.families, grades=args.grades, seed=args.seed)
    except ValueError as err:
        parser.error(str(err))
    print(f"wrote {s['requirements']} requirements of {s['positions']} positions × {s['competencies']} "
          f"competencies ({s['families']} families, {s['grades']} grades, {s['managerial']} managerial; "
          f"seed {s['seed']}) to {s['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
