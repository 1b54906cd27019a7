"""Shared fixtures: the bundled organisation and the mini fixture, inferred once per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import selaras
from selaras.cli import main

DATA = Path(__file__).parent / "data"
# HermiT's verdicts are cached by model (engine/validation/owl.py): the suite keeps its own, fresh each run
os.environ["SELARAS_CACHE"] = tempfile.mkdtemp(prefix="selaras-test-cache-")


def pytest_sessionfinish(session, exitstatus) -> None:  # noqa: ARG001  (pytest's hook signature)
    """Remove the suite's HermiT cache (one folder per run would pile up in the temp folder)."""
    shutil.rmtree(os.environ["SELARAS_CACHE"], ignore_errors=True)


@pytest.fixture(scope="session")
def example() -> selaras.Selaras:
    """The bundled example organisation, in memory, with every rule's conclusions. Read only."""
    org = selaras.open(example=True)
    org.ensure_inferred()
    return org


@pytest.fixture(scope="session")
def example_store(tmp_path_factory) -> str:
    """A store directory holding the bundled organisation, inferred; for CLI tests. Read only."""
    path = tmp_path_factory.mktemp("example") / "store"
    with selaras.open(path, example=True) as org:
        org.infer()
    return str(path)


@pytest.fixture(scope="session")
def mini() -> selaras.Selaras:
    """The hand-checked mini organisation (tests/data/mini), inferred. Read only."""
    org = selaras.open()
    org.import_paths([DATA / "mini"])
    org.ensure_inferred()
    return org


@pytest.fixture(scope="module")
def mini_store_template(tmp_path_factory) -> Path:
    """An on-disk store holding the mini organisation, made once per test module."""
    path = tmp_path_factory.mktemp("mini") / "store"
    with selaras.open(path) as org:
        org.import_paths([DATA / "mini"])
    return path


@pytest.fixture
def store(mini_store_template, tmp_path) -> str:
    """A fresh copy of an on-disk store holding the mini organisation."""
    path = tmp_path / "store"
    shutil.copytree(mini_store_template, path)
    return str(path)


def content(store: str) -> bytes:
    """The store's content, byte for byte: its N-Quads dump, lines sorted."""
    with selaras.open(store, read_only=True) as org:
        return b"".join(sorted(org.store.dump("nq").splitlines(keepends=True)))


@pytest.fixture
def cli():
    """Run the CLI in-process: ``cli("stats", "--format", "json")`` returns click's Result."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return run
