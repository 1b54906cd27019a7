"""Start a real SPARQL server on a free loopback port: Oxigraph server or Virtuoso.

Shared by ``tests/test_remote.py`` and ``bench/remote_infer.py``. Each server runs in a folder
of its own and is stopped (killed if it does not stop) by :meth:`Server.stop`.

- **Oxigraph server**: the ``oxigraph`` binary of the test extra (``pip install -e '.[test]'``).
- **Virtuoso** 7.2 open source: Debian's ``virtuoso-opensource`` package (``virtuoso-t`` and
  ``isql-vt``; ``.ci/run`` installs it when missing), started in the foreground with the
  configuration ``tests/servers/virtuoso.ini`` (its settings and why are written there); the
  SPARQL user is then granted updates through isql.

Nothing here asserts; a missing binary raises :class:`Missing`, which the tests turn into a skip
naming the package to install.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_INI = Path(__file__).parent / "servers" / "virtuoso.ini"
#: The row limit and the time limit (seconds; 0 = none) of the Virtuoso the tests start.
VIRTUOSO_MAX_ROWS = 10_000_000
VIRTUOSO_MAX_SECONDS = 0


class Missing(RuntimeError):
    """The server's binary is not installed; the message says how to install it."""


@dataclass
class Server:
    """A running server: its query and update URLs, and how to stop it."""

    kind: str
    url: str
    update_url: str
    proc: subprocess.Popen[bytes]
    folder: Path
    log: Path | None = None  #: the server's own log (Virtuoso), to read when it fails

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 20 s)."""
        stop_process(self.proc, 20)


def stop_process(proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Stop a child process: SIGTERM, then SIGKILL if it has not ended after ``seconds``."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ask(url: str, sparql: str, timeout: float = 30) -> dict:
    """Ask a server with nothing but the standard library (no Selaras code in between)."""
    body = urllib.parse.urlencode({"query": sparql}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _wait(proc: subprocess.Popen[bytes], url: str, name: str, log: Path | None, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            ask(url, "ASK {}", timeout=5)
            return
        except OSError:
            if proc.poll() is not None:
                text = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
                raise RuntimeError(f"{name} exited ({proc.returncode}): {text}") from None
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{name} did not answer within {seconds:.0f} s") from None
            time.sleep(0.2)


def oxigraph_binary() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise Missing("the `oxigraph` server binary is not installed — pip install -e '.[test]' (package oxigraph)")
    return found


def start_oxigraph(folder: Path | None, *args: str) -> Server:
    """``oxigraph serve`` on a free port; on disk in ``folder`` (in memory when None)."""
    port = free_port()
    command = [oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}", *args]
    if folder is not None:
        command += ["--location", str(folder)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    _wait(proc, url, "oxigraph serve", None)
    return Server("oxigraph", url, url.replace("/query", "/update"), proc, folder or Path("."))


def virtuoso_binaries() -> tuple[str, str]:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt") or shutil.which("isql")
    if not server or not isql:
        raise Missing("Virtuoso is not installed — apt-get install virtuoso-opensource "
                      "(Debian's package: virtuoso-t and isql-vt; .ci/run installs it)")
    return server, isql


def start_virtuoso(folder: Path, *, max_rows: int = VIRTUOSO_MAX_ROWS,
                   max_seconds: int = VIRTUOSO_MAX_SECONDS) -> Server:
    """Virtuoso in the foreground with ``tests/servers/virtuoso.ini``, its database in ``folder``.

    ``max_rows`` and ``max_seconds`` fill in ``[SPARQL] ResultSetMaxRows`` and
    ``MaxQueryExecutionTime`` (the tests of Selaras's limit detection lower them).
    """
    server, isql = virtuoso_binaries()
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text().format(HTTP_PORT=http_port, SQL_PORT=sql_port, MAX_ROWS=max_rows,
                                          MAX_SECONDS=max_seconds)
    (folder / "virtuoso.ini").write_text(ini)
    log = folder / "virtuoso.log"
    proc = subprocess.Popen([server, "+configfile", "virtuoso.ini", "+foreground"], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        _wait(proc, url, "virtuoso-t", log, seconds=120)
        for statement in ('GRANT SPARQL_UPDATE TO "SPARQL";', "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"):
            subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return Server("virtuoso", url, url, proc, folder, log)


def start(kind: str, folder: Path, **kwargs: int) -> Server:
    """Start a server of the given kind (``oxigraph`` or ``virtuoso``) on disk in ``folder``."""
    if kind == "oxigraph":
        return start_oxigraph(folder / "db")
    if kind == "virtuoso":
        return start_virtuoso(folder, **kwargs)
    raise ValueError(f"unknown server kind {kind!r}: oxigraph or virtuoso")
