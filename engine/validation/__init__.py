"""Validate a store: SHACL shapes over the data, OWL consistency and classification by HermiT."""

from selaras.engine.validation.native import *  # noqa: F403  (the split into modules follows)
from selaras.engine.validation.native import _hermit, _LazyLabels, _NativeShapes, _same_term  # noqa: F401
