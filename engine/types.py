"""Type aliases shared across the engine."""

from __future__ import annotations

from typing import Union

import pyoxigraph as ox

#: Any RDF term that can stand in a triple's object position.
Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
#: A triple as a plain tuple, before it is put in a graph.
TripleTuple = tuple[Union[ox.NamedNode, ox.BlankNode], ox.NamedNode, Term]
#: Values bound to query variables, by variable name.
Bindings = dict[str, Union[ox.NamedNode, ox.Literal]]
