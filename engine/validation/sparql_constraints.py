"""SPARQL-based constraints (``sh:sparql``, https://www.w3.org/TR/shacl/#sparql-constraints), run in the store.

pySHACL would run each once per focus node over an rdflib copy; here each runs once, over all
focus nodes of its shape's target classes, in the store (whichever engine runs the core constraints).
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from selaras.engine.store import Dataset
from selaras.engine.store.labels import Labels
from selaras.engine.validation.native import DataGraphs
from selaras.engine.validation.results import SEVERITY, ShaclResult
from selaras.engine.validation.terms import SH, SUBCLASS_OF


def run_sparql_constraints(store: Dataset, shapes: Any, constraints: list, graphs: list[str],
                           labels: Labels) -> list[ShaclResult]:
    """The results of ``constraints`` (``(shape, sh:sparql, constraint)`` triples of ``shapes``) over ``graphs``."""
    import rdflib

    from selaras.engine.sparql import strip_comments

    sh = rdflib.Namespace(SH)
    prefixes = "\n".join(
        f"PREFIX {shapes.value(d, sh.prefix)}: <{shapes.value(d, sh.namespace)}>"
        for d in shapes.objects(None, sh.declare)
    )
    results = []
    dataset = DataGraphs(store, graphs)
    for shape, _p, constraint in constraints:
        targets = list(shapes.objects(shape, sh.targetClass))
        select = strip_comments(str(shapes.value(constraint, sh.select))).replace("$this", "?this")
        m = re.search(r"\bWHERE\s*\{", select, re.IGNORECASE)
        if not targets or m is None:
            continue
        # the target classes and their subclasses written out (not a path through rdfs:subClassOf),
        # so that the query reads only the graphs that can hold its focus nodes (see DataGraphs)
        types = {t for target in targets for t in subclasses_of(store, graphs, str(target))}
        target = (f"{{ SELECT DISTINCT ?this WHERE {{ VALUES ?targetClass {{ {' '.join(sorted(types))} }} "
                  f"?this a ?targetClass }} }}")
        query = f"{prefixes}\n{select[: m.end()]} {target} {select[m.end():]}"
        template = str(shapes.value(constraint, sh.message) or "does not conform to its shape")
        severity = SEVERITY.get(str(shapes.value(constraint, sh.severity) or shapes.value(shape, sh.severity)
                                    or SH + "Violation"), "error")
        for row in store.query(query, default_graphs=dataset(query)).rows:
            values = {k: (v.value if v is not None else "") for k, v in row.items()}
            message = re.sub(r"\{[?$](\w+)\}", lambda mm: labels.get(values.get(mm.group(1), ""))
                             if values.get(mm.group(1), "").startswith("http") else values.get(mm.group(1), ""),
                             template)
            focus = values.get("this", "")
            results.append(ShaclResult(severity, focus, labels.get(focus), values.get("path") or None,
                                       values.get("value") or None, message))
    return results


def subclasses_of(store: Dataset, graphs: list[str], cls: str) -> list[str]:
    """A class and every class below it through ``rdfs:subClassOf`` in ``graphs``, in N-Triples."""
    rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS_OF}>* <{cls}> }}", default_graphs=graphs).rows
    return [f"<{cls}>", *(str(r["c"]) for r in rows if isinstance(r["c"], ox.NamedNode) and r["c"].value != cls)]
