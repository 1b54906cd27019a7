"""RDF terms the validation modules share: the IRIs they name, and Oxigraph's terms as rdflib's.

The native engine reads values from Oxigraph and judges them as pySHACL does, in rdflib terms
(:func:`to_rdflib`); its queries name shapes' terms in SPARQL (:func:`same_term`).
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: lexical forms that rdflib surely reads as a well-typed value of the datatype (others are
#: judged in Python, as pySHACL judges them)
SAFE_LEXICAL = {
    XSD + "integer": "^-?[0-9]{1,18}$",
    XSD + "decimal": "^-?[0-9]{1,15}([.][0-9]{1,15})?$",
    XSD + "boolean": "^(true|false)$",
    XSD + "date": ("^[1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
                   "|(0[13578]|1[02])-31)$"),
}


def to_rdflib(term: Any) -> Any:
    """An Oxigraph term as rdflib reads it from N-Triples.

    >>> import pyoxigraph as ox
    >>> to_rdflib(ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))).value
    3
    """
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def same_term(var: str, term: Any) -> str:
    """``sameTerm(var, term)`` written without sameTerm, which Virtuoso 7.2 answered false for equal IRIs.

    An IRI is the same term as an equal IRI; a literal as one with the same lexical form,
    datatype and language.

    >>> import rdflib
    >>> same_term("?v", rdflib.URIRef("urn:a"))
    '(isIRI(?v) && ?v = <urn:a>)'
    >>> same_term("?v", rdflib.Literal("moves"))
    '(isLiteral(?v) && STR(?v) = "moves" && DATATYPE(?v) = <http://www.w3.org/2001/XMLSchema#string> && LANG(?v) = "")'
    """
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return f"(isIRI({var}) && {var} = {term.n3()})"
    if isinstance(term, rdflib.Literal):
        datatype = term.datatype or (rdflib.RDF.langString if term.language else rdflib.XSD.string)
        text = rdflib.Literal(str(term)).n3()
        return (f"(isLiteral({var}) && STR({var}) = {text} && DATATYPE({var}) = <{datatype}> && "
                f"LANG({var}) = \"{term.language or ''}\")")
    return f"sameTerm({var}, {term.n3()})"
