"""Compare a real SPARQL server's conclusions and answers with the embedded store's, on any organisation.

Shared by ``tests/test_remote.py`` (a generated organisation of 1,000 employees, in CI) and
``bench/server_compare.py`` (any size, by hand). :func:`compare` starts the server
(``tests/sparql_servers.py``), imports and infers the organisation through the CLI as a user
would, then compares with the same organisation inferred in memory: every graph triple for
triple, every named query in each dataset mode the server supports (with :func:`examples`, the
example parameters carried over to the organisation at hand), and the audit's findings.
Nothing here asserts: the caller reads the :class:`Comparison`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

import selaras
from selaras import queries
from selaras.engine import rules
from selaras.engine.store import remote
from selaras.engine.store import FACTS_GRAPH

try:  # as part of the tests package, or from bench/ with tests/ on the path
    from . import sparql_servers
except ImportError:
    import sparql_servers  # type: ignore[no-redef]

#: The dataset modes compared on each server (Virtuoso has no per-request union parameter).
MODES = {"oxigraph": ("oxigraph", "explicit"), "virtuoso": ("explicit", "server")}
SEL = "https://w3id.org/selaras/ontology#"


@dataclass
class Comparison:
    """What :func:`compare` compared, how long each step took, and every difference found."""

    kind: str
    graphs: int = 0
    query_runs: int = 0
    query_rows: int = 0  #: rows of the embedded store's answers, summed over the runs compared
    findings: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)


def normal(result: object) -> tuple[list, list]:
    """Rows and triples, with the parts of GROUP_CONCAT lists sorted (their order is not defined)."""
    def value(term: object) -> object:
        if isinstance(term, ox.Literal) and ", " in term.value:
            return ", ".join(sorted(term.value.split(", "))), term.datatype, term.language
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#string") and " " in term.value:
            return " ".join(sorted(term.value.split(" "))), term.datatype, term.language
        return term

    return (sorted(tuple((k, str(value(v))) for k, v in row.items()) for row in result.rows),  # type: ignore[attr-defined]
            sorted(map(str, result.triples)))  # type: ignore[attr-defined]


def findings(org: selaras.Selaras) -> list[tuple]:
    """The audit's findings, comparable across stores (the words of an explanation sorted)."""
    def words(text: str) -> str:
        return " ".join(sorted(text.replace(",", " ").split()))
    return sorted((f.check, f.severity, str(f.focus), str(f.message), words(str(f.explanation)))
                  for f in org.audit().findings)


@cache
def _embedded(ours: selaras.Selaras) -> tuple[dict[str, dict[str, str]], list[tuple]]:
    """The parameters and the audit's findings of the embedded store, worked out once for every server."""
    return examples(ours), findings(ours)


def examples(org: selaras.Selaras) -> dict[str, dict[str, str]]:
    """Every named query's example parameters, with the entities they name replaced by this organisation's.

    The examples name the bundled organisation's positions, employees, schemes …; here a
    position is the start of the first concluded career move (``to``: its end), an employee the
    first holder of that position, a node the first of that employee's gaps, and any other
    entity the first of its kind by code. Values that are not entities (``status=expiring``) stay.
    """
    def first(sparql: str) -> str:
        rows = org.store.query("PREFIX sel: <%s>\n%s" % (SEL, sparql)).rows
        if not rows:
            raise LookupError(f"the organisation has nothing for: {sparql}")
        return next(iter(rows[0].values())).value

    start = first("SELECT ?f ?t WHERE { ?m a sel:CareerMove ; sel:fromPosition ?a ; sel:toPosition ?b . "
                  "?a sel:code ?f . ?b sel:code ?t } ORDER BY ?f ?t LIMIT 1")
    end = first(f'SELECT ?t WHERE {{ ?m a sel:CareerMove ; sel:fromPosition ?a ; sel:toPosition ?b . '
                f'?a sel:code "{start}" . ?b sel:code ?t }} ORDER BY ?t LIMIT 1')
    holder = first(f'SELECT ?c WHERE {{ ?e a sel:Employee ; sel:holdsPosition ?p ; sel:code ?c . '
                   f'?p sel:code "{start}" }} ORDER BY ?c LIMIT 1')
    gap = first(f'SELECT ?g WHERE {{ ?g a sel:CompetencyGap ; sel:employee ?e . ?e sel:code "{holder}" }} '
                f'ORDER BY ?g LIMIT 1')
    picked = {"position": start, "employee": holder}
    out = {}
    for query in queries.all_queries():
        params = dict(query.example)
        for name, kind in query.entity_params().items():
            if name not in params:
                continue
            if name == "to":
                params[name] = end
            else:
                if kind not in picked:
                    picked[kind] = min(r["code"].value for r in org.run("entities", kind=kind).rows)
                params[name] = picked[kind]
        if "node" in params:
            params["node"] = gap
        out[query.name] = params
    return out


def compare(kind: str, folder: Path, ours: selaras.Selaras, scratch: Path,
            say: Callable[[str], None] = print) -> Comparison:
    """Start a server of ``kind`` in ``scratch``, import and infer ``folder`` on it, compare with ``ours``."""
    seen = Comparison(kind)
    server = sparql_servers.start(kind, scratch)  # raises sparql_servers.Missing
    try:
        cli = [sys.executable, "-m", "selaras.cli", "--endpoint", server.url, "--update-endpoint", server.update_url]
        for step in (["import", str(folder)], ["infer", "--no-owl"]):
            t0 = time.perf_counter()
            done = subprocess.run([*cli, *step], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode:
                seen.differences.append(f"`selaras {step[0]}` failed ({done.returncode}): {done.stderr[-2000:]}")
                return seen
            seen.seconds[step[0]] = time.perf_counter() - t0
            say(f"{kind}: {step[0]} {seen.seconds[step[0]]:.1f} s")
        theirs = selaras.Selaras(remote.RemoteStore(server.url, read_only=True))
        params, expected_findings = _embedded(ours)
        t0 = time.perf_counter()
        for graph in [FACTS_GRAPH, rules.SETTINGS_GRAPH, *(r.graph for r in rules.all_rules())]:
            a = {(q.subject, q.predicate, q.object) for q in theirs.store.quads(graph)}
            b = {(q.subject, q.predicate, q.object) for q in ours.store.quads(graph)}
            seen.graphs += 1
            if a != b:
                seen.differences.append(f"graph {graph}: {len(a)} triples, embedded {len(b)} "
                                        f"({len(a - b)} only on the server, {len(b - a)} only embedded)")
        for mode in MODES[kind]:
            org = selaras.Selaras(remote.RemoteStore(server.url, read_only=True, dataset=mode))
            for query in queries.all_queries():
                expected = ours.run(query.name, **params[query.name])
                got = org.run(query.name, **params[query.name])
                seen.query_runs += 1
                seen.query_rows += len(expected.rows) + len(expected.triples)
                if got.variables != expected.variables or normal(got) != normal(expected):
                    seen.differences.append(f"named query {query.name} {params[query.name]} ({mode}): "
                                            f"{len(got.rows) + len(got.triples)} rows, embedded "
                                            f"{len(expected.rows) + len(expected.triples)}")
        seen.seconds["graphs and queries"] = time.perf_counter() - t0
        say(f"{kind}: {seen.graphs} graphs and {seen.query_runs} named query runs compared "
            f"in {seen.seconds['graphs and queries']:.1f} s")
        t0 = time.perf_counter()
        found = findings(theirs)
        seen.findings = len(expected_findings)
        if found != expected_findings:
            seen.differences.append(f"audit findings: {len(found)}, embedded {len(expected_findings)} "
                                    f"({len(set(found) ^ set(expected_findings))} differ)")
        seen.seconds["audit"] = time.perf_counter() - t0
        say(f"{kind}: {len(found)} audit findings compared in {seen.seconds['audit']:.1f} s")
    finally:
        server.stop()
    return seen
