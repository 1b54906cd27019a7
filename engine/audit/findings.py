"""What an audit check finds: a severity and a frozen finding record, in both languages.

>>> Severity.parse("warning") >= Severity.INFO
True
>>> Text("Staff", "Staf").get("id")
'Staf'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.Enum):
    """How much a finding matters: ``error`` breaks the policy, ``warning`` puts it at risk,
    ``info`` is worth knowing. Severities compare by weight (``ERROR > WARNING > INFO``)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def weight(self) -> int:
        """3 for error, 2 for warning, 1 for info."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.weight >= other.weight

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.weight > other.weight

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.weight <= other.weight

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.weight < other.weight

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read a severity from its name (``error``, ``warning``, ``info``), any case.

        >>> Severity.parse("Error")
        <Severity.ERROR: 'error'>
        """
        try:
            return cls(value.strip().lower())
        except ValueError as err:
            raise ValueError(f"unknown severity {value!r} — use error, warning or info") from err


#: Severities from the heaviest down, the order reports list them in.
SEVERITIES: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)


@dataclass(frozen=True)
class Text:
    """A text in English and Indonesian."""

    en: str
    id: str

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``en`` or ``id``); English for any other language."""
        return self.id if lang == "id" else self.en


@dataclass(frozen=True)
class Ref:
    """A thing named by its IRI and its label."""

    iri: str
    label: Text


@dataclass(frozen=True)
class Explanation:
    """Why a finding holds: the rule (or the check itself) and the premises it rests on.

    ``rule`` is a rule id of ``engine/rules`` when the finding reads inferred conclusions, or the
    check's own id when the check reads facts only. ``conclusions`` are the inferred nodes the
    finding rests on (each explained in turn by its ``sel:inferredBy`` and ``sel:premise``);
    ``premises`` are the facts (or conclusions) under them, with labels.
    """

    rule: str
    rule_iri: str
    rule_title: Text
    conclusions: tuple[str, ...] = ()
    premises: tuple[Ref, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One thing an audit check found.

    ``section`` is the recommendation code (``R1`` … ``R6``) or ``model`` for the model's own
    consistency; ``recommendation`` is None for ``model``. ``values`` keeps the check's result
    values (counts, levels, dates, IRIs) for other tools, in the order the check gave them.
    """

    check: str
    severity: Severity
    section: str
    recommendation: Ref | None
    principle: Ref
    focus: Ref
    message: Text
    explanation: Explanation
    values: tuple[tuple[str, Any], ...] = field(default=())

    def value(self, name: str, default: Any = None) -> Any:
        """Return one of the check's result values by name."""
        return dict(self.values).get(name, default)
