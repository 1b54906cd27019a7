"""Run ``selaras`` in a child process and kill it (SIGKILL) at a chosen moment of its work.

Shared by the crash and concurrency tests and by ``bench/reliability.py``. The moments are
read from the store directory's files (RocksDB, under Oxigraph), so they do not depend on
how fast the machine is:

``opened``    the child opened the store (RocksDB started a new write-ahead log)
``writing``   the child started writing (that log grew: a transaction is being committed)
``flushing``  written data is being flushed into table files (a new ``.sst`` after the write)
``0.8``       a number: that many seconds after the start

Nothing here asserts: callers decide what an outcome must be. :func:`facts` and
:func:`conclusions` read what a run left in a store.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: The command line of the CLI in a child process.
SELARAS = [sys.executable, "-m", "selaras.cli"]
STAGES = ("opened", "writing", "flushing")
_DATA_FILE = re.compile(r"\d+\.(log|sst)")


@dataclass(frozen=True)
class Run:
    """How a child process ended."""

    stage: str
    killed: bool  # False: it finished before the moment came
    seconds: float  # when it was killed (or finished), from its start
    returncode: int
    stderr: str


def facts(path: Path) -> bytes:
    """The facts graph of an on-disk store, byte for byte (sorted N-Quads)."""
    from selaras.engine.store import FACTS_GRAPH, Store

    store = Store(path, read_only=True)
    return b"".join(sorted(store.dump("nq", FACTS_GRAPH).splitlines(keepends=True)))


def conclusions(path: Path) -> dict[str, int]:
    """Count the quads of every rule's graph of an on-disk store."""
    from selaras.engine.store import INFERRED_PREFIX, Store

    store = Store(path, read_only=True)
    return {g: store.count(g) for g in store.graph_names() if g.startswith(INFERRED_PREFIX)}


def data_files(store: Path) -> dict[str, int]:
    """Map the store's write-ahead logs and table files to their sizes."""
    out = {}
    try:
        entries = list(os.scandir(store))
    except FileNotFoundError:
        return out
    for entry in entries:
        if _DATA_FILE.fullmatch(entry.name):
            try:
                out[entry.name] = entry.stat().st_size
            except FileNotFoundError:  # compaction removed it meanwhile
                pass
    return out


def start(store: Path, *args: str) -> subprocess.Popen:
    """Start ``selaras --store STORE ARGS…`` in a child process."""
    return subprocess.Popen([*SELARAS, "--store", str(store), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run_and_kill(store: Path, args: list[str], stage: str | float, timeout: float = 300) -> Run:
    """Run ``selaras --store STORE ARGS…`` and SIGKILL it at ``stage`` (see the module docstring)."""
    base = data_files(store)
    t0 = time.monotonic()
    child = start(store, *args)
    opened = wrote = flushing = False
    tables_at_write: set[str] = set()
    while child.poll() is None:
        now = time.monotonic() - t0
        files = data_files(store)
        logs = [n for n in files if n.endswith(".log") and n not in base]
        opened = opened or bool(logs)
        if opened and not wrote and any(files[n] > 0 for n in logs):
            wrote, tables_at_write = True, {n for n in files if n.endswith(".sst")}
        if wrote and not flushing:
            flushing = any(n.endswith(".sst") and n not in tables_at_write for n in files)
        due = {"opened": opened, "writing": wrote, "flushing": flushing}.get(stage) if isinstance(stage, str) \
            else now >= stage
        if due:
            child.send_signal(signal.SIGKILL)
            _, err = child.communicate()
            return Run(str(stage), child.returncode == -signal.SIGKILL, now, child.returncode, err)
        if now > timeout:
            child.kill()
            child.communicate()
            raise TimeoutError(f"selaras {' '.join(args)} ran over {timeout} s")
        time.sleep(0.002)
    _, err = child.communicate()
    return Run(str(stage), False, time.monotonic() - t0, child.returncode, err)


def wait_until_writer_holds_lock(store: Path, child: subprocess.Popen, timeout: float = 60) -> bool:
    """Wait until ``child`` holds the store's RocksDB lock (read from ``/proc/locks``); False if it ended first."""
    inode = (store / "LOCK").stat().st_ino
    t0 = time.monotonic()
    while child.poll() is None and time.monotonic() - t0 < timeout:
        with open("/proc/locks", encoding="ascii") as f:
            for line in f:
                fields = line.split()
                # "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF": pid, then major:minor:inode
                if len(fields) >= 6 and fields[4] == str(child.pid) and fields[5].rsplit(":", 1)[-1] == str(inode):
                    return True
        time.sleep(0.002)
    return False
