"""The docs are tested: every command has help with an example and is in the README; the README's
import-format table is the one the importer reads; CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from selaras.cli import main
from selaras.engine.ingest.tabular import TABLES

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, prefix + name + " ")
    return out


COMMANDS = _commands(main)


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    assert command.help and "Example:" in command.help, f"`selaras {name}` needs an Example: in its help"


@pytest.mark.parametrize("name", sorted({n.split()[0] for n, _ in COMMANDS}))
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"selaras {name}" in README, f"the README does not mention `selaras {name}`"


def test_readme_import_table_matches_the_importer() -> None:
    for table in TABLES:
        columns = ", ".join(f"**{c.name}**" if c.required else c.name for c in table.columns
                            if c.name not in {"source", "illustrative", "illustrative_columns"})  # in the prose
        assert f"| `{table.file}` | {columns} | {table.help} |" in README, table.file


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    assert test_command.strip() in ci


def test_the_readme_python_api_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the block of "Python API", line by line, but the import of a folder the reader has (my-org/)
    block = re.search(r"## Python API\n.*?```python\n(.*?)```", README, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if "my-org/" not in line]
    assert len(lines) > 10
    monkeypatch.chdir(tmp_path)
    exec(compile("\n".join(lines), "README.md (Python API)", "exec"), {})  # noqa: S102
    assert (tmp_path / "facts.trig").stat().st_size > 100_000
