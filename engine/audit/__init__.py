"""The alignment audit: the paper's six recommendations and the model's consistency, as checks.

Each check is one small declared unit in ``checks/``: a header that a reader (and :func:`load`)
understands, then its body. Most bodies are one SPARQL ``SELECT``::

    # title: Required technical competency that no scheme certifies
    # judul: Kompetensi teknis yang dipersyaratkan tetapi tidak disertifikasi skema mana pun
    # recommendation: R2                      (R1 … R6, or ``model`` for the model's consistency)
    # principle: accountability               (a governance principle of ontology/policy.ttl)
    # severity: error                         (error, warning or info)
    # source: what the check reads, and why   (repeatable; lines are joined)
    # message: {focus} is required up to level {required} by {positions:position} …
    # pesan: {focus} dipersyaratkan hingga level {required} …

The ``SELECT`` returns one row per finding. ``?focus`` (an IRI) is what the finding is about;
``?conclusions`` (space-separated IRIs) names the inferred nodes it rests on, whose
``sel:inferredBy`` rule and ``sel:premise`` facts become its explanation; ``?premises``
(space-separated IRIs) names facts directly, for checks that read facts only (their rule is the
check itself). Every other variable fills the message templates:

- ``{name}`` is the value: an IRI becomes its label (positions with their grade, competencies
  and employees with their code), a literal of space-separated IRIs a list of labels, a variable
  whose name ends in ``_list`` a ``|``-separated list (sorted; written ``{name}`` without the
  suffix), anything else its text;
- ``{name:word}`` writes the number and the word, adding ``s`` in English unless the number is
  1; ``{name:person/people}`` gives both forms. Indonesian keeps the word as it is.

One check's body is not SPARQL (``# body: shacl``): it turns the results of
:func:`selaras.engine.validation.shacl_report` into findings.

:data:`CHECK_IDS` is the one registry; every lookup is derived from it.

>>> get("R2-no-scheme").severity
<Severity.ERROR: 'error'>
>>> [s for s in SECTIONS]
['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'model']
"""

from __future__ import annotations

from selaras.engine.audit.findings import SEVERITIES, Explanation, Finding, Ref, Severity, Text
from selaras.engine.audit.registry import CHECK_IDS, SECTIONS, Check, all_checks, by_section, get, parse
from selaras.engine.audit.run import AuditReport, run_audit

__all__ = [
    "CHECK_IDS", "SECTIONS", "SEVERITIES", "AuditReport", "Check", "Explanation", "Finding", "Ref",
    "Severity", "Text", "all_checks", "by_section", "get", "parse", "run_audit",
]
