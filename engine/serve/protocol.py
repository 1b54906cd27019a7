"""What the SPARQL 1.1 Protocol asks of an answer: formats and their negotiation, replies, refusals.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", SOLUTION_FORMATS).name
'json'
>>> negotiate("text/html", GRAPH_FORMATS) is None
True
"""


from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

#: Prefixes written into Turtle and JSON-LD answers. Not the organisation's ``…/id/``: its IRIs
#: have paths (``id/settings/effective``), whose slashes a prefixed name must escape (``id:settings\/…``).

PREFIXES = {
    "sel": "https://w3id.org/selaras/ontology#",
    "rule": "https://w3id.org/selaras/rule/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
}

@dataclass(frozen=True)
class Format:
    """One answer format: the short name, the media type sent, and what else selects it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    def matches(self, requested: str) -> bool:
        """Tell whether a media type or a ``format=`` short name names this format."""
        requested = requested.lower()
        return requested == self.media_type or requested in self.aliases


#: Formats for SELECT and ASK, in order of preference when the client accepts anything.
SOLUTION_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json", "json")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "xml")),
    Format("csv", "text/csv", ("csv",)),
    Format("tsv", "text/tab-separated-values", ("tsv",)),
)
#: Formats for CONSTRUCT and DESCRIBE, in order of preference.
GRAPH_FORMATS = (
    Format("ttl", "text/turtle", ("application/x-turtle", "turtle", "ttl")),
    Format("nt", "application/n-triples", ("text/plain", "nt", "ntriples", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/json", "jsonld", "json-ld", "json")),
    Format("xml", "application/rdf+xml", ("application/xml", "text/xml", "rdf", "rdfxml", "xml")),
)
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
                "xml": ox.RdfFormat.RDF_XML}


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """Pick the format the ``Accept`` header prefers; the first one when it accepts anything.

    The most specific matching media range gives a format its quality (RFC 9110 §12.5.1);
    ties go to the client's order, then to ours. ``None`` means nothing offered is acceptable.

    >>> negotiate(None, GRAPH_FORMATS).name
    'ttl'
    >>> negotiate("application/rdf+xml, text/*;q=0.1", GRAPH_FORMATS).name
    'xml'
    >>> negotiate("text/csv;q=0", SOLUTION_FORMATS[2:3]) is None
    True
    """
    if not accept or not accept.strip():
        return formats[0]
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q, position))
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for order, fmt in enumerate(formats):
        match = None  # (specificity, q, position)
        for media, q, position in ranges:
            major = fmt.media_type.split("/")[0]
            if fmt.matches(media) and "/" in media:
                specificity = 2
            elif media == f"{major}/*":
                specificity = 1
            elif media == "*/*":
                specificity = 0
            else:
                continue
            if match is None or specificity > match[0]:
                match = (specificity, q, position)
        if match is None or match[1] <= 0:
            continue
        score = (match[1], match[0], -match[2], -order)
        if best is None or score > best:
            best, chosen = score, fmt
    return chosen


def pick_format(accept: str | None, requested: str | None, formats: Sequence[Format]) -> Format | None:
    """Use a ``format=`` (or ``output=``) parameter when it names one of the formats, else negotiate.

    >>> pick_format("text/csv", "json", SOLUTION_FORMATS).name
    'json'
    """
    if requested:
        for fmt in formats:
            if fmt.matches(requested):
                return fmt
    return negotiate(accept, formats)



@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def text_reply(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode(), tuple(headers))



def content_type_of(fmt: Format) -> str:
    charset = "; charset=utf-8" if fmt.media_type.startswith("text/") else ""
    return fmt.media_type + charset


#: Bodies over the limit but under this size are read (and dropped) before the 413 answer.
DRAIN_LIMIT = 16 * 1024 * 1024


def too_large(size: int, limit: int) -> Reply:
    return text_reply(413, f"the request body has {size} bytes, more than the server's --max-body of {limit} — "
                           f"send a shorter query, or restart the server with a larger --max-body")


def no_service() -> Reply:
    return text_reply(403, "SERVICE (a federated query) is refused: this endpoint does not send requests to other "
                           "servers — query each server yourself, or load its data into the store")


def not_acceptable(formats: Sequence[Format]) -> Reply:
    offered = ", ".join(f.media_type for f in formats)
    return text_reply(406, f"none of the formats in Accept fits this answer — accept one of: {offered}")


def too_many(limit: int, what: str) -> Reply:
    return text_reply(422, f"the answer has more than {limit} {what}, the server's --max-rows — "
                           f"add LIMIT/OFFSET or narrow the query, or restart the server with a larger --max-rows")



_IRI_AT = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:\-])", re.IGNORECASE)


def uses_service(text: str) -> bool:
    """Tell whether SPARQL text calls another server (``SERVICE``), outside strings, IRIs and comments.

    Oxigraph runs ``SERVICE`` by sending HTTP requests from this machine: from an endpoint that
    would let any client (or any web page, through the client's browser) reach addresses only
    this machine can. Escapes (``\\u0053ERVICE``) are undone first, as the SPARQL parser does.

    >>> uses_service("SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service('SELECT * WHERE { ?s ?p "customer service" } # no SERVICE here')
    False
    """
    def unescape(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    text = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", unescape, text)
    code, i = [], 0
    while i < len(text):
        ch = text[i]
        if text.startswith(("'''", '"""'), i):
            quote, i = text[i:i + 3], i + 3
            while i < len(text) and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += 3
        elif ch in "'\"":
            i += 1
            while i < len(text) and text[i] not in (ch, "\n"):
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif ch == "<" and (iri := _IRI_AT.match(text, i)):
            i = iri.end()
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
        else:
            code.append(ch)
            i += 1
            continue
        code.append(" ")  # what was skipped separates the words around it
    return bool(_SERVICE.search("".join(code)))


