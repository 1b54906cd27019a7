"""Labels in the reader's language, for messages, tables and reports.

>>> import selaras
>>> org = selaras.open(example=True)
>>> labels = Labels(org.store, "id")
>>> labels.get("https://w3id.org/selaras/id/competency/INT")
'Integritas'
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from selaras.engine.store.base import term_value
from selaras.engine.store.dataset import Dataset

_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sel: <https://w3id.org/selaras/ontology#>
SELECT ?s ?label ?code WHERE {
  { ?s skos:prefLabel ?label } UNION { ?s rdfs:label ?label } UNION { ?s sel:code ?code }
}
"""


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
_SEL = "https://w3id.org/selaras/ontology#"


def grade_shown(code: str, label: str | None) -> str:
    """How a grade is named beside a title: its code when its label only repeats it ("Grade A2" →
    ``A2``), else its label (the code ``job-zone-4`` of a framework import → ``Job Zone 4``).

    >>> grade_shown("A2", "Grade A2"), grade_shown("job-zone-4", "Job Zone 4")
    ('A2', 'Job Zone 4')
    """
    return code if not label or code.casefold() in label.casefold() else label


class Labels:
    """The labels of a store's things, looked up by IRI in one language.

    The choice for a thing is its label in ``lang``, else in English, else without a language
    tag, else its ``sel:code``, else the last part of its IRI. A position's label carries its
    grade, since one title can name positions at several grades.

    In the embedded store each thing's labels are read when first asked for (a few index
    lookups), so naming ten positions does not read the labels of 10,000 employees; from a
    SPARQL server they are all read at once, in one query.
    """

    def __init__(self, store: Dataset, lang: str = "en") -> None:
        self.lang = lang
        self.store = store
        self._by_iri: dict[str, dict[str, str]] = defaultdict(dict)
        self._lazy = store.capabilities.embedded
        if not self._lazy:
            self._load_all(store)

    def _load_all(self, store: Dataset) -> None:
        for row in store.query(_QUERY).rows:
            if row["code"] is not None:
                self._by_iri[row["s"].value].setdefault("code", row["code"].value)
            else:
                lit = row["label"]
                self._by_iri[row["s"].value].setdefault(lit.language or "", lit.value)

        # one title can name positions at several grades: say the grade, "Manager Sertifikasi (A2)"
        grades = store.query(
            "SELECT ?p ?g ?gl WHERE { ?p a <https://w3id.org/selaras/ontology#Position> ; "
            "<https://w3id.org/selaras/ontology#grade> ?grade . "
            "?grade <https://w3id.org/selaras/ontology#code> ?g . "
            "OPTIONAL { ?grade <http://www.w3.org/2000/01/rdf-schema#label> ?gl } }")
        for row in grades.rows:
            labels = self._by_iri[row["p"].value]
            shown = grade_shown(row["g"].value, row["gl"].value if row["gl"] is not None else None)
            for lang in [k for k in labels if k != "code"]:
                if not labels[lang].endswith(f" ({shown})"):
                    labels[lang] = f"{labels[lang]} ({shown})"

    def _labels(self, iri: str) -> dict[str, str]:
        if not self._lazy or iri in self._by_iri:
            return self._by_iri.get(iri, {})
        labels = self._by_iri[iri]
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return labels
        for prop in (_PREF_LABEL, _RDFS_LABEL):
            for q in self.store.match(node, ox.NamedNode(prop), None):
                if isinstance(q.object, ox.Literal):
                    labels.setdefault(q.object.language or "", q.object.value)
        for q in self.store.match(node, ox.NamedNode(_SEL + "code"), None):
            labels.setdefault("code", term_value(q.object))
        is_position = next(self.store.match(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                            ox.NamedNode(_SEL + "Position")), None) is not None
        if is_position:
            for g in self.store.match(node, ox.NamedNode(_SEL + "grade"), None):  # every grade, as a check may find two
                grade = g.object
                if not isinstance(grade, (ox.NamedNode, ox.BlankNode)):  # (the shapes make it a sel:Grade)
                    continue
                label = next(self.store.match(grade, ox.NamedNode(_RDFS_LABEL), None), None)
                for code in self.store.match(grade, ox.NamedNode(_SEL + "code"), None):
                    shown = grade_shown(term_value(code.object),
                                        term_value(label.object) if label is not None else None)
                    for lang in [k for k in labels if k != "code"]:
                        labels[lang] = f"{labels[lang]} ({shown})"
        return labels

    def get(self, iri: str) -> str:
        """Return the best label of a thing for this language."""
        labels = self._labels(iri)
        for lang in (self.lang, "en", "", "code"):
            if lang in labels:
                return labels[lang]
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def __call__(self, iri: str) -> str:
        return self.get(iri)

    def code(self, iri: str) -> str | None:
        """Return a thing's ``sel:code``, if it has one."""
        return self._labels(iri).get("code")
