"""What a SHACL validation gives back: :class:`ShaclResult`, in words, whichever engine found it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from selaras.engine.store import Dataset
from selaras.engine.store.labels import Labels
from selaras.engine.validation.terms import SH

#: sh:resultSeverity (or a shape's sh:severity) → :attr:`ShaclResult.severity`
SEVERITY = {SH + "Violation": "error", SH + "Warning": "warning", SH + "Info": "info"}


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, in words."""

    severity: str  # "error" | "warning" | "info"
    focus: str
    focus_label: str
    path: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.focus_label + (f" ({self.path.rsplit('#', 1)[-1]})" if self.path else "")
        return f"{self.severity}: {where}: {self.message}"


def from_pyshacl(report: Any, labels: Labels) -> list[ShaclResult]:
    """The results of a pySHACL validation report (an rdflib graph), in the report's order."""
    import rdflib

    results = []
    for r in report.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        def one(prop: str, r: Any = r) -> str | None:
            v = report.value(r, rdflib.URIRef(SH + prop))
            return None if v is None else str(v)

        focus = one("focusNode") or ""
        results.append(ShaclResult(
            severity=SEVERITY.get(one("resultSeverity") or "", "error"),
            focus=focus,
            focus_label=labels.get(focus),
            path=one("resultPath"),
            value=one("value"),
            message=one("resultMessage") or "does not conform to its shape",
        ))
    return results


class LazyLabels(Labels):
    """Labels read from the store at the first lookup: data that conforms needs none."""

    def __init__(self, store: Dataset, lang: str = "en") -> None:
        self._store, self.lang, self._loaded = store, lang, False

    def _load(self) -> None:
        if not self._loaded:
            super().__init__(self._store, self.lang)
            self._loaded = True

    def get(self, iri: str) -> str:
        self._load()
        return super().get(iri)

    def code(self, iri: str) -> str | None:
        self._load()
        return super().code(iri)
