"""The registry of audit checks: every check's header parsed from ``checks/``, looked up by id.

The format of a check is described in :mod:`selaras.engine.audit`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from selaras.engine.audit.findings import Severity
from selaras.engine.errors import unknown
from selaras.engine.sparql import joined, read_header
from selaras.ontology.namespace import CHECK_IRI

#: Every check, in the order reports list them (by section, then as here).
CHECK_IDS: tuple[str, ...] = (
    "R1-never-assessed",
    "R1-stale-assessments",
    "R1-missing-assessments",
    "R2-no-scheme",
    "R2-scheme-below-level",
    "R2-scheme-not-recognised",
    "R3-no-programme",
    "R3-programme-below-level",
    "R3-programme-outside-model",
    "R3-programme-without-scheme",
    "R3-scheme-without-programme",
    "R4-scheme-outside-model",
    "R4-scheme-outside-unit",
    "R4-scheme-without-proposer",
    "R5-uncertified",
    "R5-expired",
    "R5-expiring",
    "R6-certificate-not-counted",
    "R6-unrecognised-certificates",
    "model-grade-order",
    "model-supervisor",
    "model-title-grades",
    "model-merged-title",
    "model-missing-core",
    "model-missing-leadership",
    "model-data-quality",
)
#: The report's sections: the six recommendations, then the model's own consistency.
SECTIONS: tuple[str, ...] = ("R1", "R2", "R3", "R4", "R5", "R6", "model")
#: Base of the policy individuals (recommendations ``R1`` … and principles) of ontology/policy.ttl.
POLICY_IRI = "https://w3id.org/selaras/policy/"
#: Bodies that are not SPARQL, by the name their header gives.
PYTHON_BODIES = ("shacl",)

_HEADER = ("title", "judul", "recommendation", "principle", "severity", "source", "message", "pesan", "body")
_REQUIRED = ("title", "judul", "recommendation", "principle", "severity", "source", "message", "pesan")


@dataclass(frozen=True)
class Check:
    """One declared audit check: identity, policy, severity, messages and its body."""

    id: str
    title: str
    judul: str
    section: str
    principle: str
    severity: Severity
    source: str
    message: str
    pesan: str
    body: str
    kind: str = "sparql"

    @property
    def iri(self) -> str:
        """The check's IRI (``https://w3id.org/selaras/check/<id>``)."""
        return CHECK_IRI + self.id

    @property
    def recommendation_iri(self) -> str | None:
        """The IRI of the recommendation the check serves; None for the model's consistency."""
        return None if self.section == "model" else POLICY_IRI + self.section

    @property
    def principle_iri(self) -> str:
        """The IRI of the governance principle the check serves."""
        return POLICY_IRI + self.principle

    def text(self, lang: str) -> str:
        """Return the title in ``lang`` (``en`` or ``id``)."""
        return self.judul if lang == "id" else self.title


def parse(check_id: str, text: str, kind: str = "sparql") -> Check:
    """Read one check from its file text.

    Raises:
        ValueError: a header line is missing or a value is not allowed (the message names the file).
    """
    pairs, body = read_header(text, _HEADER)
    meta = joined(pairs)
    where = f"engine/audit/checks/{check_id}"
    for key in _REQUIRED:
        if not meta.get(key):
            raise ValueError(f"{where}: header line '# {key}:' is missing — add it")
    if meta["recommendation"] not in SECTIONS:
        raise ValueError(f"{where}: recommendation {meta['recommendation']!r} — use one of {', '.join(SECTIONS)}")
    expected = meta["recommendation"] + "-"
    if not check_id.startswith(expected):
        raise ValueError(f"{where}: a check of {meta['recommendation']} must have an id starting with {expected!r}")
    if kind == "sparql" and "SELECT" not in body.upper():
        raise ValueError(f"{where}: the body must be one SPARQL SELECT")
    if kind != "sparql":
        body = meta.get("body", "")
        if body not in PYTHON_BODIES:
            raise ValueError(f"{where}: '# body: {body}' — use one of {', '.join(PYTHON_BODIES)}")
    return Check(check_id, meta["title"], meta["judul"], meta["recommendation"], meta["principle"],
                 Severity.parse(meta["severity"]), meta["source"], meta["message"], meta["pesan"], body, kind)


@cache
def all_checks() -> tuple[Check, ...]:
    """Load every check of :data:`CHECK_IDS`, in order."""
    folder = files("selaras.engine.audit") / "checks"
    loaded = []
    for check_id in CHECK_IDS:
        sparql = folder / f"{check_id}.rq"
        if sparql.is_file():
            loaded.append(parse(check_id, sparql.read_text(encoding="utf-8")))
        else:
            other = folder / f"{check_id}.shacl"
            loaded.append(parse(check_id, other.read_text(encoding="utf-8"), kind="shacl"))
    return tuple(loaded)


def get(check_id: str) -> Check:
    """Return one check by id.

    Raises:
        NotFoundError: no check has that id (the message lists close matches).
    """
    by_id = {c.id: c for c in all_checks()}
    if check_id not in by_id:
        raise unknown("audit check", check_id, by_id, f"the checks are: {', '.join(by_id)}", always=True)
    return by_id[check_id]


def by_section() -> dict[str, tuple[Check, ...]]:
    """Group the checks by section, in :data:`SECTIONS` order."""
    return {s: tuple(c for c in all_checks() if c.section == s) for s in SECTIONS}
