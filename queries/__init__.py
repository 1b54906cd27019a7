"""The named SPARQL queries: one ``NAME.rq`` file each, with a header that documents it.

Header lines (comments at the top of the file)::

    # title: Competency dictionary by group
    # judul: Kamus kompetensi per kelompok
    # purpose: Every competency with its code, group and labels.
    # param: group (string, one of: core leadership behavioral technical, default: any) — one group
    # param: position (position, required) — the position's code
    # example: position=kepala-lsp group=technical

``default: any`` (or no default) leaves the variable unbound, so the query covers every value;
``required`` makes the command refuse to run without it; ``one of:`` lists the only values
accepted (besides ``any``); ``range: LOW HIGH`` bounds a number (and ``nan`` or ``inf`` are never
numbers); a parameter whose type is a kind of entity (``position``, ``employee`` …) accepts only
an entity of the store, by code or name. ``example`` gives values that make
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
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

import pyoxigraph as ox

from selaras.engine.errors import InputError, Problem, unknown
from selaras.engine.sparql import read_header
from selaras.ontology.namespace import DATA_IRI

_HEADER = ("title", "judul", "purpose", "param", "example")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)((?:,\s*[^,)]+)*)\)\s*(?:—|-)\s*(.*)$")
_CLAUSE = re.compile(r"^(?:one of:\s*(?P<choices>.+)|range:\s*(?P<low>\S+)\s+(?P<high>\S+)|"
                     r"default:\s*(?P<default>.*)|(?P<required>required))$")
#: Parameter types and the RDF terms their values become.
PARAM_TYPES = ("string", "integer", "decimal", "date", "iri", "position", "employee", "competency",
               "scheme", "program", "family", "unit")
#: Parameter types that name an entity of the organisation (``…/id/TYPE/CODE``).
ENTITY_TYPES = frozenset({"position", "employee", "competency", "scheme", "program", "family", "unit"})


@dataclass(frozen=True)
class Param:
    """One parameter of a named query."""

    name: str
    type: str
    default: str | None
    help: str
    required: bool = False
    #: the values it accepts (besides ``any``), when they are a closed list
    choices: tuple[str, ...] = ()
    #: the least and the greatest value of a number (``range: 0 1``), when it has bounds
    bounds: tuple[str, str] | None = None

    def term(self, value: str, *, http: bool = False) -> ox.NamedNode | ox.Literal:
        """Turn a value given on the command line into an RDF term of this parameter's type.

        A value outside :attr:`choices` is refused with the valid ones (``http``: worded for the
        endpoint's query string instead of the command line).

        >>> Param("position", "position", None, "").term("kepala-lsp").value
        'https://w3id.org/selaras/id/position/kepala-lsp'
        >>> print(Param("q", "string", None, "").term('x" } DROP ALL #'))  # a literal, quotes escaped
        "x\\" } DROP ALL #"
        """
        xsd = "http://www.w3.org/2001/XMLSchema#"
        if self.choices:
            chosen = next((c for c in self.choices if c.casefold() == value.strip().casefold()), None)
            if chosen is None:
                raise _param_error(self.name, f"{value!r} is not a valid {self.name}",
                                   f"use one of: {', '.join(self.choices)} (or any), e.g. "
                                   f"{_give(self.name, self.choices[0], http)}", http)
            value = chosen
        try:
            if self.type == "string":
                return ox.Literal(value)
            if self.type == "integer":
                whole = int(value)
                if self.bounds and not int(self.bounds[0]) <= whole <= int(self.bounds[1]):
                    raise ValueError(f"a whole number from {self.bounds[0]} to {self.bounds[1]} is expected")
                return ox.Literal(str(whole), datatype=ox.NamedNode(xsd + "integer"))
            if self.type == "decimal":
                try:  # exactly as written: xsd:decimal has no NaN, no ∞ and no exponent
                    number = Decimal(value.strip())
                except InvalidOperation:
                    raise ValueError("not a number") from None
                if not number.is_finite() or (self.bounds and not Decimal(self.bounds[0]) <= number
                                              <= Decimal(self.bounds[1])):
                    raise ValueError(f"a number from {self.bounds[0]} to {self.bounds[1]} is expected"
                                     if self.bounds else "a finite number is expected")
                return ox.Literal(format(number, "f"), datatype=ox.NamedNode(xsd + "decimal"))
            if self.type == "date":
                from datetime import date

                return ox.Literal(date.fromisoformat(value).isoformat(), datatype=ox.NamedNode(xsd + "date"))
            if self.type == "iri":
                return ox.NamedNode(value)
            from urllib.parse import quote

            return ox.NamedNode(f"{DATA_IRI}{self.type}/{quote(value, safe='')}")
        except (ValueError, ArithmeticError) as err:
            example = self.bounds[0] if self.bounds else f"<{self.type}>"
            raise _param_error(self.name, f"{value!r} is not a valid {self.type} ({err or 'not a number'})",
                               f"give {_give(self.name, example, http)}"
                               + (f" (from {self.bounds[0]} to {self.bounds[1]})" if self.bounds else ""), http) from err


def _give(name: str, value: str, http: bool) -> str:
    """How a parameter value is written: ``--param name=value``, or ``?name=value`` on the endpoint."""
    return f"?{name}={value}" if http else f"--param {name}={value}"


def _param_error(name: str, message: str, fix: str, http: bool = False) -> InputError:
    """A bad parameter value: one line, ``--param:NAME: what is wrong — the fix`` (on the endpoint,
    ``query parameter 'NAME': what is wrong — the fix``)."""
    if http:
        return InputError(f"query parameter {name!r}: {message} — {fix}")
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

    def bindings(self, given: dict[str, str], *, http: bool = False,
                 find: Callable[[str, str], str] | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check the given parameter values and return them (and defaults) as RDF terms.

        Args:
            given: the values by parameter name, as typed.
            http: word errors for the endpoint's query string (``?name=value``).
            find: ``find(kind, value) -> code`` for the parameters that name an entity (a position,
                an employee …): checks that it exists and accepts names as well as codes
                (:func:`selaras.engine.store.names.find`). Without it, entity values are taken as codes.

        Raises:
            InputError: an unknown parameter, a value of the wrong type or outside the
                parameter's choices, or a required one missing.
            NotFoundError: ``find`` found no such entity.
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise _param_error(unknown[0], f"query {self.name!r} has no parameter {unknown[0]!r}",
                               "use one of: " + (", ".join(known) or "(none)"), http)
        out = {}
        for p in self.params:
            value = given.get(p.name, p.default)
            if p.required and value in (None, "", "any"):  # "any" leaves a parameter out: not a required one
                hint = dict(self.example).get(p.name)
                raise _param_error(p.name, f"query {self.name!r} needs the parameter {p.name!r} ({p.help})",
                                   f"give {_give(p.name, f'<{p.type}>', http)}"
                                   + (f", e.g. {_give(p.name, hint, http)}" if hint else ""), http)
            if value is None or value == "any":
                continue
            if find is not None and p.type in ENTITY_TYPES:
                value = find(p.type, value)
            out[p.name] = p.term(value, http=http)
        return out

    def entity_params(self) -> dict[str, str]:
        """The parameters that name an entity of the organisation: {name: kind}."""
        return {p.name: p.type for p in self.params if p.type in ENTITY_TYPES}


def _parse(name: str, text: str) -> NamedQuery:
    meta: dict[str, str] = {}
    params = []
    example: list[tuple[str, str]] = []
    for key, value in read_header(text, _HEADER)[0]:
        if key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise ValueError(f"queries/{name}.rq: malformed param line {value!r}")
            pname, ptype, clauses, phelp = pm.groups()
            if ptype not in PARAM_TYPES:
                raise ValueError(f"queries/{name}.rq: unknown param type {ptype!r}")
            default, required, choices, bounds = None, False, (), None
            for clause in filter(None, (c.strip() for c in clauses.split(","))):
                cm = _CLAUSE.match(clause)
                if cm is None:
                    raise ValueError(f"queries/{name}.rq: param {pname}: unknown clause {clause!r} "
                                     f"(use 'one of: A B C', 'default: X' or 'required')")
                default = cm["default"].strip() if cm["default"] is not None else default
                required = required or bool(cm["required"])
                choices = tuple(cm["choices"].split()) if cm["choices"] else choices
                bounds = (cm["low"], cm["high"]) if cm["low"] is not None else bounds
            if default not in (None, "any") and choices and default not in choices:
                raise ValueError(f"queries/{name}.rq: param {pname}: default {default!r} is not one of its choices")
            params.append(Param(pname, ptype, default, phelp.strip(), required=required, choices=choices,
                                bounds=bounds))
        elif key == "example":
            for pair in value.split():
                k, sep, v = pair.partition("=")
                if not sep:
                    raise ValueError(f"queries/{name}.rq: example {pair!r} is not KEY=VALUE")
                example.append((k, v))
        else:
            meta[key] = f"{meta[key]} {value}" if key in meta else value
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
        raise unknown("named query", name, names(), "see `selaras query --list`")
    return _parse(name, path.read_text(encoding="utf-8"))


def all_queries() -> list[NamedQuery]:
    """Load every query of the library."""
    return [load(n) for n in names()]
