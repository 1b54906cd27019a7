"""A real SPARQL server as the store: Oxigraph server and Virtuoso give the embedded store's answers.

The session fixture starts each server in turn on loopback, on disk (``tests/sparql_servers.py``:
the ``oxigraph`` binary of the test extra, and Debian's Virtuoso with
``tests/servers/virtuoso.ini``); the bundled organisation is imported and inferred on it through
the CLI (``selaras --endpoint URL import …``, ``… infer``), so the rules run inside the server
as SPARQL Update. Every rule graph and every named query is then compared with the embedded
store (the session's ``example`` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

import selaras
from selaras import queries
from selaras.cli import main
from selaras.engine import inference, rules
from selaras.engine.store import remote
from selaras.engine.errors import QueryError, StoreError
from selaras.engine.ingest.generate import generate
from selaras.engine.render import render_result
from selaras.engine.store import FACTS_GRAPH, INFERRED_PREFIX, ONTOLOGY_GRAPH
from selaras.ontology import EXAMPLE_DIR

from . import server_comparison, sparql_servers

SEL = "https://w3id.org/selaras/ontology#"
SCRATCH = "urn:x-selaras-test:scratch"  # outside Selaras's graphs: never part of their answers


SERVERS = ["oxigraph", "virtuoso"]
pytestmark = pytest.mark.server


def _start(kind: str, folder: Path, **limits: int) -> sparql_servers.Server:
    try:
        return sparql_servers.start(kind, folder, **limits)
    except sparql_servers.Missing as err:
        pytest.skip(str(err))


@pytest.fixture(scope="session", params=SERVERS)
def server(request, tmp_path_factory) -> Iterator[sparql_servers.Server]:
    """A real server on a free loopback port, on disk: `oxigraph serve` and Virtuoso in turn."""
    started = _start(request.param, tmp_path_factory.mktemp(request.param))
    yield started
    started.stop()


def _endpoint(server: sparql_servers.Server) -> list[str]:
    return ["--endpoint", server.url, "--update-endpoint", server.update_url]


@pytest.fixture(scope="session")
def served(server: sparql_servers.Server) -> dict:
    """The bundled organisation imported and inferred on the server through the CLI.

    Records how many bytes the server sent back while inferring: the rules run inside it.
    """
    runner = CliRunner()
    result = runner.invoke(main, [*_endpoint(server), "import", str(EXAMPLE_DIR)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    received: list[int] = []
    apart: list[str] = []  # the rules evaluated apart; while one runs, its reads are not counted
    constructed: list[str] = []  # the graphs written from a CONSTRUCT's answer (whose triples are read)
    inside: list[bool] = []
    original, original_apart = remote.RemoteStore._post, inference.evaluate_apart
    original_construct = remote.RemoteStore.construct_into

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        data, media = original(self, *args, **kwargs)
        if not inside:
            received.append(len(data))
        return data, media

    def evaluating_apart(store, rule):  # type: ignore[no-untyped-def]
        apart.append(rule.id)
        inside.append(True)
        try:
            return original_apart(store, rule)
        finally:
            inside.pop()

    def constructing(self, graph, *args, **kwargs):  # type: ignore[no-untyped-def]
        constructed.append(graph)
        inside.append(True)
        try:
            return original_construct(self, graph, *args, **kwargs)
        finally:
            inside.pop()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(remote.RemoteStore, "_post", counting)
        mp.setattr(inference, "evaluate_apart", evaluating_apart)
        mp.setattr(remote.RemoteStore, "construct_into", constructing)
        result = runner.invoke(main, [*_endpoint(server), "infer", "--no-owl"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {"url": server.url, "kind": server.kind, "server": server, "received": received,
            "apart": apart, "constructed": constructed,
            "org": selaras.open(endpoint=server.url, update_endpoint=server.update_url, read_only=True),
            "infer_output": result.output}


def _triples(org: selaras.Selaras, graph: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in org.store.quads(graph)}


def _normal(result) -> list[tuple]:
    """Rows as sorted tuples; GROUP_CONCAT's order is not defined by SPARQL, so its parts are sorted."""
    def value(term: object) -> object:
        if isinstance(term, ox.Literal) and ", " in term.value:
            return (", ".join(sorted(term.value.split(", "))), term.datatype, term.language)
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#string") and " " in term.value:
            return (" ".join(sorted(term.value.split(" "))), term.datatype, term.language)
        return term

    return sorted(tuple((k, str(value(v))) for k, v in row.items()) for row in result.rows)


# --- the acceptance: the server gives the embedded store's conclusions and answers ------------
def test_the_server_holds_the_same_graphs(example: selaras.Selaras, served: dict) -> None:
    assert served["org"].store.graph_names() == example.store.graph_names()


@pytest.mark.parametrize("graph", [FACTS_GRAPH, rules.SETTINGS_GRAPH, *(r.graph for r in rules.all_rules())],
                         ids=lambda g: g.rsplit("/", 1)[1])
def test_every_rule_graph_is_the_same(example: selaras.Selaras, served: dict, graph: str) -> None:
    embedded = _triples(example, graph)
    assert embedded, f"{graph} is empty in the embedded store"
    theirs = _triples(served["org"], graph)
    rule = next((r for r in rules.all_rules() if r.graph == graph), None)
    if rule is not None and "SAMPLE(" in rule.text.upper():
        # SAMPLE picks any one value, so which premise a node cites may differ between engines;
        # everything else must agree, and each node must cite as many premises
        premise = ox.NamedNode(SEL + "premise")
        assert {t for t in theirs if t[1] != premise} == {t for t in embedded if t[1] != premise}
        assert sorted(str(t[0]) for t in theirs if t[1] == premise) == \
            sorted(str(t[0]) for t in embedded if t[1] == premise)
        return
    assert theirs == embedded


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> tuple[Path, selaras.Selaras]:
    """A generated organisation of 1,000 employees (40 positions), and it inferred in memory."""
    folder = tmp_path_factory.mktemp("generated") / "org"
    generate(folder, employees=1000, positions=40, seed=0)
    ours = selaras.open()
    ours.import_paths([folder])
    ours.ensure_inferred()
    return folder, ours


@pytest.mark.parametrize("kind", SERVERS)
def test_a_generated_organisation_of_1000_employees_gives_the_same_answers(
        kind: str, generated: tuple[Path, selaras.Selaras], tmp_path: Path) -> None:
    # the acceptance at size, as bench/server_compare.py runs it: a fresh server, the CLI's import
    # and infer, then every graph, every named query (its example carried over to this
    # organisation) in each dataset mode, and the audit's findings
    folder, ours = generated
    try:
        seen = server_comparison.compare(kind, folder, ours, tmp_path, say=lambda line: None)
    except sparql_servers.Missing as err:
        pytest.skip(str(err))
    assert seen.differences == []
    assert seen.graphs == 2 + len(rules.all_rules())
    assert seen.query_runs == 2 * len(queries.all_queries())
    assert seen.query_rows > 1_000 and seen.findings > 500, (seen.query_rows, seen.findings)


def test_the_ontology_graph_is_isomorphic(example: selaras.Selaras, served: dict) -> None:
    # the ontology has blank nodes (OWL restrictions): compare as graphs, not as sets of terms
    ours = Graph().parse(data=example.store.dump("nt", ONTOLOGY_GRAPH).decode(), format="nt")
    theirs = Graph().parse(data=served["org"].store.dump("nt", ONTOLOGY_GRAPH).decode(), format="nt")
    assert len(ours) == len(theirs) and isomorphic(ours, theirs)


NAMED = [q.name for q in queries.all_queries()]


#: The dataset modes each server is asked in: its automatic one first (oxigraph, explicit), then
#: the other that it supports (a Virtuoso's default graph is the union of all its graphs).
MODES = {"oxigraph": ["oxigraph", "explicit"], "virtuoso": ["explicit", "server"]}


@pytest.mark.parametrize("mode", [0, 1], ids=["automatic", "other"])
@pytest.mark.parametrize("name", NAMED)
def test_every_named_query_gives_the_same_rows(example: selaras.Selaras, served: dict, name: str,
                                               mode: int) -> None:
    dataset = MODES[served["kind"]][mode]
    org = selaras.Selaras(remote.RemoteStore(served["url"], read_only=True, dataset=dataset))
    params = dict(queries.load(name).example)
    theirs = org.run(name, **params)
    ours = example.run(name, **params)
    assert theirs.variables == ours.variables
    assert _normal(theirs) == _normal(ours)
    assert set(theirs.triples) == set(ours.triples)  # a CONSTRUCT's (competency-framework)


def test_cli_infer_then_query_matches_the_embedded_store(example: selaras.Selaras, served: dict) -> None:
    assert "triples inferred" in served["infer_output"]
    result = CliRunner().invoke(main, ["--endpoint", served["url"], "query", "largest-gaps", "--format", "csv"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ours = render_result(example.run("largest-gaps", lang="en"), "csv")
    assert sorted(result.output.splitlines()) == sorted(ours.splitlines())


def test_the_update_took_effect_on_the_server(example: selaras.Selaras, served: dict) -> None:
    gaps = f"<{INFERRED_PREFIX}gap>"
    answer = sparql_servers.ask(served["url"], f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {gaps} {{ ?g a <{SEL}CompetencyGap> }} }}")
    n = int(answer["results"]["bindings"][0]["n"]["value"])
    assert n == 3970 == len(list(example.store.match(None, ox.NamedNode(SEL + "gapStatus"), None)))


def test_rules_run_inside_the_server(example: selaras.Selaras, served: dict) -> None:
    # inference read back only counts and settings: a few kilobytes, not the graph's megabytes,
    # but for the rules evaluated apart over a copy of what they read; on Virtuoso the server
    # evaluates each rule's CONSTRUCT and its answer is written back as data
    virtuoso = served["kind"] == "virtuoso"
    assert served["apart"] == sorted(remote.APART)
    inside = [r.graph for r in rules.all_rules() if r.id not in remote.APART]
    assert served["constructed"] == (inside if virtuoso else [])
    assert sum(served["received"]) < 100_000, served["received"]
    assert example.store.count() > 120_000  # the quads inference wrote there (about 135,000)


def test_a_rule_past_the_servers_answer_limit_is_written_by_the_server(example: selaras.Selaras, served: dict,
                                                                      monkeypatch) -> None:
    # Virtuoso refuses an answer above its MaxVectorSize (FRVEC: the gap rule's CONSTRUCT at 10,000
    # employees): the server then writes the rule's graph itself, with the rule's INSERT … WHERE
    rule = rules.get("gap")
    store = remote.RemoteStore(served["url"], served["server"].update_url)
    updates: list[str] = []
    original = remote.RemoteStore.update

    def refusing(self, sparql, **kwargs):  # type: ignore[no-untyped-def]
        raise remote.ServerLimitError("FRVEC", "the query passed the server's vector size limit")

    def updating(self, sparql):  # type: ignore[no-untyped-def]
        updates.append(sparql)
        return original(self, sparql)

    monkeypatch.setattr(remote.RemoteStore, "query", refusing)
    monkeypatch.setattr(remote.RemoteStore, "update", updating)
    store.construct_into(rule.graph, rule.text, rule.input_graphs())
    monkeypatch.undo()
    store.update(inference._rule_description(rule))  # what inference writes beside the conclusions
    assert len(updates) == 1 and f"INSERT {{ GRAPH <{rule.graph}>" in updates[0]
    theirs, ours = _triples(served["org"], rule.graph), _triples(example, rule.graph)
    assert theirs == ours, (len(theirs), len(ours), sorted(map(str, theirs ^ ours))[:6])
    # any other limit is the user's to raise: an error, nothing written
    monkeypatch.setattr(remote.RemoteStore, "query", lambda self, sparql, **kw: (_ for _ in ()).throw(
        remote.ServerLimitError("SR171", "the query passed the server's time limit")))
    with pytest.raises(remote.ServerLimitError, match="time limit"):
        store.construct_into(rule.graph, rule.text, rule.input_graphs())


def test_query_with_given_default_graphs(example: selaras.Selaras, served: dict) -> None:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{SEL}CompetencyGap> }}"
    for graphs in ([FACTS_GRAPH], [rules.get("gap").graph]):
        theirs = served["org"].store.query(text, default_graphs=graphs).rows[0]["n"].value
        assert theirs == example.store.query(text, default_graphs=graphs).rows[0]["n"].value


def test_construct_and_ask(example: selaras.Selaras, served: dict) -> None:
    text = f"CONSTRUCT {{ ?g ?p ?o }} WHERE {{ ?g a <{SEL}Grade> ; ?p ?o }}"
    assert set(served["org"].query(text).triples) == set(example.query(text).triples)
    assert served["org"].query(f"ASK {{ ?x a <{SEL}CareerMove> }}").boolean is True


# --- writes: transactions, chunks, blank nodes ------------------------------------------------
def _scratch(n: int, start: int = 0) -> list[ox.Quad]:
    g = ox.NamedNode(SCRATCH)
    return [ox.Quad(ox.NamedNode(f"urn:x:s{i}"), ox.NamedNode("urn:x:p"), ox.Literal(str(i)), g)
            for i in range(start, start + n)]


@pytest.fixture
def scratch(server: sparql_servers.Server) -> Iterator[remote.RemoteStore]:
    store = remote.RemoteStore(server.url, server.update_url)
    yield store
    store.update(f"DROP SILENT GRAPH <{SCRATCH}>")


def test_writes_in_chunks_above_the_chunk_size(scratch: remote.RemoteStore, monkeypatch) -> None:
    monkeypatch.setattr(remote, "CHUNK_QUADS", 3)
    scratch.extend(_scratch(10))
    assert scratch.count(SCRATCH) == 10
    scratch.replace(_scratch(4), _scratch(2, start=100))
    assert scratch.count(SCRATCH) == 8
    scratch.replace_graph(SCRATCH, _scratch(5, start=200))
    assert {q.object.value for q in scratch.match(None, None, None, ox.NamedNode(SCRATCH))} == {
        "200", "201", "202", "203", "204"}


def test_a_failed_write_changes_nothing(scratch: remote.RemoteStore) -> None:
    scratch.extend(_scratch(3))
    with pytest.raises(QueryError, match="nothing was written"):
        scratch.update(f"INSERT DATA {{ GRAPH <{SCRATCH}> {{ <urn:x:a> <urn:x:p> 1 }} }} ; LOAD <not an iri>")
    assert scratch.count(SCRATCH) == 3


def test_blank_nodes_are_written_together_and_removed(scratch: remote.RemoteStore, monkeypatch) -> None:
    monkeypatch.setattr(remote, "CHUNK_QUADS", 2)
    g, p = ox.NamedNode(SCRATCH), ox.NamedNode("urn:x:p")
    b = ox.BlankNode()
    linked = [ox.Quad(ox.NamedNode("urn:x:a"), p, b, g), ox.Quad(b, p, ox.Literal("x"), g)]
    scratch.extend([*linked, *_scratch(5)])
    answer = scratch.query("ASK { <urn:x:a> <urn:x:p> ?b . ?b <urn:x:p> \"x\" }",
                           default_graphs=[SCRATCH])
    assert answer.boolean is True
    scratch.replace(linked, [])
    assert scratch.count(SCRATCH) == 5


def test_read_only_refuses_writes(server: sparql_servers.Server) -> None:
    with pytest.raises(StoreError, match="read-only"):
        remote.RemoteStore(server.url, read_only=True).update(f"DROP SILENT GRAPH <{SCRATCH}>")


# --- errors say the URL and the fix -------------------------------------------------------------
def test_unreachable_server() -> None:
    url = f"http://127.0.0.1:{sparql_servers.free_port()}/query"
    with pytest.raises(StoreError, match=r"127\.0\.0\.1.*cannot reach the SPARQL server .*— start it"):
        remote.RemoteStore(url).count()


def test_no_endpoint_at_that_path(server: sparql_servers.Server) -> None:
    with pytest.raises(StoreError, match="no SPARQL endpoint at this URL — check it"):
        remote.RemoteStore(server.url.rsplit("/", 1)[0] + "/nothing").count()


def test_malformed_query(served: dict) -> None:
    with pytest.raises(QueryError, match="rejected the query.*fix the query text"):
        served["org"].query("SELECT WHERE {")


def test_update_url_that_takes_no_updates(server: sparql_servers.Server) -> None:
    if server.kind != "oxigraph":
        pytest.skip("Virtuoso takes queries and updates at one URL")
    with pytest.raises(StoreError, match="--update-endpoint"):
        remote.RemoteStore(server.url, update_url=server.url).update(f"DROP SILENT GRAPH <{SCRATCH}>")


def test_cli_error_exit_code() -> None:
    result = CliRunner().invoke(main, ["--endpoint", f"http://127.0.0.1:{sparql_servers.free_port()}/query", "stats"])
    assert result.exit_code == 2
    assert "cannot reach the SPARQL server" in result.output


# --- a server whose default graph is already the union ------------------------------------------
def test_server_mode_on_a_union_default_graph_server() -> None:
    try:
        oxigraph = sparql_servers.start_oxigraph(None, "--union-default-graph")  # in memory
    except sparql_servers.Missing as err:
        pytest.skip(str(err))
    url = oxigraph.url
    try:
        store = remote.RemoteStore(url, dataset="server")
        store.extend([*(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(FACTS_GRAPH)) for q in _scratch(3)),
                      *(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(rules.get("gap").graph))
                        for q in _scratch(2, start=10))])
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:x:p> ?o }"
        assert store.query(count).rows[0]["n"].value == "5"
        assert remote.RemoteStore(url, dataset="explicit").query(count).rows[0]["n"].value == "5"
        assert store.graph_names() == sorted([FACTS_GRAPH, rules.get("gap").graph])
    finally:
        oxigraph.stop()


# --- what other servers need (Virtuoso): the request, and the answer read by value ----------------
def test_a_construct_asks_for_rdf_and_a_select_for_results(served: dict, monkeypatch) -> None:
    sent: dict[str, str] = {}
    original = remote.RemoteStore._post

    def recording(self, endpoint, body, content_type, accept, kind, **kwargs):  # type: ignore[no-untyped-def]
        text = body.decode()
        sent["construct" if "construct" in text else "select" if "SELECT+%3Fg" in text else "other"] = accept
        return original(self, endpoint, body, content_type, accept, kind, **kwargs)

    monkeypatch.setattr(remote.RemoteStore, "_post", recording)
    store = remote.RemoteStore(served["url"], read_only=True)
    store.query(f"# a comment\nPREFIX sel: <{SEL}>\nconstruct {{ ?g a sel:Grade }} WHERE {{ ?g a sel:Grade }}")
    store.query(f"SELECT ?g WHERE {{ ?g a <{SEL}Grade> }}")
    # a server gives the first type it can: results first would get a CONSTRUCT as a table
    assert sent["construct"].startswith("application/n-triples")
    # SPARQL JSON, but from Virtuoso SPARQL XML (it writes JSON four times slower)
    first = "xml" if served["kind"] == "virtuoso" else "json"
    assert sent["select"].startswith(f"application/sparql-results+{first}")


def test_booleans_are_read_by_value() -> None:
    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    row = {"a": ox.Literal("1", datatype=boolean), "b": ox.Literal("0", datatype=boolean),
           "c": ox.Literal("1"), "d": None}
    assert remote._canonical_booleans(row) == {"a": ox.Literal(True), "b": ox.Literal(False), "c": ox.Literal("1"),
                                               "d": None}


def test_blank_nodes_of_two_graphs_go_in_one_template() -> None:
    g1, g2, p = ox.NamedNode("urn:x:g1"), ox.NamedNode("urn:x:g2"), ox.NamedNode("urn:x:p")
    b = ox.BlankNode()
    ops = remote._insert_chunks([ox.Quad(ox.NamedNode("urn:x:a"), p, b, g1), ox.Quad(b, p, ox.Literal("x"), g1),
                                 ox.Quad(b, p, ox.Literal("y"), g2), ox.Quad(ox.NamedNode("urn:x:a"), p, p, g1)])
    # Virtuoso refuses blank nodes in INSERT DATA, and a template naming one graph twice
    assert ops[0].startswith("INSERT {") and ops[0].endswith("WHERE {}") and ops[0].count("GRAPH <urn:x:g1>") == 1
    assert ops[1].startswith("INSERT DATA") and "_:" not in ops[1]


# --- a server's limits: an answer cut short is an error naming the limit, never a short answer ----
@pytest.fixture(scope="module")
def limited(tmp_path_factory) -> Iterator[sparql_servers.Server]:
    """A Virtuoso with Debian-like limits lowered: 100 rows per answer, 2 s per query."""
    started = _start("virtuoso", tmp_path_factory.mktemp("virtuoso-limited"), max_rows=100, max_seconds=2)
    store = remote.RemoteStore(started.url)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(FACTS_GRAPH)) for q in _scratch(500))
    yield started
    started.stop()


def test_an_answer_cut_at_the_row_limit_is_an_error(limited: sparql_servers.Server, tmp_path: Path) -> None:
    out = tmp_path / "all.nq"
    result = CliRunner().invoke(main, ["--endpoint", limited.url, "export", "--output", str(out)])
    assert result.exit_code != 0
    assert "row limit of 100 rows" in result.output and "ResultSetMaxRows" in result.output, result.output
    assert not out.exists() or out.stat().st_size == 0
    # an answer below the limit is read as usual
    assert remote.RemoteStore(limited.url).query("SELECT ?s WHERE { ?s <urn:x:p> \"7\" }").rows


def test_a_query_past_the_time_limit_is_an_error(limited: sparql_servers.Server) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a <urn:x:p> ?x . ?b <urn:x:p> ?y . ?c <urn:x:p> ?z . ?d <urn:x:p> ?w }"
    result = CliRunner().invoke(main, ["--endpoint", limited.url, "query", slow])
    assert result.exit_code != 0
    assert "time limit" in result.output and "MaxQueryExecutionTime" in result.output, result.output


class _Answer:
    """What :meth:`RemoteStore._check_complete` reads of an HTTP response: its headers."""

    def __init__(self, **headers: str) -> None:
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


def test_an_anytime_answer_is_an_error() -> None:
    store = remote.RemoteStore("http://127.0.0.1:1/sparql")
    partial = _Answer(X_SQL_State="S1TAT", X_SQL_Message="RC...: Returning incomplete results")
    with pytest.raises(StoreError, match=r"incomplete answer \(S1TAT: RC.*MaxQueryExecutionTime.*applied in part"):
        store._check_complete(store._query_ep, partial, "update")  # type: ignore[arg-type]
    store._check_complete(store._query_ep, _Answer(Server="Virtuoso"), "query")  # type: ignore[arg-type]


# --- what a user runs: the audit, career next and explain give the embedded store's answers -------
def test_the_audit_finds_the_same(example: selaras.Selaras, served: dict) -> None:
    def findings(org: selaras.Selaras) -> list[tuple]:
        report = org.audit()
        return sorted((f.check, f.severity, str(f.focus), str(f.message), _normal_text(str(f.explanation)))
                      for f in report.findings)

    ours = findings(example)
    assert len(ours) > 100
    assert findings(served["org"]) == ours


def _normal_text(text: str) -> str:
    """Lists in a text, whatever their order (GROUP_CONCAT's order is not defined by SPARQL)."""
    return " ".join(sorted(text.replace(",", " ").split()))


@pytest.mark.parametrize("args", [["career", "next", "staf-sertifikasi-c8"],
                                  ["career", "next", "--employee", "E0013"],
                                  ["explain", "manager-sertifikasi-a2", "->", "kepala-lsp"],
                                  ["explain", "E0001", "INT"]], ids=" ".join)
def test_career_and_explain_say_the_same(example_store: str, served: dict, args: list[str]) -> None:
    runner = CliRunner()
    ours = runner.invoke(main, ["--store", example_store, *args, "--format", "json"], catch_exceptions=False)
    theirs = runner.invoke(main, ["--endpoint", served["url"], "--update-endpoint", served["server"].update_url,
                                  *args, "--format", "json"], catch_exceptions=False)
    assert ours.exit_code == 0, ours.output
    assert theirs.exit_code == 0, theirs.output
    assert json.loads(theirs.output) == json.loads(ours.output)
