"""What every store shares: the dataset's named graphs, a query's result and its formats, capabilities.

Named graphs keep what is asserted apart from what is concluded:

========================================  ==============================================
graph                                     holds
========================================  ==============================================
``…/graph/ontology``                      the OWL ontology and the policy vocabulary
``…/graph/facts``                         imported organisation data
``…/graph/inferred/<rule-id>``            one graph per rule: its conclusions
``…/graph/owl``                           HermiT's classification of positions
``…/graph/meta``                          bookkeeping: versions of facts and inferences
========================================  ==============================================

A query's default graph is the union of all graphs, so analysts need no ``GRAPH`` clause.
"""


from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from selaras.engine.errors import QueryError
from selaras.ontology.namespace import GRAPH_IRI

ONTOLOGY_GRAPH = GRAPH_IRI + "ontology"
FACTS_GRAPH = GRAPH_IRI + "facts"
OWL_GRAPH = GRAPH_IRI + "owl"
META_GRAPH = GRAPH_IRI + "meta"
INFERRED_PREFIX = GRAPH_IRI + "inferred/"


#: The graph where inference writes the effective settings (reference date, cut-off dates).
SETTINGS_GRAPH = INFERRED_PREFIX + "settings"
#: The property of the bookkeeping graph's version marks (facts version, conclusions tag).
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
#: What an on-disk store holds after a bulk import was cut short (see ``importer.BULK_ROWS``).
INTERRUPTED = "the store holds the facts of an import that was cut short (they have no version)"



@functools.cache  # read once: a server in the explicit dataset mode lists the graphs for every query
def rule_graphs() -> tuple[str, ...]:
    """The graph of every rule: one per rule file of ``engine/rules/`` (the files the rules layer reads).

    >>> inferred_graph("gap") in rule_graphs() and SETTINGS_GRAPH not in rule_graphs()
    True
    """
    return tuple(sorted(inferred_graph(f.stem) for f in (Path(__file__).parent.parent / "rules").glob("*.rq")))


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's IRI, blank node name or lexical form: its ``value`` (Selaras writes no RDF-star triples)."""
    assert not isinstance(term, ox.Triple)
    return term.value


@dataclass(frozen=True)
class Capabilities:
    """What a store can do: how work is done on it is decided from these, never from its class.

    >>> Capabilities(embedded=True, directory=Path("/srv/org")).on_disk
    True
    """

    #: Oxigraph in this process: the rules' fast path, rows read as text, labels looked up lazily,
    #: a copy in memory; False for a SPARQL server, which evaluates (and is sent) everything itself
    embedded: bool
    #: the directory an on-disk store lives in: conclusions inferred in a next generation and
    #: swapped in, a large first import bulk-loaded, compaction, the career graph's inputs beside it
    directory: Path | None = None

    @property
    def on_disk(self) -> bool:
        """Tell whether the store is a directory of this machine."""
        return self.directory is not None



def inferred_graph(rule_id: str) -> str:
    """Return the IRI of the named graph that holds one rule's conclusions.

    >>> inferred_graph("gap")
    'https://w3id.org/selaras/graph/inferred/gap'
    """
    return INFERRED_PREFIX + rule_id



RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: RDF formats a graph (CONSTRUCT, DESCRIBE, export) can be written in, by short name.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


@dataclass
class Result:
    """The outcome of a SPARQL query: rows for SELECT, triples for CONSTRUCT, a bool for ASK."""

    kind: str  # "select" | "graph" | "ask"
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None

    def serialize(self, fmt: str) -> bytes:
        """Write the result in a SPARQL results format (SELECT/ASK) or an RDF format (graphs)."""
        if self.kind == "graph":
            if fmt not in RDF_FORMATS or fmt in {"nq", "trig"}:
                raise QueryError(
                    f"format {fmt!r} does not fit a graph result — use one of ttl, nt, jsonld, xml"
                )
            return cast(bytes, ox.serialize(self.triples, format=RDF_FORMATS[fmt]))  # no output: the bytes
        if fmt not in RESULTS_FORMATS:
            raise QueryError(
                f"format {fmt!r} does not fit a SELECT/ASK result — use one of json, xml, csv, tsv"
            )
        return _serialize_solutions(self, RESULTS_FORMATS[fmt])


def _serialize_solutions(result: Result, fmt: ox.QueryResultsFormat) -> bytes:
    # pyoxigraph serialises only live QuerySolutions; re-run through an in-memory store
    # would lose row order, so build the standard documents by re-parsing a JSON we write.
    import json

    if result.kind == "ask":
        doc = {"head": {}, "boolean": bool(result.boolean)}
    else:
        doc = {
            "head": {"vars": result.variables},
            "results": {
                "bindings": [
                    {k: _term_json(v) for k, v in row.items() if v is not None}
                    for row in result.rows
                ]
            },
        }
    raw = json.dumps(doc, ensure_ascii=False).encode()
    if fmt == ox.QueryResultsFormat.JSON:
        return raw
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    return cast(bytes, parsed.serialize(format=fmt))  # no output: the bytes


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out

