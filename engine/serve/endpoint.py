"""The HTTP side of ``selaras serve``: the SPARQL protocol's routes as a Starlette application on uvicorn.

:class:`Endpoint` answers a request (routing, checks, the token); :func:`app` is the application
with the guard every request passes (the Host check, head limits, common headers, the log);
:func:`serve` listens, starts the workers and runs until stopped.
"""


from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
import re
import secrets
import socket
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import h11
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
from selaras.engine.serve.protocol import DRAIN_LIMIT, Reply, no_service, text_reply, too_large, uses_service
from selaras.engine.serve.workers import WorkerPool, prepare_store
from selaras.engine.sparql import looks_like_update

#: Prefixes written into Turtle and JSON-LD answers. Not the organisation's ``…/id/``: its IRIs
#: have paths (``id/settings/effective``), whose slashes a prefixed name must escape (``id:settings\/…``).

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


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
                return text_reply(400, f"the request body is not valid {charset} ({err}) — send UTF-8")
            if ctype == "application/x-www-form-urlencoded":
                for key, values in parse_qs(text, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(text)
            elif ctype == "application/sparql-update":
                params.setdefault("update", []).append(text)
            else:
                return text_reply(415, f"Content-Type {ctype or '(none)'!r} is not a SPARQL request — use "
                                       f"application/x-www-form-urlencoded (query= or update=), "
                                       f"application/sparql-query or application/sparql-update")
        queries, updates = params.get("query", []), params.get("update", [])
        if len(queries) > 1 or len(updates) > 1:
            return text_reply(400, "give one query (or one update) per request")
        if queries and updates:
            return text_reply(400, "give either a query or an update, not both")
        if updates:
            if call.method != "POST":
                return text_reply(400, "updates must be sent with POST (form update= or application/sparql-update)")
            if call.path == "/query":
                return text_reply(400, f"this is the query endpoint — send updates to {self.base_url}/update")
            if uses_service(updates[0]):
                return no_service()
            return self._update(updates[0], call)
        if not queries:
            if call.path == "/update":
                return text_reply(400, "no update given — POST update=… or an application/sparql-update body")
            if call.method == "GET" and "text/html" in call.headers.get("Accept", ""):
                return Reply(303, "text/plain", b"", (("Location", "/"),))
            return self.service_description()
        text = queries[0]
        if not text.strip():
            return text_reply(400, "the query is empty — give SPARQL text in query=")
        if uses_service(text):
            return no_service()
        if looks_like_update(text):
            if not self.settings.allow_update:
                return text_reply(403, "this is a SPARQL update, and this endpoint is read-only — start "
                                       "`selaras serve --allow-update` (with a token) to accept updates")
            return text_reply(400, "this is a SPARQL update — POST it as update=… or with Content-Type "
                                   "application/sparql-update")
        if call.path == "/update":
            return text_reply(400, f"this is the update endpoint — send queries to {self.base_url}/query")
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
            return text_reply(403, "this endpoint is read-only — start `selaras serve --allow-update` "
                                   "(with a token) to accept updates")
        scheme, _, credentials = call.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            return text_reply(401, "updates need the server's token — send the header "
                                   "'Authorization: Bearer TOKEN'", ("WWW-Authenticate", 'Bearer realm="selaras"'))
        assert settings.token is not None
        if not hmac.compare_digest(credentials.strip().encode(), settings.token.encode()):
            return text_reply(403, "wrong token — send the token the server was started with")
        if call.params.get("using-graph-uri") or call.params.get("using-named-graph-uri"):
            return text_reply(400, "using-graph-uri and using-named-graph-uri are not supported — "
                                   "write USING <graph> in the update text instead")
        if not text.strip():
            return text_reply(400, "the update is empty — give SPARQL Update text")
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
        from selaras.engine.serve.page import PAGE

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
            return text_reply(status, str(err))
        for pname, kind in named.entity_params().items():
            if pname in bindings and not self._exists(bindings[pname].value):
                return text_reply(400, f"query parameter {pname!r}: no {kind} {given[pname]!r} in the store — "
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
            return _Answer(text_reply(405, f"{request.method} is not supported here — use {use}",
                                         ("Allow", ", ".join(allowed))))
        if exc.status_code == 404:
            return _Answer(text_reply(404, f"nothing at {request.scope['path']} — the endpoint is "
                                           f"{endpoint.base_url}/sparql, the query page {endpoint.base_url}/"))
        return _Answer(text_reply(exc.status_code, exc.detail))

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
                await _Answer(text_reply(500, f"internal error: {type(err).__name__}: {err} — the server log has "
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
            return text_reply(431, f"the request has {len(headers)} headers, more than {_MAX_HEADERS}", _CLOSE)
        size = len(scope.get("raw_path") or b"") + len(scope["query_string"]) + sum(len(k) + len(v) for k, v in headers)
        if size > _MAX_HEAD:
            return text_reply(431, f"the request line and headers hold {size} bytes, more than {_MAX_HEAD} — "
                                   f"send a long query with POST", _CLOSE)
        host = next((v.decode("latin-1") for k, v in headers if k == b"host"), None)
        if not _host_allowed(self.endpoint.settings.host, host):
            return text_reply(403, f"requests for host {host!r} are refused while the server listens on loopback "
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
    (``Expect: 100-continue``) or announces more than :data:`DRAIN_LIMIT`; else it is read and
    dropped, so the client sees the answer, not a reset. A client that stops sending is
    disconnected by :class:`_Protocol`.
    """
    headers = request.headers
    if "chunked" in headers.get("Transfer-Encoding", "").lower():
        return text_reply(411, "chunked bodies are not accepted — send Content-Length", _CLOSE)
    length = headers.get("Content-Length")
    if length is None:
        return text_reply(411, "a POST needs a Content-Length header", _CLOSE)
    try:
        size = int(length)  # h11 already answered 400 to anything but digits
    except ValueError:
        size = -1
    if size < 0:
        return text_reply(400, f"Content-Length {length!r} is not a number of bytes", _CLOSE)
    if size > limit and (size > DRAIN_LIMIT or "100-continue" in headers.get("Expect", "").lower()):
        return replace(too_large(size, limit), headers=(_CLOSE,))
    chunks = []
    try:
        async for chunk in request.stream():
            if size <= limit:
                chunks.append(chunk)
    except ClientDisconnect:
        return None
    return too_large(size, limit) if size > limit else b"".join(chunks)


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
        body = text_reply(status, f"the request is not valid HTTP/1.1: {problem or msg}").body
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
