"""The named SPARQL queries: one ``NAME.rq`` file each, with a header that documents it.

Header lines (comments at the top of the file)::

    # title: Competency dictionary by group
    # judul: Kamus kompetensi per kelompok
    # purpose: Every competency with its code, group and labels.
    # param: group (string, default: any) — core, leadership, behavioral or technical
    # param: position (position, required) — the position's code
    # example: position=kepala-lsp group=technical

``default: any`` (or no default) leaves the variable unbound, so the query covers every value;
``required`` makes the command refuse to run without it. ``example`` gives values that make
the query answer on the bundled example organisation (tests and the endpoint's page use them).

A parameter ``p`` binds the query variable ``?p`` to a typed RDF term, never pasted into
the text: the term goes into a ``VALUES`` block at the top of the query's outer ``WHERE``
(:func:`selaras.engine.sparql.bind_values`), the same on the embedded store and on a server.
Use parameters in the outer pattern (or project them from sub-queries).

>>> q = load("competency-dictionary")
>>> q.title
'Competency dictionary by group'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import pyoxigraph as ox

from selaras.engine.errors import InputError, NotFoundError, Problem
from selaras.ontology.namespace import DATA_IRI

_HEADER = re.compile(r"^#\s*(title|judul|purpose|param|example)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)(?:,\s*(?:default:\s*([^)]*)|(required)))?\)\s*(?:—|-)\s*(.*)$")
#: Parameter types and the RDF terms their values become.
PARAM_TYPES = ("string", "integer", "decimal", "date", "iri", "position", "employee", "competency",
               "scheme", "program", "family", "unit")


@dataclass(frozen=True)
class Param:
    """One parameter of a named query."""

    name: str
    type: str
    default: str | None
    help: str
    required: bool = False

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """Turn a value given on the command line into an RDF term of this parameter's type.

        >>> Param("position", "position", None, "").term("kepala-lsp").value
        'https://w3id.org/selaras/id/position/kepala-lsp'
        >>> print(Param("q", "string", None, "").term('x" } DROP ALL #'))  # a literal, quotes escaped
        "x\\" } DROP ALL #"
        """
        xsd = "http://www.w3.org/2001/XMLSchema#"
        try:
            if self.type == "string":
                return ox.Literal(value)
            if self.type == "integer":
                return ox.Literal(str(int(value)), datatype=ox.NamedNode(xsd + "integer"))
            if self.type == "decimal":
                return ox.Literal(str(float(value)), datatype=ox.NamedNode(xsd + "decimal"))
            if self.type == "date":
                from datetime import date

                return ox.Literal(date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(xsd + "date"))
            if self.type == "iri":
                return ox.NamedNode(value)
            from urllib.parse import quote

            return ox.NamedNode(f"{DATA_IRI}{self.type}/{quote(value, safe='')}")
        except ValueError as err:
            raise _param_error(self.name, f"{value!r} is not a valid {self.type} ({err})",
                               f"give {self.name}=<{self.type}>") from err


def _param_error(name: str, message: str, fix: str) -> InputError:
    """A bad parameter value: one line, ``--param:NAME: what is wrong — the fix``."""
    return InputError(str(Problem("--param", None, name, message, fix)))


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library, with its documentation."""

    name: str
    title: str
    judul: str
    purpose: str
    params: tuple[Param, ...]
    text: str
    example: tuple[tuple[str, str], ...] = ()

    def bindings(self, given: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check the given parameter values and return them (and defaults) as RDF terms.

        Raises:
            InputError: an unknown parameter, a value of the wrong type, or a required one missing.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise _param_error(unknown[0], f"query {self.name!r} has no parameter {unknown[0]!r}",
                               "use one of: " + (", ".join(known) or "(none)"))
        out = {}
        for p in self.params:
            value = given.get(p.name, p.default)
            if p.required and value in (None, ""):
                hint = dict(self.example).get(p.name)
                raise _param_error(p.name, f"query {self.name!r} needs the parameter {p.name!r} ({p.help})",
                                   f"give --param {p.name}=<{p.type}>"
                                   + (f", e.g. --param {p.name}={hint}" if hint else ""))
            if value is not None and value != "any":
                out[p.name] = p.term(value)
        return out


def _parse(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params = []
    example: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if not m:
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, value = m.groups()
        if key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise ValueError(f"queries/{name}.rq: malformed param line {value!r}")
            pname, ptype, default, required, phelp = pm.groups()
            if ptype not in PARAM_TYPES:
                raise ValueError(f"queries/{name}.rq: unknown param type {ptype!r}")
            params.append(Param(pname, ptype, default.strip() if default else None, phelp.strip(),
                                required=bool(required)))
        elif key == "example":
            for pair in value.split():
                k, sep, v = pair.partition("=")
                if not sep:
                    raise ValueError(f"queries/{name}.rq: example {pair!r} is not KEY=VALUE")
                example.append((k, v))
        else:
            meta[key] = meta.get(key, "") + (" " if key in meta else "") + value.strip()
    known = {p.name for p in params}
    for k, _ in example:
        if k not in known:
            raise ValueError(f"queries/{name}.rq: example names {k!r}, which is not a parameter")
    return NamedQuery(name, meta.get("title", name), meta.get("judul", ""), meta.get("purpose", ""),
                      tuple(params), text, tuple(example))


#: Terms the rules write that imported facts use too: a query naming only these reads facts.
_SHARED_WITH_FACTS = frozenset({"competency", "employee", "position", "scheme", "requiredLevel", "assessedOn",
                                "track", "staleBefore", "minRank", "maxRank"})


@cache
def _concluded() -> re.Pattern[str]:
    from selaras.engine import rules
    from selaras.engine.sparql import split_construct

    terms: set[str] = set()
    for rule in rules.all_rules():
        terms |= set(re.findall(r"sel:(\w+)", split_construct(rule.text)[1]))
    names = sorted(terms - _SHARED_WITH_FACTS, key=len, reverse=True)
    # also the graphs of conclusions, and the effective settings (written by inference)
    return re.compile(r"[:#](?:" + "|".join(names) + r")\b|/graph/inferred/|/id/settings/effective")


def reads_conclusions(text: str) -> bool:
    """Tell whether SPARQL text reads what the rules conclude (gaps, moves, readiness …).

    Commands infer first when it does and the conclusions are stale; a query over facts alone
    needs no inference. The test is by the terms the text names, with any prefix.

    >>> reads_conclusions("PREFIX s: <https://w3id.org/selaras/ontology#> SELECT * { ?g a s:CompetencyGap }")
    True
    >>> reads_conclusions("SELECT ?c { ?c <https://w3id.org/selaras/ontology#code> ?code }")
    False
    """
    return bool(_concluded().search(text))


def names() -> list[str]:
    """List the names of all queries in the library.

    >>> "competency-dictionary" in names()
    True
    """
    return sorted(f.name[:-3] for f in files(__name__).iterdir() if f.name.endswith(".rq"))


def load(name: str) -> NamedQuery:
    """Load one named query.

    Raises:
        NotFoundError: no query has that name (the message lists close matches).
    """
    path = files(__name__) / f"{name}.rq"
    if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
        import difflib

        close = difflib.get_close_matches(name, names(), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "see `selaras query --list`"
        raise NotFoundError(f"no named query {name!r} — {hint}")
    return _parse(name, path.read_text(encoding="utf-8"))


def all_queries() -> list[NamedQuery]:
    """Load every query of the library."""
    return [load(n) for n in names()]
