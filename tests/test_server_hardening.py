"""The endpoint under hostile use: limits hold, the server stays up, and no client sees a trace.

``tests/test_server.py`` checks the protocol and the defaults (read-only, loopback, token,
one runaway query, row and body limits); this file pushes harder: more runaway queries than
workers at once, a cartesian CONSTRUCT, a lying or negative ``Content-Length``, clients that
stall mid-request, malformed requests of every kind, random parameters for every named
query, and the token compared in constant time. Every server listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selaras import queries

from .test_server import RUNAWAY, Server, get, http, start, stop

TRACE_MARKS = (b"Traceback", b'File "', b"line ", b".py")


@pytest.fixture(scope="module")
def server(example_store, tmp_path_factory) -> Iterator[Server]:
    """A read-only endpoint over the inferred bundled organisation: 2 workers, a 3 s limit."""
    log = tmp_path_factory.mktemp("hard") / "serve.log"
    running = start(example_store, log, "--timeout", "3", "--max-rows", "1000", "--max-body", "20000",
                    "--workers", "2")
    yield running
    stop(running)


def raw(server: Server, data: bytes, wait: float = 30.0) -> bytes:
    """Send bytes on a fresh connection; return all the server sends back before it closes (or ``wait`` ends)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            out += b"<no answer>"
    return out


def request(method: str, target: str, *headers: str, body: bytes | None = None, length: bool = True) -> bytes:
    """Write an HTTP/1.1 request by hand (Host 127.0.0.1, Connection: close, a true Content-Length)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    if body is not None and length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def query_url(text: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(text)


SPARQL_QUERY = "Content-Type: application/sparql-query"
SPARQL_UPDATE = "Content-Type: application/sparql-update"
def status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/1.") else 0


def answers(server: Server) -> bool:
    code, _, body = get(server, "ASK { ?s ?p ?o }", "application/sparql-results+json")
    return code == 200 and json.loads(body)["boolean"] is True


def no_trace(body: bytes) -> bool:
    return not any(mark in body for mark in TRACE_MARKS[:2])


# --- time and size limits ---------------------------------------------------------------------
def test_more_runaway_queries_than_workers_are_all_stopped_and_the_server_recovers(server) -> None:
    replies: list[tuple[int, bytes]] = []

    def runaway() -> None:
        code, _, body = get(server, RUNAWAY, "application/sparql-results+json")
        replies.append((code, body))

    threads = [threading.Thread(target=runaway) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(replies) == 5
    for code, body in replies:  # stopped at the time limit, or told every worker was busy
        assert code == 503 and (b"time limit" in body or b"busy" in body), body
        assert no_trace(body)
    for _ in range(5):
        assert answers(server)


def test_a_cartesian_construct_is_cut_at_the_row_limit(server) -> None:
    code, _, body = get(server, "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "text/turtle")
    assert code in (422, 503), body  # over --max-rows, or stopped at the time limit first
    assert b"--max-rows" in body or b"time limit" in body
    assert answers(server)


DOUBLING = ("SELECT (STRLEN(?s30) AS ?n) WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?s0) "
            + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(30)) + " }")
CARTESIAN = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c LIMIT 1"


def test_a_string_that_doubles_thirty_times_is_stopped(server) -> None:
    code, _, body = get(server, DOUBLING, "application/sparql-results+json")
    assert code == 503 and no_trace(body), body  # 16 GiB of text is never sent back
    assert answers(server)


@pytest.mark.parametrize("query", [DOUBLING, CARTESIAN], ids=["doubling", "cartesian"])
def test_a_worker_over_its_memory_limit_is_stopped_with_503_and_the_server_goes_on(
        example_store, tmp_path, query) -> None:
    """Each worker has a memory cap (--max-memory): a query that needs more ends its worker, not the
    machine, and gets a clear 503 (issue 16)."""
    limited = start(example_store, tmp_path / "serve.log", "--max-memory", "300", "--timeout", "60")
    try:
        code, headers, body = get(limited, query, "application/sparql-results+json")
        assert code == 503 and b"--max-memory 300 MB" in body and no_trace(body), body
        assert headers.get("Retry-After") and answers(limited) and answers(limited)
    finally:
        stop(limited)


def test_a_body_over_the_limit_is_refused_however_it_is_announced(server) -> None:
    reply = raw(server, request("POST", "/sparql", "Content-Type: application/x-www-form-urlencoded",
                                body=b"query=" + b"x" * 30_000))
    assert status(reply) == 413 and b"--max-body" in reply
    # announced as 10 GB: refused before reading it, connection closed
    reply = raw(server, request("POST", "/sparql", SPARQL_QUERY, "Content-Length: 10000000000", body=b"SELECT",
                                length=False))
    assert status(reply) == 413
    # Expect: 100-continue with a large body: refused before the client sends it
    reply = raw(server, request("POST", "/sparql", SPARQL_QUERY, "Content-Length: 50000", "Expect: 100-continue"))
    assert status(reply) == 413
    assert answers(server)


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", ""])
def test_a_content_length_that_is_not_a_byte_count_is_refused(server, length: str) -> None:
    reply = raw(server, request("POST", "/sparql", SPARQL_QUERY, "Content-Length: " + length, body=b"ASK {}",
                                length=False), wait=60)
    assert status(reply) == 400 and b"Content-Length" in reply, reply


def test_a_client_that_stalls_mid_request_is_disconnected(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as s:
        # promises 100 bytes, sends 3, then waits
        s.sendall(request("POST", "/sparql", SPARQL_QUERY, "Content-Length: 100", body=b"ASK", length=False))
        assert s.recv(65536) == b""  # the server gives up on it and closes (after its --timeout, at least 5 s)


def test_stalled_clients_do_not_keep_others_waiting(server) -> None:
    stalled = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(30)]
    try:
        for s in stalled:
            s.sendall(b"GET /sparql?query=ASK HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        assert answers(server)
    finally:
        for s in stalled:
            s.close()


# --- nothing leaks: no traces, no files, no updates ----------------------------------------------
HOSTILE = [
    ("garbage request line", b"\x00\x01\x02 garbage\r\n\r\n"),
    ("HTTP/0.9", b"GET /sparql\r\n"),
    ("unknown method", request("BREW", "/sparql")),
    ("bad percent-encoding", request("GET", "/sparql?query=%ff%fe%zz")),
    ("huge header", request("GET", "/sparql", "X: " + "a" * 70_000)),
    ("too many headers", request("GET", "/", *(f"X{i}: a" for i in range(200)))),
    ("unknown charset", request("POST", "/sparql", SPARQL_QUERY + "; charset=klingon", body=b"ASK {}")),
    ("invalid UTF-8 body", request("POST", "/sparql", SPARQL_QUERY, body=b"ASK \xff\xfe")),
    ("chunked body", request("POST", "/sparql", SPARQL_QUERY, "Transfer-Encoding: chunked",
                             body=b"6\r\nASK {}\r\n0\r\n\r\n", length=False)),
    ("path traversal", request("GET", "/queries/..%2f..%2f..%2fetc%2fpasswd")),
    ("dot segments", request("GET", "/../../etc/passwd")),
    ("LOAD a file", request("POST", "/sparql", SPARQL_UPDATE, body=b"LOAD <file:///etc/passwd>")),
    ("update sent as a query", request("GET", query_url("# SELECT\nDROP ALL"))),
    ("update with a made-up token", request("POST", "/update", SPARQL_UPDATE, "Authorization: Bearer guess",
                                            body=b"DROP ALL")),
    ("foreign Host", b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n"),
]


@pytest.mark.parametrize("name, request_bytes", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_request_gets_a_plain_error_and_the_server_stays_up(server, name: str,
                                                                      request_bytes: bytes) -> None:
    reply = raw(server, request_bytes)
    code = status(reply)
    assert code == 0 or 400 <= code < 600, reply[:300]  # 0: the connection was closed without an answer
    assert code != 200, reply[:300]
    assert no_trace(reply), reply[:2000]
    assert b"root:" not in reply  # no file was read
    assert answers(server)
    code, _, body = get(server, "ASK { ?s ?p ?o }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True  # and nothing was dropped


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "select * where { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<{url}> AS ?u) SERVICE ?u { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 'customer service' . FILTER(?s < ?p) SERVICE<{url}>{?a ?b ?c} }",
], ids=["plain", "lower-case-silent", "escaped", "variable", "after-a-string"])
def test_a_federated_query_is_refused_and_no_request_leaves_the_server(server, query: str) -> None:
    """SERVICE would make the server send HTTP requests wherever a client (or a web page) says."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(2)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        code, _, body = get(server, query.replace("{url}", url), "application/sparql-results+json")
        assert code == 403 and b"SERVICE" in body and b"does not send requests to other servers" in body
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called


def test_the_word_service_in_a_string_or_iri_is_no_federated_query(server) -> None:
    code, _, _ = get(server, "SELECT * WHERE { ?s ?p 'customer service' . ?s <urn:SERVICE> ?o } LIMIT 1",
                     "application/sparql-results+json")
    assert code == 200


NAMED = [q for q in queries.all_queries() if q.params]
VALUES = st.one_of(st.text(max_size=40), st.sampled_from(
    ["any", "", "E0013", "kepala-lsp", "technical", "0.8", "-1", "1e999", "nan", "inf", "2026-02-30",
     "https://w3id.org/selaras/id/gap/E0013/CT", "x> } DROP ALL #", '" } ; DROP ALL ; #', "<>", "%00", "\x00",
     "\ud7ff", "a" * 5000]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(named=st.sampled_from(NAMED), data=st.data())
def test_random_named_query_parameters_over_http_get_answers_or_plain_errors(server, named, data) -> None:
    names = [p.name for p in named.params]
    params = data.draw(st.fixed_dictionaries({}, optional={n: VALUES for n in [*names, "nope", "format"]}))
    url = f"{server.url}/queries/{named.name}?{urllib.parse.urlencode(params)}"
    code, headers, body = http(url, headers={"Accept": "application/sparql-results+json"})
    assert code in (200, 400, 406, 422, 503), (code, body[:300])
    assert no_trace(body)
    if code >= 400:
        assert headers["Content-Type"].startswith("text/plain") and body.strip()


# --- the update token -----------------------------------------------------------------------------
def test_the_update_token_is_checked_in_constant_time(example_store, tmp_path, monkeypatch) -> None:
    """The token comparison goes through hmac.compare_digest, and a wrong token of any length gets the same 403."""
    import shutil

    from selaras.engine.serve import endpoint as server_module

    compared: list[tuple[bytes, bytes]] = []
    real = server_module.hmac.compare_digest

    def compare_digest(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(server_module.hmac, "compare_digest", compare_digest)
    shutil.copytree(example_store, tmp_path / "store")
    running: dict[str, object] = {}
    ready = threading.Event()

    def on_ready(srv) -> None:
        running["server"] = srv
        ready.set()

    token = "a-long-random-update-token"
    config = server_module.ServerSettings(port=0, timeout=10, allow_update=True, token=token)
    thread = threading.Thread(target=server_module.serve, args=(config, tmp_path / "store"),
                              kwargs={"out": lambda line: None, "ready": on_ready}, daemon=True)
    thread.start()
    try:
        assert ready.wait(180)
        srv = running["server"]
        url = srv.base_url + "/update"  # type: ignore[attr-defined]
        replies = []
        for guess in ("x", token[:-1] + "X", token + "extra", "A" * 500):
            code, _, body = http(url, b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                 {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {guess}"})
            replies.append((code, body))
        assert {r for r in replies} == {(403, b"wrong token \xe2\x80\x94 send the token the server was started with\n")}
        assert len(compared) == 4 and all(b == token.encode() for _, b in compared)
        code, _, _ = http(url, b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                          {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"})
        assert code == 204
    finally:
        if "server" in running:
            running["server"].shutdown()  # type: ignore[attr-defined]
        thread.join(60)
    assert not thread.is_alive()


def test_an_unexpected_error_answers_500_with_a_message_and_logs_the_trace() -> None:
    """A route that fails in a way nobody planned for: the client gets a plain 500, the log the trace."""
    import asyncio

    from selaras.engine.serve import endpoint as server_module

    class BrokenPool:
        def run(self, request, timeout):
            raise RuntimeError("the pool broke")

    log: list[str] = []
    endpoint = server_module.Endpoint(server_module.ServerSettings(), BrokenPool(), "http://127.0.0.1:7879")
    app = server_module.app(endpoint, log=log.append)
    sent: list[dict] = []
    scope = {"type": "http", "method": "GET", "path": "/sparql", "raw_path": b"/sparql", "root_path": "",
             "query_string": b"query=ASK%7B%7D", "headers": [(b"host", b"127.0.0.1:7879")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 7879), "scheme": "http", "http_version": "1.1",
             "asgi": {"version": "3.0"}}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 500 and (b"X-Content-Type-Options", b"nosniff") in sent[0]["headers"]
    assert sent[1]["body"] == "internal error: RuntimeError: the pool broke — the server log has the details\n".encode()
    assert no_trace(sent[1]["body"])
    assert "Traceback" in log[0] and "the pool broke" in log[0] and log[-1] == "127.0.0.1 GET /sparql 500"


def test_the_same_server_process_survived_all_of_this(server) -> None:
    assert answers(server)
    assert server.process.poll() is None  # still the first process: nothing above brought it down


def test_a_small_load_test_on_loopback_has_no_failed_request(server) -> None:
    """The load test of ``bench/load_test.py``, small: 4 clients × 12 requests over the named queries."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("load_test", Path(__file__).parent.parent / "bench" / "load_test.py")
    assert spec and spec.loader
    load_test = importlib.util.module_from_spec(spec)
    sys.modules["load_test"] = load_test  # its dataclasses look their module up
    spec.loader.exec_module(load_test)
    report = load_test.run_load(server.url, clients=4, requests=12, max_seconds=120)
    assert report.failures == []
    assert report.requests == 48 and len(report.latencies) >= 12  # most named queries were run
    assert set(report.percentiles()) == {"p50", "p90", "p95", "p99", "max"}
    with pytest.raises(SystemExit, match=r"\(loopback\) only"):
        load_test.run_load("http://192.0.2.1:7879", clients=1, requests=1)
