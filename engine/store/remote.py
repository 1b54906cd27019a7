"""A SPARQL 1.1 server as the store: the interface of :class:`~selaras.engine.store.Store`, over HTTP.

:class:`RemoteStore` speaks the SPARQL 1.1 Protocol to any server (Oxigraph server, Apache
Jena Fuseki, GraphDB, Virtuoso …) with the standard library's ``http.client``; results come
back as SPARQL JSON (SPARQL XML from Virtuoso; an RDF format for ``CONSTRUCT``) and are parsed by Oxigraph into the
same :class:`~selaras.engine.store.Result` objects the embedded store returns. The rules run
*inside* the server: each is one SPARQL Update (``INSERT { GRAPH <g> {…} } USING <facts> …
WHERE {…}``), so no data is pulled into Python to infer; on Virtuoso the server evaluates each
rule's CONSTRUCT and its triples are written back as data (:meth:`RemoteStore.construct_into`).
One rule, ``career-move`` (:data:`APART`), is evaluated in memory over a copy of the triples it
can match (:func:`selaras.engine.inference.evaluate_apart`).

Virtuoso
    Told to keep the written join order (:data:`VIRTUOSO_HINTS`), written to in requests below
    its 10 MB limit, its blank node labels and ``1``/``0`` booleans read as RDF; an answer it
    cut at a limit (rows, time, cost) is an error naming the setting, never a short answer.
    ``tests/servers/virtuoso.ini`` is the configuration the tests run it with.

Which graphs a query sees
    The embedded store's default graph is the union of all named graphs, so analysts need no
    ``GRAPH`` clause. A server gets the same dataset in one of three ways
    (:meth:`RemoteStore.dataset_mode`; choose with ``dataset=`` or ``SELARAS_ENDPOINT_DATASET``):

    - ``oxigraph`` (chosen automatically when the server says it is Oxigraph): each query asks
      for the union with Oxigraph's ``union-default-graph`` request parameter, so the server
      needs no ``--union-default-graph`` flag and evaluates exactly as the embedded store does;
    - ``explicit`` (automatic for any other server): each query states its dataset with the
      SPARQL 1.1 Protocol's ``default-graph-uri`` and ``named-graph-uri`` parameters, both
      listing every named graph under ``https://w3id.org/selaras/graph/`` (read from the server
      first). Portable and correct on every server, needs no server setting, and keeps other
      data on the server (and Virtuoso's system graphs) out of the answers; a protocol
      dataset overrides ``FROM`` in the query text, as the embedded union does. On Oxigraph
      it measured up to 10× slower than ``oxigraph``, hence the automatic choice;
    - ``server``: nothing is sent; the server's default graph must already be the union
      (Fuseki ``tdb2:unionDefaultGraph true``, GraphDB's default, Virtuoso's default,
      ``oxigraph serve --union-default-graph``). Fastest on those servers.

    ``match``, ``quads``, ``count`` and ``graph_names`` see only Selaras's graphs (``GRAPH ?g``
    limited to ``…/selaras/graph/``); Selaras never writes the server's default graph.
    Updates are sent as written: the rules name their input graphs with ``USING``.

Transactions
    Each ``update``, ``extend``, ``replace`` and ``replace_graph`` is one HTTP request, which
    Oxigraph, Fuseki (TDB2) and GraphDB apply as one transaction. A write of more than
    :data:`CHUNK_QUADS` quads is split into several requests to keep each one of bounded size;
    such a write is **not atomic**: if a request fails, the earlier ones stay. The message then
    says so; re-run the import (it is idempotent) or ``import --replace``. The bundled example
    organisation (about 45,000 quads) and imports of up to about 1,200 employees (some 200
    quads each, with their assessments) go in one request; the rules never write in chunks.

Blank nodes
    A server renames blank nodes, so a blank node read back cannot be named in a later update.
    Selaras's own data has none outside the ontology graph, which is always replaced whole.
    Removing a quad with a blank node removes every quad of that subject and predicate (or
    predicate and object) whose other end is a blank node.

>>> RemoteStore("http://127.0.0.1:7878/query").update_url
'http://127.0.0.1:7878/update'
>>> RemoteStore("http://localhost:7200/repositories/selaras").update_url
'http://localhost:7200/repositories/selaras/statements'
>>> RemoteStore("http://user:secret@localhost:8890/sparql").location
'http://localhost:8890/sparql'
"""

from __future__ import annotations

import base64
import http.client
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TypeVar, cast
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from selaras.engine.errors import QueryError, StoreError
from selaras.engine.sparql import bind_values, query_form, strip_comments, update_text
from selaras.engine.store.base import (
    FACTS_GRAPH, META_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, RDF_FORMATS, SETTINGS_GRAPH, Capabilities, Result, rule_graphs,
)
from selaras.engine.store.embedded import Store, _quads_text, _to_result
from selaras.engine.types import Term
from selaras.ontology.namespace import GRAPH_IRI

#: Quads per update request above which a write is split into several requests (not atomic).
CHUNK_QUADS = 250_000
#: How queries get the union of the graphs as default graph (see :meth:`RemoteStore.dataset_mode`).
DATASET_MODES = ("auto", "explicit", "server", "oxigraph")
#: Seconds to wait for a server's answer before giving up (rules at scale take minutes).
DEFAULT_TIMEOUT = 3600.0
#: What a SELECT or ASK asks for: SPARQL JSON first (a server answering a CONSTRUCT takes the
#: first type it can give: Virtuoso would give a CONSTRUCT as a results table, hence two lists).
ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.5, text/turtle;q=0.4"
)
#: What a SELECT or ASK asks Virtuoso for: its SPARQL XML, which it writes four times faster than its
#: JSON (a graph of 166,000 triples: 5 s, JSON 21 s; its TSV writes IRIs as strings, so not that).
ACCEPT_VIRTUOSO = (
    "application/sparql-results+xml, application/sparql-results+json;q=0.9, "
    "application/n-triples;q=0.5, text/turtle;q=0.4"
)
#: What a CONSTRUCT or DESCRIBE asks for: N-Triples (or Turtle, RDF/XML, JSON-LD).
ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7"
#: Rules evaluated apart on every server (:func:`selaras.engine.inference.evaluate_apart`), through their fast path:
#: career-move's SPARQL (nested aggregates over every pair of positions) took 18 s inside Oxigraph
#: server at 40 positions and more than 10 minutes at 400; Virtuoso 7.2 did not finish it on the
#: bundled organisation in 8 minutes, with or without :data:`VIRTUOSO_HINTS`.
APART = frozenset({"career-move"})
#: Subjects looked up per query by :meth:`RemoteStore.quads_about`.
SUBJECTS_PER_QUERY = 2_000
#: Virtuoso refuses a request body above 10 MB (HT057): writes are cut below this.
VIRTUOSO_REQUEST_BYTES = 8_000_000
#: A blank node as Virtuoso labels it in SPARQL results (JSON ``"value": "nodeID://b10001"``, XML
#: ``<bnode>nodeID://b10001</bnode>``): the label is what follows ``nodeID://``.
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')


class ServerLimitError(StoreError):
    """A request passed one of the server's limits (:data:`_LIMITS`); ``code`` is the server's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


#: Errors by which a server says a request passed one of its limits, and the limit (its setting).
_LIMITS = {
    "SR171": ("time limit", "raise it (Virtuoso: MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini, "
                            "0 for none)"),
    "SQ200": ("cost estimate limit", "raise it (Virtuoso: MaxQueryCostEstimationTime in the [SPARQL] section of "
                                     "virtuoso.ini, 0 for none)"),
    "HT057": ("request size limit (Virtuoso: 10 MB)", "shorten the request (Selaras cuts its own writes below it)"),
    "FRVEC": ("vector size limit", "raise it (Virtuoso: MaxVectorSize in the [Parameters] section of virtuoso.ini) "
                                   "or ask for less"),
    "SR325": ("transaction size limit", "raise it (Virtuoso: TransactionAfterImageLimit in the [Parameters] "
                                        "section of virtuoso.ini, in bytes)"),
}
#: Said first to Virtuoso in every query and update: keep the join order as written. Its
#: cost-based planner, left to itself, ran rules that take Oxigraph a second for minutes (it
#: estimated 0.0001 rows for a lookup of thousands and started from the largest pattern);
#: Selaras's rules and queries are written in the order they should join, most selective first.
#: Not said when the text walks a transitive path (``rdfs:subClassOf*``, ``sel:parentUnit+``):
#: in the written order Virtuoso refused one ("transitive start not given") or found no rows.
VIRTUOSO_HINTS = 'DEFINE sql:select-option "order"\n'
_TRANSITIVE = re.compile(r"(?:[A-Za-z][\w.-]*:[\w.-]*|<[^>\s]*>)[*+]")
_OWN_GRAPHS = f'FILTER(STRSTARTS(STR(?g), "{GRAPH_IRI}"))'
_HOW_TO_POINT = (
    "Oxigraph http://HOST:7878/query (updates …/update), Fuseki http://HOST:3030/DATASET/sparql "
    "(…/DATASET/update), GraphDB http://HOST:7200/repositories/ID (…/ID/statements), "
    "Virtuoso http://HOST:8890/sparql (same URL)"
)


def default_update_url(query_url: str) -> str:
    """Guess the update URL of a server from its query URL.

    ``…/query`` becomes ``…/update`` (Oxigraph, Fuseki); a GraphDB/RDF4J repository
    ``…/repositories/ID`` becomes ``…/repositories/ID/statements``; any other URL is used for
    both (Virtuoso's ``/sparql``, a Fuseki dataset URL).

    >>> default_update_url("http://localhost:3030/org/query")
    'http://localhost:3030/org/update'
    >>> default_update_url("http://localhost:8890/sparql")
    'http://localhost:8890/sparql'
    """
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        path = path[: -len("query")] + "update"
    elif "/repositories/" in path and path.rsplit("/repositories/", 1)[1].count("/") == 0:
        path += "/statements"
    else:
        return query_url
    return urlunsplit(parts._replace(path=path))


class RemoteStore:
    """A store on a SPARQL 1.1 server, used exactly like the embedded :class:`Store`.

    Args:
        query_url: the server's SPARQL query endpoint. Credentials may be given in it
            (``http://user:password@host/…``, sent as HTTP Basic authentication).
        update_url: its SPARQL Update endpoint; guessed from ``query_url`` when omitted
            (see :func:`default_update_url`).
        read_only: refuse every write.
        timeout: seconds to wait for an answer.
        dataset: how a query's default graph becomes the union of the graphs (see the module
            notes): ``auto`` (default; env ``SELARAS_ENDPOINT_DATASET``), ``oxigraph``, ``explicit``
            or ``server``.

    Nothing is sent until the first call; a server that cannot be reached raises
    :class:`StoreError` then, naming the URL.
    """

    def __init__(self, query_url: str, update_url: str | None = None, *, read_only: bool = False,
                 timeout: float = DEFAULT_TIMEOUT,
                 dataset: str | None = None) -> None:
        self._query_ep = _Endpoint(query_url)
        self._update_ep = _Endpoint(update_url or default_update_url(query_url))
        self.read_only = read_only
        self.timeout = timeout
        dataset = dataset or os.environ.get("SELARAS_ENDPOINT_DATASET") or "auto"
        if dataset not in DATASET_MODES:
            raise StoreError(f"unknown dataset mode {dataset!r} — use one of: {', '.join(DATASET_MODES)}")
        self._mode = dataset
        self._server: str | None = None
        self._conn: http.client.HTTPConnection | None = None

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint, without credentials."""
        return self._query_ep.public

    @property
    def capabilities(self) -> Capabilities:
        """Not embedded, not a directory: the server evaluates, and is sent, everything itself."""
        return Capabilities(embedded=False)

    def embedded(self) -> None:
        """None: a server is not the embedded store (see :meth:`~selaras.engine.store.Dataset.embedded`)."""
        return None

    @property
    def update_url(self) -> str:
        """The SPARQL Update endpoint, without credentials."""
        return self._update_ep.public

    @property
    def location(self) -> str:
        """Say where the data lives: the query endpoint's URL (without credentials)."""
        return self._query_ep.public

    # --- reading ------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[str] | None = None,
    ) -> Result:
        """Run a SPARQL query on the server; the default graph is the union of Selaras's graphs.

        Args:
            sparql: the query text.
            bindings: values for variables, as RDF terms (written as a VALUES block).
            default_graphs: IRIs of the graphs that form the default graph.

        Raises:
            QueryError: the server rejected the query or failed to evaluate it.
            StoreError: the server cannot be reached or refused the request.
        """
        if bindings:
            sparql = bind_values(sparql, bindings)
        params = [("query", sparql)]
        mode = self.dataset_mode()
        if default_graphs is not None or mode == "explicit":
            graphs = self.graph_names()
            if FACTS_GRAPH not in graphs:
                graphs.append(FACTS_GRAPH)  # never an empty list: that would mean "the server's default"
            default = graphs if default_graphs is None else list(default_graphs)
            params += [*(("default-graph-uri", g) for g in default), *(("named-graph-uri", g) for g in graphs)]
        elif mode == "oxigraph":
            params.append(("union-default-graph", ""))
        params[0] = ("query", self._hints(sparql) + sparql)
        return self._query(params, "query", ACCEPT_RDF if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else None)

    def dataset_mode(self) -> str:
        """Say how queries get the union of the graphs as their default graph.

        ``oxigraph``: the server is Oxigraph, asked per request (its ``union-default-graph``
        parameter); ``explicit``: every query lists Selaras's graphs as its dataset; ``server``:
        the server's default graph is the union already (a setting of the server). ``auto``
        (the default) becomes ``oxigraph`` when the server's ``Server`` header says Oxigraph,
        else ``explicit``; any of the four can be forced.
        """
        if self._mode == "auto":
            self._identify()
            self._mode = "oxigraph" if (self._server or "").lower().startswith("oxigraph") else "explicit"
        return self._mode

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate over the quads of one named graph, or of all of Selaras's graphs."""
        return self.match(None, None, None, ox.NamedNode(graph) if graph else None)

    def match(self, s: ox.NamedNode | ox.BlankNode | None, p: ox.NamedNode | None, o: Term | None,
              g: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """Iterate over the quads matching a pattern (None matches anything).

        A blank node in the pattern matches nothing: the server names its blank nodes itself.
        """
        if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
            return iter(())
        pattern = " ".join(str(t) if t is not None else f"?{v}" for t, v in ((s, "s"), (p, "p"), (o, "o")))
        if g is None:
            text = f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} {_OWN_GRAPHS} }}"
        else:
            text = f"SELECT * WHERE {{ GRAPH {g} {{ {pattern} }} }}"
        rows = self._query([("query", text)], "query").rows
        return (ox.Quad(s or r["s"], p or r["p"], o or r["o"], g or r["g"]) for r in rows)

    def quads_about(self, subjects: Sequence[ox.NamedNode | ox.BlankNode | ox.Triple], graph: str) -> Iterator[ox.Quad]:
        """Iterate over the quads of one named graph whose subject is one of ``subjects``.

        One query per :data:`SUBJECTS_PER_QUERY` subjects (a query per subject made a first import of
        1,000 employees wait on 30,000 round trips).
        """
        g = ox.NamedNode(graph)
        named = [s for s in subjects if isinstance(s, ox.NamedNode)]  # the server names its own blank nodes
        for i in range(0, len(named), SUBJECTS_PER_QUERY):
            values = " ".join(str(s) for s in named[i: i + SUBJECTS_PER_QUERY])
            text = f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH {g} {{ ?s ?p ?o }} }}"
            for row in self._query([("query", self._hints(text) + text)], "query").rows:
                yield ox.Quad(row["s"], row["p"], row["o"], g)

    def graph_names(self) -> list[str]:
        """List Selaras's named graphs on the server (those under ``…/selaras/graph/``).

        ``GRAPH ?g { }`` lists the graphs on most servers but none on Virtuoso, so each graph
        Selaras writes (facts, ontology, bookkeeping, one per rule) is also asked for by name.
        """
        known = " ".join(f"<{g}>" for g in (FACTS_GRAPH, ONTOLOGY_GRAPH, OWL_GRAPH, META_GRAPH,
                                            SETTINGS_GRAPH, *rule_graphs()))
        text = (f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ }} {_OWN_GRAPHS} }} UNION "
                f"{{ VALUES ?g {{ {known} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }} }}")
        rows = self._query([("query", text)], "query").rows
        return sorted({r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)})

    def count(self, graph: str | None = None) -> int:
        """Count the quads of one named graph, or of all of Selaras's graphs."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else f"GRAPH ?g {{ ?s ?p ?o }} {_OWN_GRAPHS}"
        rows = self._query([("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")], "query").rows
        return int(rows[0]["n"].value)

    def dump(self, fmt: str = "nq", graph: str | None = None) -> bytes:
        """Serialise Selaras's graphs (quad formats) or one graph (any format) to bytes."""
        rdf_format = RDF_FORMATS[fmt]
        # (given no output, pyoxigraph returns the bytes)
        if graph is not None:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            triples = self._query([("query", text)], "query", ACCEPT_RDF).triples
            return cast(bytes, ox.serialize(triples, format=rdf_format))
        quads = list(self.quads())
        if fmt in {"nq", "trig"}:
            return cast(bytes, ox.serialize(quads, format=rdf_format))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return cast(bytes, ox.serialize(triples, format=rdf_format))

    # --- writing (each call is one request: one transaction on Oxigraph, Fuseki, GraphDB) -------
    def update(self, sparql: str) -> None:
        """Run a SPARQL update on the server in one request.

        Raises:
            QueryError: the server rejected or failed the update.
            StoreError: the store is read-only, or the server cannot be reached.
        """
        self._check_writable()
        self._update(sparql)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (one request up to :data:`CHUNK_QUADS` quads)."""
        self._check_writable()
        quads = list(quads)
        self._send([], _insert_chunks(quads, self._max_bytes()), len(quads))

    def replace(self, remove: Sequence[ox.Quad], add: Sequence[ox.Quad]) -> None:
        """Remove some quads and add others (one request, so all or nothing, up to the chunk size)."""
        self._check_writable()
        plain = [q for q in remove if not _has_blank(q)]
        blank = [q for q in remove if _has_blank(q)]
        ops = [f"DELETE DATA {{ {_quads_text(chunk)} }}" for chunk in _chunks(plain, self._max_bytes())]
        ops += [_delete_blank(q, n) for n, q in enumerate(blank)]
        self._send(ops, _insert_chunks(list(add), self._max_bytes()), len(remove) + len(add))

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad], *, also_remove: Sequence[ox.Quad] = ()) -> None:
        """Make a named graph hold exactly the given quads (one request up to the chunk size).

        ``also_remove`` lists quads of other graphs to remove in the same request.
        """
        self._check_writable()
        quads = list(quads)
        ops = [f"DROP SILENT GRAPH <{graph}>"]
        ops += [f"DELETE DATA {{ {_quads_text(chunk)} }}"
                for chunk in _chunks([q for q in also_remove if not _has_blank(q)], self._max_bytes())]
        ops += [_delete_blank(q, n) for n, q in enumerate(q for q in also_remove if _has_blank(q))]
        self._send(ops, _insert_chunks(quads, self._max_bytes()), len(quads) + len(also_remove))

    def settle(self, graphs: object = None) -> None:  # noqa: ARG002  (Store's signature)
        """Nothing loads behind on a server: every update has been answered."""

    def compact(self, *, full: bool = True) -> None:  # noqa: ARG002  (Store's signature)
        """Nothing to do: the server manages its own files."""

    def flush(self) -> None:
        """Do nothing: the server persists each request itself."""

    def close(self) -> None:
        """Close the connection to the server."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- HTTP ---------------------------------------------------------------------
    def _send(self, ops: list[str], inserts: list[str], size: int) -> None:
        """Send the operations as one request, or one request each above :data:`CHUNK_QUADS` quads."""
        ops = [*ops, *inserts]
        if not ops:
            return
        limit = self._max_bytes()
        if size <= CHUNK_QUADS and (limit is None or sum(len(op) for op in ops) <= limit):
            self._update(" ;\n".join(ops), plan=False)
            return
        for n, op in enumerate(ops):
            try:
                self._update(op, plan=False)
            except (QueryError, StoreError) as err:
                raise type(err)(
                    f"{err}\nThe write was split into {len(ops)} requests of up to {CHUNK_QUADS} quads"
                    + (f" and {limit // 1_000_000} MB" if limit else "") + " "
                    f"and {n} of them were applied — re-run the import (or `import --replace`)"
                ) from err

    def is_virtuoso(self) -> bool:
        """Tell whether the server is Virtuoso (by its ``Server`` header; asked once)."""
        self._identify()
        return (self._server or "").lower().startswith("virtuoso")

    def _identify(self) -> None:
        """Learn the server's ``Server`` header, once, with an ``ASK {}``."""
        if self._server is None:
            self._post(self._query_ep, urlencode([("query", "ASK {}")]).encode("ascii"),
                       "application/x-www-form-urlencoded", ACCEPT, "query")

    def _hints(self, sparql: str) -> str:
        """What to say to the server's optimiser before a query or update (see :data:`VIRTUOSO_HINTS`)."""
        if not self.is_virtuoso() or _TRANSITIVE.search(strip_comments(sparql)):
            return ""
        return VIRTUOSO_HINTS

    def _max_bytes(self) -> int | None:
        """The largest request to send, in bytes, when the server has a limit (Virtuoso: 10 MB)."""
        return VIRTUOSO_REQUEST_BYTES if self.is_virtuoso() else None

    # --- how rules run on this server -----------------------------------------------
    def constructs_rules(self) -> bool:
        """Tell whether inference asks for a rule's CONSTRUCT and writes its triples (:meth:`construct_into`).

        On Virtuoso: its ``INSERT { … } WHERE { … }`` wrote held-level's 92,785 triples at 1,000
        employees in 23–38 s, while the same rule as a CONSTRUCT (8 s) and its triples sent back as
        ``INSERT DATA`` (5 s) took 13 s. Elsewhere a rule is one update, which the server runs in
        one transaction.
        """
        return self.is_virtuoso()

    def construct_into(self, graph: str, construct: str, default_graphs: Sequence[str], *,
                       source: Store | None = None) -> None:
        """Make ``graph`` hold what a CONSTRUCT query concludes over ``default_graphs``.

        The server evaluates the query (or ``source``, a store holding the same graphs) and the
        triples are written back with :meth:`replace_graph`: one request up to the chunk size, so not
        one transaction for a large graph (inference drops its version marker first, and marks the
        conclusions current only when every rule has run).
        """
        reader = source if source is not None else self
        try:
            triples = reader.query(construct, default_graphs=default_graphs).triples
        except ServerLimitError as err:
            if err.code != "FRVEC" or source is not None:
                raise
            # more triples than Virtuoso holds in one answer (MaxVectorSize; raising it far made
            # Virtuoso 7.2.5 crash): the server writes them itself, slower (see constructs_rules)
            self.update(update_text(construct, graph, default_graphs))
            return
        out = ox.NamedNode(graph)
        self.replace_graph(graph, [ox.Quad(t.subject, t.predicate, t.object, out) for t in triples])

    def evaluates_apart(self, rule_id: str) -> bool:
        """Tell whether a rule is evaluated apart (see :func:`selaras.engine.inference.evaluate_apart`) on this server."""
        return rule_id in APART

    def _update(self, sparql: str, *, plan: bool = True) -> None:
        """Send an update; ``plan=False`` for data (``INSERT DATA`` …): no hints, and its megabytes unscanned."""
        body = ((self._hints(sparql) if plan else "") + sparql).encode("utf-8")
        self._post(self._update_ep, body, "application/sparql-update", "*/*", "update", fresh=True)

    def _query(self, params: list[tuple[str, str]], kind: str, accept: str | None = None) -> Result:
        """Post a query; ``accept`` None: results (SPARQL XML from Virtuoso, else JSON first)."""
        if accept is None:
            accept = ACCEPT_VIRTUOSO if self.is_virtuoso() else ACCEPT
        body = urlencode(params).encode("ascii")
        data, media = self._post(self._query_ep, body, "application/x-www-form-urlencoded", accept, kind)
        base = media.split(";")[0].strip().lower()
        try:
            results_format = ox.QueryResultsFormat.from_media_type(base)
            if results_format is not None:
                if b"nodeID://" in data:  # Virtuoso's blank node labels: not valid labels in SPARQL results
                    data = _VIRTUOSO_BNODE.sub(rb"\1", data)
                result = _to_result(ox.parse_query_results(data, format=results_format))
                if result.rows and b"XMLSchema#boolean" in data:
                    result.rows = [_canonical_booleans(row) for row in result.rows]
                return result
            rdf_format = ox.RdfFormat.from_media_type(base)
            if rdf_format is not None:
                triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=rdf_format)]
                if b"XMLSchema#boolean" in data:
                    triples = [ox.Triple(t.subject, t.predicate, _canonical_booleans({"o": t.object})["o"])
                               for t in triples]
                return Result("graph", triples=triples)
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"{self.location}: the server's answer could not be read ({err}) — "
                             f"check that the URL is a SPARQL query endpoint") from err
        raise StoreError(f"{self.location}: the server answered with {media or 'no media type'!r}, "
                         f"not SPARQL results — check that the URL is a SPARQL query endpoint "
                         f"({_HOW_TO_POINT})")

    def _post(self, endpoint: _Endpoint, body: bytes, content_type: str, accept: str, kind: str,
              *, fresh: bool = False) -> tuple[bytes, str]:
        headers = {"Content-Type": content_type, "Accept": accept, **endpoint.auth}
        for attempt in (1, 2):
            reused = self._conn is not None and not fresh
            conn = self._conn if reused else endpoint.connect(self.timeout)
            assert conn is not None
            try:
                conn.request("POST", endpoint.target, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as err:
                conn.close()
                self._conn = None
                if reused and attempt == 1:
                    continue  # a kept-alive connection the server had closed: queries are safe to resend
                raise StoreError(self._unreachable(endpoint, err)) from err
            except TimeoutError as err:
                conn.close()
                self._conn = None
                raise StoreError(f"{endpoint.public}: no answer within {self.timeout:.0f} s — the {kind} "
                                 f"may still be running on the server; raise the timeout or simplify the "
                                 f"{kind}") from err
            except OSError as err:
                conn.close()
                self._conn = None
                raise StoreError(self._unreachable(endpoint, err)) from err
            if fresh:
                conn.close()
            elif endpoint is self._query_ep and not response.will_close:
                self._conn = conn
            else:
                conn.close()
                self._conn = None
            self._server = response.getheader("Server", "")
            if response.status >= 300:
                self._raise_http(endpoint, response.status, data, kind)
            self._check_complete(endpoint, response, kind)
            return data, response.getheader("Content-Type", "")
        raise AssertionError("unreachable")  # pragma: no cover

    def _unreachable(self, endpoint: _Endpoint, err: BaseException) -> str:
        return (f"{endpoint.public}: cannot reach the SPARQL server ({err}) — start it (for example "
                f"`oxigraph serve --location DIR --bind 127.0.0.1:7878`) or fix --endpoint")

    def _check_complete(self, endpoint: _Endpoint, response: http.client.HTTPResponse, kind: str) -> None:
        """Refuse an answer the server says it cut short: never a silently partial result.

        Virtuoso cuts an answer at ``[SPARQL] ResultSetMaxRows`` rows and says so in the header
        ``X-SPARQL-MaxRows``; past ``MaxQueryExecutionTime`` it may return what it has found so far
        (an "anytime" answer), flagged by ``X-SQL-State``.
        """
        rows = response.getheader("X-SPARQL-MaxRows")
        if rows:
            raise StoreError(
                f"{endpoint.public}: the server cut the answer at its row limit of {rows} rows — raise it above "
                f"the largest answer (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini; "
                f"tests/servers/virtuoso.ini sets {10_000_000:,}); nothing was used of this answer")
        state = response.getheader("X-SQL-State")
        if state:
            note = response.getheader("X-SQL-Message", "")
            raise StoreError(
                f"{endpoint.public}: the server gave an incomplete answer ({state}: {note}) — it stopped at its "
                f"time limit; raise it (Virtuoso: MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini, "
                f"0 for none)" + ("; the update may have been applied in part: run `selaras infer` again"
                                  if kind == "update" else ""))

    def _raise_http(self, endpoint: _Endpoint, status: int, data: bytes, kind: str) -> None:
        message = " ".join(data.decode("utf-8", "replace").split())  # one line (Virtuoso's span several)
        if len(message) > 600:
            message = message[:600] + " …"
        where = f"{endpoint.public} (HTTP {status}: {message or 'no message'})"
        for code, (limit, fix) in _LIMITS.items():
            if code in message:
                raise ServerLimitError(code, f"{where}: the {kind} passed the server's {limit} — {fix}"
                                       + ("; on a transactional server nothing was written" if kind == "update" else ""))
        if status == 400:
            raise QueryError(f"the server rejected the {kind}: {where} — fix the {kind} text"
                             + ("; nothing was written" if kind == "update" else ""))
        if status in (401, 403):
            raise StoreError(f"{where}: the server refused the request — give credentials in the URL "
                             f"(http://user:password@host/…) or allow SPARQL {kind}s on the server")
        if status == 404:
            raise StoreError(f"{where}: no SPARQL endpoint at this URL — check it: {_HOW_TO_POINT}")
        if status in (405, 406, 415):
            raise StoreError(f"{where}: this URL does not take SPARQL {kind}s — "
                             + ("give the server's update URL with --update-endpoint" if kind == "update"
                                else f"give the server's query URL with --endpoint ({_HOW_TO_POINT})"))
        raise QueryError(f"the server failed on the {kind}: {where} — check the {kind} and the server's log"
                         + ("; on a transactional server nothing was written" if kind == "update" else ""))

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.location}: the store was opened read-only — "
                             f"run the command that writes without --read-only")


class _Endpoint:
    """One URL of a server: where to connect, what to request, which credentials to send."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise StoreError(f"{url!r} is not an http(s) URL — give the SPARQL endpoint as "
                             f"http://HOST:PORT/PATH ({_HOW_TO_POINT})")
        self.scheme = parts.scheme
        self.host = parts.hostname
        try:
            self.port = parts.port
        except ValueError as err:
            raise StoreError(f"{url!r} has a bad port ({err}) — give http://HOST:PORT/PATH") from err
        netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if self.port:
            netloc += f":{self.port}"
        self.public = urlunsplit(parts._replace(netloc=netloc))
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.auth: dict[str, str] = {}
        if parts.username is not None:
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.auth["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")

    def connect(self, timeout: float) -> http.client.HTTPConnection:
        """Open a new connection (nothing is sent yet)."""
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def __str__(self) -> str:
        return self.public


def _chunks(quads: Sequence[ox.Quad], max_bytes: int | None = None) -> list[Sequence[ox.Quad]]:
    """Cut quads into parts of at most :data:`CHUNK_QUADS` quads and, given ``max_bytes``, at most
    about that many bytes of text each."""
    parts = [quads[i: i + CHUNK_QUADS] for i in range(0, len(quads), CHUNK_QUADS)]
    if max_bytes is None:
        return parts
    out: list[Sequence[ox.Quad]] = []
    for part in parts:
        start, size = 0, 0
        for n, q in enumerate(part):
            line = len(str(q)) + 16  # the text of the quad in an INSERT DATA, with GRAPH { }
            if size + line > max_bytes and n > start:
                out.append(part[start:n])
                start, size = n, 0
            size += line
        out.append(part[start:])
    return out


def _insert_chunks(quads: list[ox.Quad], max_bytes: int | None = None) -> list[str]:
    """The insert operations of some quads: ``INSERT DATA`` in chunks, and the quads with blank nodes
    all in one ``INSERT { … } WHERE {}`` so that they stay linked.

    The template of an ``INSERT … WHERE {}`` makes one fresh blank node per label, as ``INSERT DATA``
    does; Virtuoso refuses blank nodes in ``INSERT DATA`` ("SP031 … not allowed in a constant clause"),
    and fails on a template that names one graph twice ("SR002"), so the template has one ``GRAPH``
    block per graph.
    """
    blank: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Quad]] = {}
    for q in quads:
        if _has_blank(q):
            blank.setdefault(q.graph_name, []).append(q)
    ops = [f"INSERT DATA {{ {_quads_text(c)} }}"
           for c in _chunks([q for q in quads if not _has_blank(q)], max_bytes)]
    if blank:
        template = " ".join(
            f"GRAPH {g} {{ {text} }}" if isinstance(g, ox.NamedNode) else text
            for g, group in blank.items()
            for text in [" ".join(f"{q.subject} {q.predicate} {q.object} ." for q in group)])
        ops.insert(0, f"INSERT {{ {template} }} WHERE {{}}")
    return ops


_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL = {"1": ox.Literal("true", datatype=_BOOLEAN), "0": ox.Literal("false", datatype=_BOOLEAN)}
_T = TypeVar("_T")


def _canonical_booleans(row: dict[str, _T]) -> dict[str, _T | ox.Literal]:
    """Write ``xsd:boolean`` values as ``true``/``false``: Virtuoso answers ``"1"^^xsd:boolean``,
    the same value in another lexical form, which would not equal the embedded store's term.

    >>> _canonical_booleans({"k": ox.Literal("1", datatype=_BOOLEAN)})["k"].value
    'true'
    """
    return {k: _CANONICAL[v.value] if isinstance(v, ox.Literal) and v.datatype == _BOOLEAN and v.value in _CANONICAL
            else v for k, v in row.items()}


def _has_blank(q: ox.Quad) -> bool:
    return isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)


def _delete_blank(q: ox.Quad, n: int) -> str:
    """Delete a quad that has a blank node: its blank ends become variables limited to blank nodes."""
    s = f"?s{n}" if isinstance(q.subject, ox.BlankNode) else str(q.subject)
    o = f"?o{n}" if isinstance(q.object, ox.BlankNode) else str(q.object)
    checks = " ".join(f"FILTER(isBlank({v}))" for v in (s, o) if v.startswith("?"))
    pattern = f"{s} {q.predicate} {o} ."
    if isinstance(q.graph_name, ox.NamedNode):
        pattern = f"GRAPH {q.graph_name} {{ {pattern} }}"
    return f"DELETE {{ {pattern} }} WHERE {{ {pattern} {checks} }}"


def open_remote(query_url: str, update_url: str | None = None, *, read_only: bool = False) -> RemoteStore:
    """Open the store on a SPARQL server (nothing is sent until the first call)."""
    return RemoteStore(query_url, update_url, read_only=read_only)
