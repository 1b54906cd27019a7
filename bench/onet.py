#!/usr/bin/env python3
"""Turn O*NET's skills, job zones and related occupations into a framework and a ranking reference.

Not a test: the data for measuring the career ranking on a real public framework::

    .venv/bin/python bench/onet.py --onet DIR --out onet-fw/
    selaras --store ./onet career import-framework onet-fw/requirements.csv onet-fw/positions.csv
    .venv/bin/python bench/ranking.py --store ./onet --reference onet-fw/related.csv

``DIR`` holds the O*NET database's text files (``Skills.txt``, ``Job Zones.txt``,
``Related Occupations.txt`` and, for titles, ``Occupation Data.txt``; O*NET Resource Center,
CC BY 4.0), or the same data as three CSV files: ``skills.csv`` (``soc,skill,level,importance``),
``occupations.csv`` (``soc,title,job_zone``) and ``related.csv`` (``source,target,rank``).

It writes, in ``--out``:

``requirements.csv``
    ``position,competency,level``: each occupation's rating on each skill. The level is the
    rating times 10, rounded (``career import-framework`` rounds levels to whole numbers, and
    O*NET rates to two decimals); ``--rating level`` takes the Level scale (LV, 0–7, the
    default), ``--rating importance`` the Importance scale (IM, 1–5) where levels are missing.
``positions.csv``
    ``position,label,family,grade,track``: the family is the SOC major group (``11``
    Management …), the grade the Job Zone (1–5), the track ``managerial`` for management
    occupations (major group 11) and ``specialist`` for the others.
``related.csv``
    ``source,target,rank``: O*NET's related occupations, those whose both ends have ratings.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

#: SOC 2018 major groups.
MAJOR_GROUPS = {
    "11": "Management", "13": "Business and Financial Operations", "15": "Computer and Mathematical",
    "17": "Architecture and Engineering", "19": "Life, Physical, and Social Science",
    "21": "Community and Social Service", "23": "Legal", "25": "Educational Instruction and Library",
    "27": "Arts, Design, Entertainment, Sports, and Media", "29": "Healthcare Practitioners and Technical",
    "31": "Healthcare Support", "33": "Protective Service", "35": "Food Preparation and Serving Related",
    "37": "Building and Grounds Cleaning and Maintenance", "39": "Personal Care and Service",
    "41": "Sales and Related", "43": "Office and Administrative Support", "45": "Farming, Fishing, and Forestry",
    "47": "Construction and Extraction", "49": "Installation, Maintenance, and Repair", "51": "Production",
    "53": "Transportation and Material Moving", "55": "Military Specific",
}


def _tab(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read(onet: Path) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, tuple[str, str]], list[tuple[str, str, str]]]:
    """Return (ratings {soc: {skill: {"level": …, "importance": …}}}, {soc: (title, zone)}, related)."""
    ratings: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    occupations: dict[str, tuple[str, str]] = {}
    if (onet / "Skills.txt").is_file():
        scale = {"LV": "level", "IM": "importance"}
        for r in _tab(onet / "Skills.txt"):
            if r["Scale ID"] in scale:
                ratings[r["O*NET-SOC Code"]][r["Element Name"]][scale[r["Scale ID"]]] = r["Data Value"]
        titles = ({r["O*NET-SOC Code"]: r["Title"] for r in _tab(onet / "Occupation Data.txt")}
                  if (onet / "Occupation Data.txt").is_file() else {})
        for r in _tab(onet / "Job Zones.txt"):
            occupations[r["O*NET-SOC Code"]] = (titles.get(r["O*NET-SOC Code"], ""), r["Job Zone"])
        related = [(r["O*NET-SOC Code"], r["Related O*NET-SOC Code"], r["Index"])
                   for r in _tab(onet / "Related Occupations.txt")]
    else:
        for r in _csv(onet / "skills.csv"):
            ratings[r["soc"]][r["skill"]].update({k: r[k] for k in ("level", "importance") if r.get(k)})
        for r in _csv(onet / "occupations.csv"):
            occupations[r["soc"]] = (r["title"], r["job_zone"])
        related = [(r["source"], r["target"], r["rank"]) for r in _csv(onet / "related.csv")]
    return ratings, occupations, related


def write(out: Path, ratings: dict, occupations: dict, related: list, rating: str) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    rated = {soc for soc, skills in ratings.items()
             if soc in occupations and skills and all(rating in v for v in skills.values())}
    with (out / "requirements.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["position", "competency", "level"])
        for soc in sorted(rated):
            for skill, v in sorted(ratings[soc].items()):
                w.writerow([soc, skill, round(float(v[rating]) * 10)])
    with (out / "positions.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["position", "label", "family", "grade", "track"])
        for soc in sorted(rated):
            title, zone = occupations[soc]
            w.writerow([soc, title or soc, MAJOR_GROUPS.get(soc[:2], soc[:2]), f"Job Zone {zone}",
                        "managerial" if soc.startswith("11-") else "specialist"])
    kept = [(a, b, rank) for a, b, rank in related if a in rated and b in rated and a != b]
    with (out / "related.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "target", "rank"])
        w.writerows(kept)
    return {"occupations": len(rated), "requirements": sum(len(ratings[s]) for s in rated),
            "related pairs": len(kept), "related pairs left out": len(related) - len(kept)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--onet", type=Path, required=True, help="folder of O*NET text files (or the three CSV files)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write the framework and the reference into")
    ap.add_argument("--rating", choices=["level", "importance"], default="level",
                    help="which O*NET scale gives the levels (default: level, LV 0–7)")
    args = ap.parse_args(argv)
    counts = write(args.out, *read(args.onet), args.rating)
    print(", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
