"""The worker processes that run queries: killable, each with a time and a memory limit, replaced when they end.

Oxigraph cannot cancel a query in-process, so every query runs in a worker: a runaway query is
stopped by ending its worker, a fresh worker takes its place, and the server keeps answering.
Also here: the store a server serves (a directory, or the bundled example in a temporary one).
"""


from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from selaras.engine.errors import SelarasError, StoreError
from selaras.engine.serve.protocol import (
    GRAPH_FORMATS, PREFIXES, RDF_FORMATS, SOLUTION_FORMATS, Reply, content_type_of, not_acceptable, pick_format,
    text_reply, too_many,
)

#: Prefixes written into Turtle and JSON-LD answers. Not the organisation's ``…/id/``: its IRIs
#: have paths (``id/settings/effective``), whose slashes a prefixed name must escape (``id:settings\/…``).

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
            reply = text_reply(500, f"the query failed: {type(err).__name__}: {err}")
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
            return text_reply(400, f"malformed SPARQL update: {err}")
        except (OSError, ValueError) as err:
            return text_reply(500, f"the update failed and nothing was written: {err}")
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
                return not_acceptable(SOLUTION_FORMATS)
            return Reply(200, content_type_of(fmt), Result("ask", boolean=bool(raw)).serialize(fmt.name))
        if isinstance(raw, ox.QueryTriples):
            fmt = pick_format(request.get("accept"), request.get("format"), GRAPH_FORMATS)
            if fmt is None:
                return not_acceptable(GRAPH_FORMATS)
            triples: list[ox.Triple] = []
            for triple in raw:
                if len(triples) == limit:
                    return too_many(limit, "triples")
                triples.append(triple)
            body = cast(bytes, ox.serialize(triples, format=RDF_FORMATS[fmt.name],  # no output: the bytes
                                            prefixes=PREFIXES if fmt.name in {"ttl", "jsonld", "xml"} else None))
            return Reply(200, content_type_of(fmt), body)
        fmt = pick_format(request.get("accept"), request.get("format"), SOLUTION_FORMATS)
        if fmt is None:
            return not_acceptable(SOLUTION_FORMATS)
        variables = [v.value for v in raw.variables]
        rows: list[dict[str, Any]] = []
        for solution in raw:
            if len(rows) == limit:
                return too_many(limit, "rows")
            rows.append({v: solution[v] for v in variables})
        body = Result("select", variables=variables, rows=rows).serialize(fmt.name)
        return Reply(200, content_type_of(fmt), body)
    except SyntaxError as err:
        return text_reply(400, f"malformed SPARQL query: {err}")
    except (OSError, ValueError) as err:
        return text_reply(500, f"the query failed: {err}")



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
            return text_reply(503, f"every query worker stayed busy for {timeout:g} s — try again shortly",
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
                return text_reply(503, f"the query needed more memory than a worker may hold (--max-memory "
                                       f"{self.max_memory} MB) and was stopped — narrow it (filter earlier, add "
                                       f"LIMIT, avoid ORDER BY or DISTINCT over huge results), or restart the "
                                       f"server with a larger --max-memory; the server goes on with a fresh worker",
                                  ("Retry-After", "5"))
            return text_reply(500, f"the query worker stopped while answering (exit {code}) — narrow the query; "
                                   f"the server goes on with a fresh worker")
        self._replace(worker)
        what = "update" if request["op"] == "update" else "query"
        return text_reply(503, f"the {what} ran longer than the server's time limit of {timeout:g} s and was "
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


