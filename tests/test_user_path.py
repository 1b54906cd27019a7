"""The user's path: an on-disk store, one CLI command at a time, default settings.

What a user meets there: ``infer`` on an unchanged store does nothing and says so; the first
reading command after an import infers once, into the store, with a note on stderr, and the
next one finds the conclusions current; a store that cannot be written says that its
conclusions are stale and how to refresh them; a store made by an older Selaras takes the new
ontology; inference leaves no second copy of the store behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import selaras
from selaras.engine import inference
from selaras.engine.store import ONTOLOGY_GRAPH, Store

from .conftest import DATA


def test_infer_on_an_unchanged_store_does_nothing_and_says_so(cli, store) -> None:
    first = cli("--store", store, "infer", "--no-owl", "--format", "json")
    assert first.exit_code == 0 and json.loads(first.stdout)["triples"] > 0
    again = cli("--store", store, "infer", "--no-owl")
    assert again.exit_code == 0 and "are current" in again.stdout and "nothing to do" in again.stdout
    forced = cli("--store", store, "infer", "--no-owl", "--force", "--format", "json")
    assert json.loads(forced.stdout)["triples"] == json.loads(first.stdout)["triples"]
    other = cli("--store", store, "infer", "--no-owl", "--stale-after-months", "1", "--format", "json")
    assert "triples" in json.loads(other.stdout)  # other settings are not "unchanged"


def test_the_first_read_after_an_import_infers_into_the_store_once(cli, store) -> None:
    gaps = ("query", "employee-gaps", "--param", "employee=e1", "--format", "csv")
    first = cli("--store", store, *gaps)
    assert first.exit_code == 0 and "inferring them into the store, once" in first.stderr
    with selaras.open(store, read_only=True) as org:
        assert inference.is_current(org.store)  # stored, not thrown away
    second = cli("--store", store, *gaps)
    assert second.stderr == "" and second.stdout == first.stdout


def test_a_store_that_cannot_be_written_says_its_conclusions_are_stale(store) -> None:
    holder = Store(store)  # another process's writer lock, as far as the reader can tell
    try:
        with selaras.open(store, read_only=True) as org:
            try:
                org.records("employee-gaps", employee="e1")
                org.ensure_inferred()
            except selaras.engine.errors.StoreError as err:
                message = str(err)
            else:
                message = ""
    finally:
        holder.close()
    assert "stale" in message and f"selaras --store {store} infer" in message


def test_a_store_of_an_older_ontology_takes_the_new_one(tmp_path) -> None:
    path = tmp_path / "store"
    with selaras.open(path) as org:
        org.import_paths([DATA / "mini"])
        before = org.store.count(ONTOLOGY_GRAPH)
        # what an older Selaras left: a different ontology digest and a graph with blank nodes
        org.store.update('DELETE WHERE { GRAPH <https://w3id.org/selaras/graph/meta> { '
                         '<https://w3id.org/selaras/graph/ontology> <http://www.w3.org/2002/07/owl#versionInfo> ?v } }')
        org.store.update('INSERT DATA { GRAPH <https://w3id.org/selaras/graph/meta> { '
                         '<https://w3id.org/selaras/graph/ontology> <http://www.w3.org/2002/07/owl#versionInfo> "old" } '
                         'GRAPH <https://w3id.org/selaras/graph/ontology> { <urn:x> <urn:y> [ <urn:z> 1 ] } }')
    with selaras.open(path) as org:  # a writable open reloads the ontology whole
        assert org.store.count(ONTOLOGY_GRAPH) == before
        assert not org.store.query("ASK { <urn:x> ?p ?o }").boolean


def test_inference_on_disk_leaves_one_compact_store(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with selaras.open(path, example=True) as org:
        org.infer()
        org.infer(inference.Settings(stale_after_months=1))  # with conclusions: a new generation
        assert inference.is_current(org.store, inference.Settings(stale_after_months=1))
    # the store, its writer lock, its published state and the career graph's inputs: no next generation left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "store.career.json", "store.lock", "store.state"]
    size = sum(f.stat().st_size for f in path.iterdir())
    assert size < 120 * 2**20, size  # the old in-place write path left 250 MB of write-ahead log here


def test_export_streams_the_graph_asked_for_to_a_file_or_stdout(cli, store, tmp_path) -> None:
    assert cli("--store", store, "infer", "--no-owl").exit_code == 0
    out = tmp_path / "inferred.nq"
    written = cli("--store", store, "export", "--format", "nq", "--graph", "inferred", "-o", str(out))
    assert written.exit_code == 0 and f"bytes to {out}" in written.stderr
    printed = cli("--store", store, "export", "--format", "nq", "--graph", "inferred")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert sorted(printed.stdout.splitlines()) == sorted(lines) and len(lines) > 500
    assert all("/graph/inferred/" in line.rsplit(" ", 2)[-2] for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no partial file left
