"""Pseudonymise a dataset so it can be shared for analysis without naming people.

Every employee code becomes a stable keyed pseudonym, ``P`` + the first 12 hex digits of
HMAC-SHA256(key, code): the same key gives the same pseudonym in every export (so analyses
can be joined across exports), and without the key a pseudonym cannot be traced back by
trying codes. Names become the pseudonym; every IRI and code that carries an employee code
(assessments, certifications, gaps, readiness …) is rewritten the same way. Everything else
(positions, levels, dates, conclusions) is kept, so the analysis stays valid.

>>> pseudonym(b"secret", "E0001")
'P1e59e5e28386'
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from selaras.engine.errors import InputError, Problem
from selaras.ontology.namespace import DATA_IRI, SEL_IRI

#: Node kinds whose IRI's first code segment is an employee code.
EMPLOYEE_KINDS = ("employee", "assessment", "certification", "tenure", "gap", "held", "stale", "missing", "readiness",
                  "certification-need")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MIN_KEY_BYTES = 16


def pseudonym(key: bytes, code: str) -> str:
    """Return the pseudonym of one employee code under a key."""
    return "P" + hmac.new(key, code.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def check_key(key: str | None) -> bytes:
    """Return the key as bytes, or raise if it is missing or too short to be secret."""
    if not key or len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise InputError(Problem("--key", None, None, f"a pseudonymisation key of at least {MIN_KEY_BYTES} "
                                 "bytes is needed", "pass --key or set SELARAS_PSEUDONYM_KEY to a long random "
                                 "secret, and keep it: the same key gives the same pseudonyms"))
    return key.encode("utf-8")


def pseudonymise(quads: Iterable[ox.Quad], key: bytes) -> Iterator[ox.Quad]:
    """Rewrite quads so that no employee code or name remains."""
    quads = list(quads)
    employees = {q.subject.value for q in quads if q.predicate.value == RDFS_LABEL
                 and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(DATA_IRI + "employee/")}
    codes = {iri.rsplit("/", 1)[-1] for iri in employees}
    mapping = {c: pseudonym(key, c) for c in codes}

    def iri(term: ox.NamedNode) -> ox.NamedNode:
        value = term.value
        if not value.startswith(DATA_IRI):
            return term
        parts = value[len(DATA_IRI):].split("/")
        if len(parts) >= 2 and parts[0] in EMPLOYEE_KINDS and parts[1] in mapping:
            parts[1] = mapping[parts[1]]
            return ox.NamedNode(DATA_IRI + "/".join(parts))
        return term

    for q in quads:
        subject = q.subject
        s = iri(subject) if isinstance(subject, ox.NamedNode) else subject
        o = q.object
        if isinstance(o, ox.NamedNode):
            o = iri(o)
        elif (isinstance(subject, ox.NamedNode) and subject.value in employees
              and q.predicate.value in {RDFS_LABEL, SEL_IRI + "code"}):
            o = ox.Literal(mapping[subject.value.rsplit("/", 1)[-1]])
        elif q.predicate.value == SEL_IRI + "code" and isinstance(o, ox.Literal):
            head, sep, rest = o.value.partition("/")
            if sep and head in mapping:
                o = ox.Literal(mapping[head] + "/" + rest)
        yield ox.Quad(s, q.predicate, o, q.graph_name)
