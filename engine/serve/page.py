"""The query page that ``selaras serve`` shows at ``/``: one self-contained HTML document.

No CDN, no external script or style: it works offline and under the page's Content-Security-
Policy. It lists the named queries (from ``/queries``) on the left; a click loads a query's
text and a field per parameter. Run sends the named query with its parameters to
``/queries/NAME`` (the server binds them as typed RDF terms) while its text is unchanged,
and the text to ``/sparql`` once it is edited. SELECT answers show as a table; other formats
as text, with a download link. Every value is written with ``textContent``, never as HTML.

The markup, style and script are in ``templates/query_page.html.j2``.
"""

from __future__ import annotations

from selaras.engine import templating

#: The page, rendered once from ``templates/query_page.html.j2`` (it has no variables: the
#: named queries come from ``/queries`` when the page loads).
PAGE: str = templating.render("query_page.html.j2")
