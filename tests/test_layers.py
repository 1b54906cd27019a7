"""The package's layers: each module imports only from its own layer or the ones below, never in a cycle.

Read from the source (``ast``), so an import inside a function or under ``TYPE_CHECKING``
counts as much as one at the top of a module. The README's "Layout" draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Bottom to top: a module may import from its own layer and from the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("ontology", ("selaras.ontology", "selaras.ontology.namespace")),
    ("errors", ("selaras.engine", "selaras.engine.errors", "selaras.engine.types", "selaras.engine.sparql",
                "selaras.engine.messages", "selaras.engine.templating")),
    ("store", ("selaras.engine.store", "selaras.engine.store.base", "selaras.engine.store.dataset",
               "selaras.engine.store.embedded", "selaras.engine.store.remote", "selaras.engine.store.labels",
               "selaras.engine.store.names")),
    ("rules", ("selaras.engine.rules", "selaras.engine.rules.settings", "selaras.engine.fastpath",
               "selaras.engine.moves")),
    ("ingest", ("selaras.engine.ingest", "selaras.engine.ingest.tabular", "selaras.engine.ingest.sources",
                "selaras.engine.ingest.checks", "selaras.engine.ingest.writer", "selaras.engine.ingest.importer",
                "selaras.engine.ingest.framework", "selaras.engine.ingest.framework_gen",
                "selaras.engine.ingest.generate", "selaras.engine.ingest.privacy",
                "selaras.engine.validation", "selaras.engine.validation.shacl", "selaras.engine.validation.native",
                "selaras.engine.validation.components", "selaras.engine.validation.sparql_constraints",
                "selaras.engine.validation.results", "selaras.engine.validation.terms",
                "selaras.engine.validation.owl")),
    ("inference", ("selaras.engine.inference",)),
    ("services", ("selaras.engine.explain", "selaras.engine.audit", "selaras.engine.audit.findings",
                  "selaras.engine.audit.registry", "selaras.engine.audit.describe", "selaras.engine.audit.coverage",
                  "selaras.engine.audit.run", "selaras.engine.audit.report", "selaras.engine.career",
                  "selaras.engine.career.model", "selaras.engine.career.graph", "selaras.engine.career.paths",
                  "selaras.engine.career.scoring", "selaras.engine.career.plan", "selaras.engine.career.views",
                  "selaras.engine.career.service", "selaras.engine.career.map", "selaras.engine.render",
                  "selaras.queries")),
    ("api", ("selaras.engine.api", "selaras")),
    # what users run: the command line, the endpoint, and the script that writes the example's people
    ("interfaces", ("selaras.cli", "selaras.engine.serve", "selaras.engine.serve.endpoint", "selaras.engine.serve.workers",
                    "selaras.engine.serve.protocol", "selaras.engine.serve.page",
                    "selaras.ontology.example.generate_people")),
]
LAYER_OF = {module: n for n, (_, modules) in enumerate(LAYERS) for module in modules}


def _modules() -> dict[str, Path]:
    """Every module of the package (not its tests or benchmarks), by dotted name."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in ("tests", "bench") or parts[0].startswith("."):
            continue
        name = ".".join(("selaras", *parts)).removesuffix(".__init__")
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                stem = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*stem, *([node.module] if node.module else [])])
            if base.split(".")[0] == "selaras":
                out |= {f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "selaras"}
    return out - {name}


GRAPH = nx.DiGraph([(m, i) for m, p in MODULES.items() for i in _imports(m, p)])
GRAPH.add_nodes_from(MODULES)


def test_every_module_has_a_layer() -> None:
    assert sorted(set(MODULES) - set(LAYER_OF)) == [], "add the new module to a layer in LAYERS"
    assert sorted(set(LAYER_OF) - set(MODULES)) == [], "a module in LAYERS no longer exists"


def test_no_import_cycle() -> None:
    assert [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_from_its_layer_or_below(module: str) -> None:
    upward = sorted(f"{target} ({LAYERS[LAYER_OF[target]][0]})" for target in GRAPH.successors(module)
                    if LAYER_OF.get(target, -1) > LAYER_OF.get(module, len(LAYERS)))
    assert upward == [], f"{module} ({LAYERS[LAYER_OF[module]][0]}) imports from a layer above it"


def test_the_check_sees_imports_inside_functions() -> None:
    # validation reads the rules' settings inside a function: the graph has that edge
    assert GRAPH.has_edge("selaras.engine.validation.shacl", "selaras.engine.rules.settings")


#: The most lines a command's body may have (its docstring aside): parse, one API call, print.
COMMAND_LINES = 16


def test_every_command_is_a_call_of_the_api_and_a_print() -> None:
    tree = ast.parse((ROOT / "cli.py").read_text(encoding="utf-8"))
    long = {}
    for node in ast.walk(tree):
        commands = [d for d in getattr(node, "decorator_list", []) if isinstance(d, ast.Call)
                    and isinstance(d.func, ast.Attribute) and d.func.attr in ("command", "group")]
        if isinstance(node, ast.FunctionDef) and commands:
            body = node.body[1:] if ast.get_docstring(node) else node.body
            if body and body[-1].end_lineno - body[0].lineno + 1 > COMMAND_LINES:  # type: ignore[operator]
                long[node.name] = body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]
    assert long == {}, "move the work into the API (engine/api.py); keep the command to parse, call, print"
