"""Name things for audit messages: labels with the codes that tell things apart, and short
descriptions of reified facts and conclusions (requirements, assessments, certificates, gaps …)
that have no label of their own.

>>> import selaras
>>> org = selaras.open(example=True)
>>> namer = Namer(org.store)
>>> namer.name("https://w3id.org/selaras/id/position/staf-sertifikasi-c8").en
'Staf Sertifikasi (C8)'
>>> namer.name("https://w3id.org/selaras/id/competency/INT").id
'Integritas (INT)'
>>> namer.describe(["https://w3id.org/selaras/id/requirement/staf-sertifikasi-c8/INT"])[0].label.en
'Staf Sertifikasi (C8) requires Integrity (INT) at level 4'
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from selaras.engine import messages
from selaras.engine.audit.findings import Ref, Text
from selaras.engine.store import Dataset
from selaras.engine.store.labels import Labels
from selaras.ontology.namespace import SEL_IRI

_CODES = f"""
PREFIX sel: <{SEL_IRI}>
SELECT ?thing ?code ?kind WHERE {{
  {{ ?thing a sel:Position ; sel:grade ?grade . ?grade sel:code ?code . BIND("position" AS ?kind) }}
  UNION {{ ?thing a ?class ; sel:code ?code . FILTER(?class IN (sel:CoreCompetency, sel:LeadershipCompetency,
           sel:BehavioralCompetency, sel:TechnicalCompetency, sel:Employee)) BIND("coded" AS ?kind) }}
}}
"""

_DESCRIBE = f"""
PREFIX sel: <{SEL_IRI}>
SELECT ?x ?type ?employee ?position ?competency ?scheme ?program ?level ?required ?held ?date ?issued
       ?expires ?cutoff ?lacks ?rule ?anomalyType ?focus WHERE {{
  OPTIONAL {{ ?x a ?type . FILTER(STRSTARTS(STR(?type), "{SEL_IRI}")) }}
  OPTIONAL {{ ?x sel:employee ?employee }}
  OPTIONAL {{ ?x sel:position ?position }}
  OPTIONAL {{ ?x sel:competency ?competency }}
  OPTIONAL {{ ?x sel:scheme ?scheme }}
  OPTIONAL {{ ?scheme sel:certifies ?x }}
  OPTIONAL {{ ?program sel:develops ?x }}
  OPTIONAL {{ ?x sel:level|sel:assessedLevel ?level }}
  OPTIONAL {{ ?x sel:requiredLevel ?required }}
  OPTIONAL {{ ?x sel:heldLevel ?held }}
  OPTIONAL {{ ?x sel:assessedOn ?date }}
  OPTIONAL {{ ?x sel:issuedOn ?issued }}
  OPTIONAL {{ ?x sel:expiresOn ?expires }}
  OPTIONAL {{ ?x sel:staleBefore ?cutoff }}
  OPTIONAL {{ ?x sel:lacks ?lacks }}
  OPTIONAL {{ ?x sel:anomalyType ?anomalyType }}
  OPTIONAL {{ ?x sel:focus ?focus }}
}}
"""

#: How a kind of node is described, in English and Indonesian, over the query's variables: the
#: catalogue's ``describe`` section; ``describe_unbound`` fills a variable the query left unbound.
_TEMPLATES: dict[str, tuple[str, str]] = {
    kind: (entry["en"], entry["id"]) for kind, entry in messages.catalogue()["describe"].items()
}
_NONE, _NOT_ASSESSED = (Text(**messages.catalogue()["describe_unbound"][key]) for key in ("none", "not_assessed"))


class Namer:
    """Labels in English and Indonesian, with codes added where labels alone are ambiguous."""

    def __init__(self, store: Dataset) -> None:
        self.store = store
        english = Labels(store, "en")  # every label of the store, read once for both languages
        indonesian = copy.copy(english)
        indonesian.lang = "id"
        self._labels = {"en": english, "id": indonesian}
        self._suffix: dict[str, str] = {}
        for row in store.query(_CODES).rows:
            self._suffix.setdefault(row["thing"].value, row["code"].value)
        self._described: dict[str, Text] = {}

    def name(self, iri: str) -> Text:
        """Return a thing's label in both languages; positions get their grade, competencies
        and employees their code."""
        suffix = self._suffix.get(iri)
        en, id_ = self._labels["en"].get(iri), self._labels["id"].get(iri)
        if suffix and suffix not in en:
            en, id_ = f"{en} ({suffix})", f"{id_} ({suffix})"
        return Text(en, id_)

    def ref(self, iri: str) -> Ref:
        """Return a reference to a thing with its best label (a description for reified nodes)."""
        if iri not in self._described:
            self.describe([iri])
        return Ref(iri, self._described[iri])

    def describe(self, iris: Sequence[str]) -> list[Ref]:
        """Describe each IRI: reified facts and conclusions in words, anything else by its label."""
        todo = [i for i in dict.fromkeys(iris) if i not in self._described]
        for chunk in _chunks(todo, 500):
            values = " ".join(f"<{i}>" for i in chunk)
            text = _DESCRIBE.replace("WHERE {", f"WHERE {{ VALUES ?x {{ {values} }}", 1)
            found: dict[str, dict[str, ox.NamedNode | ox.Literal]] = {}
            for row in self.store.query(text).rows:
                slot = found.setdefault(row["x"].value, {})
                for key, term in row.items():
                    if term is None or key == "x":
                        continue
                    if key == "type" and term.value.removeprefix(SEL_IRI) not in _TEMPLATES:
                        continue
                    slot.setdefault(key, term)
            for iri in chunk:
                self._described[iri] = self._text(iri, found.get(iri, {}))
        return [Ref(i, self._described[i]) for i in iris]

    def _text(self, iri: str, slot: dict[str, ox.NamedNode | ox.Literal]) -> Text:
        kind = slot["type"].value.removeprefix(SEL_IRI) if "type" in slot else ""
        if kind not in _TEMPLATES:
            return self.name(iri)
        out = []
        for lang, template in zip(("en", "id"), _TEMPLATES[kind], strict=True):
            values: dict[str, str] = {}
            for key in ("employee", "position", "competency", "scheme", "program", "level", "required",
                        "held", "date", "issued", "expires", "cutoff", "lacks", "anomalyType", "focus"):
                term = slot.get(key)
                if term is None:
                    values[key] = (_NOT_ASSESSED if key == "held" else _NONE).get(lang)
                elif isinstance(term, ox.NamedNode):
                    values[key] = self.name(term.value).get(lang)
                else:
                    values[key] = term.value
            out.append(template.format(**values))
        return Text(*out)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
