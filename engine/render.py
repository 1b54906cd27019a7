"""Turn query results and records into what a person or a spreadsheet reads.

``table`` draws a terminal table (rich), ``md`` a Markdown table, ``csv``/``tsv``/``json``/``xml``
are the SPARQL 1.1 results formats for SELECT, and ``ttl``/``nt``/``jsonld`` serialise graphs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rich import box
from rich.console import Console
from rich.table import Table

from selaras.engine.store import Result
from selaras.ontology.namespace import DATA_IRI, SEL_IRI

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("ttl", "nt", "jsonld", "xml")


def short(term: object) -> str:
    """Show an RDF term compactly: ``sel:`` and data IRIs shortened, literals as their value.

    >>> short(ox.NamedNode("https://w3id.org/selaras/ontology#Promotion"))
    'sel:Promotion'
    >>> short(ox.NamedNode("https://w3id.org/selaras/id/position/kepala-lsp"))
    'position/kepala-lsp'
    >>> short(None)
    ''
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        v = term.value
        if v.startswith(SEL_IRI):
            return "sel:" + v[len(SEL_IRI):]
        if v.startswith(DATA_IRI):
            return v[len(DATA_IRI):]
        return v
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def records_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Draw rows as a terminal table and return the text."""
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    buf = io.StringIO()
    Console(file=buf, width=160, force_terminal=False, color_system=None).print(table)
    lines = [line.rstrip() for line in buf.getvalue().strip("\n").splitlines()]
    return "\n".join(([title] if title else []) + lines) + "\n"


def records_markdown(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Write rows as a Markdown table.

    >>> print(records_markdown(["a", "b"], [[1, "x|y"]]), end="")
    | a | b |
    | --- | --- |
    | 1 | x\\|y |
    """
    def cell(v: object) -> str:
        return ("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def render_result(result: Result, fmt: str) -> str:
    """Render a query result in a format; graph results in ``ttl``/``nt``/``jsonld``/``xml``."""
    if result.kind == "graph":
        return result.serialize("ttl" if fmt == "table" else fmt).decode()
    if fmt in {"json", "xml", "csv", "tsv"}:
        return result.serialize(fmt).decode()
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    rows = [[short(r.get(v)) for v in result.variables] for r in result.rows]
    if fmt == "md":
        return records_markdown(result.variables, rows)
    return records_table(None, result.variables, rows) + f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n"


def render_records(title: str, columns: Sequence[str], rows: list[Sequence[object]], fmt: str) -> str:
    """Render plain records as table, md, csv, tsv or json (a list of objects)."""
    if fmt == "json":
        return json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=2, ensure_ascii=False,
                          default=str) + "\n"
    if fmt in {"csv", "tsv"}:
        import csv

        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        return buf.getvalue()
    if fmt == "md":
        return (f"### {title}\n\n" if title else "") + records_markdown(columns, rows)
    return records_table(title, columns, rows)
