"""The Selaras ontology, SHACL shapes, policy vocabulary and the bundled example organisation.

Files (Turtle is the source of truth):

- ``selaras.ttl``: the OWL 2 ontology, every ``sel:`` term labelled in English and Indonesian;
- ``policy.ttl``: the paper's six recommendations and eight governance principles;
- ``shapes.ttl``: SHACL shapes for organisation data;
- ``example/``: the bundled example organisation (CSV, in the import format).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

ONTOLOGY_DIR = Path(str(files(__name__)))
ONTOLOGY_FILES = (ONTOLOGY_DIR / "selaras.ttl", ONTOLOGY_DIR / "policy.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
EXAMPLE_DIR = ONTOLOGY_DIR / "example"
