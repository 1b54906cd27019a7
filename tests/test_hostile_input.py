"""Bad input, catalogued: every kind of bad file gets its exact error and leaves the store as it was.

Each case is one file in one of the five formats (CSV, XLSX, Turtle, JSON-LD, RDF/XML), imported
into a copy of the mini organisation's store through the CLI. The error must name the file, the
row or line, the column where there is one, what is wrong and how to fix it (the expected text
is the whole ``file:row:column: what — fix`` line or its distinctive part), the exit code must
be 2, and the store's content must be byte for byte what it was (its N-Quads dump, sorted).
A few files that look odd but are fine (byte-order marks, CRLF line ends) must import.

No case touches the network: a guard makes any connection attempt fail the test.
"""

from __future__ import annotations

import io
import resource
import socket
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import selaras

from .conftest import content

SEL = "https://w3id.org/selaras/ontology#"
ID = "https://w3id.org/selaras/id/"
TTL_PREFIXES = f"@prefix sel: <{SEL}> .\n@base <{ID}> .\n"
RDF_XML_HEAD = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                f'xmlns:sel="{SEL}">\n')


@dataclass(frozen=True)
class Case:
    """One kind of bad input: the file, its content, and the texts the error must carry."""

    id: str
    file: str
    data: bytes | str | Callable[[Path], None]
    expect: str | tuple[str, ...]

    def write(self, folder: Path) -> Path:
        path = folder / self.file
        if callable(self.data):
            self.data(path)
        else:
            path.write_bytes(self.data if isinstance(self.data, bytes) else self.data.encode("utf-8"))
        return path


# --- XLSX builders ---------------------------------------------------------------------
def _workbook(sheets: dict[str, list[list[object]]], tweak: Callable | None = None) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
        if tweak:
            tweak(wb)
        wb.save(path)
    return build


def _rewrite_xlsx(build: Callable[[Path], None], change: Callable[[str, bytes], bytes]) -> Callable[[Path], None]:
    """Build a workbook, then rewrite the XML parts of its zip (as a hostile tool would)."""
    def rebuild(path: Path) -> None:
        build(path)
        parts = {}
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                parts[info] = change(info.filename, z.read(info.filename))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in parts.items():
                z.writestr(info, data)
    return rebuild


def _zip_bomb(path: Path) -> None:
    """A 300 KB workbook whose sheet unpacks to 300 MiB of blanks."""
    _workbook({"families": [["family", "label_en"], ["hr", "HR"]]})(path)
    with (zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
          z.open("xl/worksheets/padding.xml", "w", force_zip64=True) as member):
        chunk = b" " * (1 << 20)
        for _ in range(300):
            member.write(chunk)


def _sparse(size: int) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        with open(path, "wb") as f:
            f.truncate(size)  # a sparse file: no disk used, but stat() says 1 GiB
    return build


FAMILIES_HEADER = ["family", "label_en"]
STRAY_FORMATTED_CELL = _workbook(
    {"families": [FAMILIES_HEADER, ["hr", "Human resources"], ["it", "IT", None, "stray"]]},
    tweak=lambda wb: setattr(wb["families"]["XFD1048576"], "number_format", "0.00"))

LOL = ("<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
       + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10))
       + "]>\n")

CASES = [
    # --- CSV: encoding and shape -------------------------------------------------------
    Case("csv-latin1", "families.csv", "family,label_en\nhr,Personalia K\xe9uangan\n".encode("latin-1"),
         ("families.csv:2: byte 0xe9 is not valid UTF-8 — save the file as UTF-8 (CSV UTF-8 in spreadsheet programs)")),
    Case("csv-utf16", "families.csv", "family,label_en\nhr,Personalia\n".encode("utf-16"),
         ("families.csv:1: the file is UTF-16 encoded — save the file as UTF-8")),
    Case("csv-utf16-without-bom", "families.csv", "family,label_en\nhr,Personalia\n".encode("utf-16-le"),
         ("families.csv:1: the file contains NUL bytes (binary data, or UTF-16 without a byte-order mark) — "
          "export the table as a plain-text CSV in UTF-8")),
    Case("csv-empty-file", "families.csv", "",
         ("families.csv: the file is empty — add a header row: family, label_en, label_id")),
    Case("csv-missing-column", "requirements.csv", "position,competency\nops-staff,TA\n",
         ("requirements.csv:1:level: required column 'level' is missing — add the column to the header row")),
    Case("csv-extra-column", "families.csv", "family,label_en,colour\nhr,HR,blue\n",
         ("families.csv:1:colour: unknown column 'colour' — remove it or rename it to one of:")),
    Case("csv-column-twice", "families.csv", "family,label_en,label_en\nhr,HR,SDM\n",
         ("families.csv:1: a column name appears twice — keep one column of each name")),
    Case("csv-extra-field", "families.csv", "family,label_en\nhr,HR,extra\n",
         ("families.csv:2: 3 fields, but the header has 2 — remove the extra fields or quote values that "
          "contain commas")),
    Case("csv-unclosed-quote", "employees.csv", 'employee,name,position\ne8,Ani,ops-staff\n"e9,Dewi,ops-staff\n',
         ("employees.csv:3: malformed CSV: unexpected end of data — check the quoting from that line on")),
    Case("csv-stray-quote", "employees.csv", 'employee,name,position\ne9,"Dewi" Sari,ops-staff\n',
         ("employees.csv:2: malformed CSV: ',' expected after '\"'")),
    Case("csv-huge-field", "families.csv", "family,label_en\nhr,\"" + "x" * 200_000 + "\"\n",
         ("families.csv:2: malformed CSV: field larger than field limit")),
    Case("csv-unknown-table", "salaries.csv", "employee,amount\ne1,10\n",
         ("salaries.csv: unknown table file name 'salaries.csv' — name it one of:")),
    Case("csv-empty-required-value", "employees.csv", "employee,name,position\ne9,,ops-staff\n",
         ("employees.csv:2:name: name is empty — fill in the name")),
    # --- CSV: values -------------------------------------------------------------------
    Case("csv-level-above-scale", "requirements.csv", "position,competency,level\nops-staff,TA,9\n",
         ("requirements.csv:2:level: level 9 is outside the scale of TA (0–6) — use a level from 0 to 6")),
    Case("csv-level-below-scale", "assessments.csv", "employee,competency,level,date\ne1,TB,-1,2026-01-01\n",
         ("assessments.csv:2:level: level -1 is outside the scale of TB (0–6) — use a level from 0 to 6")),
    Case("csv-non-numeric-level", "requirements.csv", "position,competency,level\nops-staff,TA,three\n",
         ("requirements.csv:2:level: 'three' is not a whole number — write the level as a number such as 3")),
    Case("csv-fractional-level", "requirements.csv", "position,competency,level\nops-staff,TA,2.5\n",
         ("requirements.csv:2:level: '2.5' is not a whole number — write the level as a number such as 3")),
    Case("csv-future-date", "assessments.csv", "employee,competency,level,date\ne1,TB,2,2031-01-01\n",
         ("assessments.csv:2:date: 2031-01-01 is after the data's reference date 2026-06-30 — correct the date, "
          "or set reference_date in settings.csv")),
    Case("csv-unparseable-date", "assessments.csv", "employee,competency,level,date\ne1,TB,2,31/01/2025\n",
         ("assessments.csv:2:date: '31/01/2025' is not a date — write it as YYYY-MM-DD, e.g. 2025-03-31")),
    Case("csv-impossible-date", "certifications.csv", "employee,scheme,issued\ne3,sch1,2025-02-30\n",
         ("certifications.csv:2:issued: '2025-02-30' is not a date — write it as YYYY-MM-DD")),
    Case("csv-bad-reference-date", "settings.csv", "key,value\nreference_date,soon\n",
         ("settings.csv:2:value: 'soon' is not a date — write it as YYYY-MM-DD")),
    Case("csv-negative-setting", "settings.csv", "key,value\nstale_after_months,-3\n",
         ("settings.csv:2:value: '-3' is negative — use 0 or more")),
    Case("csv-negative-headcount", "schemes.csv", "scheme,label,headcount\nsch9,Scheme Nine,-5\n",
         ("schemes.csv:2:headcount: headcount -5 is negative — use 0 or more")),
    Case("csv-decimal-out-of-range", "requirements.csv", "position,competency,level,importance\nops-staff,TA,3,1e999999\n",
         "requirements.csv:2:importance: '1e999999' is out of range — write a number such as 0.5"),
    Case("csv-unknown-competency", "requirements.csv", "position,competency,level\nops-staff,XX,2\n",
         ("requirements.csv:2:competency: unknown competency 'XX' — use a competency defined in competencies.csv "
          "or add it there")),
    Case("csv-unknown-position", "employees.csv", "employee,name,position\ne9,Dewi,nowhere\n",
         ("employees.csv:2:position: unknown position 'nowhere' — use a position defined in positions.csv")),
    Case("csv-grade-not-in-list", "positions.csv", "position,label,grade,family,track\nx1,X,Z9,ops,specialist\n",
         ("positions.csv:2:grade: unknown grade 'Z9' — use a grade defined in grades.csv or add it there")),
    Case("csv-duplicate-id", "employees.csv", "employee,name,position\ne9,Dewi,ops-staff\ne9,Eko,ops-mgr\n",
         ("employees.csv:3:employee: duplicate employee 'e9' (first at", "— keep one row per employee")),
    Case("csv-position-in-two-families", "positions.csv",
         "position,label,grade,family,track\nx1,X,G1,ops,specialist\nx1,X,G1,fin,specialist\n",
         ("positions.csv:3:position: duplicate position 'x1'", "— keep one row per position")),
    Case("csv-code-with-space", "families.csv", "family,label_en\nhuman resources,HR\n",
         ("families.csv:2:family: 'human resources' is not a valid code — use letters, digits")),
    Case("csv-bad-choice", "positions.csv", "position,label,grade,family,track\nx1,X,G1,ops,manager\n",
         ("positions.csv:2:track: 'manager' is not allowed — use one of: managerial, specialist")),
    Case("csv-reports-to-cycle", "positions.csv",
         "position,label,grade,family,track,reports_to\na,A,G1,ops,specialist,b\nb,B,G2,ops,managerial,a\n",
         ("positions.csv:2:reports_to: reports_to forms a cycle: a → b → a — break the cycle so that some "
          "position has no reports_to")),
    Case("csv-cycle-with-the-store", "positions.csv",
         "position,label,grade,family,track,reports_to\nops-mgr,Operations Manager,G3,ops,managerial,ops-staff\n",
         ("positions.csv:2:reports_to: reports_to forms a cycle: ops-mgr → ops-staff → ops-mgr")),
    Case("csv-unit-parent-cycle", "units.csv", "unit,label_en,parent\nu1,One,u2\nu2,Two,u1\n",
         ("units.csv:2:parent: parent forms a cycle: u1 → u2 → u1")),
    Case("csv-expires-before-issued", "certifications.csv",
         "employee,scheme,issued,expires\ne3,sch1,2025-01-01,2024-01-01\n",
         ("certifications.csv:2:expires: expires 2024-01-01 before it is issued 2025-01-01 — swap or correct the "
          "dates")),
    Case("csv-1gib-sparse", "assessments.csv", _sparse(1 << 30),
         ("assessments.csv: the file is 1024 MiB, over the 256 MiB limit — split it into smaller files")),
    # --- XLSX --------------------------------------------------------------------------
    Case("xlsx-merged-cells", "book.xlsx",
         _workbook({"families": [FAMILIES_HEADER, ["hr", "HR"], ["it", "IT"]]},
                   tweak=lambda wb: wb["families"].merge_cells("A2:A3")),
         ("book.xlsx[families]:A2:A3: merged cells — unmerge the cells and repeat the value in every row")),
    Case("xlsx-formula", "book.xlsx", _workbook({"families": [FAMILIES_HEADER, ["hr", '=CONCAT("H","R")']]}),
         ("book.xlsx[families]:2:B: a formula (=CONCAT(\"H\",\"R\")) — paste the computed value instead of the "
          "formula")),
    Case("xlsx-unknown-sheet", "book.xlsx", _workbook({"salaries": [["employee", "amount"], ["e1", 10]]}),
         ("book.xlsx[salaries]: unknown sheet 'salaries' — name sheets as:")),
    Case("xlsx-level-above-scale", "book.xlsx",
         _workbook({"requirements": [["position", "competency", "level"], ["ops-staff", "TA", 9]]}),
         ("book.xlsx[requirements]:2:level: level 9 is outside the scale of TA (0–6) — use a level from 0 to 6")),
    Case("xlsx-missing-column", "book.xlsx", _workbook({"employees": [["employee", "name"], ["e9", "Dewi"]]}),
         ("book.xlsx[employees]:1:position: required column 'position' is missing")),
    Case("xlsx-grade-not-in-list", "book.xlsx",
         _workbook({"positions": [["position", "label", "grade", "family", "track"], ["x1", "X", "Z9", "ops",
                                                                                     "specialist"]]}),
         ("book.xlsx[positions]:2:grade: unknown grade 'Z9'")),
    Case("xlsx-not-a-workbook", "book.xlsx", "family,label_en\nhr,HR\n",
         ("book.xlsx: not a readable XLSX workbook (File is not a zip file) — save it as an Excel .xlsx workbook")),
    Case("xlsx-empty-file", "book.xlsx", b"",
         ("book.xlsx: not a readable XLSX workbook", "save it as an Excel .xlsx workbook")),
    Case("xlsx-external-entity", "book.xlsx",
         _rewrite_xlsx(_workbook({"families": [FAMILIES_HEADER, ["hr", "XXX"]]}),
                       lambda name, data: (b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                           + data.replace(b"XXX", b"&x;")) if b"XXX" in data else data),
         ("book.xlsx: the workbook's XML declares a DTD or entities", "which Selaras refuses",
          "save it again as .xlsx")),
    Case("xlsx-zip-bomb", "book.xlsx", _zip_bomb,
         ("book.xlsx: the workbook unpacks to 300 MiB, over the 256 MiB limit — split it into smaller workbooks")),
    Case("xlsx-stray-cell-far-away", "book.xlsx", STRAY_FORMATTED_CELL,
         ("book.xlsx[families]:3: 4 fields, but the header has 2")),
    # --- Turtle ------------------------------------------------------------------------
    Case("ttl-syntax-error", "extra.ttl", TTL_PREFIXES + "<family/hr> a sel:JobFamily ;\n  sel:code \"hr\" \n",
         ("extra.ttl:5:1: Turtle syntax error: Parser error at line 5 column 1: Triples should be followed by a dot", "fix the syntax at that place")),
    Case("ttl-undeclared-prefix", "extra.ttl", "s:a s:b 1 .\n",
         ("extra.ttl:1:1: Turtle syntax error: ", "The prefix s: has not been declared")),
    Case("ttl-iri-with-space", "extra.ttl", f"<{ID}family/human resources> a <{SEL}JobFamily> .\n",
         ("extra.ttl:1:1: Turtle syntax error: ", "Invalid IRI code point ' '")),
    Case("ttl-utf16", "extra.ttl", (TTL_PREFIXES + "<family/hr> a sel:JobFamily .\n").encode("utf-16"),
         ("extra.ttl:1: the file is UTF-16 encoded — save the file as UTF-8")),
    Case("ttl-latin1", "extra.ttl", (TTL_PREFIXES + '<family/hr> a sel:JobFamily ; sel:code "K\xe9" .\n')
         .encode("latin-1"), ("extra.ttl:3:42: byte 0xe9 is not valid UTF-8 — save the file as UTF-8")),
    Case("ttl-empty-file", "extra.ttl", "",
         ("extra.ttl: the file holds no RDF statements — check it is the file you meant to import")),
    Case("ttl-position-in-two-families", "extra.ttl",
         TTL_PREFIXES + "\n<position/ops-staff> sel:jobFamily <family/fin> .\n",
         ("extra.ttl:4:jobFamily: Operations Officer",
          ("<https://w3id.org/selaras/id/position/ops-staff>: A position needs exactly one job family, one of the "
           "families in families.csv — Fix the family column in positions.csv."))),
    Case("ttl-grade-not-a-grade", "extra.ttl",
         TTL_PREFIXES + "<position/x1> a sel:Position ; sel:code \"x1\" ; sel:grade <grade/Z9> ;\n"
                        "  sel:jobFamily <family/ops> ; sel:track sel:SpecialistTrack ; "
                        "<http://www.w3.org/2000/01/rdf-schema#label> \"X\" .\n",
         ("extra.ttl:3:grade: X <https://w3id.org/selaras/id/position/x1>: A position needs exactly one grade, "
          "one of the grades in grades.csv")),
    Case("ttl-competency-in-two-groups", "extra.ttl",
         TTL_PREFIXES + "\n\n<competency/TA> a sel:CoreCompetency .\n",
         ("extra.ttl:5:type: ", "A competency must be in exactly one group")),
    Case("ttl-level-outside-scale", "extra.ttl",
         TTL_PREFIXES + "<requirement/ops-staff/TC> a sel:Requirement ; sel:code \"ops-staff/TC\" ;\n"
                        "  sel:position <position/ops-staff> ; sel:competency <competency/TC> ; "
                        "sel:requiredLevel 9 .\n",
         ("extra.ttl:3:", "outside the competency's scale (0–6)")),
    Case("ttl-reports-to-cycle", "extra.ttl", TTL_PREFIXES + "<position/ops-mgr> sel:reportsTo <position/ops-staff> .\n",
         ("extra.ttl:3:reportsTo: sel:reportsTo forms a cycle: ops-mgr → ops-staff → ops-mgr — break the cycle")),
    Case("ttl-1gib-sparse", "extra.ttl", _sparse(1 << 30),
         ("extra.ttl: the file is 1024 MiB, over the 256 MiB limit")),
    # --- JSON-LD -----------------------------------------------------------------------
    Case("jsonld-syntax-error", "extra.jsonld", '{\n  "@id": "https://w3id.org/selaras/id/family/hr",\n  "@type": \n',
         ("extra.jsonld:4:1: JSON-LD syntax error", "Unexpected end of file")),
    Case("jsonld-empty-file", "extra.jsonld", "", ("extra.jsonld:1:1: JSON-LD syntax error")),
    Case("jsonld-remote-context", "extra.jsonld",
         '{\n  "@context": "https://schema.org/",\n  "@id": "https://w3id.org/selaras/id/family/hr",\n'
         '  "name": "HR"\n}\n',
         (("extra.jsonld:2:@context: the @context is a remote document (https://schema.org/), which Selaras does "
           "not fetch"), "copy the context into the file")),
    Case("jsonld-iri-with-space", "extra.jsonld",
         '{\n  "@id": "https://w3id.org/selaras/id/family/human resources",\n'
         '  "@type": "https://w3id.org/selaras/ontology#JobFamily"\n}\n',
         ("extra.jsonld:2:@id: IRI with white space 'https://w3id.org/selaras/id/family/human resources' — "
          "percent-encode spaces (%20)")),
    Case("jsonld-term-dropped-silently", "extra.jsonld",
         '{\n  "@id": "https://w3id.org/selaras/id/family/hr",\n'
         '  "@type": "https://w3id.org/selaras/ontology#JobFamily",\n  "label": "Human resources"\n}\n',
         ("extra.jsonld:4:label: property 'label' is neither an IRI nor defined in an @context, so a JSON-LD "
          "reader would drop it without a word")),
    Case("jsonld-position-in-two-families", "extra.jsonld",
         '{"@id": "https://w3id.org/selaras/id/position/ops-staff",\n'
         ' "https://w3id.org/selaras/ontology#jobFamily": {"@id": "https://w3id.org/selaras/id/family/fin"}}\n',
         ("extra.jsonld:1:jobFamily: ", "A position needs exactly one job family")),
    # --- RDF/XML -----------------------------------------------------------------------
    Case("rdfxml-billion-laughs", "extra.rdf",
         '<?xml version="1.0"?>\n' + LOL + RDF_XML_HEAD + "<rdf:Description rdf:about=\"https://e.org/a\">"
         "<sel:code>&lol9;</sel:code></rdf:Description></rdf:RDF>\n",
         ("extra.rdf:2:1: the RDF/XML declares a DOCTYPE or entities, which Selaras refuses (entity expansion and "
          "external entities are unsafe) — remove the DOCTYPE")),
    Case("rdfxml-external-entity", "extra.rdf",
         '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + RDF_XML_HEAD
         + '<rdf:Description rdf:about="https://e.org/a"><sel:code>&x;</sel:code></rdf:Description></rdf:RDF>\n',
         ("extra.rdf:2:1: the RDF/XML declares a DOCTYPE or entities, which Selaras refuses")),
    Case("rdfxml-truncated", "extra.rdf",
         RDF_XML_HEAD + f'<rdf:Description rdf:about="{ID}family/hr">\n  <sel:code>hr</sel:code>\n',
         ("extra.rdf:4:1: not well-formed XML: no element found — fix the XML there (a file that ends early was "
          "cut off: export it again)")),
    Case("rdfxml-mismatched-tag", "extra.rdf",
         RDF_XML_HEAD + f'<rdf:Description rdf:about="{ID}family/hr">\n  <sel:code>hr</sel:label>\n'
         "</rdf:Description></rdf:RDF>\n",
         ("extra.rdf:3:", "not well-formed XML: mismatched tag")),
    Case("rdfxml-iri-with-space", "extra.rdf",
         RDF_XML_HEAD + f'<rdf:Description rdf:about="{ID}family/human resources">\n'
         "  <sel:code>hr</sel:code>\n</rdf:Description></rdf:RDF>\n",
         ("extra.rdf: RDF/XML syntax error: error while parsing IRI", "Invalid IRI code point ' '")),
    Case("rdfxml-utf16", "extra.rdf", ('<?xml version="1.0" encoding="UTF-16"?>\n' + RDF_XML_HEAD
                                       + "</rdf:RDF>\n").encode("utf-16"),
         ("extra.rdf:1: the file is UTF-16 encoded — save the file as UTF-8")),
    Case("rdfxml-empty-file", "extra.rdf", "",
         ("extra.rdf:1:1: not well-formed XML: no element found")),
    Case("rdfxml-grade-not-a-grade", "extra.rdf",
         RDF_XML_HEAD + f'<rdf:Description rdf:about="{ID}position/ops-staff">\n'
         f'  <sel:grade rdf:resource="{ID}family/ops"/>\n</rdf:Description></rdf:RDF>\n',
         ("extra.rdf:2:grade: Operations Officer (Operasional) (G1) <https://w3id.org/selaras/id/position/ops-staff>: "
          "A position needs exactly one grade")),
]

# files that look unusual but are well formed: they must import
GOOD = [
    Case("csv-utf8-bom", "families.csv", b"\xef\xbb\xbffamily,label_en\nhr,Human resources\n", ()),
    Case("csv-crlf", "families.csv", b"family,label_en\r\nhr,Human resources\r\n", ()),
    Case("csv-quoted-comma-and-newline", "families.csv", 'family,label_en\nhr,"Human resources, ""HR""\nand more"\n',
         ()),
    Case("ttl-utf8-bom", "extra.ttl", b"\xef\xbb\xbf" + (TTL_PREFIXES + '<family/hr> a sel:JobFamily ; '
                                                         'sel:code "hr" .\n').encode(), ()),
    Case("jsonld-utf8-bom-and-context", "extra.jsonld",
         b"\xef\xbb\xbf" + ('{"@context": {"sel": "' + SEL + '", "code": "sel:code"},\n'
                            ' "@id": "' + ID + 'family/hr", "@type": "sel:JobFamily", "code": "hr"}\n').encode(), ()),
    Case("rdfxml-utf8-bom", "extra.rdf", b"\xef\xbb\xbf" + (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + RDF_XML_HEAD + f'<sel:JobFamily rdf:about="{ID}family/hr">'
        '<sel:code>hr</sel:code></sel:JobFamily></rdf:RDF>\n').encode(), ()),
    Case("xlsx-stray-formatted-empty-cell", "book.xlsx",
         _workbook({"families": [FAMILIES_HEADER, ["hr", "Human resources"]]},
                   tweak=lambda wb: setattr(wb["families"]["XFD1048576"], "number_format", "0.00")), ()),
]




@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any attempt to reach the network (a remote JSON-LD context must not be fetched)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted during an import test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield
    assert not attempts, f"the import tried to reach the network: {attempts}"


def test_the_catalogue_covers_every_format_and_thirty_kinds() -> None:
    kinds = {c.id for c in CASES}
    assert len(kinds) == len(CASES) >= 30
    suffixes = {Path(c.file).suffix for c in CASES}
    assert {".csv", ".xlsx", ".ttl", ".jsonld", ".rdf"} <= suffixes


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_its_error_and_the_store_is_unchanged(cli, store, tmp_path, case: Case) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = case.write(folder)
    before = content(store)
    result = cli("--store", store, "import", str(bad))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "nothing was written" in result.stderr
    for text in (case.expect,) if isinstance(case.expect, str) else case.expect:
        assert text in result.stderr, result.stderr
    assert content(store) == before


@pytest.mark.parametrize("case", GOOD, ids=[c.id for c in GOOD])
def test_unusual_but_valid_files_import(cli, store, tmp_path, case: Case) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = case.write(folder)
    result = cli("--store", store, "import", str(good))
    assert result.exit_code == 0, result.stderr
    with selaras.open(store, read_only=True) as org:
        labels = org.query(f"SELECT ?code WHERE {{ <{ID}family/hr> <{SEL}code> ?code }}").rows
    assert [r["code"].value for r in labels] == ["hr"]


def test_a_quoted_value_keeps_its_commas_quotes_and_line_break(store, tmp_path) -> None:
    case = next(c for c in GOOD if c.id == "csv-quoted-comma-and-newline")
    folder = tmp_path / "in"
    folder.mkdir()
    with selaras.open(store) as org:
        org.import_paths([case.write(folder)])
        rows = org.query(f"SELECT ?l WHERE {{ <{ID}family/hr> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
    assert [r["l"].value for r in rows.rows] == ['Human resources, "HR"\nand more']


def test_a_decimal_with_an_exponent_is_stored_as_a_valid_xsd_decimal(store, tmp_path) -> None:
    reqs = tmp_path / "requirements.csv"
    reqs.write_text("position,competency,level,importance\nops-staff,TA,3,1E-2\n", encoding="utf-8")
    with selaras.open(store) as org:
        org.import_paths([reqs])
        rows = org.query(f"SELECT ?i WHERE {{ <{ID}requirement/ops-staff/TA> <{SEL}importance> ?i }}").rows
    assert [(r["i"].value, r["i"].datatype.value) for r in rows] == [
        ("0.01", "http://www.w3.org/2001/XMLSchema#decimal")]


def test_a_one_gib_file_is_refused_without_reading_it(cli, store, tmp_path) -> None:
    big = tmp_path / "assessments.csv"
    _sparse(1 << 30)(big)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    result = cli("--store", store, "import", str(big))
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.exit_code == 2 and "over the 256 MiB limit" in result.stderr
    assert grown < 100 * 1024, f"the peak memory grew by {grown} KiB"


def test_every_problem_in_a_hostile_jsonld_file_is_listed(cli, store, tmp_path) -> None:
    bad = tmp_path / "extra.jsonld"
    bad.write_text('{"@context": ["https://schema.org/", {"sel": "' + SEL + '"}],\n'
                   ' "@graph": [\n  {"@id": "' + ID + 'family/a b", "sel:code": "ab"},\n'
                   '  {"@id": "' + ID + 'family/c", "title": "C"}\n ]}\n', encoding="utf-8")
    result = cli("--store", store, "import", str(bad))
    assert result.exit_code == 2
    for where in ("extra.jsonld:1:@context: the @context is a remote document",
                  "extra.jsonld:3:@id: IRI with white space", "extra.jsonld:4:title: property 'title'"):
        assert where in result.stderr, result.stderr


def test_a_cycle_that_only_the_store_holds_does_not_block_imports(store, tmp_path) -> None:
    with selaras.open(store) as org:  # a cycle written behind the importer's back
        org.store.update(f"INSERT DATA {{ GRAPH <https://w3id.org/selaras/graph/facts> {{ "
                         f"<{ID}position/ops-mgr> <{SEL}reportsTo> <{ID}position/ops-staff> }} }}")
    fine = tmp_path / "families.csv"
    fine.write_text("family,label_en\nhr,HR\n", encoding="utf-8")
    with selaras.open(store) as org:
        assert org.import_paths([fine]).rows == 1


def _xlsx_bytes(build: Callable[[Path], None], tmp: Path) -> bytes:
    path = tmp / "x.xlsx"
    build(path)
    return path.read_bytes()


def test_the_zip_bomb_is_small_on_disk(tmp_path) -> None:
    data = _xlsx_bytes(_zip_bomb, tmp_path)
    assert len(data) < 2 * 2**20
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sum(i.file_size for i in z.infolist()) > 300 * 2**20
