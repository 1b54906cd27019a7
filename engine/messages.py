"""Every text Selaras shows a reader, in English and Indonesian: one catalogue, ``messages.toml``.

The catalogue has a section per place the texts are shown (``career``, ``audit``, ``explain``
…); each entry holds both languages. A language other than ``id`` reads English.

>>> text("career", "path", "id", n=1, moves=2, effort="3.50")
'Jalur 1 · 2 langkah · upaya 3.50'
>>> texts("demo", "en")["conclusion_columns"]
['class', 'count']
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

#: The languages of the catalogue; every entry has both.
LANGUAGES = ("en", "id")

CATALOGUE = Path(__file__).with_name("messages.toml")


@functools.cache
def catalogue() -> dict[str, dict[str, dict[str, Any]]]:
    """The whole catalogue: section → key → language → text (or a list of texts)."""
    with CATALOGUE.open("rb") as file:
        return tomllib.load(file)


def language(lang: str) -> str:
    """The catalogue's language for ``lang``: ``id`` for Indonesian, else ``en``."""
    return "id" if lang == "id" else "en"


def text(section: str, key: str, lang: str, **kwargs: object) -> str:
    """One text of a section in a language, its ``{placeholders}`` filled in from ``kwargs``."""
    found = str(catalogue()[section][key][language(lang)])
    return found.format(**kwargs) if kwargs else found


@functools.cache
def texts(section: str, lang: str) -> dict[str, Any]:
    """Every text of a section in one language, by key (not filled in)."""
    return {key: entry[language(lang)] for key, entry in catalogue()[section].items()}
