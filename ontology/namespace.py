"""The Selaras vocabulary, declared once.

Every term analysts may write in SPARQL against ``sel:`` is listed here and
defined (with ``rdfs:label``\\ s in English and Indonesian and an
``rdfs:comment``) in ``ontology/selaras.ttl``. ``_fail = True`` makes a
misspelt term an ``AttributeError`` at import time instead of a query that
silently matches nothing. A test checks that this list and the Turtle agree.

>>> from selaras.ontology.namespace import SEL
>>> str(SEL.Competency)
'https://w3id.org/selaras/ontology#Competency'
"""

from __future__ import annotations

import functools
from typing import Any

import pyoxigraph as ox

SEL_IRI = "https://w3id.org/selaras/ontology#"
#: Base of the IRIs minted for organisation data (``id/position/…``).
DATA_IRI = "https://w3id.org/selaras/id/"
#: Base of the named graphs of a store.
GRAPH_IRI = "https://w3id.org/selaras/graph/"
#: Base of rule IRIs (``rule/gap``).
RULE_IRI = "https://w3id.org/selaras/rule/"
#: Base of audit check IRIs (``check/R2-scheme-coverage``).
CHECK_IRI = "https://w3id.org/selaras/check/"

#: Other vocabularies Selaras writes, as IRIs (bases) or Oxigraph nodes (terms).
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
#: The property of the bookkeeping graph's version marks (facts version, conclusions tag).
OWL_VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")


def __getattr__(name: str) -> Any:
    """``SEL``, ``DATA`` and ``RULE`` as rdflib namespaces, built on first use.

    The IRIs above are plain strings; rdflib is imported only when a namespace object is asked
    for, so that a command that never needs one (``selaras query …``) does not pay for it.
    """
    if name in ("SEL", "DATA", "RULE"):
        globals().update(_namespaces())
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Every ``sel:`` term, in the order of the ontology's sections. A plain tuple, so that a
#: command can check a name (:func:`is_term`) without importing rdflib.
SEL_TERMS: tuple[str, ...] = (
    # --- competencies -----------------------------------------------------
    "Competency",
    "SoftCompetency",
    "HardCompetency",
    "FunctionalCompetency",
    "CoreCompetency",
    "LeadershipCompetency",
    "BehavioralCompetency",
    "TechnicalCompetency",
    "CompetencyDictionary",
    "code",
    "scale",
    "LevelDescriptor",
    "levelDescriptor",
    "descriptorLevel",

    # --- proficiency scales -----------------------------------------------
    "ProficiencyScale",
    "ProficiencyLevel",
    "hasLevel",
    "rank",
    "minRank",
    "maxRank",

    # --- positions and the job architecture -------------------------------
    "Position",
    "ManagerialPosition",
    "SpecialistPosition",
    "Grade",
    "grade",
    "JobFamily",
    "jobFamily",
    "CareerTrack",
    "ManagerialTrack",
    "SpecialistTrack",
    "track",
    "OrganisationalUnit",
    "unit",
    "parentUnit",
    "reportsTo",

    # --- requirements (n-ary: position, competency, level) ----------------
    "Requirement",
    "position",
    "competency",
    "requiredLevel",
    "importance",

    # --- certification body (LSP) and corporate university (Corpu) --------
    "CertificationScheme",
    "CertificationAuthority",
    "SchemeCompetency",
    "certifies",
    "level",
    "headcount",
    "recognisedBy",
    "proposedBy",
    "TrainingProgram",
    "ProgramCompetency",
    "develops",
    "DevelopmentMethod",
    "ClassroomTraining",
    "JobAssignment",
    "CoachingAndMentoring",
    "SelfDirectedStudy",
    "method",
    "hours",
    "preparesFor",

    # --- people -------------------------------------------------------------
    "Employee",
    "holdsPosition",
    "Assessment",
    "employee",
    "assessedLevel",
    "assessedOn",
    "assessmentMethod",
    "Certification",
    "scheme",
    "issuedOn",
    "expiresOn",
    "Tenure",
    "startDate",
    "endDate",

    # --- policy: the paper's recommendations and governance principles ----
    "Recommendation",
    "GovernancePrinciple",
    "servesPrinciple",

    # --- provenance and settings ---------------------------------------------
    "illustrative",
    "illustrativeProperty",
    "Settings",
    "referenceDate",
    "staleAfterMonths",
    "staleBefore",
    "expiryWarningDays",
    "expiringBefore",
    "maxLateralGradeSteps",
    "readinessScope",
    "minMoveSimilarity",
    "maxMovesPerPosition",

    # --- rules and explanations ---------------------------------------------
    "Rule",
    "inferredBy",
    "premise",

    # --- conclusions: held levels, gaps, readiness ------------------------
    "HeldCompetency",
    "heldLevel",
    "CompetencyGap",
    "gap",
    "gapStatus",
    "GapStatus",
    "Met",
    "Below",
    "NotAssessed",
    "closedBy",
    "certifiableBy",
    "Readiness",
    "readiness",
    "requirementsMet",
    "requirementCount",
    "unmetCompetency",
    "CertificationNeed",

    # --- conclusions: career moves -----------------------------------------
    "CareerMove",
    "fromPosition",
    "toPosition",
    "moveType",
    "MoveType",
    "Promotion",
    "LateralMove",
    "CrossFamilyPromotion",
    "levelIncrease",
    "LevelIncrease",
    "fromLevel",
    "toLevel",
    "increase",
    "newCompetency",
    "NewCompetency",
    "totalIncrease",
    "newCompetencyCount",
    "gradeSteps",
    "changesTrack",
    "ObservedTransition",
    "transitionCount",
    "firstObserved",
    "lastObserved",

    # --- conclusions: alignment and data quality ----------------------------
    "UnalignedCompetency",
    "lacks",
    "AlignmentGap",
    "NoCertificationScheme",
    "NoTrainingProgram",
    "peopleAffected",
    "positionsAffected",
    "ModelAnomaly",
    "anomalyType",
    "AnomalyType",
    "GradeOrderInversion",
    "SupervisorRequiresLess",
    "TitleAtSeveralGrades",
    "MergedTitle",
    "MissingCoreRequirement",
    "MissingLeadershipRequirement",
    "SchemeOutsideModel",
    "focus",
    "relatedTo",
    "StaleAssessment",
    "MissingAssessment",
)
_SEL_TERM_SET = frozenset(SEL_TERMS)


def is_term(name: str) -> bool:
    """Tell whether ``name`` is a ``sel:`` term.

    >>> is_term("Competency"), is_term("Competence")
    (True, False)
    """
    return name in _SEL_TERM_SET


def _namespaces() -> dict[str, Any]:
    from rdflib.namespace import DefinedNamespace, Namespace
    from rdflib.term import URIRef

    # a DefinedNamespace whose annotations are the terms: with _fail, a misspelt one is an error
    sel = type(DefinedNamespace)("SEL", (DefinedNamespace,), {  # type: ignore[misc]  # (made by its metaclass)
        "__doc__": "The ``sel:`` ontology (https://w3id.org/selaras/ontology#).",
        "__annotations__": {name: URIRef for name in SEL_TERMS},
        "_fail": True,
        "_NS": Namespace(SEL_IRI),
    })
    return {"SEL": sel, "DATA": Namespace(DATA_IRI), "RULE": Namespace(RULE_IRI)}


@functools.cache  # one node per term: an import calls this for every triple it makes
def sel(term: str) -> ox.NamedNode:
    """Return the ``sel:`` term as an Oxigraph node (``AttributeError`` if unknown).

    >>> sel("Position").value
    'https://w3id.org/selaras/ontology#Position'
    """
    if not is_term(term):  # (a plain set: no rdflib)
        raise AttributeError(f"term {term!r} not in namespace {SEL_IRI!r}")
    return ox.NamedNode(SEL_IRI + term)


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
