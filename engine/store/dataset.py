"""The protocol every store implements: :class:`Dataset`, and what is read the same way from any store.

:class:`~selaras.engine.store.embedded.Store` (Oxigraph in this process) and
:class:`~selaras.engine.store.remote.RemoteStore` (a SPARQL 1.1 server) both implement it.
"""


from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from selaras.engine.errors import StoreError
from selaras.engine.store.base import (
    FACTS_GRAPH, INTERRUPTED, META_GRAPH, VERSION_INFO, Capabilities, Result, term_value,
)
from selaras.engine.types import Term

if TYPE_CHECKING:
    from selaras.engine.store.embedded import Store

def facts_version(store: Dataset) -> str | None:
    """Return the version tag of the facts graph (a new one on every import that changes it), or None."""
    for q in store.match(ox.NamedNode(FACTS_GRAPH), VERSION_INFO, None, ox.NamedNode(META_GRAPH)):
        return term_value(q.object)
    return None


def check_complete(store: Dataset) -> None:
    """Raise StoreError when the facts are those of an interrupted bulk import."""
    if facts_version(store) is None and store.query(f"ASK {{ GRAPH <{FACTS_GRAPH}> {{ ?s ?p ?o }} }}").boolean:
        raise StoreError(f"{store.location}: {INTERRUPTED} — run `selaras import --replace` with the same files")





class Dataset(Protocol):
    """What every store offers the layers above it: :class:`Store` (embedded) and
    :class:`~selaras.engine.store.remote.RemoteStore` (a SPARQL 1.1 server) both implement it.

    How work is done on a store is decided from its :attr:`capabilities`, never from its class;
    what only the embedded store can do (the fast path, bulk loading, generations) is reached
    where ``capabilities.embedded`` or ``capabilities.on_disk`` says it is there.
    """

    read_only: bool

    @property
    def location(self) -> str: ...
    @property
    def capabilities(self) -> Capabilities: ...
    def query(self, sparql: str, *, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              default_graphs: Sequence[str] | None = None) -> Result: ...
    def update(self, sparql: str) -> None: ...
    def match(self, s: ox.NamedNode | ox.BlankNode | None, p: ox.NamedNode | None, o: Term | None,
              g: ox.NamedNode | None = None) -> Iterator[ox.Quad]: ...
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]: ...
    def quads_about(self, subjects: Sequence[ox.NamedNode | ox.BlankNode | ox.Triple],
                    graph: str) -> Iterator[ox.Quad]: ...
    def graph_names(self) -> list[str]: ...
    def count(self, graph: str | None = None) -> int: ...
    def dump(self, fmt: str = "nq", graph: str | None = None) -> bytes: ...
    def extend(self, quads: Iterable[ox.Quad]) -> None: ...
    def replace(self, remove: Sequence[ox.Quad], add: Sequence[ox.Quad]) -> None: ...
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad], *,
                      also_remove: Sequence[ox.Quad] = ()) -> None: ...
    def constructs_rules(self) -> bool: ...
    def construct_into(self, graph: str, construct: str, default_graphs: Sequence[str], *,
                       source: Store | None = None) -> None: ...
    def evaluates_apart(self, rule_id: str) -> bool: ...
    def settle(self, graphs: Iterable[str | None] | None = None) -> None: ...
    def compact(self, *, full: bool = True) -> None: ...
    def embedded(self) -> Store | None:
        """The embedded store itself, for what only it does (fast path, text reads, bulk load,
        generations); None on a server. Asked after :attr:`capabilities`, it is how that work
        reaches a typed :class:`Store` without a test of the class."""
    def flush(self) -> None: ...
    def close(self) -> None: ...


