"""The message catalogue (engine/messages.toml): both languages everywhere, the same placeholders,
and every key the code asks for present."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from selaras.engine import messages

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = [(section, key, entry) for section, keys in messages.catalogue().items() for key, entry in keys.items()]


def _placeholders(value: object) -> set[str]:
    texts = value if isinstance(value, list) else [value]
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(str(text)) if name}


@pytest.mark.parametrize(("section", "key", "entry"), ENTRIES, ids=[f"{s}.{k}" for s, k, _ in ENTRIES])
def test_every_entry_has_both_languages_with_the_same_placeholders(section: str, key: str, entry: dict) -> None:
    assert sorted(entry) == sorted(messages.LANGUAGES)
    assert all(entry[lang] for lang in messages.LANGUAGES), "an empty text"
    assert type(entry["en"]) is type(entry["id"])
    if isinstance(entry["en"], list):
        assert len(entry["en"]) == len(entry["id"])
    assert _placeholders(entry["en"]) == _placeholders(entry["id"])


def _asked() -> set[tuple[str, str]]:
    """Every (section, key) the package asks for with literal arguments: ``text("s", "k", …)``
    and the one-section helpers (``t("k", …)`` of career/views.py)."""
    helpers = {"t": "career"}
    asked = set()
    for path in ROOT.rglob("*.py"):
        if {"tests", "bench", ".venv"} & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            consts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name == "text" and len(consts) >= 2 and node.args[0] is not None:
                asked.add((consts[0], consts[1]))
            elif name in helpers and path.name == "views.py" and consts:
                asked.add((helpers[name], consts[0]))
    return asked


def test_every_text_the_code_asks_for_is_in_the_catalogue() -> None:
    asked = _asked()
    assert len(asked) > 40  # the reader found the calls
    missing = sorted(f"{s}.{k}" for s, k in asked if k not in messages.catalogue().get(s, {}))
    assert missing == []


def test_a_language_other_than_indonesian_reads_english() -> None:
    assert messages.text("career", "step", "fr") == messages.text("career", "step", "en") == "step"
    assert messages.text("career", "step", "id") == "langkah"
