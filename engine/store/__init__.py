"""Where Selaras keeps its RDF dataset: one protocol, two implementations, the named graphs.

========================  =============================================================
module                    holds
========================  =============================================================
:mod:`.base`              the named graphs, a query's :class:`Result` and its formats,
                          :class:`Capabilities` (what a store can do)
:mod:`.dataset`           :class:`Dataset`, the protocol every store implements; the facts version
:mod:`.embedded`          :class:`Store`: Oxigraph in this process, on disk or in memory
:mod:`.remote`            :class:`~.remote.RemoteStore`: a SPARQL 1.1 server (Oxigraph, Virtuoso …)
:mod:`.labels`            labels of IRIs in a language, looked up as needed
:mod:`.names`             codes and IRIs of the things users name
========================  =============================================================

The names of :mod:`.base`, :mod:`.dataset` and :mod:`.embedded` are importable from here.
"""

from selaras.engine.store.base import (
    FACTS_GRAPH, INFERRED_PREFIX, INTERRUPTED, META_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, RDF_FORMATS, RESULTS_FORMATS,
    SETTINGS_GRAPH, VERSION_INFO, Capabilities, Result, inferred_graph, rule_graphs, term_value,
)
from selaras.engine.store.dataset import Dataset, check_complete, facts_version
from selaras.engine.store.embedded import (
    LOAD_PART_BYTES, READ_ONLY_ATTEMPTS, SMALL_WRITE_BYTES, Store, TextReader, exists, open_read_only, open_store,
    published_state, remove_store, scratch_file, state_of,
)

__all__ = [
    "FACTS_GRAPH", "INFERRED_PREFIX", "INTERRUPTED", "LOAD_PART_BYTES", "META_GRAPH", "ONTOLOGY_GRAPH", "OWL_GRAPH",
    "RDF_FORMATS", "READ_ONLY_ATTEMPTS", "RESULTS_FORMATS", "SETTINGS_GRAPH", "SMALL_WRITE_BYTES", "VERSION_INFO",
    "Capabilities", "Dataset", "Result", "Store", "TextReader", "check_complete", "exists", "facts_version",
    "inferred_graph", "open_read_only", "open_store", "published_state", "remove_store", "rule_graphs",
    "scratch_file", "state_of", "term_value",
]
