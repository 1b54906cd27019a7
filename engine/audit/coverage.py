"""The coverage matrix and the priority list of the alignment audit.

The **coverage matrix** crosses each technical competency that positions require (or that a
scheme certifies or a programme develops) with the certification schemes and the training
programmes, level by level: a cell holds the level to which that scheme certifies (or that
programme develops) the competency, and its status says how that level compares with the levels
positions require:

========== ===============================================================
status     meaning
========== ===============================================================
``full``   at or above the highest required level
``partial`` at or above the lowest required level, below the highest
``below``  below every required level
``none``   this scheme/programme does not cover the competency
``extra``  covered, but no position requires the competency
========== ===============================================================

The **priority list** ranks the technical competencies to put into schemes first: every
technical competency required at a level no scheme certifies (``sel:UnalignedCompetency``
lacking ``sel:NoCertificationScheme``), by the people who hold a position requiring it at such
a level, then by those positions, then by code. On the bundled organisation the first is Data
Analytics (DA): 49 people in 10 positions need it, and no scheme certifies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from selaras.engine.audit.describe import Namer
from selaras.engine.audit.findings import Ref, Text
from selaras.engine.store import Dataset
from selaras.ontology.namespace import SEL_IRI

_PREFIX = f"PREFIX sel: <{SEL_IRI}>\n"

_REQUIRED = _PREFIX + """
SELECT ?competency ?code (MIN(?level) AS ?min) (MAX(?level) AS ?max)
       (COUNT(DISTINCT ?position) AS ?positions) (COUNT(DISTINCT ?employee) AS ?people)
WHERE {
  # from the requirements (not from every node naming a competency); who holds each position in a
  # sub-select, hash-joined once rather than looked up per requirement
  ?requirement a sel:Requirement ; sel:competency ?competency ; sel:position ?position ; sel:requiredLevel ?level .
  ?competency a sel:TechnicalCompetency ; sel:code ?code .
  OPTIONAL { SELECT ?employee ?position WHERE { ?employee a sel:Employee ; sel:holdsPosition ?position } }
}
GROUP BY ?competency ?code
"""

_PROVIDED = _PREFIX + """
SELECT ?provider ?competency ?code (MAX(?providedLevel) AS ?level)
WHERE {
  # what schemes and programmes cover, in a sub-select: joined with the technical competencies,
  # not looked up from every node that names a competency
  { SELECT ?provider ?competency ?providedLevel WHERE {
      { ?provider a sel:CertificationScheme ; sel:certifies ?node } UNION { ?provider a sel:TrainingProgram ; sel:develops ?node }
      ?node sel:competency ?competency ; sel:level ?providedLevel .
  } }
  ?competency a sel:TechnicalCompetency ; sel:code ?code .
}
GROUP BY ?provider ?competency ?code
"""

_COLUMNS = _PREFIX + """
SELECT ?provider ?kind ?code ?headcount ?recognised ?preparesFor
WHERE {
  {
    ?provider a sel:CertificationScheme ; sel:code ?code .
    OPTIONAL { ?provider sel:headcount ?headcount }
    BIND(EXISTS { ?provider sel:recognisedBy ?authority } AS ?recognised)
    BIND("scheme" AS ?kind)
  } UNION {
    ?provider a sel:TrainingProgram ; sel:code ?code .
    OPTIONAL { ?provider sel:preparesFor ?preparesFor }
    BIND("programme" AS ?kind)
  }
}
"""

_PRIORITIES = _PREFIX + """
SELECT ?competency ?code (MAX(?level) AS ?required) (SUM(?positionCount) AS ?positions) (SUM(?peopleCount) AS ?people)
       (GROUP_CONCAT(STR(?level); separator=" ") AS ?levels)
WHERE {
  ?unaligned a sel:UnalignedCompetency ; sel:lacks sel:NoCertificationScheme ; sel:competency ?competency ;
    sel:requiredLevel ?level ; sel:positionsAffected ?positionCount ; sel:peopleAffected ?peopleCount .
  ?competency sel:code ?code .
}
GROUP BY ?competency ?code
"""


@dataclass(frozen=True)
class Column:
    """A column of the coverage matrix: one scheme or one programme."""

    kind: str  # "scheme" | "programme"
    iri: str
    code: str
    label: Text
    headcount: int | None = None
    recognised: bool | None = None
    prepares_for: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell: the level a scheme certifies / a programme develops, and how it compares."""

    level: int | None
    status: str  # full | partial | below | none | extra


@dataclass(frozen=True)
class CoverageRow:
    """One technical competency across all columns."""

    competency: Ref
    code: str
    required_min: int | None
    required_max: int | None
    positions: int
    people: int
    certified: int | None
    developed: int | None
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Coverage:
    """The coverage matrix: technical competencies × schemes and programmes."""

    columns: tuple[Column, ...]
    rows: tuple[CoverageRow, ...]


@dataclass(frozen=True)
class Priority:
    """A technical competency to put into a scheme, with the figures that rank it."""

    rank: int
    competency: Ref
    code: str
    required: int
    levels: tuple[int, ...]
    certified: int | None
    developed: int | None
    positions: int
    people: int


def status(level: int | None, required_min: int | None, required_max: int | None) -> str:
    """Compare a covered level with the required levels.

    >>> [status(l, 2, 4) for l in (None, 1, 2, 3, 4, 5)]
    ['none', 'below', 'partial', 'partial', 'full', 'full']
    >>> status(2, None, None)
    'extra'
    """
    if level is None:
        return "none"
    if required_max is None or required_min is None:
        return "extra"
    if level >= required_max:
        return "full"
    if level >= required_min:
        return "partial"
    return "below"


def coverage(store: Dataset, namer: Namer) -> Coverage:
    """Build the coverage matrix of the store's technical competencies."""
    required = {r["competency"].value: r for r in store.query(_REQUIRED).rows}
    provided: dict[tuple[str, str], int] = {}
    codes: dict[str, str] = {iri: r["code"].value for iri, r in required.items()}
    for r in store.query(_PROVIDED).rows:
        provided[(r["provider"].value, r["competency"].value)] = int(r["level"].value)
        codes.setdefault(r["competency"].value, r["code"].value)
    columns = _columns(store, namer, {p for p, _ in provided})
    best: dict[tuple[str, str], int] = {}
    kinds = {c.iri: c.kind for c in columns}
    for (provider, competency), level in provided.items():
        key = (kinds.get(provider, ""), competency)
        best[key] = max(best.get(key, level), level)
    rows = []
    for iri, code in codes.items():
        req = required.get(iri)
        lo = int(req["min"].value) if req else None
        hi = int(req["max"].value) if req else None
        cells = tuple(Cell(provided.get((c.iri, iri)), status(provided.get((c.iri, iri)), lo, hi)) for c in columns)
        rows.append(CoverageRow(
            competency=Ref(iri, namer.name(iri)), code=code, required_min=lo, required_max=hi,
            positions=int(req["positions"].value) if req else 0, people=int(req["people"].value) if req else 0,
            certified=best.get(("scheme", iri)), developed=best.get(("programme", iri)), cells=cells))
    rows.sort(key=lambda r: (r.required_max is None, -r.people, -r.positions, r.code))
    return Coverage(tuple(columns), tuple(rows))


def _columns(store: Dataset, namer: Namer, providers: set[str]) -> list[Column]:
    schemes, programmes = [], []
    for r in store.query(_COLUMNS).rows:
        iri = r["provider"].value
        if r["kind"].value == "scheme":
            schemes.append(Column("scheme", iri, r["code"].value, namer.name(iri),
                                  headcount=int(r["headcount"].value) if r["headcount"] else None,
                                  recognised=r["recognised"].value == "true"))
        elif iri in providers:
            programmes.append(Column("programme", iri, r["code"].value, namer.name(iri),
                                     prepares_for=r["preparesFor"].value if r["preparesFor"] else None))
    schemes.sort(key=lambda c: (-(c.headcount or 0), c.code))
    order = {c.iri: n for n, c in enumerate(schemes)}
    programmes.sort(key=lambda c: (order.get(c.prepares_for or "", len(order)), c.code))
    return schemes + programmes


def priorities(store: Dataset, namer: Namer, table: Coverage | None = None) -> list[Priority]:
    """Rank the technical competencies that no scheme certifies at a required level."""
    table = table or coverage(store, namer)
    by_iri = {r.competency.iri: r for r in table.rows}
    found = []
    for r in store.query(_PRIORITIES).rows:
        iri = r["competency"].value
        row = by_iri.get(iri)
        found.append(Priority(
            rank=0, competency=Ref(iri, namer.name(iri)), code=r["code"].value, required=int(r["required"].value),
            levels=tuple(sorted({int(x) for x in r["levels"].value.split()})),
            certified=row.certified if row else None, developed=row.developed if row else None,
            positions=int(r["positions"].value), people=int(r["people"].value)))
    found.sort(key=lambda p: (-p.people, -p.positions, p.code))
    return [Priority(n, p.competency, p.code, p.required, p.levels, p.certified, p.developed, p.positions, p.people)
            for n, p in enumerate(found, start=1)]
