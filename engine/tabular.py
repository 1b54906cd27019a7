"""The tabular import format (a folder of CSV files, or one XLSX sheet per file), declared.

Each :class:`Table` names its file, its columns (type, required or not, what a reference
points at) and how one row becomes triples. The importer, the README's format table,
the template workbook and the tests all derive from :data:`TABLES`; nothing else knows
the format. The mapping to RDF is written out in ``README.md`` ("Import format").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from selaras.engine.types import TripleTuple
from selaras.ontology.namespace import DATA_IRI, SEL

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")

#: What a code (an identifier in the first column) may look like.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@functools.cache  # one node per term: an import calls this for every triple it makes
def sel(term: str) -> ox.NamedNode:
    """Return the ``sel:`` term as an Oxigraph node (``AttributeError`` if unknown).

    >>> sel("Position").value
    'https://w3id.org/selaras/ontology#Position'
    """
    return ox.NamedNode(str(getattr(SEL, term)))


def entity(kind: str, *codes: str) -> ox.NamedNode:
    """Mint the IRI of an organisation entity from its kind and code(s).

    >>> entity("requirement", "staf-sertifikasi-c8", "INT").value
    'https://w3id.org/selaras/id/requirement/staf-sertifikasi-c8/INT'
    """
    return ox.NamedNode(DATA_IRI + "/".join((kind, *codes)))


def integer(value: int) -> ox.Literal:
    """Return an ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def typed(value: str, xsd_type: str) -> ox.Literal:
    """Return a literal of an XML Schema datatype (``date``, ``decimal``, ``boolean`` …)."""
    return ox.Literal(value, datatype=ox.NamedNode(XSD + xsd_type))


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` is one of ``code`` (an identifier), ``text``, ``int``, ``decimal``, ``date``,
    ``bool``, ``choice`` (one of ``choices``) or ``ref`` (the code of a ``ref`` entity).
    """

    name: str
    kind: str = "text"
    required: bool = False
    ref: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    help: str = ""


Row = dict[str, object]
Emit = Callable[[Row], list[TripleTuple]]


@dataclass(frozen=True)
class Table:
    """One file of the format: its columns, the entity it describes and its triples."""

    file: str
    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    emit: Emit
    help: str
    #: Tables whose entities this one refers to must be read first.
    order: int = 0

    @property
    def sheet(self) -> str:
        """The XLSX sheet name of this table."""
        return self.file.removesuffix(".csv")

    def column(self, name: str) -> Column:
        """Return one column by name."""
        return next(c for c in self.columns if c.name == name)

    def node(self, row: Row) -> ox.NamedNode:
        """Return the IRI a row describes."""
        return entity(self.kind, *(str(row[k]) for k in self.key))


PROVENANCE = (
    Column("source", help="where the row comes from, in words"),
    Column("illustrative", "bool", help="true when the row is not a fact of the source"),
)

GROUPS = {
    "core": "CoreCompetency",
    "leadership": "LeadershipCompetency",
    "behavioral": "BehavioralCompetency",
    "technical": "TechnicalCompetency",
}
TRACKS = {"managerial": "ManagerialTrack", "specialist": "SpecialistTrack"}
METHODS = {
    "classroom": "ClassroomTraining",
    "job_assignment": "JobAssignment",
    "coaching_mentoring": "CoachingAndMentoring",
    "self_directed": "SelfDirectedStudy",
}
SETTINGS = {
    "reference_date": "referenceDate",
    "stale_after_months": "staleAfterMonths",
    "expiry_warning_days": "expiryWarningDays",
    "max_lateral_grade_steps": "maxLateralGradeSteps",
}


def _labels(row: Row, prop: ox.NamedNode = RDFS_LABEL) -> list[tuple[ox.NamedNode, ox.Literal]]:
    out = []
    for col, lang in (("label_en", "en"), ("label_id", "id")):
        if row.get(col):
            out.append((prop, ox.Literal(str(row[col]), language=lang)))
    if row.get("label"):
        out.append((prop, ox.Literal(str(row["label"]))))
    return out


def _definitions(row: Row, en: str, id_: str) -> list[tuple[ox.NamedNode, ox.Literal]]:
    prop = ox.NamedNode(SKOS + "definition")
    return [
        (prop, ox.Literal(str(row[c]), language=lang))
        for c, lang in ((en, "en"), (id_, "id"))
        if row.get(c)
    ]


def _settings(row: Row) -> list:
    key, value = str(row["key"]), str(row["value"])
    s = entity("settings")
    prop = sel(SETTINGS[key])
    literal = typed(value, "date") if key == "reference_date" else integer(int(value))
    return [(s, RDF_TYPE, sel("Settings")), (s, prop, literal)]


def _scale(row: Row) -> list:
    s = entity("scale", str(row["scale"]))
    return [(s, RDF_TYPE, sel("ProficiencyScale"))] + [(s, p, o) for p, o in _labels(row)]


def _level(row: Row) -> list:
    scale = entity("scale", str(row["scale"]))
    lv = entity("scale", str(row["scale"]), "level", str(row["rank"]))
    return [
        (scale, sel("hasLevel"), lv),
        (lv, RDF_TYPE, sel("ProficiencyLevel")),
        (lv, sel("scale"), scale),
        (lv, sel("rank"), integer(int(row["rank"]))),  # type: ignore[call-overload]
        *((lv, p, o) for p, o in _labels(row)),
        *((lv, p, o) for p, o in _definitions(row, "definition_en", "definition_id")),
    ]


def _competency(row: Row) -> list:
    c = entity("competency", str(row["code"]))
    dictionary = entity("dictionary")
    return [
        (c, RDF_TYPE, sel(GROUPS[str(row["group"])])),
        (c, ox.NamedNode(SKOS + "inScheme"), dictionary),
        (dictionary, RDF_TYPE, sel("CompetencyDictionary")),
        (c, sel("scale"), entity("scale", str(row["scale"]))),
        *((c, p, o) for p, o in _labels(row)),
        *((c, p, o) for p, o in _labels(row, ox.NamedNode(SKOS + "prefLabel"))),
        *((c, p, o) for p, o in _definitions(row, "definition_en", "definition_id")),
    ]


def _descriptor(row: Row) -> list:
    c = entity("competency", str(row["competency"]))
    d = entity("competency", str(row["competency"]), "descriptor", str(row["level"]))
    return [
        (c, sel("levelDescriptor"), d),
        (d, RDF_TYPE, sel("LevelDescriptor")),
        (d, sel("competency"), c),
        (d, sel("descriptorLevel"), integer(int(row["level"]))),  # type: ignore[call-overload]
        *((d, p, o) for p, o in _definitions(row, "indicator_en", "indicator_id")),
    ]


def _simple(kind: str, cls: str) -> Emit:
    def emit(row: Row) -> list:
        node = entity(kind, str(row[kind]))
        return [(node, RDF_TYPE, sel(cls)), *((node, p, o) for p, o in _labels(row))]

    return emit


def _grade(row: Row) -> list:
    g = entity("grade", str(row["grade"]))
    label = [(g, RDFS_LABEL, ox.Literal(str(row.get("label") or row["grade"])))]
    return [(g, RDF_TYPE, sel("Grade")), (g, sel("rank"), integer(int(row["rank"]))), *label]  # type: ignore[call-overload]


def _unit(row: Row) -> list:
    u = entity("unit", str(row["unit"]))
    out = [(u, RDF_TYPE, sel("OrganisationalUnit")), *((u, p, o) for p, o in _labels(row))]
    if row.get("parent"):
        out.append((u, sel("parentUnit"), entity("unit", str(row["parent"]))))
    return out


def _position(row: Row) -> list:
    p = entity("position", str(row["position"]))
    out = [
        (p, RDF_TYPE, sel("Position")),
        (p, RDFS_LABEL, ox.Literal(str(row["label"]))),
        (p, sel("grade"), entity("grade", str(row["grade"]))),
        (p, sel("jobFamily"), entity("family", str(row["family"]))),
        (p, sel("track"), sel(TRACKS[str(row["track"])])),
    ]
    if row.get("unit"):
        out.append((p, sel("unit"), entity("unit", str(row["unit"]))))
    if row.get("reports_to"):
        out.append((p, sel("reportsTo"), entity("position", str(row["reports_to"]))))
    return out


def _requirement(row: Row) -> list:
    r = entity("requirement", str(row["position"]), str(row["competency"]))
    out = [
        (r, RDF_TYPE, sel("Requirement")),
        (r, sel("position"), entity("position", str(row["position"]))),
        (r, sel("competency"), entity("competency", str(row["competency"]))),
        (r, sel("requiredLevel"), integer(int(row["level"]))),  # type: ignore[call-overload]
    ]
    if row.get("importance") is not None:
        out.append((r, sel("importance"), typed(str(row["importance"]), "decimal")))
    return out


def _scheme(row: Row) -> list:
    s = entity("scheme", str(row["scheme"]))
    out = [(s, RDF_TYPE, sel("CertificationScheme")), (s, RDFS_LABEL, ox.Literal(str(row["label"])))]
    if row.get("headcount") is not None:
        out.append((s, sel("headcount"), integer(int(row["headcount"]))))  # type: ignore[call-overload]
    if row.get("recognised_by"):
        out.append((s, sel("recognisedBy"), entity("authority", str(row["recognised_by"]))))
    if row.get("proposed_by"):
        out.append((s, sel("proposedBy"), entity("unit", str(row["proposed_by"]))))
    return out


def _coverage(owner_kind: str, owner_prop: str, cls: str) -> Emit:
    def emit(row: Row) -> list:
        owner = entity(owner_kind, str(row[owner_kind]))
        node = entity(owner_kind, str(row[owner_kind]), "competency", str(row["competency"]))
        return [
            (owner, sel(owner_prop), node),
            (node, RDF_TYPE, sel(cls)),
            (node, sel("competency"), entity("competency", str(row["competency"]))),
            (node, sel("level"), integer(int(row["level"]))),  # type: ignore[call-overload]
        ]

    return emit


def _program(row: Row) -> list:
    p = entity("program", str(row["program"]))
    out = [
        (p, RDF_TYPE, sel("TrainingProgram")),
        (p, sel("method"), sel(METHODS[str(row["method"])])),
        *((p, pr, o) for pr, o in _labels(row)),
    ]
    if row.get("hours") is not None:
        out.append((p, sel("hours"), typed(str(row["hours"]), "decimal")))
    if row.get("prepares_for"):
        out.append((p, sel("preparesFor"), entity("scheme", str(row["prepares_for"]))))
    return out


def _employee(row: Row) -> list:
    e = entity("employee", str(row["employee"]))
    return [
        (e, RDF_TYPE, sel("Employee")),
        (e, RDFS_LABEL, ox.Literal(str(row["name"]))),
        (e, sel("holdsPosition"), entity("position", str(row["position"]))),
    ]


def _assessment(row: Row) -> list:
    a = entity("assessment", str(row["employee"]), str(row["competency"]), str(row["date"]))
    out = [
        (a, RDF_TYPE, sel("Assessment")),
        (a, sel("employee"), entity("employee", str(row["employee"]))),
        (a, sel("competency"), entity("competency", str(row["competency"]))),
        (a, sel("assessedLevel"), integer(int(row["level"]))),  # type: ignore[call-overload]
        (a, sel("assessedOn"), typed(str(row["date"]), "date")),
    ]
    if row.get("method"):
        out.append((a, sel("assessmentMethod"), ox.Literal(str(row["method"]))))
    return out


def _certification(row: Row) -> list:
    c = entity("certification", str(row["employee"]), str(row["scheme"]), str(row["issued"]))
    out = [
        (c, RDF_TYPE, sel("Certification")),
        (c, sel("employee"), entity("employee", str(row["employee"]))),
        (c, sel("scheme"), entity("scheme", str(row["scheme"]))),
        (c, sel("issuedOn"), typed(str(row["issued"]), "date")),
    ]
    if row.get("expires"):
        out.append((c, sel("expiresOn"), typed(str(row["expires"]), "date")))
    return out


def _cols(*columns: Column) -> tuple[Column, ...]:
    return (*columns, *PROVENANCE)


LABELS = (Column("label_en", required=True), Column("label_id"))
LEVEL = Column("level", "int", required=True, help="a rank on the competency's scale")

#: The tables of the import format, in the order they are read.
TABLES: tuple[Table, ...] = (
    Table(
        "settings.csv", "settings",
        _cols(Column("key", "choice", True, choices={k: k for k in SETTINGS}), Column("value", required=True)),
        ("key",), _settings, "policy settings: the data's as-of date and the audit windows",
    ),
    Table("scales.csv", "scale", _cols(Column("scale", "code", True), *LABELS), ("scale",), _scale,
          "a proficiency scale"),
    Table(
        "levels.csv", "level",
        _cols(Column("scale", "ref", True, ref="scale"), Column("rank", "int", True), *LABELS,
              Column("definition_en"), Column("definition_id")),
        ("scale", "rank"), _level, "the levels of a scale, any count, starting at any rank",
    ),
    Table(
        "competencies.csv", "competency",
        _cols(Column("code", "code", True), Column("group", "choice", True, choices=GROUPS), *LABELS,
              Column("definition_en"), Column("definition_id"),
              Column("scale", "ref", True, ref="scale")),
        ("code",), _competency, "the competency dictionary",
    ),
    Table(
        "descriptors.csv", "descriptor",
        _cols(Column("competency", "ref", True, ref="competency"), LEVEL,
              Column("indicator_en", required=True), Column("indicator_id")),
        ("competency", "level"), _descriptor, "behavioural indicators of a competency at a level",
    ),
    Table("grades.csv", "grade", _cols(Column("grade", "code", True), Column("rank", "int", True), Column("label")),
          ("grade",), _grade, "the grade ladder (higher rank = more senior)"),
    Table("families.csv", "family", _cols(Column("family", "code", True), *LABELS), ("family",),
          _simple("family", "JobFamily"), "job families (rumpun jabatan)"),
    Table("units.csv", "unit",
          _cols(Column("unit", "code", True), *LABELS, Column("parent", "ref", ref="unit")),
          ("unit",), _unit, "organisational units"),
    Table(
        "positions.csv", "position",
        _cols(Column("position", "code", True), Column("label", required=True),
              Column("grade", "ref", True, ref="grade"), Column("family", "ref", True, ref="family"),
              Column("track", "choice", True, choices=TRACKS), Column("unit", "ref", ref="unit"),
              Column("reports_to", "ref", ref="position")),
        ("position",), _position, "positions (jabatan) with grade, job family, track and unit",
    ),
    Table(
        "requirements.csv", "requirement",
        _cols(Column("position", "ref", True, ref="position"),
              Column("competency", "ref", True, ref="competency"), LEVEL,
              Column("importance", "decimal")),
        ("position", "competency"), _requirement, "the level each position requires of a competency",
    ),
    Table("authorities.csv", "authority", _cols(Column("authority", "code", True), *LABELS),
          ("authority",), _simple("authority", "CertificationAuthority"),
          "authorities that recognise schemes (e.g. BNSP)"),
    Table(
        "schemes.csv", "scheme",
        _cols(Column("scheme", "code", True), Column("label", required=True), Column("headcount", "int"),
              Column("recognised_by", "ref", ref="authority"), Column("proposed_by", "ref", ref="unit")),
        ("scheme",), _scheme, "certification schemes of the LSP",
    ),
    Table(
        "scheme_competencies.csv", "scheme_competency",
        _cols(Column("scheme", "ref", True, ref="scheme"),
              Column("competency", "ref", True, ref="competency"), LEVEL),
        ("scheme", "competency"), _coverage("scheme", "certifies", "SchemeCompetency"),
        "what each scheme certifies, up to which level",
    ),
    Table(
        "programs.csv", "program",
        _cols(Column("program", "code", True), *LABELS, Column("method", "choice", True, choices=METHODS),
              Column("hours", "decimal"), Column("prepares_for", "ref", ref="scheme")),
        ("program",), _program, "training programmes of the corporate university",
    ),
    Table(
        "program_competencies.csv", "program_competency",
        _cols(Column("program", "ref", True, ref="program"),
              Column("competency", "ref", True, ref="competency"), LEVEL),
        ("program", "competency"), _coverage("program", "develops", "ProgramCompetency"),
        "what each programme develops, to which level",
    ),
    Table(
        "employees.csv", "employee",
        _cols(Column("employee", "code", True), Column("name", required=True),
              Column("position", "ref", True, ref="position")),
        ("employee",), _employee, "employees and their current position",
    ),
    Table(
        "assessments.csv", "assessment",
        _cols(Column("employee", "ref", True, ref="employee"),
              Column("competency", "ref", True, ref="competency"), LEVEL,
              Column("date", "date", True), Column("method")),
        ("employee", "competency", "date"), _assessment, "assessed competency levels of employees",
    ),
    Table(
        "certifications.csv", "certification",
        _cols(Column("employee", "ref", True, ref="employee"), Column("scheme", "ref", True, ref="scheme"),
              Column("issued", "date", True), Column("expires", "date")),
        ("employee", "scheme", "issued"), _certification, "certifications held by employees",
    ),
)

TABLES_BY_FILE: dict[str, Table] = {t.file: t for t in TABLES}
TABLES_BY_SHEET: dict[str, Table] = {t.sheet: t for t in TABLES}
#: The entity kinds a ``ref`` column may point at, with the class their nodes carry.
REF_CLASSES: dict[str, str] = {
    "scale": "ProficiencyScale",
    "competency": "Competency",
    "grade": "Grade",
    "family": "JobFamily",
    "unit": "OrganisationalUnit",
    "position": "Position",
    "authority": "CertificationAuthority",
    "scheme": "CertificationScheme",
    "program": "TrainingProgram",
    "employee": "Employee",
}


def parse_cell(column: Column, raw: str) -> tuple[object | None, str | None]:
    """Parse one cell; return ``(value, None)`` or ``(None, "what is wrong — fix")``.

    >>> parse_cell(Column("level", "int"), "4")
    (4, None)
    >>> parse_cell(Column("level", "int"), "four")
    (None, "'four' is not a whole number — write the level as a number such as 3")
    """
    text = raw.strip()
    if text == "":
        return None, None
    kind = column.kind
    if kind in {"code", "ref"}:
        if not CODE_PATTERN.match(text):
            return None, (
                f"{text!r} is not a valid code — use letters, digits, '-', '_' or '.', "
                f"starting with a letter or digit, no spaces"
            )
        return text, None
    if kind == "int":
        try:
            return int(text), None
        except ValueError:
            return None, f"{text!r} is not a whole number — write the {column.name} as a number such as 3"
    if kind == "decimal":
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None, f"{text!r} is not a number — write the {column.name} as a number such as 0.5"
        if not value.is_finite():
            return None, f"{text!r} is not a finite number — write a number such as 0.5"
        if value and not -30 <= value.adjusted() <= 30:
            return None, f"{text!r} is out of range — write a number such as 0.5"
        return format(value, "f"), None  # xsd:decimal has no exponent: 1E-2 is stored as 0.01
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, f"{text!r} is not a date — write it as YYYY-MM-DD, e.g. 2025-03-31"
    if kind == "bool":
        lowered = text.lower()
        if lowered in {"true", "yes", "1", "y"}:
            return True, None
        if lowered in {"false", "no", "0", "n"}:
            return False, None
        return None, f"{text!r} is not true or false — write true or false"
    if kind == "choice":
        if text not in column.choices:
            return None, f"{text!r} is not allowed — use one of: {', '.join(column.choices)}"
        return text, None
    return text, None


def write_template(path: str, rows: Mapping[str, list[list[object]]] | None = None) -> None:
    """Write an XLSX workbook with one sheet per table (header row) and a README sheet.

    Args:
        path: the ``.xlsx`` file to write.
        rows: optional data rows per file name (``"positions.csv": [[…], …]``), in column order.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "README"
    about.append(["sheet", "column", "required", "type", "meaning"])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for table in TABLES:
        about.append([table.sheet, "", "", "", table.help])
        for c in table.columns:
            kind = c.kind if c.kind != "ref" else f"code of a {c.ref}"
            if c.kind == "choice":
                kind = "one of: " + ", ".join(c.choices)
            about.append(["", c.name, "yes" if c.required else "", kind, c.help])
    for table in TABLES:
        ws = wb.create_sheet(table.sheet)
        ws.append([c.name for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in (rows or {}).get(table.file, []):
            ws.append(row)
    wb.save(path)
