"""Reliability: crash safety and concurrent use of one store, with the real CLI in child processes.

Crash safety: a ``selaras import`` or ``selaras infer`` killed with SIGKILL at any moment
leaves a store that opens, passes ``selaras check``, and holds all of the change or none of
it. Each test runs the CLI on a generated organisation (200 employees, about 34,000 facts;
the import takes a second or two, inference a few seconds) and kills it at moments read from
the store's files (``tests/processes.py``): as soon as it opened the store, as soon as it
started writing, while the written data is flushed, and at times in between. After every
kill the store is opened for writing (RocksDB recovers its log) and compared with the store
before and after an uninterrupted run.

Concurrency: one writer at a time. A second process that wants to write gets "the store is
in use" at once, with exit code 2, and changes nothing (it does not wait: run it again
later). Readers open the store read-only during a write; each sees the facts as they were
before or after it, never part of an import, and the rules' conclusions whole and current or
marked stale (so reading commands re-infer), never current but partial.

``bench/reliability.py`` runs the same with many more kill points and readers, and reports
the figures in the README.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import selaras
from selaras.engine import inference
from selaras.engine.errors import StoreError, StoreInUseError
from selaras.engine.ingest.generate import generate
from selaras.engine.store import INFERRED_PREFIX, Store

from .conftest import DATA
from .processes import SELARAS, conclusions, facts, run_and_kill, start, wait_until_writer_holds_lock

pytestmark = pytest.mark.slow
EMPLOYEES = 200
EMPLOYEE_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?e a <https://w3id.org/selaras/ontology#Employee> }"
COUNTS = ("SELECT (COUNT(DISTINCT ?e) AS ?employees) (COUNT(DISTINCT ?a) AS ?assessments) WHERE { "
          "{ ?e a <https://w3id.org/selaras/ontology#Employee> } UNION "
          "{ ?a a <https://w3id.org/selaras/ontology#Assessment> } }")
IN_USE = "the store is in use by another Selaras process (its write lock is held) — wait for that command to finish"


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("org") / "org"
    generate(out, employees=EMPLOYEES, positions=20, seed=3)
    return out


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> Path:
    """A store holding the ontology only (as `selaras init` leaves it)."""
    path = tmp_path_factory.mktemp("empty") / "store"
    selaras.open(path).close()
    return path


@pytest.fixture(scope="module")
def imported(empty, org, tmp_path_factory) -> Path:
    """The store after an uninterrupted import of the organisation."""
    path = tmp_path_factory.mktemp("imported") / "store"
    shutil.copytree(empty, path)
    with selaras.open(path) as o:
        o.import_paths([org])
    return path


@pytest.fixture(scope="module")
def inferred(imported, tmp_path_factory) -> Path:
    """The store after an uninterrupted import and inference."""
    path = tmp_path_factory.mktemp("inferred") / "store"
    shutil.copytree(imported, path)
    with selaras.open(path) as o:
        o.infer()
    return path


# --- crash safety --------------------------------------------------------------------------
def reopen(path: Path) -> int:
    """Open the store for writing (RocksDB recovers its log) and count the employees."""
    with selaras.open(path) as o:
        return int(o.query(EMPLOYEE_COUNT).rows[0]["n"].value)


def check(path: Path) -> None:
    import subprocess

    done = subprocess.run([*SELARAS, "--store", str(path), "check", "--no-owl"], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SHACL: 0 error(s)" in done.stdout


def test_an_import_killed_at_any_moment_leaves_all_of_it_or_none(org, empty, imported, tmp_path) -> None:
    before, after = facts(empty), facts(imported)
    outcomes: Counter[str] = Counter()
    checked = set()
    for n, stage in enumerate(["opened", "writing", "flushing", 0.6, 1.0, 1.4]):
        store = tmp_path / f"store-{n}"
        shutil.copytree(empty, store)
        run = run_and_kill(store, ["import", str(org)], stage)
        assert run.returncode in (0, -signal.SIGKILL), run.stderr
        employees = reopen(store)
        assert employees in (0, EMPLOYEES), f"killed at {run.stage}: {employees} employees, a partial import"
        assert facts(store) == (after if employees else before)
        outcomes[f"{'all' if employees else 'none'}{'' if run.killed else ' (finished first)'}"] += 1
        if (employees, run.killed) not in checked:  # `check` reads the whole store: once per kind of outcome
            check(store)
            checked.add((employees, run.killed))
    assert sum(n for k, n in outcomes.items() if "finished" not in k) >= 3, outcomes  # most runs were cut short


def test_an_inference_killed_at_any_moment_is_whole_or_reported_stale(imported, inferred, tmp_path) -> None:
    """Either the conclusions are complete and current, or the store says they are stale.

    A re-run is the dangerous case: the store already holds current conclusions, and an
    interrupted second run must not leave it claiming to be current with a graph half written.
    """
    expected, known_facts = conclusions(inferred), facts(imported)
    runs = [("first run", imported, "writing"), ("re-run", inferred, "opened"), ("re-run", inferred, "writing"),
            ("re-run", inferred, "flushing")]
    stale = []
    for n, (name, source, stage) in enumerate(runs):
        store = tmp_path / f"store-{n}"
        shutil.copytree(source, store)
        run = run_and_kill(store, ["infer", "--no-owl"], stage)
        assert run.returncode in (0, -signal.SIGKILL), run.stderr
        assert reopen(store) == EMPLOYEES
        assert facts(store) == known_facts  # inference never writes facts
        with selaras.open(store, read_only=True) as o:
            current = inference.is_current(o.store)
        if current:
            assert conclusions(store) == expected, f"{name} killed at {run.stage}: current but incomplete"
        else:
            stale.append(store)
    assert stale, "no kill left the conclusions stale: the kills came too late to test anything"
    check(stale[-1])
    with selaras.open(stale[-1]) as o:  # a stale store is brought back by the next reading command
        o.ensure_inferred()
        assert inference.is_current(o.store)
    assert conclusions(stale[-1]) == expected


def test_a_first_inference_interrupted_while_writing_reads_as_stale_and_the_next_one_repairs_it(
        tmp_path, monkeypatch) -> None:
    """A store without conclusions is inferred in place: a run cut short in the middle of its writes reads as stale."""
    store = tmp_path / "store"
    with selaras.open(store) as org:
        org.import_paths([DATA / "mini"])

    class Killed(Exception):
        pass

    original, written = Store.load_file, []

    def load_file(self: Store, text, fmt: str = "nq", **kwargs) -> None:  # "dies" at the third graph it writes
        if len(written) == 2:
            raise Killed
        written.append(kwargs.get("to_graph"))
        original(self, text, fmt, **kwargs)

    org = selaras.open(store)
    monkeypatch.setattr(Store, "load_file", load_file)
    with pytest.raises(Killed):
        org.infer()
    monkeypatch.setattr(Store, "load_file", original)
    org.close()
    with selaras.open(store, read_only=True) as o:
        assert not inference.is_current(o.store)
        assert any(g.startswith(INFERRED_PREFIX) for g in o.store.graph_names())  # some conclusions were written
    reference = selaras.open()
    reference.import_paths([DATA / "mini"])
    reference.infer()
    with selaras.open(store) as org:
        org.infer()  # conclusions exist: this run builds the next generation and swaps it in
        assert inference.is_current(org.store)
        got = {str(q) for q in org.store.quads() if q.graph_name.value.startswith(INFERRED_PREFIX)}
    assert got == {str(q) for q in reference.store.quads() if q.graph_name.value.startswith(INFERRED_PREFIX)}


def test_a_large_first_import_is_bulk_loaded_and_a_cut_short_one_is_reported(tmp_path, monkeypatch) -> None:
    """From BULK_ROWS rows a first import on disk goes through the bulk loader, version last."""
    from selaras.engine.ingest import importer
    from selaras.engine.errors import InputError, StoreError

    with selaras.open(tmp_path / "transaction") as org:
        org.import_paths([DATA / "mini"])
    monkeypatch.setattr(importer, "BULK_ROWS", 0)
    bulk_calls = []
    original_load = Store.load

    def load(self: Store, data, fmt: str = "nq", **kwargs) -> None:
        bulk_calls.append(kwargs.get("bulk", False))
        original_load(self, data, fmt, **kwargs)

    monkeypatch.setattr(Store, "load", load)
    with selaras.open(tmp_path / "bulk") as org:
        org.import_paths([DATA / "mini"])
    assert True in bulk_calls

    assert facts(tmp_path / "bulk") == facts(tmp_path / "transaction")

    class Killed(Exception):
        pass

    def extend(self: Store, quads) -> None:  # dies between the bulk load and the version
        raise Killed

    cut = tmp_path / "cut"
    with selaras.open(cut) as org:
        monkeypatch.setattr(Store, "extend", extend)
        with pytest.raises(Killed):
            org.import_paths([DATA / "mini"])
        monkeypatch.undo()
        with pytest.raises(StoreError, match="an import that was cut short .* run `selaras import --replace`"):
            org.infer()
        with pytest.raises(InputError, match="cut short .* import again with --replace"):
            org.import_paths([DATA / "mini"])
        org.import_paths([DATA / "mini"], replace=True)
        org.infer()
        assert inference.is_current(org.store)
    assert facts(cut) == facts(tmp_path / "transaction")


def _readers(monkeypatch) -> list[object]:
    """Record the copy in memory (or None) that each run of the rules on disk reads."""
    readers: list[object] = []
    original = inference._infer_here

    def infer_here(store, overrides, **kwargs):  # type: ignore[no-untyped-def]
        if store.path is not None:
            readers.append(kwargs.get("reader"))
        return original(store, overrides, **kwargs)

    monkeypatch.setattr(inference, "_infer_here", infer_here)
    return readers


@pytest.mark.parametrize("reads", ["a copy of the facts in memory", "the store"])
def test_an_on_disk_store_is_inferred_into_its_next_generation_and_a_killed_run_changes_nothing(
        tmp_path, monkeypatch, reads: str) -> None:
    """On disk the rules run in a new generation beside the store, swapped in when complete.

    Up to READ_IN_MEMORY_FACTS facts the rules read a copy of them in memory while the next
    generation's copy loads behind; above it (here: set to 0) they read the store.
    """
    if reads == "the store":
        monkeypatch.setattr(inference, "READ_IN_MEMORY_FACTS", 0)
    readers = _readers(monkeypatch)
    in_memory, on_disk = selaras.open(), tmp_path / "store"
    in_memory.import_paths([DATA / "mini"])
    in_memory.infer()
    with selaras.open(on_disk) as org:
        org.import_paths([DATA / "mini"])

    class Killed(Exception):
        pass

    original = Store.update

    def update(self: Store, text: str) -> None:  # dies as the first rule writes its conclusions
        if "INSERT" in text:
            raise Killed
        original(self, text)

    def everything(path: Path) -> set[str]:
        return {str(q) for q in Store(path, read_only=True).quads()}

    with selaras.open(on_disk) as org:
        org.infer()
        assert inference.is_current(org.store)
    before = everything(on_disk)
    with selaras.open(on_disk) as org:
        monkeypatch.setattr(Store, "update", update)
        with pytest.raises(Killed):
            org.infer(inference.Settings(stale_after_months=1))
        monkeypatch.setattr(Store, "update", original)
        assert inference.is_current(org.store)  # the store is the one before the run, whole
    assert everything(on_disk) == before
    assert not on_disk.with_name("store.next").exists()  # the unfinished generation is gone
    assert readers and all((r is not None) == (reads != "the store") for r in readers)

    def adopt(self: Store, new: Store) -> None:  # dies with the next generation written, before the swap
        raise Killed

    original_adopt = Store.adopt
    with selaras.open(on_disk) as org:
        monkeypatch.setattr(Store, "adopt", adopt)
        with pytest.raises(Killed):
            org.infer(inference.Settings(stale_after_months=1))
        monkeypatch.setattr(Store, "adopt", original_adopt)
        assert inference.is_current(org.store)
    assert everything(on_disk) == before
    assert not on_disk.with_name("store.next").exists()

    on_disk_inferred = {str(q) for q in Store(on_disk, read_only=True).quads()
                        if q.graph_name.value.startswith(INFERRED_PREFIX)}
    assert len(on_disk_inferred) > 500
    assert on_disk_inferred == {str(q) for q in in_memory.store.quads()
                                if q.graph_name.value.startswith(INFERRED_PREFIX)}


@pytest.mark.parametrize("reads", ["a copy of the facts in memory", "the store"])
def test_graphs_loaded_behind_the_rules_give_the_in_memory_conclusions(tmp_path, monkeypatch, reads: str) -> None:
    """Every rule graph goes through the background bulk loader (threshold 0): a rule that reads
    another's graph waits for it, so the conclusions are those of the in-memory run; the version
    marker comes after every load, and a run that fails while loads are pending leaves the store
    as it was."""
    from selaras.engine.store import embedded as store_module

    if reads == "the store":
        monkeypatch.setattr(inference, "READ_IN_MEMORY_FACTS", 0)
    readers = _readers(monkeypatch)

    in_memory = selaras.open()
    in_memory.import_paths([DATA / "mini"])
    in_memory.infer()
    monkeypatch.setattr(store_module, "SMALL_WRITE_BYTES", 0)
    monkeypatch.setattr(store_module, "LOAD_PART_BYTES", 1024)  # every graph in several loader calls
    parts: list[int] = []
    original_parts = store_module._line_parts

    def line_parts(text, size):
        cut = original_parts(text, size)
        if cut is None:
            return None
        cut = list(cut)
        parts.append(len(cut))
        return iter(cut)

    monkeypatch.setattr(store_module, "_line_parts", line_parts)
    loaded_behind: list[str | None] = []
    original_load = Store.load_file

    def load_file(self: Store, text, fmt="nq", *, to_graph=None, behind=False) -> None:
        if behind:
            loaded_behind.append(to_graph)
        original_load(self, text, fmt, to_graph=to_graph, behind=behind)

    monkeypatch.setattr(Store, "load_file", load_file)
    on_disk = tmp_path / "store"
    with selaras.open(on_disk) as org:
        org.import_paths([DATA / "mini"])
        org.infer()
        assert inference.is_current(org.store)
    assert len(loaded_behind) >= 10  # the fast-path rules and the SPARQL rules written on disk
    assert max(parts) > 5  # graphs were cut in parts
    assert readers and all((r is not None) == (reads != "the store") for r in readers)

    def inferred(quads) -> set[str]:
        return {str(q) for q in quads if q.graph_name.value.startswith(INFERRED_PREFIX)}

    assert inferred(Store(on_disk, read_only=True).quads()) == inferred(in_memory.store.quads())

    class Failed(Exception):
        pass

    from selaras.engine import fastpath

    original_run = fastpath.FastPath.run

    def run(self, rule) -> bool:  # fails on a late rule, with the earlier graphs still loading
        if rule.id == "readiness":
            raise Failed
        return original_run(self, rule)

    before = {str(q) for q in Store(on_disk, read_only=True).quads()}
    with selaras.open(on_disk) as org:
        monkeypatch.setattr(fastpath.FastPath, "run", run)
        with pytest.raises(Failed):
            org.infer(inference.Settings(stale_after_months=1))
    assert {str(q) for q in Store(on_disk, read_only=True).quads()} == before
    assert not on_disk.with_name("store.next").exists()


def test_a_file_with_blank_nodes_is_loaded_in_one_call(tmp_path, monkeypatch) -> None:
    """The bulk loader names blank nodes afresh in every call: a file that mentions one is not cut
    in parts (a node cut in two would become two nodes); a file without any is."""
    from selaras.engine.store import embedded as store_module

    monkeypatch.setattr(store_module, "SMALL_WRITE_BYTES", 0)
    monkeypatch.setattr(store_module, "LOAD_PART_BYTES", 16)
    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" .\n" for i in range(50)]
    blank = ["_:cert <https://example.org/p> \"issued\" .\n", *lines, "_:cert <https://example.org/q> \"expires\" .\n"]
    with Store(tmp_path / "store") as store:
        for name, text in (("plain", lines), ("blank", blank)):
            with store_module.scratch_file() as f:
                f.write("".join(text).encode())
                store.load_file(f, "nt", to_graph=f"https://example.org/{name}")
        assert store.count("https://example.org/plain") == 50
        subjects = {q.subject for q in store.quads("https://example.org/blank") if isinstance(q.subject, ox.BlankNode)}
        assert len(subjects) == 1 and store.count("https://example.org/blank") == 52


# --- concurrency ---------------------------------------------------------------------------
def counts(path: Path) -> tuple[int, int]:
    with selaras.open(path, read_only=True) as o:
        row = o.query(COUNTS).rows[0]
    return int(row["employees"].value), int(row["assessments"].value)


def test_a_second_writer_is_told_the_store_is_in_use_and_changes_nothing(imported, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(imported, store)
    first = start(store, "infer", "--no-owl")  # several seconds of writing
    try:
        assert wait_until_writer_holds_lock(store, first), first.communicate()
        # the three other writers at once: each must try while the first still writes
        others = [subprocess.Popen([*SELARAS, "--store", str(store), *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                  for args in (["import", str(DATA / "mini")], ["infer", "--no-owl"], ["init"])]
        for second in others:
            _, stderr = second.communicate(timeout=120)
            assert second.returncode == 2, stderr
            assert IN_USE in stderr
            assert "Traceback" not in stderr
        assert first.poll() is None, "the first writer ended before the second tried: nothing was tested"
        # reading while it writes is fine
        assert counts(store)[0] == EMPLOYEES
    finally:
        _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert counts(store)[0] == EMPLOYEES  # the mini organisation's employees did not get in
    with selaras.open(store, read_only=True) as o:
        assert inference.is_current(o.store)


def test_the_python_api_raises_store_in_use(imported, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(imported, store)
    holder = start(store, "infer", "--no-owl")
    try:
        assert wait_until_writer_holds_lock(store, holder)
        with pytest.raises(StoreInUseError, match="in use by another Selaras process"):
            selaras.open(store)
    finally:
        holder.kill()  # no need to wait for it: the store is a scratch copy
        holder.communicate()


def _observe(store: Path, writer: subprocess.Popen, what) -> tuple[Counter, int]:
    """Open the store read-only again and again while the writer runs; count what each reader saw."""
    seen: Counter = Counter()
    retried = 0
    while writer.poll() is None:
        try:
            reader = Store(store, read_only=True)
        except StoreError:  # the open gave up while files moved (it retries first): a clear error, not a mix
            retried += 1
            continue
        seen[what(reader)] += 1
        del reader
        time.sleep(0.01)  # leave the writer most of the CPU
    return seen, retried


def test_readers_during_an_import_see_all_of_it_or_none(empty, imported, org, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(empty, store)
    after = counts(imported)
    writer = start(store, "import", str(org))

    def facts(reader: Store) -> tuple[int, int]:
        row = reader.query(COUNTS).rows[0]
        return int(row["employees"].value), int(row["assessments"].value)

    seen, _ = _observe(store, writer, facts)
    writer.communicate()
    assert writer.returncode == 0
    assert set(seen) <= {(0, 0), after}, seen
    assert sum(seen.values()) >= 3, "too few reads during the write to tell anything"


def test_readers_during_inference_see_whole_conclusions_or_stale_ones(inferred, tmp_path) -> None:
    store = tmp_path / "store"
    shutil.copytree(inferred, store)  # current conclusions, which the re-run replaces
    expected = conclusions(inferred)
    writer = start(store, "infer", "--no-owl")

    def state(reader: Store) -> str:
        if not inference.is_current(reader):
            return "stale"
        graphs = {g: reader.count(g) for g in reader.graph_names() if g.startswith(INFERRED_PREFIX)}
        return "current and whole" if graphs == expected else "current but partial"

    seen, _ = _observe(store, writer, state)
    writer.communicate()
    assert writer.returncode == 0
    assert "current but partial" not in seen, seen
    assert sum(seen.values()) >= 3
