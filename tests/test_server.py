"""`selaras serve` as a real process on a free loopback port, talked to by real clients:
SPARQLWrapper, rdflib's SPARQLStore and plain HTTP (urllib). No timing assertions: the time
limit is only checked to stop a runaway query, not to be fast.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

from . import sparql_servers

SEL = "https://w3id.org/selaras/ontology#"
COUNT_TECHNICAL = f"PREFIX sel: <{SEL}> SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a sel:TechnicalCompetency }}"
CORE = (f"PREFIX sel: <{SEL}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?code ?label WHERE { ?c a sel:CoreCompetency ; sel:code ?code ; skos:prefLabel ?label "
        "FILTER(LANG(?label) = 'en') } ORDER BY ?code")
CONSTRUCT_CORE = (f"PREFIX sel: <{SEL}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                  "CONSTRUCT { ?c skos:notation ?code } WHERE { ?c a sel:CoreCompetency ; sel:code ?code }")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Server:
    """A running `selaras serve` process."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def start(store: str, log: Path, *options: str) -> Server:
    """Start `selaras --store STORE serve` on a free port and wait until it answers."""
    port = sparql_servers.free_port()
    command = [sys.executable, "-m", "selaras.cli", "--store", store, "serve", "--port", str(port), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"selaras serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/queries", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop(server)
    pytest.fail(f"selaras serve did not answer within 180 s:\n{log.read_text()}")


def stop(server: Server) -> None:
    sparql_servers.stop_process(server.process)


@pytest.fixture(scope="module")
def server(example_store, tmp_path_factory) -> Iterator[Server]:
    """A read-only endpoint over the inferred bundled organisation, with small limits."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    running = start(example_store, log, "--timeout", "3", "--max-rows", "500", "--max-body", "20000")
    yield running
    stop(running)
    assert "stopping" in log.read_text()


@pytest.fixture(scope="module")
def writable(example_store, tmp_path_factory) -> Iterator[Server]:
    """An endpoint that accepts updates with the token, over a copy of the bundled organisation."""
    root = tmp_path_factory.mktemp("serve-rw")
    shutil.copytree(example_store, root / "store")
    running = start(str(root / "store"), root / "serve.log", "--allow-update", "--token", "s3cret",
                    "--timeout", "5")
    yield running
    stop(running)


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send a request; return status, headers and body, also for 4xx/5xx answers."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(server: Server, query: str, accept: str | None = None, **params: str) -> tuple[int, dict[str, str], bytes]:
    args = urllib.parse.urlencode({"query": query, **params})
    return http(f"{server.sparql}?{args}", headers={"Accept": accept} if accept else {})


def form(url: str, headers: dict[str, str] | None = None, **fields: str) -> tuple[int, dict[str, str], bytes]:
    return http(url, urllib.parse.urlencode(fields).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


# --- standard clients ---------------------------------------------------------------------------
def test_sparqlwrapper_gets_correct_json(server) -> None:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(COUNT_TECHNICAL)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert result["results"]["bindings"][0]["n"]["value"] == "67"
    assert result["results"]["bindings"][0]["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("encoding", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_posts_in_both_encodings(server, encoding: str) -> None:
    client = SPARQLWrapper(server.sparql)
    client.setMethod(POST)
    client.setRequestMethod(encoding)
    client.setQuery(CORE)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [r["code"]["value"] for r in rows] == ["CFV", "FCI", "INT", "LRS"]


def test_rdflib_sparqlstore_selects_and_constructs(server) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server.sparql))
    rows = list(graph.query(CORE))
    assert [(str(code), str(label)) for code, label in rows][2] == ("INT", "Integrity")
    constructed = graph.query(CONSTRUCT_CORE).graph
    assert {str(o) for o in constructed.objects()} == {"CFV", "FCI", "INT", "LRS"}
    json_store = rdflib.Graph(store=SPARQLStore(server.sparql, returnFormat="json", method="POST"))
    assert [int(r[0]) for r in json_store.query(COUNT_TECHNICAL)] == [67]


# --- the protocol over plain HTTP ---------------------------------------------------------------
def test_get_and_both_post_encodings_answer_alike(server) -> None:
    by_get = get(server, COUNT_TECHNICAL, "application/sparql-results+json")
    by_form = form(server.sparql, {"Accept": "application/sparql-results+json"}, query=COUNT_TECHNICAL)
    direct = http(server.sparql, COUNT_TECHNICAL.encode(),
                  {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    for status, headers, body in (by_get, by_form, direct):
        assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "67"


@pytest.mark.parametrize("accept, media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
    ("*/*", "application/sparql-results+json"),
])
def test_results_formats_by_accept(server, accept: str, media: str) -> None:
    status, headers, body = get(server, CORE, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    text = body.decode()
    if media.endswith("json"):
        codes = [b["code"]["value"] for b in json.loads(text)["results"]["bindings"]]
    elif media.endswith("xml"):
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        codes = [e.text for e in ET.fromstring(text).findall("r:results/r:result/r:binding[@name='code']/r:literal", ns)]
    elif media == "text/csv":
        codes = [r["code"] for r in csv.DictReader(io.StringIO(text))]
    else:
        codes = [r["?code"].strip('"') for r in csv.DictReader(io.StringIO(text), delimiter="\t",
                                                                 quoting=csv.QUOTE_NONE)]
    assert codes == ["CFV", "FCI", "INT", "LRS"]


@pytest.mark.parametrize("accept, media, parser", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    (None, "text/turtle", "turtle"),
])
def test_graph_formats_by_accept(server, accept: str | None, media: str, parser: str) -> None:
    status, headers, body = get(server, CONSTRUCT_CORE, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=body.decode(), format=parser)
    assert {str(o) for o in graph.objects()} == {"CFV", "FCI", "INT", "LRS"}


def test_format_parameter_and_ask(server) -> None:
    status, headers, body = get(server, CORE, "application/sparql-results+json", format="csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, _, body = get(server, f"ASK {{ ?c a <{SEL}TechnicalCompetency> }}", "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_default_graph_is_the_union_and_can_be_narrowed(server) -> None:
    gap = f"PREFIX sel: <{SEL}> SELECT (COUNT(?g) AS ?n) WHERE {{ ?g a sel:CompetencyGap }}"
    _, _, union = get(server, gap, "application/sparql-results+json")
    _, _, facts = get(server, gap, "application/sparql-results+json",
                      **{"default-graph-uri": "https://w3id.org/selaras/graph/facts"})
    assert json.loads(union)["results"]["bindings"][0]["n"]["value"] == "3970"
    assert json.loads(facts)["results"]["bindings"][0]["n"]["value"] == "0"  # conclusions live apart


@pytest.mark.parametrize("query", ["SELECT * WHERE {", "SELEKT ?x WHERE { ?x ?p ?o }", "   "])
def test_a_malformed_query_gets_400_with_a_plain_message(server, query: str) -> None:
    status, headers, body = get(server, query, "application/sparql-results+json")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert b"Traceback" not in body and (b"malformed SPARQL query" in body or b"empty" in body)


def test_protocol_errors(server) -> None:
    status, _, body = http(server.sparql, b"query=x", {"Content-Type": "text/plain"})
    assert status == 415 and b"application/sparql-query" in body
    status, _, body = form(server.sparql, query="SELECT * WHERE { ?s ?p ?o }" + " " * 30_000)
    assert status == 413 and b"--max-body" in body
    status, _, _ = get(server, CORE, "image/png")
    assert status == 406
    status, _, _ = http(f"{server.sparql}?query=ASK%7B%7D&query=ASK%7B%7D")
    assert status == 400
    status, _, _ = http(server.url + "/nowhere")
    assert status == 404
    status, headers, _ = http(server.sparql, method="DELETE")
    assert status == 405 and "POST" in headers["Allow"]
    status, _, body = http(server.sparql)
    assert status == 200 and b"sd:Service" in body  # the service description


def test_more_rows_than_the_limit_is_refused_with_the_fix(server) -> None:
    status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert status == 422 and b"LIMIT" in body and b"--max-rows" in body
    status, _, body = get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 500", "text/csv")
    assert status == 200 and body.count(b"\n") == 501


def test_a_runaway_query_is_stopped_and_the_server_goes_on(server) -> None:
    status, _, body = get(server, RUNAWAY, "application/sparql-results+json")
    assert status == 503 and b"time limit" in body
    for _ in range(3):  # the next queries are answered (by the other worker, then a fresh one)
        status, _, body = get(server, COUNT_TECHNICAL, "application/sparql-results+json")
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "67"


# --- read-only and loopback by default ------------------------------------------------------------
UPDATE = 'PREFIX sel: <https://w3id.org/selaras/ontology#> INSERT DATA { <urn:x:test> sel:code "added" }'
ADDED = "ASK { <urn:x:test> <https://w3id.org/selaras/ontology#code> \"added\" }"


def test_updates_are_refused_without_the_flag(server) -> None:
    assert form(server.sparql, update=UPDATE)[0] == 403
    status, _, body = http(server.sparql, UPDATE.encode(), {"Content-Type": "application/sparql-update",
                                                            "Authorization": "Bearer anything"})
    assert status == 403 and b"--allow-update" in body
    assert get(server, UPDATE)[0] == 403  # an update sent as a query is refused too
    client = SPARQLWrapper(server.sparql)
    client.setMethod(POST)
    client.setQuery(UPDATE)
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    assert refused.value.code == 403
    _, _, body = get(server, ADDED, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_it_listens_on_loopback_only(server) -> None:
    tcp = Path("/proc/net/tcp")
    if tcp.exists():
        listening = [line.split() for line in tcp.read_text().splitlines()[1:]]
        ours = [f for f in listening if f[3] == "0A" and int(f[1].split(":")[1], 16) == server.port]
        assert ours and all(f[1].split(":")[0] == "0100007F" for f in ours)  # 127.0.0.1
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        addresses = set()
    for address in addresses - {"127.0.0.1"}:
        if address.startswith("127."):
            continue
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(2)
            s.connect((address, server.port))


def test_a_foreign_host_header_is_refused(server) -> None:
    status, _, body = http(f"{server.sparql}?query=ASK%7B%7D", headers={"Host": f"evil.example:{server.port}"})
    assert status == 403 and b"DNS-rebinding" in body


# --- named queries and the page -------------------------------------------------------------------
def test_named_queries_are_listed_and_run_with_typed_parameters(server) -> None:
    status, _, body = http(server.url + "/queries")
    listed = {q["name"]: q for q in json.loads(body)}
    assert status == 200 and len(listed) >= 15 and "SELECT" in listed["move-increases"]["text"]
    args = urllib.parse.urlencode({"from": "manager-sertifikasi-a2", "to": "kepala-lsp"})
    status, _, body = http(f"{server.url}/queries/move-increases?{args}",
                           headers={"Accept": "application/sparql-results+json"})
    rows = {b["code"]["value"]: b for b in json.loads(body)["results"]["bindings"]}
    assert status == 200 and rows["INT"]["increase"]["value"] == "3"
    args = urllib.parse.urlencode({"employee": 'E0013" } DROP ALL #'})
    status, _, body = http(f"{server.url}/queries/employee-gaps?{args}", headers={"Accept": "text/csv"})
    assert status == 400 and b"no employee" in body  # a value (of no employee), not code
    status, _, body = http(f"{server.url}/queries/employee-gaps")
    assert status == 400 and b"employee=E0013" in body
    assert http(f"{server.url}/queries/no-such-query")[0] == 404


def test_named_query_parameters_outside_their_values_are_refused_in_http_words(server) -> None:
    status, _, body = http(f"{server.url}/queries/employee-gaps?employee=E0013&status=foo")
    assert status == 400 and b"?status=unmet" in body and b"--param" not in body and b"not-assessed" in body
    status, _, body = http(f"{server.url}/queries/talent-pool?position=verifikator-senior&min_readiness=nan")
    assert status == 400 and b"?min_readiness=0 (from 0 to 1)" in body
    status, _, body = http(f"{server.url}/queries/talent-pool?position=nope")
    assert status == 400 and b"/queries/entities?kind=position" in body and b"--param" not in body
    status, _, body = http(f"{server.url}/queries/employee-gaps?employee=E0013&status=any",
                           headers={"Accept": "text/csv"})
    assert status == 200 and b",met," in body  # every gap, met ones included


def test_the_page_is_self_contained(server) -> None:
    status, headers, body = http(server.url + "/")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<textarea" in page and 'fetch("/queries")' in page and "/sparql" in page
    assert "<script src" not in page and "<link" not in page and "cdn" not in page.lower()


# --- updates with the flag and the token ----------------------------------------------------------
def test_updates_need_the_token(writable) -> None:
    status, headers, _ = form(writable.sparql, update=UPDATE)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    status, _, body = http(writable.sparql, UPDATE.encode(), {"Content-Type": "application/sparql-update",
                                                              "Authorization": "Bearer wrong"})
    assert status == 403 and b"wrong token" in body
    _, _, body = get(writable, ADDED, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_an_update_with_the_token_takes_effect(writable) -> None:
    client = SPARQLWrapper(writable.sparql)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", "Bearer s3cret")
    client.setQuery(UPDATE)
    client.query()
    _, _, body = get(writable, ADDED, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True
    status, _, _ = http(writable.url + "/update", b'DELETE DATA { <urn:x:test> <' + SEL.encode() + b'code> "added" }',
                        {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"})
    assert status == 204
    _, _, body = get(writable, ADDED, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False
    status, _, body = form(writable.sparql, {"Authorization": "Bearer s3cret"}, update="INSERT DATA {")
    assert status == 400 and b"malformed SPARQL update" in body


def test_turtle_answers_write_the_organisations_iris_without_escaped_slashes(server) -> None:
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
             "FILTER(STRENDS(STR(?s), 'settings/effective')) }")
    status, _, body = get(server, query, "text/turtle")
    assert status == 200 and b"<https://w3id.org/selaras/id/settings/effective>" in body and b"\\/" not in body


def test_a_served_store_follows_its_writers_and_says_which_state_answered(store, tmp_path) -> None:
    """Imports and inference land while serving: each answer is the old state or the new, never
    a half-written one, and after the writer is done the new one (issue 16)."""
    from click.testing import CliRunner

    from selaras.cli import main

    runner = CliRunner()
    assert runner.invoke(main, ["--store", store, "infer", "--no-owl"]).exit_code == 0
    served = start(store, tmp_path / "serve.log", "--workers", "1")
    query = "SELECT ?n WHERE { <https://w3id.org/selaras/id/employee/e1> <http://www.w3.org/2000/01/rdf-schema#label> ?n }"
    try:
        status, headers, body = get(served, query, "text/csv")
        before = headers["X-Selaras-Version"]
        assert status == 200 and b"Ani" in body and before not in ("", "empty")
        answers: list[tuple[str, bytes]] = []
        statuses: list[int] = []
        stop_asking = threading.Event()

        def ask() -> None:
            while not stop_asking.is_set():
                code, h, b = get(served, query, "text/csv")
                statuses.append(code)
                answers.append((h.get("X-Selaras-Version", ""), b))

        asker = threading.Thread(target=ask)
        asker.start()
        employees = tmp_path / "employees.csv"
        employees.write_text("employee,name,position\ne1,Ani Baru,ops-staff\n", encoding="utf-8")
        assert runner.invoke(main, ["--store", store, "import", str(employees)]).exit_code == 0
        assert runner.invoke(main, ["--store", store, "infer", "--no-owl"]).exit_code == 0
        stop_asking.set()
        asker.join()
        status, headers, body = get(served, query, "text/csv")
        assert b"Ani Baru" in body and headers["X-Selaras-Version"] != before
        assert statuses and set(statuses) == {200}, [b for c, (_, b) in zip(statuses, answers) if c != 200][:3]
        assert all((b"Ani Baru" in b) == (v != before) for v, b in answers)  # each state answers its own facts
    finally:
        stop(served)
