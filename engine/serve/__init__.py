"""A SPARQL 1.1 Protocol endpoint over a Selaras store: ``selaras serve``.

Any SPARQL client (rdflib's ``SPARQLStore``, SPARQLWrapper, YASGUI, curl, a spreadsheet's web
query) talks to it; a page at ``/`` lets a person type and run queries, with the named queries
of ``queries/`` one click away.

=======================  ======================================================================
path                     what it answers
=======================  ======================================================================
``/sparql``              queries (GET ``?query=``, POST form ``query=``, POST
                         ``application/sparql-query``) and, only when allowed, updates (POST
                         form ``update=``, POST ``application/sparql-update``)
``/query``, ``/update``  the same, split the way Oxigraph and Fuseki name them
``/queries``             the named queries as JSON: name, titles, purpose, parameters, text
``/queries/NAME``        run one named query; URL parameters bind its parameters as typed terms
``/``                    the query page
=======================  ======================================================================

Results are negotiated by ``Accept`` (or a ``format=`` parameter): SPARQL results in JSON, XML,
CSV or TSV for SELECT and ASK; Turtle, N-Triples, JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE.
The default graph is the union of all graphs (``default-graph-uri`` and ``named-graph-uri``
narrow it, as the protocol says).

Safety, by default: the server binds to 127.0.0.1 and is read-only. Updates need
``--allow-update`` and a bearer token the client sends (``Authorization: Bearer TOKEN``);
without the flag an update gets 403, without the right token 401/403. Every query runs in a
worker process with a time limit: a runaway query is stopped by ending its worker (Oxigraph
cannot cancel a query in-process), a fresh worker takes its place, and the server keeps
answering. Results longer than ``--max-rows`` and request bodies larger than ``--max-body`` are
refused with a message that says how to narrow them. While bound to a loopback address, a
request whose ``Host`` is not a loopback name is refused (DNS-rebinding protection).

The HTTP layer is a Starlette application (``endpoint.app``: the routes in one list,
``endpoint.Guard`` in front of them) served by uvicorn on a socket bound before the store is prepared. Queries block
until a worker answers, so they run in a thread, never on the event loop. What uvicorn does not
limit by itself is limited here: the request head (64 KiB, 100 headers), the body (``--max-body``,
refused before it is sent when the client asks ``Expect: 100-continue``; chunked bodies are
refused), and a client that stalls mid-request (disconnected after ``max(5, --timeout)`` seconds
without a byte, ``endpoint._Protocol``).

The store: a directory opened read-only by each worker (several workers read in parallel), or
read-write by a single worker when updates are allowed. Without a store, the bundled example
organisation is built and inferred into a temporary directory, removed when the server stops.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SOLUTION_FORMATS).name
'json'
>>> negotiate("text/html", GRAPH_FORMATS) is None
True

The package, by module: :mod:`.endpoint` (the routes, the guard, :func:`serve`), :mod:`.workers`
(the worker processes and the store they serve), :mod:`.protocol` (formats, negotiation, the
replies and refusals) and :mod:`.page` (the query page, from ``engine/templates/``).
"""

from selaras.engine.serve.endpoint import LOOPBACK, Endpoint, ServerSettings, app, new_token, serve
from selaras.engine.serve.protocol import GRAPH_FORMATS, SOLUTION_FORMATS, Format, negotiate, pick_format, uses_service
from selaras.engine.serve.workers import WorkerPool, default_max_memory, prepare_store

__all__ = [
    "GRAPH_FORMATS", "LOOPBACK", "SOLUTION_FORMATS", "Endpoint", "Format", "ServerSettings", "WorkerPool", "app",
    "default_max_memory", "negotiate", "new_token", "pick_format", "prepare_store", "serve", "uses_service",
]
