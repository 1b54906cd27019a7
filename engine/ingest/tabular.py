"""The tabular import format (a folder of CSV files, or one XLSX sheet per file), declared.

Each :class:`Table` names its file, its columns (type, required or not, what a reference
points at) and how one row becomes triples. The importer, the README's format table,
the template workbook and the tests all derive from :data:`TABLES`; nothing else knows
the format. The mapping to RDF is written out in ``README.md`` ("Import format").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

import pyoxigraph as ox

from selaras.engine.rules.settings import READINESS_SCOPES
from selaras.engine.types import TripleTuple
from selaras.ontology.namespace import (  # the vocabulary, re-exported for the tables below
    DATA_IRI, DCT_SOURCE, RDF_TYPE, RDFS_LABEL, SKOS, XSD, entity, sel,
)

#: What a code (an identifier in the first column) may look like.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Column:
    """One column of a table.

    ``kind`` is one of ``code`` (an identifier), ``text``, ``int``, ``decimal``, ``date``,
    ``bool``, ``choice`` (one of ``choices``), ``choices`` (several of ``choices``, separated by
    spaces) or ``ref`` (the code of a ``ref`` entity). ``term`` is the ``sel:`` property the
    column states, for the columns a row may mark as illustrative (``illustrative_columns``).
    """

    name: str
    kind: str = "text"
    required: bool = False
    ref: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    help: str = ""
    term: str | None = None


Row = dict[str, object]
#: One triple as N-Triples terms (``<iri>``, ``"text"@en``, ``"3"^^<…#integer>``).
TextTriple = tuple[str, str, str]
Emit = Callable[[Row], list[TextTriple]]


@dataclass(frozen=True)
class Table:
    """One file of the format: its columns, the entity it describes and its triples.

    ``emit`` maps a parsed row to triples written as N-Triples terms: an import of millions
    of rows writes them as text straight into the store, making no Python object per term.
    """

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

    def text_triples(self, row: Row) -> list[TextTriple]:
        """Return every triple of a row, its code and provenance included, as N-Triples terms."""
        triples = self.emit(row)
        if self.kind != "settings":
            node = triples[1][0] if self.kind in _LINKED_KINDS else triples[0][0]
            # key columns hold codes, whole numbers and ISO dates: nothing to escape
            triples.append((node, _CODE, '"' + "/".join([str(row[k]) for k in self.key]) + '"'))
            source = row.get("source")
            if source:
                triples.append((node, _SOURCE, nt_literal(str(source))))
            if row.get("illustrative"):
                triples.append((node, _ILLUSTRATIVE, _TRUE))
            if row.get("illustrative_columns"):  # a source's row with some made-up columns
                terms = self.column("illustrative_columns").choices
                marked = cast("Iterable[str]", row["illustrative_columns"])  # parsed as a choices column
                triples += [(node, _ILLUSTRATIVE_PROPERTY, _T[terms[c]]) for c in marked]
        elif row.get("illustrative"):  # each row of the settings is one statement of the settings node
            triples.append((triples[0][0], _ILLUSTRATIVE_PROPERTY, _T[SETTINGS[str(row["key"])]]))
        return triples

    def triples(self, row: Row) -> list[TripleTuple]:
        """Return every triple of a row as Oxigraph terms (what :meth:`text_triples` writes).

        >>> t = TABLES_BY_FILE["families.csv"].triples({"family": "hr", "label_en": "HR"})
        >>> [str(o) for _, _, o in t]
        ['<https://w3id.org/selaras/ontology#JobFamily>', '"HR"@en', '"hr"']
        """
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in self.text_triples(row))
        return [(t.subject, t.predicate, t.object) for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


# --- N-Triples terms ------------------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nt_literal(text: str, language: str | None = None) -> str:
    r"""Write a plain (or language-tagged) literal in N-Triples syntax.

    >>> print(nt_literal('a "b"\\c\nd', "en"))
    "a \"b\"\\c\nd"@en
    """
    out = '"' + text.translate(_ESCAPES) + '"'
    return out + "@" + language if language else out


def nt_typed(text: str, xsd_type: str) -> str:
    """Write a literal of an XML Schema datatype in N-Triples syntax."""
    return '"' + text.translate(_ESCAPES) + '"^^<' + XSD + xsd_type + ">"


def nt_integer(value: object) -> str:
    """Write an ``xsd:integer`` literal in N-Triples syntax."""
    return '"' + str(int(value)) + '"^^<' + XSD + "integer>"  # type: ignore[call-overload]


def nt_entity(kind: str, *codes: str) -> str:
    """Write the IRI of an organisation entity (codes are checked against :data:`CODE_PATTERN`)."""
    return "<" + DATA_IRI + "/".join((kind, *codes)) + ">"


@functools.cache
def nt_sel(term: str) -> str:
    """Write a ``sel:`` term in N-Triples syntax (``AttributeError`` if unknown)."""
    return "<" + sel(term).value + ">"


class _Terms(dict):
    """``sel:`` terms in N-Triples syntax by name, each written once (a dict lookup is cheap)."""

    def __missing__(self, name: str) -> str:
        self[name] = nt_sel(name)
        return self[name]


_T = _Terms()
_TYPE = f"<{RDF_TYPE.value}>"
_LABEL = f"<{RDFS_LABEL.value}>"
_DEFINITION = f"<{SKOS}definition>"
_PREF_LABEL = f"<{SKOS}prefLabel>"
_IN_SCHEME = f"<{SKOS}inScheme>"
_SOURCE = f"<{DCT_SOURCE.value}>"
_CODE = nt_sel("code")
_ILLUSTRATIVE = nt_sel("illustrative")
_ILLUSTRATIVE_PROPERTY = nt_sel("illustrativeProperty")
_TRUE = nt_typed("true", "boolean")
#: Kinds whose first triple links an owner to the row's node; the node is the second's subject.
_LINKED_KINDS = frozenset({"scheme_competency", "program_competency", "level", "descriptor"})

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
    "readiness_scope": "readinessScope",
    "min_move_similarity": "minMoveSimilarity",
    "max_moves_per_position": "maxMovesPerPosition",
}
#: Settings whose values are shares from 0 to 1 (``xsd:decimal``); the others are whole numbers.
SHARE_SETTINGS = frozenset({"min_move_similarity"})
#: The values of the settings that are words, not numbers or dates.
#: Which positions the rule readiness scores each employee against (``sel:readinessScope``).
SETTING_CHOICES = {"readiness_scope": READINESS_SCOPES}


def _labels(row: Row, prop: str = _LABEL) -> list[tuple[str, str]]:
    out = []
    for col, lang in (("label_en", "en"), ("label_id", "id")):
        if row.get(col):
            out.append((prop, nt_literal(str(row[col]), lang)))
    if row.get("label"):
        out.append((prop, nt_literal(str(row["label"]))))
    return out


def _definitions(row: Row, en: str, id_: str) -> list[tuple[str, str]]:
    return [
        (_DEFINITION, nt_literal(str(row[c]), lang))
        for c, lang in ((en, "en"), (id_, "id"))
        if row.get(c)
    ]


def _settings(row: Row) -> list:
    key, value = str(row["key"]), str(row["value"])
    s = nt_entity("settings")
    prop = _T[SETTINGS[key]]
    if key == "reference_date":
        literal = nt_typed(value, "date")
    elif key in SETTING_CHOICES:
        literal = nt_literal(value)
    elif key in SHARE_SETTINGS:
        literal = nt_typed(value.strip(), "decimal")
    else:
        literal = nt_integer(int(value))
    return [(s, _TYPE, _T["Settings"]), (s, prop, literal)]


def _scale(row: Row) -> list:
    s = nt_entity("scale", str(row["scale"]))
    return [(s, _TYPE, _T["ProficiencyScale"])] + [(s, p, o) for p, o in _labels(row)]


def _level(row: Row) -> list:
    scale = nt_entity("scale", str(row["scale"]))
    lv = nt_entity("scale", str(row["scale"]), "level", str(row["rank"]))
    return [
        (scale, _T["hasLevel"], lv),
        (lv, _TYPE, _T["ProficiencyLevel"]),
        (lv, _T["scale"], scale),
        (lv, _T["rank"], nt_integer(row["rank"])),
        *((lv, p, o) for p, o in _labels(row)),
        *((lv, p, o) for p, o in _definitions(row, "definition_en", "definition_id")),
    ]


def _competency(row: Row) -> list:
    c = nt_entity("competency", str(row["code"]))
    dictionary = nt_entity("dictionary")
    return [
        (c, _TYPE, _T[GROUPS[str(row["group"])]]),
        (c, _IN_SCHEME, dictionary),
        (dictionary, _TYPE, _T["CompetencyDictionary"]),
        (c, _T["scale"], nt_entity("scale", str(row["scale"]))),
        *((c, p, o) for p, o in _labels(row)),
        *((c, p, o) for p, o in _labels(row, _PREF_LABEL)),
        *((c, p, o) for p, o in _definitions(row, "definition_en", "definition_id")),
    ]


def _descriptor(row: Row) -> list:
    c = nt_entity("competency", str(row["competency"]))
    d = nt_entity("competency", str(row["competency"]), "descriptor", str(row["level"]))
    return [
        (c, _T["levelDescriptor"], d),
        (d, _TYPE, _T["LevelDescriptor"]),
        (d, _T["competency"], c),
        (d, _T["descriptorLevel"], nt_integer(row["level"])),
        *((d, p, o) for p, o in _definitions(row, "indicator_en", "indicator_id")),
    ]


def _simple(kind: str, cls: str) -> Emit:
    def emit(row: Row) -> list:
        node = nt_entity(kind, str(row[kind]))
        return [(node, _TYPE, _T[cls]), *((node, p, o) for p, o in _labels(row))]

    return emit


def _grade(row: Row) -> list:
    g = nt_entity("grade", str(row["grade"]))
    label = [(g, _LABEL, nt_literal(str(row.get("label") or row["grade"])))]
    return [(g, _TYPE, _T["Grade"]), (g, _T["rank"], nt_integer(row["rank"])), *label]


def _unit(row: Row) -> list:
    u = nt_entity("unit", str(row["unit"]))
    out = [(u, _TYPE, _T["OrganisationalUnit"]), *((u, p, o) for p, o in _labels(row))]
    if row.get("parent"):
        out.append((u, _T["parentUnit"], nt_entity("unit", str(row["parent"]))))
    return out


def _position(row: Row) -> list:
    p = nt_entity("position", str(row["position"]))
    out = [
        (p, _TYPE, _T["Position"]),
        (p, _LABEL, nt_literal(str(row["label"]))),
        (p, _T["grade"], nt_entity("grade", str(row["grade"]))),
        (p, _T["jobFamily"], nt_entity("family", str(row["family"]))),
        (p, _T["track"], _T[TRACKS[str(row["track"])]]),
    ]
    if row.get("unit"):
        out.append((p, _T["unit"], nt_entity("unit", str(row["unit"]))))
    if row.get("reports_to"):
        out.append((p, _T["reportsTo"], nt_entity("position", str(row["reports_to"]))))
    return out


def _requirement(row: Row) -> list:
    r = nt_entity("requirement", str(row["position"]), str(row["competency"]))
    out = [
        (r, _TYPE, _T["Requirement"]),
        (r, _T["position"], nt_entity("position", str(row["position"]))),
        (r, _T["competency"], nt_entity("competency", str(row["competency"]))),
        (r, _T["requiredLevel"], nt_integer(row["level"])),
    ]
    if row.get("importance") is not None:
        out.append((r, _T["importance"], nt_typed(str(row["importance"]), "decimal")))
    return out


def _scheme(row: Row) -> list:
    s = nt_entity("scheme", str(row["scheme"]))
    out = [(s, _TYPE, _T["CertificationScheme"]), (s, _LABEL, nt_literal(str(row["label"])))]
    if row.get("headcount") is not None:
        out.append((s, _T["headcount"], nt_integer(row["headcount"])))
    if row.get("recognised_by"):
        out.append((s, _T["recognisedBy"], nt_entity("authority", str(row["recognised_by"]))))
    if row.get("proposed_by"):
        out.append((s, _T["proposedBy"], nt_entity("unit", str(row["proposed_by"]))))
    return out


def _coverage(owner_kind: str, owner_prop: str, cls: str) -> Emit:
    def emit(row: Row) -> list:
        owner = nt_entity(owner_kind, str(row[owner_kind]))
        node = nt_entity(owner_kind, str(row[owner_kind]), "competency", str(row["competency"]))
        return [
            (owner, _T[owner_prop], node),
            (node, _TYPE, _T[cls]),
            (node, _T["competency"], nt_entity("competency", str(row["competency"]))),
            (node, _T["level"], nt_integer(row["level"])),
        ]

    return emit


def _program(row: Row) -> list:
    p = nt_entity("program", str(row["program"]))
    out = [
        (p, _TYPE, _T["TrainingProgram"]),
        (p, _T["method"], _T[METHODS[str(row["method"])]]),
        *((p, pr, o) for pr, o in _labels(row)),
    ]
    if row.get("hours") is not None:
        out.append((p, _T["hours"], nt_typed(str(row["hours"]), "decimal")))
    if row.get("prepares_for"):
        out.append((p, _T["preparesFor"], nt_entity("scheme", str(row["prepares_for"]))))
    return out


def _employee(row: Row) -> list:
    e = nt_entity("employee", str(row["employee"]))
    return [
        (e, _TYPE, _T["Employee"]),
        (e, _LABEL, nt_literal(str(row["name"]))),
        (e, _T["holdsPosition"], nt_entity("position", str(row["position"]))),
    ]


def _assessment(row: Row) -> list:
    emp, comp, day = str(row["employee"]), str(row["competency"]), str(row["date"])
    a = f"<{DATA_IRI}assessment/{emp}/{comp}/{day}>"  # codes and an ISO date: nothing to escape
    out = [
        (a, _TYPE, _T["Assessment"]),
        (a, _T["employee"], f"<{DATA_IRI}employee/{emp}>"),
        (a, _T["competency"], f"<{DATA_IRI}competency/{comp}>"),
        (a, _T["assessedLevel"], nt_integer(row["level"])),
        (a, _T["assessedOn"], f'"{day}"^^<{XSD}date>'),
    ]
    if row.get("method"):
        out.append((a, _T["assessmentMethod"], nt_literal(str(row["method"]))))
    return out


def _certification(row: Row) -> list:
    c = nt_entity("certification", str(row["employee"]), str(row["scheme"]), str(row["issued"]))
    out = [
        (c, _TYPE, _T["Certification"]),
        (c, _T["employee"], nt_entity("employee", str(row["employee"]))),
        (c, _T["scheme"], nt_entity("scheme", str(row["scheme"]))),
        (c, _T["issuedOn"], nt_typed(str(row["issued"]), "date")),
    ]
    if row.get("expires"):
        out.append((c, _T["expiresOn"], nt_typed(str(row["expires"]), "date")))
    return out


def _tenure(row: Row) -> list:
    emp, pos, start = str(row["employee"]), str(row["position"]), str(row["start"])
    t = nt_entity("tenure", emp, pos, start)
    out = [
        (t, _TYPE, _T["Tenure"]),
        (t, _T["employee"], nt_entity("employee", emp)),
        (t, _T["position"], nt_entity("position", pos)),
        (t, _T["startDate"], nt_typed(start, "date")),
    ]
    if row.get("end"):
        out.append((t, _T["endDate"], nt_typed(str(row["end"]), "date")))
    return out


def _cols(*columns: Column) -> tuple[Column, ...]:
    markable = {c.name: c.term for c in columns if c.term}
    if not markable:
        return (*columns, *PROVENANCE)
    return (*columns, *PROVENANCE, Column(
        "illustrative_columns", "choices", choices=markable,
        help="on a row of the source (illustrative false): the columns that are made up, separated by "
             "spaces; each becomes a sel:illustrativeProperty statement"))


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
              Column("grade", "ref", True, ref="grade", term="grade"),
              Column("family", "ref", True, ref="family", term="jobFamily"),
              Column("track", "choice", True, choices=TRACKS, term="track"),
              Column("unit", "ref", ref="unit", term="unit"),
              Column("reports_to", "ref", ref="position", term="reportsTo")),
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
        _cols(Column("scheme", "code", True), Column("label", required=True),
              Column("headcount", "int", term="headcount"),
              Column("recognised_by", "ref", ref="authority", term="recognisedBy"),
              Column("proposed_by", "ref", ref="unit", term="proposedBy")),
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
        "position_history.csv", "tenure",
        _cols(Column("employee", "ref", True, ref="employee"), Column("position", "ref", True, ref="position"),
              Column("start", "date", True, help="the day the employee took up the position"),
              Column("end", "date", help="the day they left it; empty while they hold it")),
        ("employee", "position", "start"), _tenure,
        "position histories: which positions each employee held, and when",
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


def cell_parser(column: Column) -> Callable[[str], tuple[object | None, str | None]]:
    """Return :func:`parse_cell` for one column, with the common kinds specialised (for speed).

    >>> cell_parser(Column("level", "int"))(" 4 ")
    (4, None)
    """
    kind = column.kind
    if kind in {"code", "ref"}:
        match = CODE_PATTERN.match

        def parse_code(raw: str) -> tuple[object | None, str | None]:
            text = raw.strip()
            if text and match(text):
                return text, None
            return parse_cell(column, raw)

        return parse_code
    if kind == "int":
        def parse_int(raw: str) -> tuple[object | None, str | None]:
            try:
                return int(raw), None  # int() ignores surrounding white space, as strip() would
            except ValueError:
                return parse_cell(column, raw)

        return parse_int
    if kind == "date":
        iso = date.fromisoformat

        def parse_date(raw: str) -> tuple[object | None, str | None]:
            try:
                return iso(raw.strip()).isoformat(), None
            except ValueError:
                return parse_cell(column, raw)

        return parse_date
    if kind == "text":
        def parse_text(raw: str) -> tuple[object | None, str | None]:
            text = raw.strip()
            return (text or None), None

        return parse_text
    return functools.partial(parse_cell, column)


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
    if kind == "choices":
        words = text.replace(",", " ").split()
        wrong = [w for w in words if w not in column.choices]
        if wrong:
            return None, f"{wrong[0]!r} is not allowed — use some of: {', '.join(column.choices)}, separated by spaces"
        return tuple(dict.fromkeys(words)), None
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
    assert about is not None  # a new workbook has one sheet
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
            elif c.kind == "choices":
                kind = "some of (spaces between): " + ", ".join(c.choices)
            about.append(["", c.name, "yes" if c.required else "", kind, c.help])
    for table in TABLES:
        ws = wb.create_sheet(table.sheet)
        ws.append([c.name for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in (rows or {}).get(table.file, []):
            ws.append(row)
    wb.save(path)
