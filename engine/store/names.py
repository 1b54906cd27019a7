"""Find the entity a user means: by code, by name, by a part of a name, or by a number.

Every command that takes a position, an employee, a competency, a scheme or a programme
understands the same forms, here:

- the code, exactly (``E0013``, ``kepala-lsp``), or ignoring case, or with spaces for dashes
  (``Kepala LSP``);
- the code's numbers as numbers (``E13`` is ``E0013``);
- the title or name, ignoring case (``Manager Sertifikasi`` — when several positions carry it,
  the error lists them with their codes);
- a part of a name (``Siti``): never a guess — the error lists every match.

What is not found gets close matches and the exact command that lists the valid values.

>>> names = {"E0013": ["Siti Hakim"], "E0213": ["Budi Santoso"], "E0004": ["Siti Rahma"]}
>>> choose("employee", "e13", names)
'E0013'
>>> choose("employee", "siti hakim", names)
'E0013'
>>> choose("employee", "Siti", names)
Traceback (most recent call last):
...
selaras.engine.errors.InputError: 'Siti' is part of the names of 2 employees: E0004 (Siti Rahma), E0013 (Siti Hakim) — give the id of the one you mean
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

import pyoxigraph as ox

from selaras.engine.errors import InputError, NotFoundError
from selaras.engine.store.base import FACTS_GRAPH
from selaras.engine.store.dataset import Dataset
from selaras.ontology.namespace import DATA_IRI, SEL_IRI

#: The kinds of entity users name, as in their IRIs (``…/id/KIND/CODE``) and in query parameters.
KINDS = ("position", "employee", "competency", "scheme", "program", "family", "unit", "grade")
#: What the user is told to run to see the valid values of a kind.
LISTING = "selaras query entities --param kind={kind}"


def listing(kind: str) -> str:
    """The command that lists the codes and names of a kind of entity."""
    return LISTING.format(kind=kind)


def _numbers(text: str) -> str:
    """A code with its numbers as numbers (``E0013`` and ``e13`` both give ``e13``)."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), text.casefold())


def choose(kind: str, name: str, names: Mapping[str, Sequence[str]],
           describe: Callable[[str], str] | None = None, hint: str | None = None) -> str:
    """Return the code of the one entity of ``names`` ({code: [names…]}) that ``name`` means.

    Raises:
        InputError: the name (or a part of one) fits several entities; the message lists them.
        NotFoundError: nothing fits; the message gives close matches and the listing command.
    """
    def show(code: str) -> str:
        if describe is not None:
            return describe(code)
        first = next((n for n in names.get(code, ()) if n), None)
        return f"{code} ({first})" if first and first != code else code

    wanted = name.strip()
    if wanted in names:
        return wanted
    folded = wanted.casefold()
    dashed = re.sub(r"\s+", "-", folded)  # "verifikator pmr" names verifikator-pmr
    for fits in (lambda c: c.casefold() in (folded, dashed),
                 lambda c: bool(re.search(r"\d", wanted)) and _numbers(c) == _numbers(wanted)):
        found = [c for c in names if fits(c)]
        if len(found) == 1:
            return found[0]
    by_name = sorted({c for c, ns in names.items() if any(n and n.casefold() == folded for n in ns)})
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        raise InputError(f"{name!r} names {len(by_name)} {kind}s: {', '.join(show(c) for c in by_name)} "
                         f"— give the id of the one you mean")
    words = folded.split()
    partial = sorted({c for c, ns in names.items()
                      if words and any(all(w in n.casefold() for w in words) for n in ns if n)})
    if partial:
        shown = ", ".join(show(c) for c in partial[:10]) + (f" and {len(partial) - 10} more" if len(partial) > 10 else "")
        raise InputError(f"{name!r} is part of the names of {len(partial)} {kind}"
                         f"{'s' if len(partial) > 1 else ''}: {shown} — give the id of the one you mean")
    vocabulary: dict[str, str] = {}
    for code, ns in names.items():
        vocabulary.setdefault(code.casefold(), code)
        for n in ns:
            if n:
                vocabulary.setdefault(n.casefold(), code)
    close = difflib.get_close_matches(folded, list(vocabulary), n=8, cutoff=0.6)
    codes = list(dict.fromkeys(vocabulary[m] for m in close))[:5]
    listed = hint or f"`{listing(kind)}` lists them"
    raise NotFoundError(f"no {kind} {name!r}" + (f" — did you mean {', '.join(show(c) for c in codes)}? "
                                                 f"({listed})" if codes else f" — {listed}"))


def iri(kind: str, code: str) -> str:
    """The IRI of an entity of the organisation.

    >>> iri("position", "kepala-lsp")
    'https://w3id.org/selaras/id/position/kepala-lsp'
    """
    return f"{DATA_IRI}{kind}/{quote(code, safe='')}"


def exists(store: Dataset, node: str) -> bool:
    """Tell whether the store states anything about a node (a valid IRI; False for text that is not one)."""
    try:
        subject = ox.NamedNode(node)
    except ValueError:
        return False
    return next(store.match(subject, None, None), None) is not None


def of_kind(store: Dataset, kind: str) -> dict[str, list[str]]:
    """Every entity of a kind in the store's facts: {code: [its names or titles, in any language]}."""
    prefix = f"{DATA_IRI}{kind}/"
    rows = store.query(
        "SELECT ?code ?name WHERE { GRAPH <%s> { ?x <%scode> ?code . "
        "OPTIONAL { ?x <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } "
        "FILTER(STRSTARTS(STR(?x), \"%s\")) } }" % (FACTS_GRAPH, SEL_IRI, prefix)).rows
    out: dict[str, list[str]] = {}
    for row in rows:
        names = out.setdefault(row["code"].value, [])
        if row["name"] is not None and row["name"].value not in names:
            names.append(row["name"].value)
    return out


def find(store: Dataset, kind: str, name: str) -> str:
    """Return the code of the entity of a kind that ``name`` means in the store (see :func:`choose`).

    The code itself is looked up directly; only other forms read the kind's names.
    """
    if name.strip() and exists(store, iri(kind, name.strip())):
        return name.strip()
    return choose(kind, name, of_kind(store, kind))
