"""Selaras: a rules and knowledge-graph engine for organisational competency models.

Open an organisation's store, import its competency model, infer gaps, career moves and
unaligned competencies, and ask questions in SPARQL::

    import selaras
    org = selaras.open(".selaras")          # or selaras.open(example=True) for the bundled one
    org.import_paths(["my-org/"])
"""

from __future__ import annotations

from selaras.engine.api import Selaras, Stats, open
from selaras.engine.errors import (
    InconsistentError,
    InputError,
    NotFoundError,
    Problem,
    QueryError,
    SelarasError,
    StoreError,
    StoreInUseError,
)

__version__ = "0.1.0"
__all__ = [
    "InconsistentError",
    "InputError",
    "NotFoundError",
    "Problem",
    "QueryError",
    "Selaras",
    "SelarasError",
    "Stats",
    "StoreError",
    "StoreInUseError",
    "open",
]
