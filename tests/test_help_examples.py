"""Every example in every command's ``--help`` runs as printed, in a folder like a user's.

A user copies the examples first. Each one runs here, in a fresh copy of a folder holding what
the examples name (a store of the bundled organisation in ``./.selaras``, an organisation in
``my-org/``, a filled ``workbook.xlsx``, a framework's ``requirements.csv`` and
``positions.csv``), and must exit as documented and show what it illustrates.
"""

from __future__ import annotations

import csv
import shlex
import shutil
import subprocess
from pathlib import Path

import click
import pytest

from selaras.cli import main
from selaras.engine.ingest.tabular import TABLES_BY_FILE, write_template
from selaras.ontology import EXAMPLE_DIR

from .conftest import DATA


def _examples() -> list[tuple[str, str]]:
    """(command path, example line) for every ``selaras …`` line under ``Example:`` in a help text."""
    found: list[tuple[str, str]] = []

    def walk(command: click.Command, path: str) -> None:
        taking = False
        for line in (command.help or "").splitlines():
            text = line.strip()
            if text.startswith("Example"):
                taking = True
            elif taking and text.startswith("selaras"):
                found.append((path or "selaras", text))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())

    walk(main, "")
    return found


EXAMPLES = _examples()
#: Examples that are not run here, and why.
NOT_RUN = {"selaras serve": "a server that runs until stopped: tests/test_server.py starts it and talks to it"}
#: What an example must show, beyond exiting as documented.
SHOWS = {
    "--assume pel-kepemimpinan-manajer": lambda out: "69.3% now; 79.8% assuming" in out,
    "--track specialist": lambda out: "Path 1" in out,
    "explain manager-sertifikasi-a2 '->' kepala-lsp": lambda out: "concluded by rule career-move" in out,
    "--format mermaid": lambda out: out.startswith("flowchart"),
    "--format dot": lambda out: out.startswith("digraph"),
    "rules show career-move": lambda out: "CONSTRUCT" in out,
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, example_store) -> Path:
    root = tmp_path_factory.mktemp("user")
    shutil.copytree(example_store, root / ".selaras")
    shutil.copytree(EXAMPLE_DIR, root / "my-org", ignore=shutil.ignore_patterns("*.py", "*.md"))
    for name in ("requirements.csv", "positions.csv"):
        shutil.copy(DATA / "career" / "framework" / name, root / name)
    rows = {}
    for path in sorted((root / "my-org").glob("*.csv")):
        with open(path, encoding="utf-8") as f:
            header, *records = list(csv.reader(f))
        columns = [c.name for c in TABLES_BY_FILE[path.name].columns]
        rows[path.name] = [[r[header.index(c)] if c in header else None for c in columns] for r in records]
    write_template(str(root / "workbook.xlsx"), rows)
    return root


def test_the_examples_were_found() -> None:
    commands = {path for path, _ in EXAMPLES}
    assert len(EXAMPLES) >= 35 and {"import", "career paths", "career plan", "audit", "generate"} <= commands


COMMANDS = list(dict.fromkeys(path for path, _ in EXAMPLES))


@pytest.mark.parametrize("path", COMMANDS)
def test_every_help_example_runs_as_printed(cli, workspace, tmp_path, monkeypatch, path) -> None:
    """A command's examples run in order, in one folder (the second may use what the first made)."""
    folder = tmp_path / "user"
    shutil.copytree(workspace, folder)
    monkeypatch.chdir(folder)
    for line in (e.split("  #")[0].strip() for p, e in EXAMPLES if p == path):  # without trailing comments
        if line in NOT_RUN:
            continue
        output = ""
        for part in line.split(" && "):
            command, _, pipe = part.partition(" | ")
            words = shlex.split(command)
            assert words[0] == "selaras"
            result = cli(*words[1:])
            allowed = (0, 1) if "audit" in words else (0,)  # the audit exits 1 when it finds errors
            assert result.exit_code in allowed, f"{part!r} exited {result.exit_code}: {result.stderr}"
            output = result.stdout
            if pipe and shutil.which(shlex.split(pipe)[0]) is not None:  # e.g. Graphviz's dot, if installed
                subprocess.run(pipe, shell=True, input=output.encode(), check=True, cwd=folder)
        for needle, shows in SHOWS.items():
            if needle in line:
                assert shows(output), f"{line!r} does not show what it illustrates:\n{output[:2000]}"


def test_the_examples_not_run_here_are_tested_elsewhere() -> None:
    assert {e.split("  #")[0].strip() for _, e in EXAMPLES} >= set(NOT_RUN)
