"""Small, careful operations on SPARQL text: comments, braces, CONSTRUCT parts, bound values.

Values are never pasted into a query as raw text: :func:`bind_values` writes them as RDF terms
(serialised by Oxigraph, so quotes and braces inside a value stay inside its literal) into a
``VALUES`` block at the start of the query's outer ``WHERE`` group.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox


def split_construct(text: str) -> tuple[str, str, str]:
    """Split a ``CONSTRUCT`` query into its prologue, template and ``WHERE`` pattern.

    >>> split_construct("PREFIX a: <urn:a#>\\nCONSTRUCT { ?s a:p 1 } WHERE { ?s a:q \\"}\\" }")
    ('PREFIX a: <urn:a#>', ' ?s a:p 1 ', '{ ?s a:q "}" }')
    """
    body = strip_comments(text)
    m = re.search(r"\bCONSTRUCT\s*\{", body, re.IGNORECASE)
    if not m:
        raise ValueError("a rule must be one CONSTRUCT { … } WHERE { … } query")
    prologue = body[: m.start()].strip()
    open_at = m.end() - 1
    close_at = matching_brace(body, open_at)
    template = body[open_at + 1: close_at]
    rest = body[close_at + 1:].lstrip()
    w = re.match(r"WHERE\s*", rest, re.IGNORECASE)
    if not w:
        raise ValueError("a rule's CONSTRUCT template must be followed by WHERE { … }")
    pattern = rest[w.end():].strip()
    end = matching_brace(pattern, 0)
    if pattern[end + 1:].strip():
        raise ValueError("a rule may not have solution modifiers after its WHERE pattern")
    return prologue, template, pattern


def strip_comments(text: str) -> str:
    out = []
    for line in text.splitlines():
        cut, in_str, in_iri = len(line), None, False
        for i, ch in enumerate(line):
            if in_str:
                if ch == in_str and line[i - 1] != "\\":
                    in_str = None
            elif in_iri:
                in_iri = ch != ">"
            elif ch in "\"'":
                in_str = ch
            elif ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", line[i:]):
                in_iri = True
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def matching_brace(text: str, open_at: int) -> int:
    depth, i, in_str = 0, open_at, None
    while i < len(text):
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
            elif ch == in_str:
                in_str = None
        elif ch in "\"'":
            in_str = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces in rule")


def bind_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    r"""Return the query with a ``VALUES`` block binding variables at the top of its ``WHERE``.

    >>> q = bind_values("SELECT ?x WHERE { ?x ?p ?q }", {"q": ox.Literal('a" } DROP ALL #')})
    >>> q
    'SELECT ?x WHERE { VALUES (?q) { ("a\\" } DROP ALL #") }\n ?x ?p ?q }'
    """
    if not bindings:
        return text
    body = strip_comments(text)
    m = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE)
    if m is None:
        m = re.search(r"\{", body)
    if m is None:
        raise ValueError("the query has no WHERE pattern to bind values in")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(str(v) for v in bindings.values())
    return f"{body[: m.end()]} VALUES ({names}) {{ ({values}) }}\n{body[m.end():]}"


_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def syntax_error(text: str, error: str) -> str:
    """Word a parser's error (``error at LINE:COLUMN: …``) with the line of the text it points at.

    >>> print(syntax_error("SELEC * WHERE { ?s ?p ?o }", "error at 1:1: expected one of ASK, BASE"))
    SPARQL syntax error at line 1, column 1: expected one of ASK, BASE
        SELEC * WHERE { ?s ?p ?o }
        ^
    """
    m = _POSITION.match(error.strip())
    if m is None:
        return f"SPARQL syntax error: {error}"
    line, column, what = int(m[1]), int(m[2]), m[3].strip()
    lines = text.splitlines() or [""]
    shown = lines[min(line, len(lines)) - 1]
    caret = " " * min(max(column - 1, 0), len(shown))
    return f"SPARQL syntax error at line {line}, column {column}: {what}\n    {shown}\n    {caret}^"


#: The prologue (PREFIX and BASE declarations) before a query's or an update's first keyword.
_PROLOGUE = r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
_UPDATE_START = re.compile(_PROLOGUE + r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)


def looks_like_update(text: str) -> bool:
    """Tell whether SPARQL text is an update (INSERT, DELETE, LOAD, DROP …) rather than a query.

    >>> looks_like_update("PREFIX a: <urn:a#> # comment\\nINSERT DATA { a:x a:y a:z }")
    True
    >>> looks_like_update("SELECT * WHERE { ?s ?p ?o }")
    False
    """
    return bool(_UPDATE_START.match(strip_comments(text)))


_FORM = re.compile(_PROLOGUE + r"(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def query_form(text: str) -> str | None:
    """Say a query's form: ``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK`` (None: not a query).

    >>> query_form("PREFIX a: <urn:a#> # comment\\nconstruct { ?s a:p ?o } WHERE { ?s a:p ?o }")
    'CONSTRUCT'
    >>> query_form("INSERT DATA { <urn:x> <urn:y> <urn:z> }") is None
    True
    """
    m = _FORM.match(strip_comments(text))
    return m.group(1).upper() if m else None



@lru_cache(maxsize=64)
def constants_read(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """The predicates and the ``rdf:type`` classes a query's patterns read, or None when any may be read.

    Parsed by rdflib into SPARQL algebra; every triple pattern and property path is visited. A
    query reads nothing but triples with one of these predicates, and of ``rdf:type`` triples only
    those with one of these classes (every type when a pattern types a variable class). None when
    a pattern has a variable predicate (it may read any triple).

    >>> predicates, classes = constants_read("SELECT * WHERE { ?x a <urn:C> ; <urn:p>/<urn:q> ?y }")
    >>> sorted(predicates), sorted(classes)
    (['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'urn:p', 'urn:q'], ['urn:C'])
    >>> constants_read("SELECT * WHERE { ?x ?p ?y }") is None
    True
    """
    from rdflib import RDF, URIRef, Variable
    from rdflib.paths import Path
    from rdflib.plugins.sparql.algebra import translateQuery, traverse
    from rdflib.plugins.sparql.parser import parseQuery

    predicates: set[str] = set()
    classes: set[str] = set()
    any_class = False
    variable = False

    def iris(p: object) -> Iterator[str]:
        if isinstance(p, URIRef):
            yield str(p)
        elif isinstance(p, Path):
            for name in ("args", "path", "arg"):
                part = getattr(p, name, None)
                for x in part if isinstance(part, list) else [part] if part is not None else []:
                    yield from iris(x)

    def visit(node: object) -> None:
        nonlocal any_class, variable
        if getattr(node, "name", None) != "BGP":
            return
        for _, p, o in node.triples:  # type: ignore[attr-defined]
            if isinstance(p, Variable):
                variable = True
                continue
            predicates.update(iris(p))
            if p == RDF.type:
                if isinstance(o, URIRef):
                    classes.add(str(o))
                else:
                    any_class = True

    traverse(translateQuery(parseQuery(text)).algebra, visit)
    if variable or any_class:
        return None
    return frozenset(predicates), frozenset(classes)


def update_text(construct: str, graph: str, inputs: Sequence[str]) -> str:
    """The SPARQL Update that makes ``graph`` hold what ``construct`` concludes over ``inputs``.

    >>> print(update_text("CONSTRUCT { ?s a <urn:K> } WHERE { ?s a <urn:J> }", "urn:g", ["urn:f"]))
    <BLANKLINE>
    DROP SILENT GRAPH <urn:g> ;
    INSERT { GRAPH <urn:g> {  ?s a <urn:K>  } }
    USING <urn:f>
    USING NAMED <urn:f>
    WHERE { ?s a <urn:J> }
    """
    prologue, template, pattern = split_construct(construct)
    # the input graphs are its default graph, and by name for a GRAPH clause (readiness)
    using = "\n".join([*(f"USING <{g}>" for g in inputs), *(f"USING NAMED <{g}>" for g in inputs)])
    return f"{prologue}\nDROP SILENT GRAPH <{graph}> ;\nINSERT {{ GRAPH <{graph}> {{ {template} }} }}\n{using}\nWHERE {pattern}"


def read_header(text: str, keys: Iterable[str]) -> tuple[list[tuple[str, str]], str]:
    """Split a declared SPARQL file (a rule, a named query, an audit check): its header and its body.

    The header is the leading comment lines; one of the form ``# key: value`` with a key of
    ``keys`` is read (a repeated key gives one pair per line, in order), any other is a note. The
    body starts at the first line that is neither blank nor a comment.

    >>> read_header("# title: A\\n# a note\\n# title: B\\nSELECT * {}\\n# kept", ["title"])
    ([('title', 'A'), ('title', 'B')], 'SELECT * {}\\n# kept')
    """
    line_of = re.compile(rf"^#\s*({'|'.join(keys)})\s*:\s*(.*)$")
    pairs: list[tuple[str, str]] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        m = line_of.match(line.strip())
        if m:
            pairs.append((m[1], m[2].strip()))
        elif line.strip() and not line.startswith("#"):
            return pairs, "\n".join(lines[n:]).strip()
    return pairs, ""


def joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A header's values by key, the lines of a repeated key joined by a space.

    >>> joined([("source", "Endry §E"), ("title", "Gap"), ("source", "and §F")])
    {'source': 'Endry §E and §F', 'title': 'Gap'}
    """
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = f"{out[key]} {value}" if key in out else value
    return out
