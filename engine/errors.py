"""Errors raised by Selaras.

Every error message says what is wrong and ends with what to do about it. The CLI maps
:class:`InputError` and :class:`UsageError`-like problems to exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class SelarasError(Exception):
    """Base class of every error Selaras raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input: where it is, what is wrong, and the fix.

    >>> str(Problem("positions.csv", 4, "grade", "unknown grade 'Z9'", "use a grade from grades.csv"))
    "positions.csv:4:grade: unknown grade 'Z9' — use a grade from grades.csv"
    """

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.message} — {self.fix}"


class InputError(SelarasError):
    """An input (file, argument, parameter) is invalid; nothing was written."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        if isinstance(problems, str):
            self.problems: list[Problem] = []
            super().__init__(problems)
            return
        self.problems = sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or ""))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; nothing was written:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class StoreError(SelarasError):
    """The store cannot be opened or written."""


class StoreInUseError(StoreError):
    """Another process holds the store open for writing."""


class InconsistentError(SelarasError):
    """The OWL reasoner found the ontology and data inconsistent."""


class QueryError(SelarasError):
    """A SPARQL query or update is malformed or failed."""


class NotFoundError(SelarasError):
    """A named thing (query, rule, position, employee …) does not exist."""


def unknown(what: str, wanted: str, known: Iterable[str], hint: str, *, always: bool = False) -> NotFoundError:
    """The error for a name a registry (rules, named queries, audit checks) does not have.

    It suggests the close matches; ``hint`` is said when there are none, or ``always``.

    >>> str(unknown("rule", "gapp", ["gap", "held-level"], "see `selaras rules`"))
    "no rule 'gapp' — did you mean gap?"
    >>> str(unknown("audit check", "zzz", ["R1-a"], "the checks are: R1-a", always=True))
    "no audit check 'zzz' — the checks are: R1-a"
    """
    import difflib

    close = difflib.get_close_matches(wanted, list(known), n=3)
    guess = f"did you mean {', '.join(close)}?" if close else ""
    return NotFoundError(f"no {what} {wanted!r} — " + (f"{guess} {hint}" if always and guess else guess or hint))
