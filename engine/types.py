"""Type aliases shared across the engine, and RDF terms as plain Python values."""

from __future__ import annotations

from typing import Union

import pyoxigraph as ox

#: Any RDF term that can stand in a triple's object position.
Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
#: A triple as a plain tuple, before it is put in a graph.
TripleTuple = tuple[Union[ox.NamedNode, ox.BlankNode], ox.NamedNode, Term]
#: Values bound to query variables, by variable name.
Bindings = dict[str, Union[ox.NamedNode, ox.Literal]]
#: The datatypes read as ``int`` and as ``float`` (by their local name in XML Schema).
INTEGER_TYPES = frozenset({"integer", "int", "long", "nonNegativeInteger"})
DECIMAL_TYPES = frozenset({"decimal", "double", "float"})


def python_value(term: object) -> object:
    """An RDF term as a plain Python value: the one converter of query answers into records.

    Integers and decimals become ``int`` and ``float``, booleans ``bool``, anything else (IRIs
    included) its text; an unbound value (None) stays None.

    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> [python_value(t) for t in (ox.Literal("3", datatype=ox.NamedNode(xsd + "integer")),
    ...  ox.Literal("0.5", datatype=ox.NamedNode(xsd + "decimal")), ox.NamedNode("urn:x"), None)]
    [3, 0.5, 'urn:x', None]
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        kind = term.datatype.value.rsplit("#", 1)[-1]
        if kind in INTEGER_TYPES:
            return int(term.value)
        if kind in DECIMAL_TYPES:
            return float(term.value)
        if kind == "boolean":
            return term.value == "true"
        return term.value
    return term.value  # type: ignore[attr-defined]
