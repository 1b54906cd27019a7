"""The Jinja2 templates of the pages: the audit report, the career map (HTML and SVG), the query page.

The templates live in ``engine/templates/``; :func:`render` fills one in. The Python side
decides what a page shows (rows, numbers, texts in the page's language) and passes plain
values; the template holds the markup. Every ``{{ value }}`` is HTML-escaped by Jinja
(autoescape), so no code escapes by hand. A value that is markup already (the career map's
SVG, from its own template) is passed as ``markupsafe.Markup`` by its caller, with a comment
that says why it is safe; JSON for a ``<script>`` goes through Jinja's ``tojson`` filter, which writes ``<``,
``>``, ``&`` and ``'`` as ``\\u`` escapes, so no text can close the script. A name the
template uses and the caller did not pass is an error, not an empty string.

Block tags on a line of their own leave no trace in the output (``trim_blocks`` and
``lstrip_blocks``); a line that starts with ``{#- #}`` continues the line before it.

jinja2 is imported on the first render, not with this module: a command that writes no page
does not pay for it.

>>> render("query_page.html.j2").startswith("<!doctype html>")
True
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

#: The folder of the templates, in the ``selaras.engine`` package.
FOLDER = "templates"


@cache
def environment() -> jinja2.Environment:
    """The one environment every page is rendered with (made on first use)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("selaras.engine", FOLDER),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    # tojson: keep the pages' non-ASCII text as it is (the JSON is UTF-8, like the page) and
    # the keys in the order the code built them; ``<``, ``>``, ``&`` and ``'`` are escaped anyway
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False}
    return env


def render(name: str, /, **context: Any) -> str:
    """Fill in the template ``name`` (a file of ``engine/templates/``) with ``context``."""
    return environment().get_template(name).render(**context)
