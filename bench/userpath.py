#!/usr/bin/env python3
"""Benchmark the user's path: the ``selaras`` commands a user types, on a store on disk.

Not a test: a measurement to run by hand, from the repository root::

    .venv/bin/python bench/userpath.py                          # a, b (10,000 employees), c, d
    .venv/bin/python bench/userpath.py --workloads a,b --sizes 2000 --out /tmp/up.json   # quick
    .venv/bin/python bench/userpath.py --workloads b,d --sizes 10000 100000
    .venv/bin/python bench/userpath.py --report bench/results-userpath.json --markdown  # for the README

What it measures, and why that way:

- **Separate processes.** Every command is its own ``selaras`` process (the venv's console
  script), as a user runs it: start-up, opening the store and writing the answer count. Its
  wall time is measured around the process, and its peak resident memory is read from
  ``os.wait4`` (``ru_maxrss``) when it ends, so each figure is that process's alone (plus any
  helper process it waited for, such as the OWL reasoner's JVM: the larger of the two).
- **On disk.** Every command works on a store folder (``--store DIR``), as users' stores are;
  the folder's size after inference is recorded too (``du``).
- **Default settings.** No ``--readiness-scope`` or other tuning: what a user gets first.
- **A fresh machine.** The cache of the OWL reasoner's verdicts (``SELARAS_CACHE``) is a new
  folder in the work folder, so each store's first ``infer`` runs HermiT, as a new user's does.
- **Against baselines of the same run.** The machine may be shared and noisy, so the
  headline figures are ratios against a baseline measured minutes apart on the same machine.

Workloads (``--workloads``, letters or names, comma-separated):

``a`` / ``bundled``
    ``init --example``, ``infer``, ``infer`` again on the unchanged store (target ≤ 1 s), and the
    baseline: the same inference in memory in a separate process (``selaras.open(example=True)``
    then ``org.infer()``). Ratio: on-disk inference / in-memory inference (the rules' time as
    each reports it; target ≤ 1.5), and the same for the whole processes (for information: the
    command also runs the OWL classification).
``b`` / ``org``
    ``generate --employees N --seed 7`` for each of ``--sizes`` (default 10,000; 100,000 employees
    get 2,000 positions), then ``import``, ``infer``, ``infer`` again, ``audit --format json``
    (exit 1 is findings, not failure), every named query with its example parameters (entity
    values the generated organisation lacks are replaced by ones it has) and
    ``career next --employee`` (the first employee). Targets: up to 10,000 employees import
    ≤ 10 s, infer ≤ 20 s, audit ≤ 10 s, each query ≤ 1 s, career next ≤ 1 s, every command ≤ 2 GB;
    above, import ≤ 60 s, infer ≤ 120 s, audit ≤ 60 s, each query ≤ 5 s, every command ≤ 6 GB.
``c`` / ``framework``
    A dense framework shaped like O*NET (:mod:`selaras.engine.ingest.framework_gen`, ``--fw-positions``
    × ``--fw-competencies``, default 900 × 35): ``career import-framework`` (≤ 10 s), ``infer``
    (≤ 30 s, ≤ 2 GB), ``career next POSITION`` (≤ 1 s), and the most career moves materialised
    from one position (a SPARQL query), compared with the setting ``max_moves_per_position``
    when the engine has it.
``d`` / ``limit``
    The practical limit, for every store of the run: ``export --format nq --graph inferred``,
    then Oxigraph's bulk loader loads that file into an empty on-disk store in a separate
    process. Ratio: inference / bulk load (whole processes; target ≤ 2). Run alone, it uses
    workload b's store.

Each process gets ``--timeout`` seconds (default 900); past it its process group is killed.
A killed or failed command is recorded as such, with the tail of its stderr, and the run goes
on (the steps that need its result are recorded as skipped). It prints a table (workload,
command, wall s, peak MB, target, met?, note) and writes JSON (``--out``); ``--report FILE``
prints a saved run again (``--markdown`` as a Markdown table).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "results-userpath.json"
WORKLOADS = {"a": "bundled", "b": "org", "c": "framework", "d": "limit"}
DATA_IRI = "https://w3id.org/selaras/id/"
SEL = "https://w3id.org/selaras/ontology#"
#: Positions of a generated organisation, where not the command's default (one per 25 employees).
POSITIONS = {100_000: 2000}
#: The tail of stderr kept for a failed command.
TAIL = 1500
#: Where a named query's entity parameter finds values in a generated organisation: file, column.
ENTITY_SOURCES = {"position": ("positions.csv", "position"), "employee": ("employees.csv", "employee"),
                  "competency": ("competencies.csv", "code"), "scheme": ("schemes.csv", "scheme"),
                  "program": ("programs.csv", "program"), "family": ("families.csv", "family"),
                  "unit": ("units.csv", "unit")}
MOVES_PER_POSITION = (f"PREFIX sel: <{SEL}> SELECT ?f (COUNT(?m) AS ?n) "
                      "WHERE { ?m a sel:CareerMove ; sel:fromPosition ?f } GROUP BY ?f")


# --- what is measured --------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """An upper bound: on the wall time, the peak memory, or a ratio (each optional)."""

    seconds: float | None = None
    peak_mb: float | None = None
    ratio: float | None = None

    def describe(self) -> str:
        """The bound as text, e.g. ``≤ 10 s, ≤ 2 GB``.

        >>> Target(seconds=10, peak_mb=2048).describe()
        '≤ 10 s, ≤ 2 GB'
        """
        parts = []
        if self.seconds is not None:
            parts.append(f"≤ {self.seconds:g} s")
        if self.peak_mb is not None:
            parts.append(f"≤ {self.peak_mb / 1024:g} GB" if self.peak_mb >= 1024 else f"≤ {self.peak_mb:g} MB")
        if self.ratio is not None:
            parts.append(f"≤ {self.ratio:g}×")
        return ", ".join(parts)


@dataclass
class Measurement:
    """One process measured (status ok, failed or timeout), a figure derived from others
    (``derived``: a ratio or a size), or a step not run (``skipped``)."""

    workload: str
    command: str
    argv: list[str] = field(default_factory=list)
    status: str = "ok"
    exit_code: int | None = None
    wall_s: float | None = None
    peak_mb: float | None = None
    ratio: float | None = None
    target: Target | None = None
    note: str = ""
    stderr_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The process ran to a good end (or the figure could be derived)."""
        return self.status in ("ok", "derived")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        """Rebuild a measurement from its JSON form."""
        data = dict(data)
        if data.get("target") is not None:
            data["target"] = Target(**data["target"])
        return cls(**data)


def verdict(m: Measurement) -> bool | None:
    """Whether a measurement meets its target: None when it has none or was not run.

    A failed or killed process misses its target whatever it is.

    >>> verdict(Measurement("b", "import", wall_s=3.0, peak_mb=500, target=Target(seconds=10, peak_mb=2048)))
    True
    >>> verdict(Measurement("b", "import", status="timeout", wall_s=900, target=Target(seconds=10)))
    False
    """
    if m.target is None or m.status == "skipped":
        return None
    if not m.ok:
        return False
    t = m.target
    checks = [(m.wall_s, t.seconds), (m.peak_mb, t.peak_mb), (m.ratio, t.ratio)]
    if any(bound is not None and value is None for value, bound in checks):
        return False
    return all(bound is None or value <= bound for value, bound in checks)


# --- running a process -------------------------------------------------------------------------
@dataclass
class ProcessResult:
    """What one process did: exit code (None when killed), wall time, peak RSS, output."""

    exit_code: int | None
    wall_s: float
    peak_kb: int
    timed_out: bool
    stdout: bytes
    stdout_bytes: int
    stderr: str


def run_process(argv: Sequence[str], timeout: float, *, keep_stdout: bool = False,
                cwd: Path | None = None) -> ProcessResult:
    """Run one process in its own process group; kill the group past ``timeout`` seconds.

    Output goes to temporary files (no pipe to drain while waiting); the peak memory is the
    process's own ``ru_maxrss`` from ``os.wait4``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                                start_new_session=True)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: the child is in its own session, so stop it here
            kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
        if killed.is_set():
            _kill_leftovers(proc.pid)
        size = out.tell()
        out.seek(0)
        stdout = out.read() if keep_stdout else _tail_bytes(out, size, TAIL)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return ProcessResult(None if killed.is_set() else code, wall, usage.ru_maxrss, killed.is_set(),
                         stdout, size, stderr)


def _kill_leftovers(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _tail_bytes(f: Any, size: int, n: int) -> bytes:
    f.seek(max(0, size - n))
    return f.read()


def tail(text: str, n: int = TAIL) -> str:
    """The last ``n`` characters of ``text``, starting at a line when possible.

    >>> tail("one\\ntwo\\nthree", 9)
    'three'
    """
    if len(text) <= n:
        return text.strip()
    cut = text[-n:]
    return cut[cut.find("\n") + 1:].strip() if "\n" in cut else cut.strip()


def dir_size_mb(path: Path) -> float:
    """Disk space a folder takes, as ``du`` counts it (allocated blocks), in MB."""
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total / 2**20


def selaras_command() -> list[str]:
    """The ``selaras`` console script next to this Python, else ``python -m selaras.cli``."""
    script = Path(sys.executable).parent / "selaras"
    return [str(script)] if script.exists() else [sys.executable, "-m", "selaras.cli"]


# --- the runner --------------------------------------------------------------------------------
class Runner:
    """Runs measurements one after the other, records them, prints each as it ends."""

    def __init__(self, timeout: float, out: Path | None, meta: dict[str, Any]) -> None:
        self.timeout = timeout
        self.out = out
        self.meta = meta
        self.selaras = selaras_command()
        self.results: list[Measurement] = []

    def record(self, m: Measurement) -> Measurement:
        self.results.append(m)
        row = table_rows([m])[0]
        print("  " + " | ".join(c for c in row if c), file=sys.stderr, flush=True)
        if self.out is not None:
            save(self.out, self.meta, self.results)
        return m

    def process(self, workload: str, command: str, argv: Sequence[str], *, target: Target | None = None,
                ok_codes: Iterable[int] = (0,), keep_stdout: bool = False) -> tuple[Measurement, bytes]:
        """Run and record one process; return its measurement and its stdout (or its tail)."""
        m = Measurement(workload, command, [str(a) for a in argv], target=target)
        try:
            r = run_process(m.argv, self.timeout, keep_stdout=keep_stdout)
        except OSError as err:
            m.status, m.note = "failed", f"could not start: {err}"
            return self.record(m), b""
        m.exit_code, m.wall_s, m.peak_mb = r.exit_code, round(r.wall_s, 3), round(r.peak_kb / 1024, 1)
        m.extra["stdout_bytes"] = r.stdout_bytes
        if r.timed_out:
            m.status, m.note = "timeout", f"killed after {self.timeout:g} s"
        elif r.exit_code not in set(ok_codes):
            m.status, m.note = "failed", f"exit {r.exit_code}: {_last_line(r.stderr)}"
        elif r.exit_code != 0:
            m.note = f"exit {r.exit_code}"
        if not m.ok or r.exit_code != 0:
            m.stderr_tail = tail(r.stderr)
        return self.record(m), r.stdout

    def cli(self, workload: str, command: str, store: Path | None, *args: object,
            **kw: Any) -> tuple[Measurement, bytes]:
        """Run and record one ``selaras [--store STORE] ARGS…`` process."""
        prefix = ["--store", str(store)] if store is not None else []
        return self.process(workload, command, [*self.selaras, *prefix, *map(str, args)], **kw)

    def python(self, workload: str, command: str, code: str, *args: object, **kw: Any) -> tuple[Measurement, bytes]:
        """Run and record one ``python -c CODE ARGS…`` process."""
        return self.process(workload, command, [sys.executable, "-c", code, *map(str, args)], **kw)

    def helper(self, code: str, *args: object) -> Any:
        """Run an untimed helper ``python -c CODE`` that prints JSON; None when it fails."""
        try:
            r = run_process([sys.executable, "-c", code, *map(str, args)], self.timeout, keep_stdout=True)
            return json.loads(r.stdout) if r.exit_code == 0 else None
        except (OSError, ValueError):
            return None

    def derived(self, workload: str, command: str, *, ratio: float | None = None, target: Target | None = None,
                note: str = "", **extra: Any) -> Measurement:
        return self.record(Measurement(workload, command, status="derived", ratio=ratio, target=target,
                                       note=note, extra=extra))

    def ratio(self, workload: str, command: str, num: float | None, den: float | None, target: Target | None,
              what: str) -> Measurement:
        """Record num / den (or a skipped row when either is missing)."""
        if not num or not den:
            return self.skip(workload, command, f"needs both figures ({what})", target)
        return self.derived(workload, command, ratio=round(num / den, 3), target=target,
                            note=f"{what}: {num:.3f} s / {den:.3f} s")

    def store_size(self, workload: str, store: Path) -> float:
        mb = dir_size_mb(store)
        self.derived(workload, "store size after infer (du)", note=f"{mb:,.1f} MB on disk", store_mb=round(mb, 1))
        return mb

    def skip(self, workload: str, command: str, why: str, target: Target | None = None) -> Measurement:
        return self.record(Measurement(workload, command, status="skipped", note=why, target=target))


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no stderr)"


def infer_figures(stdout: bytes) -> tuple[int | None, float | None]:
    """The triples and the rules' time that ``selaras infer`` prints (``… inferred by 20 rules in 4.21 s``).

    >>> infer_figures(b"143306 triples inferred by 20 rules in 4.21 s (1 pass; ...)")
    (143306, 4.21)
    >>> infer_figures(b"something else")
    (None, None)
    """
    m = re.search(rb"(\d+) triples inferred by \d+ rules? in ([\d.]+) s", stdout)
    return (int(m.group(1)), float(m.group(2))) if m else (None, None)


# --- workloads ---------------------------------------------------------------------------------
@dataclass
class StoreRun:
    """A store of the run, for the practical-limit workload: where it is, its infer measurement."""

    workload: str
    store: Path
    infer: Measurement


IN_MEMORY = """
import json, time
t0 = time.perf_counter()
import selaras
org = selaras.open(example=True)
t1 = time.perf_counter()
report = org.infer()
t2 = time.perf_counter()
print(json.dumps({"setup_s": t1 - t0, "infer_s": t2 - t1, "triples": report.triples}))
"""

BULK_LOAD = ("import pyoxigraph as ox, sys; s = ox.Store(sys.argv[1]); "
             "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.flush()")

QUERY_LIST = """
import json
from selaras import queries
print(json.dumps([{"name": q.name, "params": [[p.name, p.type] for p in q.params], "example": list(q.example)}
                  for q in queries.all_queries()]))
"""

MAX_MOVES_SETTING = """
import dataclasses, json
from selaras.engine import inference
names = {f.name for f in dataclasses.fields(inference.Settings)}
default = getattr(inference.Settings, "DEFAULTS", {}).get("max_moves_per_position")
print(json.dumps({"exists": "max_moves_per_position" in names, "default": default}))
"""


def infer_step(run: Runner, wl: str, store: Path, target: Target | None, *, again: bool = False) -> Measurement:
    """``selaras infer`` on a store, with the rules' own time noted; after the first, the store's size."""
    m, out = run.cli(wl, "infer (again, unchanged)" if again else "infer", store, "infer", target=target,
                     keep_stdout=True)
    if m.ok:
        triples, rules = infer_figures(out)
        m.extra.update(triples=triples, rules_s=rules)
        if triples is not None and rules is not None and m.wall_s:
            m.note = (f"{triples:,} triples; rules {rules:.2f} s, the rest ({m.wall_s - rules:.2f} s) "
                      "is start-up, opening the store and the OWL classification")
        if not again:
            run.store_size(wl, store)
    return m


def workload_bundled(run: Runner, work: Path) -> list[StoreRun]:
    """a: the bundled example on disk, against the same inference in memory."""
    wl, store = "a bundled", work / "bundled"
    m, _ = run.cli(wl, "init --example", store, "init", "--example")
    if not m.ok:
        run.skip(wl, "(remaining steps)", "init failed")
        return []
    first = infer_step(run, wl, store, None)
    disk_rules = first.extra.get("rules_s")
    infer_step(run, wl, store, Target(seconds=1), again=True)
    base, out = run.python(wl, "baseline: infer in memory (python -c)", IN_MEMORY, keep_stdout=True)
    memory = _json(out) if base.ok else None
    if memory:
        base.extra.update(memory)
        base.note = f"infer() {memory['infer_s']:.3f} s of the process"
    run.ratio(wl, "infer: on disk / in memory (rules' time)", disk_rules, memory and memory["infer_s"],
              Target(ratio=1.5), "selaras infer's rules / org.infer()")
    run.ratio(wl, "infer: on disk / in memory (processes)", first.wall_s if first.ok else None,
              base.wall_s if base.ok else None, None, "whole processes (the command adds OWL classification)")
    return [StoreRun(wl, store, first)] if first.ok else []


def org_targets(employees: int) -> dict[str, Target]:
    """The targets of a generated organisation: the 10,000-employee ones up to 10,000, else the larger ones."""
    if employees <= 10_000:
        peak = 2048.0
        return {"import": Target(10, peak), "infer": Target(20, peak), "again": Target(1, peak),
                "audit": Target(10, peak), "query": Target(1, peak), "career": Target(1, peak),
                "other": Target(peak_mb=peak)}
    peak = 6144.0
    return {"import": Target(60, peak), "infer": Target(120, peak), "again": Target(1, peak),
            "audit": Target(60, peak), "query": Target(5, peak), "career": Target(peak_mb=peak),
            "other": Target(peak_mb=peak)}


def workload_org(run: Runner, work: Path, employees: int, positions: int | None) -> list[StoreRun]:
    """b: a generated organisation: import, infer, audit, every named query, career next."""
    wl = f"b org {employees:,}"
    data, store = work / f"org-{employees}", work / f"org-{employees}-store"
    t = org_targets(employees)
    positions = positions or POSITIONS.get(employees)
    gen_args = ["generate", "--employees", employees, "--seed", 7, "--out", data]
    if positions:
        gen_args += ["--positions", positions]
    m, _ = run.cli(wl, "generate", None, *gen_args, target=t["other"])
    if m.ok:
        m, _ = run.cli(wl, "import", store, "import", data, target=t["import"])
    if not m.ok:
        run.skip(wl, "(remaining steps)", f"{m.command} failed")
        return []
    first = infer_step(run, wl, store, t["infer"])
    infer_step(run, wl, store, t["again"], again=True)
    run.cli(wl, "audit --format json", store, "audit", "--format", "json", target=t["audit"], ok_codes=(0, 1))
    run_named_queries(run, wl, store, data, t["query"])
    employee = first_value(data / "employees.csv", "employee")
    if employee:
        run.cli(wl, f"career next --employee {employee}", store, "career", "next", "--employee", employee,
                target=t["career"])
    else:
        run.skip(wl, "career next --employee", "no employee in employees.csv")
    return [StoreRun(wl, store, first)] if first.ok else []


def run_named_queries(run: Runner, wl: str, store: Path, data: Path, target: Target) -> None:
    """Run every named query with its example parameters (fitted to the generated data)."""
    listed = run.helper(QUERY_LIST)
    if not listed:
        run.skip(wl, "named queries", "could not list them (selaras.queries.all_queries() failed)")
        return
    values = entity_values(data)
    slowest: Measurement | None = None
    for q in listed:
        params = fit_example(q["params"], q["example"], values,
                             resolve_iri=lambda iri: find_node(run, store, iri))
        args = [a for k, v in params for a in ("--param", f"{k}={v}")]
        m, _ = run.cli(wl, f"query {q['name']}", store, "query", q["name"], *args, target=target)
        m.extra["params"] = dict(params)
        if m.ok and (slowest is None or (m.wall_s or 0) > (slowest.wall_s or 0)):
            slowest = m
    if slowest is not None:
        run.derived(wl, "slowest named query", note=f"{slowest.command}: {slowest.wall_s:.2f} s",
                    query=slowest.command, seconds=slowest.wall_s)


def entity_values(data: Path) -> dict[str, list[str]]:
    """Codes of each entity type in a generated organisation, in file order; positions start with
    the first employee's position and its manager's (so a pair of them is a plausible move)."""
    out = {kind: read_column(data / file, column) for kind, (file, column) in ENTITY_SOURCES.items()}
    first = read_rows(data / "employees.csv", 1)
    if first:
        start = [first[0].get("position", "")]
        boss = next((r.get("reports_to", "") for r in read_rows(data / "positions.csv")
                     if r.get("position") == start[0]), "")
        start += [boss] if boss else []
        out["position"] = [p for p in start if p] + [p for p in out["position"] if p not in start]
    return out


def fit_example(params: Sequence[Sequence[str]], example: Sequence[Sequence[str]], values: dict[str, list[str]],
                resolve_iri: Callable[[str], str | None] | None = None) -> list[tuple[str, str]]:
    """A query's example parameters, with each entity the data lacks replaced by one it has
    (the n-th such parameter of a type by the n-th value of that type).

    >>> fit_example([["position", "position"], ["lang", "string"]], [["position", "kepala-lsp"], ["lang", "id"]],
    ...             {"position": ["p1", "p2"]})
    [('position', 'p1'), ('lang', 'id')]
    >>> fit_example([["employee", "employee"]], [["employee", "E0013"]], {"employee": ["E0001", "E0013"]})
    [('employee', 'E0013')]
    """
    types = {name: kind for name, kind in params}
    used: dict[str, int] = {}
    out = []
    for name, value in example:
        kind = types.get(name, "string")
        if kind in values and value not in values[kind] and values[kind]:
            i = used.get(kind, 0)
            value = values[kind][min(i, len(values[kind]) - 1)]
            used[kind] = i + 1
        elif kind == "iri" and resolve_iri is not None:
            value = resolve_iri(value) or value
        out.append((name, value))
    return out


def find_node(run: Runner, store: Path, iri: str) -> str | None:
    """A node of the store of the same kind as ``iri`` (same first path segment under the data IRI)."""
    if not iri.startswith(DATA_IRI) or "/" not in iri[len(DATA_IRI):]:
        return None
    prefix = DATA_IRI + iri[len(DATA_IRI):].split("/", 1)[0] + "/"
    code = ("import json, sys, selaras\n"
            "org = selaras.open(sys.argv[1], read_only=True)\n"
            "if org.store.query('ASK { GRAPH ?g { <' + sys.argv[2] + '> ?p ?o } }').boolean:\n"
            "    print(json.dumps(sys.argv[2])); sys.exit()\n"
            "q = ('SELECT ?n WHERE { GRAPH ?g { ?n a ?t } FILTER(STRSTARTS(STR(?n), \"' + sys.argv[3] + '\")) }'\n"
            "     ' LIMIT 1')\n"
            "rows = org.store.query(q).rows\n"
            "print(json.dumps(rows[0]['n'].value if rows else None))\n")
    return run.helper(code, store, iri, prefix)


def workload_framework(run: Runner, work: Path, positions: int, competencies: int) -> list[StoreRun]:
    """c: a dense framework shaped like O*NET: import it, infer, career next, moves per position."""
    wl = f"c framework {positions}×{competencies}"
    data, store = work / "framework", work / "framework-store"
    peak = 2048.0
    m, _ = run.process(wl, "generate framework", [sys.executable, "-m", "selaras.engine.ingest.framework_gen",
                                                  "--out", str(data), "--positions", str(positions),
                                                  "--competencies", str(competencies)])
    if m.ok:
        m, _ = run.cli(wl, "career import-framework", store, "career", "import-framework",
                       data / "requirements.csv", data / "positions.csv", target=Target(10, peak))
    if not m.ok:
        run.skip(wl, "(remaining steps)", f"{m.command} failed")
        return []
    first = infer_step(run, wl, store, Target(30, peak))
    position = first_value(data / "positions.csv", "position")
    run.cli(wl, f"career next {position}", store, "career", "next", position, target=Target(1, peak))
    m, out = run.cli(wl, "query: career moves per position", store, "query", MOVES_PER_POSITION,
                     "--format", "csv", keep_stdout=True, target=Target(peak_mb=peak))
    if m.ok:
        report_moves(run, wl, out)
    return [StoreRun(wl, store, first)] if first.ok else []


def report_moves(run: Runner, wl: str, csv_out: bytes) -> None:
    counts = moves_per_position(csv_out)
    setting = run.helper(MAX_MOVES_SETTING) or {}
    limit = setting.get("default") if setting.get("exists") else None
    state = (f"setting max_moves_per_position = {limit}" if limit is not None else
             "setting max_moves_per_position exists (no default)" if setting.get("exists") else
             "no setting max_moves_per_position")
    if not counts:
        run.derived(wl, "career moves per position (max)", note=f"no career move materialised; {state}",
                    max_moves=0, positions_with_moves=0, setting=limit)
        return
    most = max(counts.values())
    run.derived(wl, "career moves per position (max)",
                ratio=round(most / limit, 3) if limit else None, target=Target(ratio=1) if limit else None,
                note=f"max {most}, mean {sum(counts.values()) / len(counts):.1f} over {len(counts)} positions, "
                     f"{sum(counts.values()):,} moves; {state}",
                max_moves=most, positions_with_moves=len(counts), total_moves=sum(counts.values()), setting=limit)


def moves_per_position(csv_out: bytes) -> dict[str, int]:
    """Parse the ``?f ?n`` rows of the moves-per-position query's CSV output.

    >>> moves_per_position(b"f,n\\r\\nhttps://x/p1,3\\r\\nhttps://x/p2,12\\r\\n")
    {'https://x/p1': 3, 'https://x/p2': 12}
    """
    rows = list(csv.reader(io.StringIO(csv_out.decode("utf-8", "replace"))))
    out = {}
    for row in rows[1:]:
        if len(row) >= 2 and row[1].strip().isdigit():
            out[row[0]] = int(row[1])
    return out


def workload_limit(run: Runner, work: Path, stores: Sequence[StoreRun]) -> None:
    """d: export each store's conclusions as N-Quads and bulk-load them into an empty store."""
    for s in stores:
        wl = s.workload
        nq, empty = work / f"{s.store.name}-inferred.nq", work / f"{s.store.name}-bulk"
        m, _ = run.cli(wl, "export --format nq --graph inferred", s.store, "export", "--format", "nq",
                       "--graph", "inferred", "-o", nq)
        if not m.ok:
            run.skip(wl, "bulk load (practical limit)", "export failed")
            continue
        m.extra["nq_mb"] = round(nq.stat().st_size / 2**20, 1)
        m.extra["quads"] = count_lines(nq)
        m.note = f"{m.extra['quads']:,} quads, {m.extra['nq_mb']:,} MB"
        if s.infer.extra.get("triples") is not None:
            m.note += f" (infer reported {s.infer.extra['triples']:,} triples)"
        shutil.rmtree(empty, ignore_errors=True)
        empty.mkdir(parents=True)
        bulk, _ = run.python(wl, "bulk load into an empty store (pyoxigraph)", BULK_LOAD, empty, nq)
        run.ratio(wl, "infer / bulk load (practical limit)", s.infer.wall_s, bulk.wall_s if bulk.ok else None,
                  Target(ratio=2), "selaras infer / bulk load, whole processes")
        nq.unlink(missing_ok=True)
        shutil.rmtree(empty, ignore_errors=True)


# --- small helpers -----------------------------------------------------------------------------
def read_rows(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts (the first ``limit`` ones); empty when the file is missing."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = []
            for row in csv.DictReader(f):
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
            return rows
    except FileNotFoundError:
        return []


def read_column(path: Path, column: str) -> list[str]:
    return [r[column] for r in read_rows(path) if r.get(column)]


def first_value(path: Path, column: str) -> str | None:
    rows = read_rows(path, 1)
    return rows[0].get(column) if rows else None


def count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


# --- output ------------------------------------------------------------------------------------
COLUMNS = ("workload", "command", "wall s", "peak MB", "target", "met?", "note")


def table_rows(results: Iterable[Measurement]) -> list[list[str]]:
    """The table's rows: a ratio shows in the time column as ``1.23×``; met? is yes, NO or blank.

    >>> table_rows([Measurement("b", "infer", wall_s=12.345, peak_mb=900.0, target=Target(seconds=20))])
    [['b', 'infer', '12.35', '900', '≤ 20 s', 'yes', '']]
    """
    rows = []
    for m in results:
        if m.ratio is not None:
            wall = f"{m.ratio:.2f}×"
        else:
            wall = "" if m.wall_s is None else f"{m.wall_s:.2f}"
        peak = "" if m.peak_mb is None else f"{m.peak_mb:,.0f}"
        met = {True: "yes", False: "NO", None: ""}[verdict(m)]
        note = m.note if m.status in ("ok", "derived") else f"{m.status}: {m.note}".strip(": ")
        rows.append([m.workload, m.command, wall, peak, m.target.describe() if m.target else "", met, note])
    return rows


def summary(results: Sequence[Measurement]) -> str:
    """One line: targets met, missed, failures."""
    verdicts = [verdict(m) for m in results]
    failed = sum(m.status in ("failed", "timeout") for m in results)
    return (f"{verdicts.count(True)} targets met, {verdicts.count(False)} missed; "
            f"{failed} commands failed or killed; {len(results)} rows")


def markdown(results: Sequence[Measurement]) -> str:
    """The table in Markdown."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---:" if c in ("wall s", "peak MB") else "---"
                                                               for c in COLUMNS) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table_rows(results)]
    return "\n".join(lines) + "\n"


def print_table(results: Sequence[Measurement], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for c in COLUMNS:
        table.add_column(c, justify="right" if c in ("wall s", "peak MB") else "left",
                         overflow="fold", max_width=70 if c == "note" else None)
    for row in table_rows(results):
        table.add_row(*row, style="red" if row[5] == "NO" else None)
    wide = sys.stdout.isatty() or 200  # piped: wide enough for a log, not 80 columns
    Console(width=None if wide is True else wide).print(table)
    print(summary(results))


def save(path: Path, meta: dict[str, Any], results: Sequence[Measurement]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps({"meta": meta, "results": [asdict(m) for m in results]}, indent=2,
                              ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def load(path: Path) -> tuple[dict[str, Any], list[Measurement]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("meta", {}), [Measurement.from_dict(m) for m in data.get("results", [])]


def machine(args: argparse.Namespace) -> dict[str, Any]:
    """What the figures were measured on, and with which code."""
    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    mem = ""
    try:
        mem = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "host": platform.node(),
            "platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
            "memory": mem, "commit": git("rev-parse", "--short", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "selaras": selaras_command(), "args": {k: str(v) for k, v in vars(args).items()}}


# --- command line ------------------------------------------------------------------------------
def parse_workloads(text: str) -> list[str]:
    """Workload letters from ``a,b`` or names (``bundled,org``), in a, b, c, d order.

    >>> parse_workloads("limit,a")
    ['a', 'd']
    """
    names = {v: k for k, v in WORKLOADS.items()}
    chosen = set()
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        key = names.get(part.lower(), part.lower())
        if key not in WORKLOADS:
            raise argparse.ArgumentTypeError(f"unknown workload {part!r}: use a, b, c, d or "
                                             + ", ".join(WORKLOADS.values()))
        chosen.add(key)
    return sorted(chosen)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", type=parse_workloads, default=["a", "b", "c", "d"],
                   help="a/bundled, b/org, c/framework, d/limit, comma-separated (default: all)")
    p.add_argument("--sizes", "--employees", dest="sizes", type=int, nargs="+", default=[10_000],
                   help="employees of the generated organisations of workload b (default 10000)")
    p.add_argument("--positions", type=int, default=None,
                   help="positions of every generated organisation (default: the command's, 2000 at 100,000)")
    p.add_argument("--fw-positions", type=int, default=900, help="positions of the dense framework (c)")
    p.add_argument("--fw-competencies", type=int, default=35, help="competencies of the dense framework (c)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per process before it is killed")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    p.add_argument("--workdir", type=Path, default=None, help="where the data and stores go (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work folder (stores, data) afterwards")
    p.add_argument("--report", type=Path, metavar="FILE", help="print a saved run's table instead of running")
    p.add_argument("--markdown", action="store_true", help="with --report: print a Markdown table")
    return p.parse_args(argv)


def run_all(args: argparse.Namespace) -> list[Measurement]:
    meta = machine(args)
    run = Runner(args.timeout, args.out, meta)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="selaras-userpath-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}", file=sys.stderr)
    # as on a fresh machine: the cache of HermiT's verdicts (~/.cache/selaras) starts empty, so
    # the first `infer` of each store runs the reasoner; the commands after it may reuse it
    os.environ["SELARAS_CACHE"] = str(work / "owl-cache")
    stores: list[StoreRun] = []
    try:
        if "a" in args.workloads:
            stores += workload_bundled(run, work)
        org_sizes = args.sizes if "b" in args.workloads or args.workloads == ["d"] else []
        for n in org_sizes:
            stores += workload_org(run, work, n, args.positions)
        if "c" in args.workloads:
            stores += workload_framework(run, work, args.fw_positions, args.fw_competencies)
        if "d" in args.workloads:
            workload_limit(run, work, stores)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    save(args.out, meta, run.results)
    return run.results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        meta, results = load(args.report)
        if args.markdown:
            print(markdown(results), end="")
        else:
            print_table(results, f"Selaras user's path — {meta.get('date', '')} ({meta.get('commit', '')})")
        return 0
    results = run_all(args)
    print_table(results, "Selaras user's path (separate processes, on disk, default settings)")
    print(f"results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
