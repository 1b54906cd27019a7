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

The HTTP layer is a Starlette application (:func:`app`: the routes in one list, :class:`Guard` in
front of them) served by uvicorn on a socket bound before the store is prepared. Queries block
until a worker answers, so they run in a thread, never on the event loop. What uvicorn does not
limit by itself is limited here: the request head (64 KiB, 100 headers), the body (``--max-body``,
refused before it is sent when the client asks ``Expect: 100-continue``; chunked bodies are
refused), and a client that stalls mid-request (disconnected after ``max(5, --timeout)`` seconds
without a byte, :class:`_Protocol`).

The store: a directory opened read-only by each worker (several workers read in parallel), or
read-write by a single worker when updates are allowed. Without a store, the bundled example
organisation is built and inferred into a temporary directory, removed when the server stops.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SOLUTION_FORMATS).name
'json'
>>> negotiate("text/html", GRAPH_FORMATS) is None
True
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import multiprocessing
import os
import queue
import re
import secrets
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import h11
import pyoxigraph as ox
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol

from selaras.engine.errors import SelarasError, StoreError
from selaras.engine.sparql import looks_like_update

#: Prefixes written into Turtle and JSON-LD answers. Not the organisation's ``…/id/``: its IRIs
#: have paths (``id/settings/effective``), whose slashes a prefixed name must escape (``id:settings\/…``).
PREFIXES = {
    "sel": "https://w3id.org/selaras/ontology#",
    "rule": "https://w3id.org/selaras/rule/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Format:
    """One answer format: the short name, the media type sent, and what else selects it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    def matches(self, requested: str) -> bool:
        """Tell whether a media type or a ``format=`` short name names this format."""
        requested = requested.lower()
        return requested == self.media_type or requested in self.aliases


#: Formats for SELECT and ASK, in order of preference when the client accepts anything.
SOLUTION_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json", "json")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "xml")),
    Format("csv", "text/csv", ("csv",)),
    Format("tsv", "text/tab-separated-values", ("tsv",)),
)
#: Formats for CONSTRUCT and DESCRIBE, in order of preference.
GRAPH_FORMATS = (
    Format("ttl", "text/turtle", ("application/x-turtle", "turtle", "ttl")),
    Format("nt", "application/n-triples", ("text/plain", "nt", "ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/json", "jsonld", "json-ld", "json")),
    Format("xml", "application/rdf+xml", ("application/xml", "text/xml", "rdf", "rdfxml", "xml")),
)
_RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                "xml": ox.RdfFormat.RDF_XML}


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """Pick the format the ``Accept`` header prefers; the first one when it accepts anything.

    The most specific matching media range gives a format its quality (RFC 9110 §12.5.1);
    ties go to the client's order, then to ours. ``None`` means nothing offered is acceptable.

    >>> negotiate(None, GRAPH_FORMATS).name
    'ttl'
    >>> negotiate("application/rdf+xml, text/*;q=0.1", GRAPH_FORMATS).name
    'xml'
    >>> negotiate("text/csv;q=0", SOLUTION_FORMATS[2:3]) is None
    True
    """
    if not accept or not accept.strip():
        return formats[0]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q, position))
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for order, fmt in enumerate(formats):
        match = None  # (specificity, q, position)
        for media, q, position in ranges:
            major = fmt.media_type.split("/")[0]
            if fmt.matches(media) and "/" in media:
                specificity = 2
            elif media == f"{major}/*":
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, position)
        if match is None or match[1] <= 0:
            continue
        score = (match[1], match[0], -match[2], -order)
        if best is None or score > best:
            best, chosen = score, fmt
    return chosen


def pick_format(accept: str | None, requested: str | None, formats: Sequence[Format]) -> Format | None:
    """Use a ``format=`` (or ``output=``) parameter when it names one of the formats, else negotiate.

    >>> pick_format("text/csv", "json", SOLUTION_FORMATS).name
    'json'
    """
    if requested:
        for fmt in formats:
            if fmt.matches(requested):
                return fmt
    return negotiate(accept, formats)


# --- settings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ServerSettings:
    """What ``selaras serve`` is started with.

    Attributes:
        host: the address to listen on (127.0.0.1: this machine only).
        port: the TCP port (0: any free port).
        timeout: seconds a query or update may run before its worker is stopped.
        max_rows: the most solutions (or triples) an answer may hold.
        max_body: the largest request body accepted, in bytes.
        workers: query worker processes (one, read-write, when updates are allowed).
        allow_update: accept SPARQL Update from clients that send ``token``.
        token: the bearer token updates need.
        max_memory: megabytes of memory a worker may hold (0: no limit); a worker that passes it
            is stopped and its request answered 503 (:func:`default_max_memory`).
    """

    host: str = "127.0.0.1"
    port: int = 7879
    timeout: float = 30.0
    max_rows: int = 100_000
    max_body: int = 1_000_000
    workers: int = 2
    allow_update: bool = False
    token: str | None = None
    max_memory: int = 0


#: The exit code of a worker that stopped itself on passing the memory limit.
MEMORY_EXIT = 75


def default_max_memory(workers: int) -> int:
    """Megabytes each worker may hold by default: half the machine's memory shared by the workers,
    at most 4 GB each (2 workers on a 24 GB machine: 4,096 MB; on an 8 GB one: 2,048 MB)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        return 2048
    return max(256, min(4096, total // 2 // max(1, workers)))


def _watch_memory(limit_mb: int) -> None:
    """End this worker (exit :data:`MEMORY_EXIT`) as soon as its resident memory passes the limit.

    A thread looks every 10 ms (queries run with the GIL released); the kernel's data limit,
    set at twice the limit, stops an allocation that outruns the thread.
    """
    import resource

    limit = limit_mb * 2**20
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (2 * limit, 2 * limit))
    except (ValueError, OSError):
        pass
    page = os.sysconf("SC_PAGE_SIZE")

    def watch() -> None:
        with open("/proc/self/statm", "rb") as statm:
            while True:
                statm.seek(0)
                if int(statm.read().split()[1]) * page > limit:
                    os._exit(MEMORY_EXIT)
                time.sleep(0.01)

    if os.path.exists("/proc/self/statm"):
        threading.Thread(target=watch, daemon=True, name="watch-memory").start()


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode(), tuple(headers))


# --- the worker process -------------------------------------------------------------------------
def _worker_main(conn: Any, path: str, writable: bool, max_memory: int = 0) -> None:
    """Serve queries (and updates) on one store, one request at a time, until the pipe closes.

    A read-only worker follows the store: between requests it looks at the state the store's
    last writer published (:func:`selaras.engine.store.published_state`) and, when it changed,
    opens the store again and takes the new handle only if it holds that state (a writer that is
    still writing leaves it on the old one). Every answer says which state answered it.
    """
    from selaras.engine.store import published_state, state_of

    _exit_with_parent()
    if max_memory:
        _watch_memory(max_memory)
    try:
        store = ox.Store(path) if writable else ox.Store.read_only(path)
    except OSError as err:
        conn.send(("error", f"cannot open the store at {path}: {err}"))
        return
    conn.send(("ready", len(store)))
    mark, seen, state = published_state(Path(path)), None, state_of(store)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if not writable:
            seen, store, state = _follow(path, mark, seen, store, state)
        try:
            try:
                reply = _handle(store, request)
            except (OSError, RuntimeError):  # files a writer's swap of generations removed: open it again
                if writable:
                    raise
                time.sleep(0.2)
                seen, store, state = _follow(path, mark, None, store, state, force=True)
                reply = _handle(store, request)
        except Exception as err:  # noqa: BLE001 - the worker must answer, never die on a query
            reply = _text(500, f"the query failed: {type(err).__name__}: {err}")
        if writable:
            state = state_of(store)  # an update may have changed it
        reply = replace(reply, headers=(*reply.headers, ("X-Selaras-Version", state or "empty")))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _follow(path: str, mark: Path, seen: Any, store: ox.Store, state: str, *,
            force: bool = False) -> tuple[Any, ox.Store, str]:
    """Open the store again when its writer published another state; keep the old handle until the
    new one holds exactly that state (never a half-written one)."""
    from selaras.engine.store import open_read_only, state_of

    try:
        stat = mark.stat()
        now = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if now == seen:
            return seen, store, state
        published = mark.read_text(encoding="utf-8").strip()
    except OSError:
        return seen, store, state  # no writer published anything yet
    if published == state and not force:
        return now, store, state
    try:
        fresh = open_read_only(Path(path))
    except (OSError, RuntimeError, SelarasError):
        return seen, store, state  # being written or swapped: the next request looks again
    if state_of(fresh) != published:
        return seen, store, state  # a writer is still at work
    return now, fresh, published


def _exit_with_parent() -> None:
    """End this worker when the server process is gone (pyoxigraph lets threads run during a query)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _handle(store: ox.Store, request: dict[str, Any]) -> Reply:
    if request["op"] == "update":
        try:
            store.update(request["text"])
        except SyntaxError as err:
            return _text(400, f"malformed SPARQL update: {err}")
        except (OSError, ValueError) as err:
            return _text(500, f"the update failed and nothing was written: {err}")
        if hasattr(store, "flush"):
            store.flush()
        return Reply(204, "text/plain", b"")
    return _answer(store, request)


def _answer(store: ox.Store, request: dict[str, Any]) -> Reply:
    from selaras.engine.store import Result

    kwargs: dict[str, Any] = {}
    if request.get("default_graphs"):
        kwargs["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"]]
    else:
        kwargs["use_default_graph_as_union"] = True
    if request.get("named_graphs"):
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"]]
    limit = int(request["max_rows"])
    try:
        raw = store.query(request["text"], **kwargs)
        if isinstance(raw, ox.QueryBoolean):
            fmt = pick_format(request.get("accept"), request.get("format"), SOLUTION_FORMATS)
            if fmt is None:
                return _not_acceptable(SOLUTION_FORMATS)
            return Reply(200, _content_type(fmt), Result("ask", boolean=bool(raw)).serialize(fmt.name))
        if isinstance(raw, ox.QueryTriples):
            fmt = pick_format(request.get("accept"), request.get("format"), GRAPH_FORMATS)
            if fmt is None:
                return _not_acceptable(GRAPH_FORMATS)
            triples: list[ox.Triple] = []
            for triple in raw:
                if len(triples) == limit:
                    return _too_many(limit, "triples")
                triples.append(triple)
            body = cast(bytes, ox.serialize(triples, format=_RDF_FORMATS[fmt.name],  # no output: the bytes
                                            prefixes=PREFIXES if fmt.name in {"ttl", "jsonld", "xml"} else None))
            return Reply(200, _content_type(fmt), body)
        fmt = pick_format(request.get("accept"), request.get("format"), SOLUTION_FORMATS)
        if fmt is None:
            return _not_acceptable(SOLUTION_FORMATS)
        variables = [v.value for v in raw.variables]
        rows: list[dict[str, Any]] = []
        for solution in raw:
            if len(rows) == limit:
                return _too_many(limit, "rows")
            rows.append({v: solution[v] for v in variables})
        body = Result("select", variables=variables, rows=rows).serialize(fmt.name)
        return Reply(200, _content_type(fmt), body)
    except SyntaxError as err:
        return _text(400, f"malformed SPARQL query: {err}")
    except (OSError, ValueError) as err:
        return _text(500, f"the query failed: {err}")


def _content_type(fmt: Format) -> str:
    charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
    return fmt.media_type + charset


#: Bodies over the limit but under this size are read (and dropped) before the 413 answer.
_DRAIN_LIMIT = 16 * 1024 * 1024


def _too_large(size: int, limit: int) -> Reply:
    return _text(413, f"the request body has {size} bytes, more than the server's --max-body of {limit} — "
                      f"send a shorter query, or restart the server with a larger --max-body")


def _no_service() -> Reply:
    return _text(403, "SERVICE (a federated query) is refused: this endpoint does not send requests to other "
                      "servers — query each server yourself, or load its data into the store")


def _not_acceptable(formats: Sequence[Format]) -> Reply:
    offered = ", ".join(f.media_type for f in formats)
    return _text(406, f"none of the formats in Accept fits this answer — accept one of: {offered}")


def _too_many(limit: int, what: str) -> Reply:
    return _text(422, f"the answer has more than {limit} {what}, the server's --max-rows — "
                      f"add LIMIT/OFFSET or narrow the query, or restart the server with a larger --max-rows")


# --- the pool of workers ------------------------------------------------------------------------
@dataclass
class _Worker:
    process: Any
    conn: Any

    def stop(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


@dataclass
class WorkerPool:
    """Worker processes that run queries, each on its own handle of the store.

    A request waits for a free worker (up to the time limit), then runs up to the time limit;
    a worker that overruns or dies is ended and replaced in the background.
    """

    path: str
    writable: bool
    size: int
    max_memory: int = 0
    startup_timeout: float = 120.0
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue)
    _all: list[_Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    def start(self) -> None:
        """Start every worker and wait until each has opened the store."""
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker_main, args=(child, self.path, self.writable, self.max_memory),
                              daemon=True, name="selaras-query-worker")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if not parent.poll(self.startup_timeout):
            worker.stop()
            raise StoreError(f"a query worker did not open the store at {self.path} within "
                             f"{self.startup_timeout:.0f} s — check that the store is readable")
        try:
            message = parent.recv()
        except (EOFError, OSError):
            message = ("error", f"a query worker ended while opening the store at {self.path}")
        if message[0] != "ready":
            worker.stop()
            raise StoreError(f"{message[1]} — check the path, or stop the process that holds the store")
        with self._lock:
            self._all.append(worker)
        return worker

    def run(self, request: dict[str, Any], timeout: float) -> Reply:
        """Run one request on a free worker within ``timeout`` seconds."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return _text(503, f"every query worker stayed busy for {timeout:g} s — try again shortly",
                         ("Retry-After", "5"))
        try:
            worker.conn.send(request)
            if worker.conn.poll(timeout):
                reply: Reply = worker.conn.recv()
                self._idle.put(worker)
                return reply
        except (EOFError, OSError, ValueError):
            worker.process.join(2)
            code = worker.process.exitcode
            self._replace(worker)
            if self.max_memory and code in (MEMORY_EXIT, -6, -9):  # its own stop, or an allocation refused
                return _text(503, f"the query needed more memory than a worker may hold (--max-memory "
                                  f"{self.max_memory} MB) and was stopped — narrow it (filter earlier, add "
                                  f"LIMIT, avoid ORDER BY or DISTINCT over huge results), or restart the "
                                  f"server with a larger --max-memory; the server goes on with a fresh worker",
                             ("Retry-After", "5"))
            return _text(500, f"the query worker stopped while answering (exit {code}) — narrow the query; "
                              f"the server goes on with a fresh worker")
        self._replace(worker)
        what = "update" if request["op"] == "update" else "query"
        return _text(503, f"the {what} ran longer than the server's time limit of {timeout:g} s and was "
                          f"stopped — narrow it or add LIMIT, or restart the server with a longer --timeout")

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.stop()
        threading.Thread(target=self._refill, daemon=True, name="respawn-worker").start()

    def _refill(self) -> None:
        if self._closed:
            return
        try:
            worker = self._spawn()
        except SelarasError as err:
            if not self._closed:  # else the server stopped while the worker started: nothing to say
                print(f"error: {err}", file=sys.stderr)
            return
        if self._closed:
            self.close()  # closed while it started: stop it too
        else:
            self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._all = list(self._all), []
        for worker in workers:
            worker.stop()


# --- preparing the store ------------------------------------------------------------------------
@dataclass
class ServedStore:
    """The store directory the workers open, and a temporary directory to remove at the end."""

    path: Path
    description: str
    temporary: Path | None = None

    def cleanup(self) -> None:
        """Remove the temporary copy, if any."""
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def prepare_store(path: Path | None, *, writable: bool, note: Any = print) -> ServedStore:
    """Make sure the store to serve exists and holds current conclusions.

    Without ``path``: the bundled example organisation, inferred, in a temporary directory.
    With a store whose conclusions are stale: inferred in place when updates are allowed (the
    store is opened for writing anyway), else into a temporary copy, so that serving
    read-only never writes to the store.
    """
    from selaras.engine import inference
    from selaras.engine.api import Selaras
    from selaras.engine.store import exists

    if path is None:
        return _inferred_copy(Selaras.open(example=True), "the bundled example organisation (a temporary copy)")
    if not exists(path):
        raise StoreError(f"no Selaras store at {path} — run `selaras init --store {path}` "
                         f"(or `selaras import --store {path} FILES…`) first, or leave out --store")
    with Selaras.open(path, read_only=True) as org:
        if inference.is_current(org.store):
            return ServedStore(path, str(path))
        if not writable:
            note(f"note: the conclusions in {path} are stale; serving an inferred temporary copy "
                 f"(`selaras infer` stores them)")
            org.make_writable()  # an in-memory copy
            return _inferred_copy(org, f"{path} (an inferred temporary copy)")
    note(f"note: the conclusions in {path} were stale; inferring them into the store")
    with Selaras.open(path) as org:
        org.ensure_inferred()
    return ServedStore(path, str(path))


def _inferred_copy(org: Any, description: str) -> ServedStore:
    """Infer an in-memory organisation and write it to a new temporary store directory."""
    from selaras.engine.store import open_store

    org.ensure_inferred()  # in memory: faster than rules over a disk store
    tmp = Path(tempfile.mkdtemp(prefix="selaras-serve-"))
    with open_store(tmp / "store") as target:
        target.extend(org.store.quads())
    return ServedStore(tmp / "store", description, tmp)


# --- HTTP ---------------------------------------------------------------------------------------
_IRI_AT = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:\-])", re.IGNORECASE)


def uses_service(text: str) -> bool:
    """Tell whether SPARQL text calls another server (``SERVICE``), outside strings, IRIs and comments.

    Oxigraph runs ``SERVICE`` by sending HTTP requests from this machine: from an endpoint that
    would let any client (or any web page, through the client's browser) reach addresses only
    this machine can. Escapes (``\\u0053ERVICE``) are undone first, as the SPARQL parser does.

    >>> uses_service("SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * WHERE { ?s ?p "customer service" } # no SERVICE here')
    False
    """
    def unescape(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", unescape, text)
    code, i = [], 0
    while i < len(text):
        ch = text[i]
        if text.startswith(("'''", '"""'), i):
            quote, i = text[i:i + 3], i + 3
            while i < len(text) and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += 3
        elif ch in "'\"":
            i += 1
            while i < len(text) and text[i] not in (ch, "\n"):
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif ch == "<" and (iri := _IRI_AT.match(text, i)):
            i = iri.end()
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
        else:
            code.append(ch)
            i += 1
            continue
        code.append(" ")  # what was skipped separates the words around it
    return bool(_SERVICE.search("".join(code)))


# --- HTTP: what the endpoint answers -------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    """What the endpoint needs of one HTTP request."""

    method: str  #: ``GET`` (a ``HEAD`` too) or ``POST``
    path: str  #: without a trailing slash
    headers: Mapping[str, str]  #: looked up case-insensitively
    params: dict[str, list[str]]  #: the URL's parameters
    body: bytes | None = None  #: a POST's body


def _call(request: Request, body: bytes | None = None) -> Call:
    return Call("POST" if request.method == "POST" else "GET", request.scope["path"],
                request.headers, parse_qs(request.scope["query_string"].decode("latin-1"), keep_blank_values=True),
                body)


@dataclass
class Endpoint:
    """The SPARQL protocol and the named queries: each method turns a request into a :class:`Reply`.

    The methods that run queries block until a worker answers: the application calls them in a
    thread (:func:`starlette.concurrency.run_in_threadpool`), never on the event loop.
    """

    settings: ServerSettings
    pool: WorkerPool
    base_url: str

    def sparql(self, call: Call) -> Reply:
        """``/sparql``, ``/query`` and ``/update``: a query, an update, or the service description."""
        params = call.params
        if call.method == "POST":
            assert call.body is not None
            ctype, _, rest = call.headers.get("Content-Type", "").partition(";")
            ctype = ctype.strip().lower()
            charset = "utf-8"
            match = re.search(r"charset\s*=\s*\"?([\w.-]+)", rest, re.IGNORECASE)
            if match:
                charset = match.group(1)
            try:
                text = call.body.decode(charset)
            except (LookupError, UnicodeDecodeError) as err:
                return _text(400, f"the request body is not valid {charset} ({err}) — send UTF-8")
            if ctype == "application/x-www-form-urlencoded":
                for key, values in parse_qs(text, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(text)
            elif ctype == "application/sparql-update":
                params.setdefault("update", []).append(text)
            else:
                return _text(415, f"Content-Type {ctype or '(none)'!r} is not a SPARQL request — use "
                                  f"application/x-www-form-urlencoded (query= or update=), "
                                  f"application/sparql-query or application/sparql-update")
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) > 1 or len(updates) > 1:
            return _text(400, "give one query (or one update) per request")
        if queries and updates:
            return _text(400, "give either a query or an update, not both")
        if updates:
            if call.method != "POST":
                return _text(400, "updates must be sent with POST (form update= or application/sparql-update)")
            if call.path == "/query":
                return _text(400, f"this is the query endpoint — send updates to {self.base_url}/update")
            if uses_service(updates[0]):
                return _no_service()
            return self._update(updates[0], call)
        if not queries:
            if call.path == "/update":
                return _text(400, "no update given — POST update=… or an application/sparql-update body")
            if call.method == "GET" and "text/html" in call.headers.get("Accept", ""):
                return Reply(303, "text/plain", b"", (("Location", "/"),))
            return self.service_description()
        text = queries[0]
        if not text.strip():
            return _text(400, "the query is empty — give SPARQL text in query=")
        if uses_service(text):
            return _no_service()
        if looks_like_update(text):
            if not self.settings.allow_update:
                return _text(403, "this is a SPARQL update, and this endpoint is read-only — start "
                                  "`selaras serve --allow-update` (with a token) to accept updates")
            return _text(400, "this is a SPARQL update — POST it as update=… or with Content-Type "
                              "application/sparql-update")
        if call.path == "/update":
            return _text(400, f"this is the update endpoint — send queries to {self.base_url}/query")
        return self.pool.run(self._query_request(text, call), self.settings.timeout)

    def _query_request(self, text: str, call: Call) -> dict[str, Any]:
        given = call.params.get("format") or call.params.get("output")
        requested = given[0] if given else None
        return {"op": "query", "text": text, "accept": call.headers.get("Accept"), "format": requested,
                "default_graphs": call.params.get("default-graph-uri", []),
                "named_graphs": call.params.get("named-graph-uri", []),
                "max_rows": self.settings.max_rows}

    def _update(self, text: str, call: Call) -> Reply:
        settings = self.settings
        if not settings.allow_update:
            return _text(403, "this endpoint is read-only — start `selaras serve --allow-update` "
                              "(with a token) to accept updates")
        scheme, _, credentials = call.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return _text(401, "updates need the server's token — send the header "
                              "'Authorization: Bearer TOKEN'", ("WWW-Authenticate", 'Bearer realm="selaras"'))
        assert settings.token is not None
        if not hmac.compare_digest(credentials.strip().encode(), settings.token.encode()):
            return _text(403, "wrong token — send the token the server was started with")
        if call.params.get("using-graph-uri") or call.params.get("using-named-graph-uri"):
            return _text(400, "using-graph-uri and using-named-graph-uri are not supported — "
                              "write USING <graph> in the update text instead")
        if not text.strip():
            return _text(400, "the update is empty — give SPARQL Update text")
        return self.pool.run({"op": "update", "text": text}, settings.timeout)

    def service_description(self) -> Reply:
        """What a GET of the endpoint without a query answers: the SPARQL service description."""
        base = self.base_url
        formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML"]
        languages = "sd:SPARQL11Query" + (", sd:SPARQL11Update" if self.settings.allow_update else "")
        text = (
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            "@prefix fmt: <http://www.w3.org/ns/formats/> .\n\n"
            f"<{base}/sparql> a sd:Service ;\n"
            f"  sd:endpoint <{base}/sparql> ;\n"
            f"  sd:supportedLanguage {languages} ;\n"
            f"  sd:resultFormat {', '.join('fmt:' + f for f in formats)} ;\n"
            "  sd:feature sd:UnionDefaultGraph ;\n"
            "  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .\n"
        )
        return Reply(200, "text/turtle; charset=utf-8", text.encode())

    # --- the page and the named queries -----------------------------------------------------------
    @staticmethod
    def page() -> Reply:
        """The query page, self-contained (its script and style inline, nothing fetched elsewhere)."""
        from selaras.engine.serverpage import PAGE

        return Reply(200, "text/html; charset=utf-8", PAGE.encode(), (
            ("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"),
            ("Cache-Control", "no-store")))

    @staticmethod
    def query_list() -> Reply:
        """``/queries``: the named queries as JSON."""
        from selaras import queries

        listing = [
            {"name": q.name, "title": q.title, "judul": q.judul, "purpose": q.purpose,
             "params": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                         "help": p.help} for p in q.params],
             "example": dict(q.example), "text": q.text}
            for q in queries.all_queries()
        ]
        return Reply(200, "application/json", json.dumps(listing, ensure_ascii=False, indent=1).encode())

    def named(self, call: Call, name: str) -> Reply:
        """``/queries/NAME``: run a named query, its parameters bound from the URL's."""
        from selaras import queries
        from selaras.engine.sparql import bind_values

        given = {k: v[-1] for k, v in call.params.items() if k not in {"format", "output"}}
        try:
            named = queries.load(name)
            bindings = named.bindings(given, http=True)
        except SelarasError as err:
            status = 404 if type(err).__name__ == "NotFoundError" else 400
            return _text(status, str(err))
        for pname, kind in named.entity_params().items():
            if pname in bindings and not self._exists(bindings[pname].value):
                return _text(400, f"query parameter {pname!r}: no {kind} {given[pname]!r} in the store — "
                                  f"GET /queries/entities?kind={kind} lists the valid values")
        return self.pool.run(self._query_request(bind_values(named.text, bindings), call), self.settings.timeout)

    def _exists(self, iri: str) -> bool:
        """Ask the store (through a worker) whether it states anything about a node."""
        request: dict[str, Any] = {"op": "query", "text": f"ASK {{ <{iri}> ?p ?o }}",
                                   "accept": "application/sparql-results+json", "format": None,
                                   "default_graphs": [], "named_graphs": [], "max_rows": 1}
        reply = self.pool.run(request, self.settings.timeout)
        return reply.status != 200 or bool(json.loads(reply.body).get("boolean"))


# --- HTTP: the application (Starlette) -----------------------------------------------------------
#: Headers on every answer: no content sniffing; answers differ by ``Accept``.
_COMMON = [(b"X-Content-Type-Options", b"nosniff"), (b"Vary", b"Accept")]
#: The request line and headers may hold this many bytes, in this many headers (431 beyond).
_MAX_HEAD, _MAX_HEADERS = 65536, 100
#: Seconds requests in progress get to finish when the server is stopped.
_GRACE = 2
_CLOSE = ("Connection", "close")


def app(endpoint: Endpoint, log: Any = None) -> Starlette:
    """The HTTP application: every route in one list, :class:`Guard` in front of them all.

    Args:
        endpoint: what answers the requests.
        log: called with each line of the request log, and with the trace of an unexpected error.
    """

    async def sparql(request: Request) -> Response:
        body = await _read_body(request, endpoint.settings.max_body) if request.method == "POST" else None
        if isinstance(body, Reply):
            return _Answer(body)
        if body is None and request.method == "POST":
            return Response(status_code=400)  # the client left: nobody reads this
        return _Answer(await run_in_threadpool(endpoint.sparql, _call(request, body)))

    async def named(request: Request) -> Response:
        return _Answer(await run_in_threadpool(endpoint.named, _call(request), request.path_params["name"]))

    async def query_list(request: Request) -> Response:
        return _Answer(endpoint.query_list())

    async def page(request: Request) -> Response:
        return _Answer(endpoint.page())

    routes = [  # GET also answers HEAD
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", sparql, methods=["GET", "POST"]),
        Route("/update", sparql, methods=["GET", "POST"]),
        Route("/queries", query_list, methods=["GET"]),
        Route("/queries/{name}", named, methods=["GET"]),
        Route("/", page, methods=["GET"]),
    ]

    async def not_routed(request: Request, exc: Exception) -> Response:
        """404 and 405 (Starlette's router raises them) in the endpoint's words."""
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            allowed = sorted(m.strip() for m in (exc.headers or {}).get("Allow", "GET").split(","))
            use = " or ".join(m for m in allowed if m != "HEAD")
            return _Answer(_text(405, f"{request.method} is not supported here — use {use}",
                                    ("Allow", ", ".join(allowed))))
        if exc.status_code == 404:
            return _Answer(_text(404, f"nothing at {request.scope['path']} — the endpoint is {endpoint.base_url}/sparql, "
                                        f"the query page {endpoint.base_url}/"))
        return _Answer(_text(exc.status_code, exc.detail))

    return Starlette(routes=routes, middleware=[Middleware(Guard, endpoint=endpoint, log=log)],
                     exception_handlers={HTTPException: not_routed})


class Guard:
    """In front of every route: the limits on a request's head, the ``Host`` check, the headers every
    answer carries, the request log, and a 500 (its trace in the log, not in the answer) for anything
    a route did not expect."""

    def __init__(self, app: ASGIApp, endpoint: Endpoint, log: Any = None) -> None:
        self.app = app
        self.endpoint = endpoint
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def send_marked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), *_COMMON]}
            await send(message)

        try:
            refusal = self.refusal(scope)
            if refusal is not None:
                await _Answer(refusal)(scope, receive, send_marked)
            else:
                await self.app({**scope, "path": scope["path"].rstrip("/") or "/"}, receive, send_marked)
        except Exception as err:  # noqa: BLE001 - answer 500 with a message, keep the trace in the log
            if self.log is not None:
                self.log(traceback.format_exc().rstrip())
            if not status:
                await _Answer(_text(500, f"internal error: {type(err).__name__}: {err} — the server log has "
                                           f"the details", _CLOSE))(scope, receive, send_marked)
        finally:
            if self.log is not None:
                client = scope.get("client") or ("-",)
                path = scope.get("raw_path") or scope["path"].encode()
                self.log(f"{client[0]} {scope['method']} {path.decode('latin-1')} {status or '-'}")

    def refusal(self, scope: Scope) -> Reply | None:
        """The answer to a request refused before routing, or None."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if len(headers) > _MAX_HEADERS:
            return _text(431, f"the request has {len(headers)} headers, more than {_MAX_HEADERS}", _CLOSE)
        size = len(scope.get("raw_path") or b"") + len(scope["query_string"]) + sum(len(k) + len(v) for k, v in headers)
        if size > _MAX_HEAD:
            return _text(431, f"the request line and headers hold {size} bytes, more than {_MAX_HEAD} — "
                              f"send a long query with POST", _CLOSE)
        host = next((v.decode("latin-1") for k, v in headers if k == b"host"), None)
        if not _host_allowed(self.endpoint.settings.host, host):
            return _text(403, f"requests for host {host!r} are refused while the server listens on loopback "
                              f"(DNS-rebinding protection) — use {self.endpoint.base_url}/")
        return None


def _host_allowed(listening: str, host: str | None) -> bool:
    """Tell whether a request's ``Host`` may be served: any while listening beyond loopback, else a
    loopback name (so a web page whose name was rebound to 127.0.0.1 gets nothing).

    >>> _host_allowed("127.0.0.1", "localhost:7879"), _host_allowed("127.0.0.1", "evil.example:7879")
    (True, False)
    """
    if listening not in LOOPBACK or not host:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name.lower() in LOOPBACK


class _Answer(Response):
    """A :class:`Reply` as a Starlette response, its header names as written (``Content-Type``,
    ``WWW-Authenticate``), not lower-cased as Starlette writes them."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        super().__init__(reply.body, reply.status)

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        reply = self.reply
        pairs = [("Content-Type", reply.content_type), *reply.headers]
        if not (reply.status < 200 or reply.status in (204, 304)):
            pairs.insert(1, ("Content-Length", str(len(reply.body))))
        self.raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


async def _read_body(request: Request, limit: int) -> bytes | Reply | None:
    """Read a POST's body within ``limit`` bytes; a :class:`Reply` refuses it; None: the client left.

    A body over the limit is refused unread when the client waits to be told to send it
    (``Expect: 100-continue``) or announces more than :data:`_DRAIN_LIMIT`; else it is read and
    dropped, so the client sees the answer, not a reset. A client that stops sending is
    disconnected by :class:`_Protocol`.
    """
    headers = request.headers
    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        return _text(411, "chunked bodies are not accepted — send Content-Length", _CLOSE)
    length = headers.get("Content-Length")
    if length is None:
        return _text(411, "a POST needs a Content-Length header", _CLOSE)
    try:
        size = int(length)  # h11 already answered 400 to anything but digits
    except ValueError:
        size = -1
    if size < 0:
        return _text(400, f"Content-Length {length!r} is not a number of bytes", _CLOSE)
    if size > limit and (size > _DRAIN_LIMIT or "100-continue" in headers.get("Expect", "").lower()):
        return replace(_too_large(size, limit), headers=(_CLOSE,))
    chunks = []
    try:
        async for chunk in request.stream():
            if size <= limit:
                chunks.append(chunk)
    except ClientDisconnect:
        return None
    return _too_large(size, limit) if size > limit else b"".join(chunks)


class _Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 connection (h11), changed in two ways.

    A client that sends nothing for ``timeout_keep_alive`` seconds while the server waits for its
    request — the request line, the headers, or the rest of the body — is disconnected (uvicorn
    alone times out only an idle kept-alive connection); a stalled client costs a socket, never a
    thread, so it keeps no one else waiting. And a request h11 cannot parse gets a 400 that says
    what is wrong (``bad Content-Length``), in UTF-8, with the headers of every answer.
    """

    _stall: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]  # uvicorn narrows it to a Transport
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._stall is not None:
            self._stall.cancel()
        super().connection_lost(exc)

    def _watch(self) -> None:
        """Start the stall timer again while the server waits for the client's request."""
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            self._stall = self.loop.call_later(self.timeout_keep_alive, self.transport.close)

    def send_400_response(self, msg: str) -> None:
        problem = sys.exc_info()[1]  # uvicorn calls this while it handles h11's RemoteProtocolError
        status = getattr(problem, "error_status_hint", 400)
        body = _text(status, f"the request is not valid HTTP/1.1: {problem or msg}").body
        headers = [(b"Content-Type", b"text/plain; charset=utf-8"), (b"Content-Length", str(len(body)).encode()),
                   (b"Connection", b"close"), *_COMMON]
        for event in (h11.Response(status_code=status, headers=headers, reason=STATUS_PHRASES[status]),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


# --- running ------------------------------------------------------------------------------------
@dataclass
class Running:
    """The endpoint while it runs, as ``serve(ready=…)`` is given it."""

    base_url: str  #: the URL clients use, e.g. ``http://127.0.0.1:7879``
    server: uvicorn.Server

    def shutdown(self) -> None:
        """Stop the server, from any thread (within 0.1 s; requests in progress get :data:`_GRACE` s)."""
        self.server.should_exit = True


def _listen(host: str, port: int) -> socket.socket:
    """Bind and listen on ``host:port`` (IPv4, or IPv6 when the host has a ``:``).

    The protocol is named (``IPPROTO_TCP``, not 0): asyncio turns Nagle's algorithm off only on
    connections of such a socket; with it on, each answer on a kept-alive connection waits for
    the client's delayed ACK (40 ms on Linux).

    >>> with _listen("127.0.0.1", 0) as sock:
    ...     sock.proto == socket.IPPROTO_TCP
    True
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _LogTo(logging.Handler):
    """Hands uvicorn's warnings and errors (a malformed request, a connection cut) to the server's log."""

    def __init__(self, log: Any) -> None:
        super().__init__(logging.WARNING)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if self.log is not None:
            self.log(self.format(record))


@contextmanager
def _uvicorn_logging(log: Any) -> Iterator[None]:
    """Route uvicorn's logging to ``log`` (or nowhere) while the server runs, and restore it after."""
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(lg.handlers, lg.propagate, lg.level) for lg in loggers]
    loggers[0].handlers, loggers[0].propagate = [_LogTo(log)], False
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, (handlers, propagate, level) in zip(loggers, saved):
            lg.handlers, lg.propagate = handlers, propagate
            lg.setLevel(level)


def serve(settings: ServerSettings, store: Path | None, *, out: Any = print, err: Any = None,
          ready: Any = None) -> None:
    """Run the endpoint until interrupted (Ctrl-C or SIGTERM); stop the workers and clean up.

    Args:
        settings: host, port, limits and the update policy.
        store: the store directory, or ``None`` for the bundled example organisation.
        out: where the start-up lines go.
        err: where notes and the request log go (``None``: no request log).
        ready: called with the :class:`Running` server (``.base_url``, ``.shutdown()``) once it listens.
    """
    import signal

    note = err or out
    if settings.allow_update and not settings.token:
        raise StoreError("--allow-update needs a token — give --token TOKEN (or SELARAS_TOKEN)")
    try:  # listen first: a busy port fails at once, not after the store is ready
        sock = _listen(settings.host, settings.port)
    except OSError as error:
        raise StoreError(f"cannot listen on {settings.host}:{settings.port} ({error.strerror or error}) — "
                         f"choose another --port, or stop the program that uses it") from error

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)  # stop like Ctrl-C: workers ended, temporary copy removed
    served = None
    pool = None
    try:
        served = prepare_store(store, writable=settings.allow_update, note=note)
        pool = WorkerPool(str(served.path), writable=settings.allow_update,
                          size=1 if settings.allow_update else max(1, settings.workers),
                          max_memory=settings.max_memory)
        pool.start()
        endpoint = Endpoint(settings, pool, _base_url(sock))
        config = uvicorn.Config(
            app(endpoint, log=err), http=_Protocol, loop="asyncio", lifespan="off", ws="none",
            log_config=None, access_log=False, proxy_headers=False, server_header=False,
            headers=[("Server", "Selaras")], h11_max_incomplete_event_size=2 * _MAX_HEAD,
            timeout_keep_alive=math.ceil(max(5.0, settings.timeout)),  # also the most a client may stall
            timeout_graceful_shutdown=_GRACE)
        running = Running(endpoint.base_url, uvicorn.Server(config))
        mode = "read-write, updates need the token" if settings.allow_update else "read-only"
        if settings.allow_update and served.temporary is not None:
            note("note: updates go to a temporary copy of the bundled example and end with the server")
        out(f"Selaras SPARQL endpoint: {running.base_url}/sparql  ({mode})")
        out(f"query page:              {running.base_url}/")
        out(f"store: {served.description}; default graph = union of all graphs; "
            f"time limit {settings.timeout:g} s, at most {settings.max_rows} rows"
            + (f", {settings.max_memory} MB a worker" if settings.max_memory else ""))
        if settings.host not in LOOPBACK:
            out(f"warning: listening on {settings.host}, reachable from other machines"
                + (" — updates and their token travel unencrypted" if settings.allow_update else ""))
        if ready is not None:
            ready(running)
        with _uvicorn_logging(err):
            try:
                running.server.run(sockets=[sock])  # on SIGTERM or Ctrl-C it stops, then raises KeyboardInterrupt
            except KeyboardInterrupt:
                pass
        out("stopping")
    finally:
        sock.close()
        if pool is not None:
            pool.close()
        if served is not None:
            served.cleanup()


def new_token() -> str:
    """Make a random bearer token for ``--allow-update``.

    >>> len(new_token()) >= 32
    True
    """
    return secrets.token_urlsafe(24)
