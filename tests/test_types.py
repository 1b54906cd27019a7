"""The package type-checks: mypy, with the configuration in ``pyproject.toml``, finds no error.

The package ships ``py.typed``, so its annotations are a promise to those who import it. The
repository root is the package, so mypy reads it through a directory named ``selaras`` that
links to the root (an editable install maps the name in a way mypy does not follow).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What is checked: everything but the tests and the benchmarks.
CHECKED = ["engine", "ontology", "queries", "cli.py", "__init__.py"]


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    os.symlink(ROOT, tmp_path / "selaras")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "--python-executable", sys.executable,
         *(f"selaras/{p}" for p in CHECKED)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
