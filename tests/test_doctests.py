"""The package's examples run: every ``>>>`` line in a docstring of ``selaras`` is a test.

Collected here, through the installed package, so each module is imported under its own name
once (pytest's ``--doctest-modules`` over the repository root would import a second copy).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import selaras

MODULES = sorted(m.name for m in pkgutil.walk_packages(selaras.__path__, "selaras.")
                 if not m.name.startswith("selaras.tests") and not m.name.startswith("selaras.bench"))
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def test_every_module_is_found() -> None:
    assert {"selaras.engine.api", "selaras.cli", "selaras.ontology.namespace", "selaras.queries"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (see above)"
