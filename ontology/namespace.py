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

from typing import Any

SEL_IRI = "https://w3id.org/selaras/ontology#"
#: Base of the IRIs minted for organisation data (``id/position/…``).
DATA_IRI = "https://w3id.org/selaras/id/"
#: Base of the named graphs of a store.
GRAPH_IRI = "https://w3id.org/selaras/graph/"
#: Base of rule IRIs (``rule/gap``).
RULE_IRI = "https://w3id.org/selaras/rule/"
#: Base of audit check IRIs (``check/R2-scheme-coverage``).
CHECK_IRI = "https://w3id.org/selaras/check/"


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
    sel = type(DefinedNamespace)("SEL", (DefinedNamespace,), {
        "__doc__": "The ``sel:`` ontology (https://w3id.org/selaras/ontology#).",
        "__annotations__": {name: URIRef for name in SEL_TERMS},
        "_fail": True,
        "_NS": Namespace(SEL_IRI),
    })
    return {"SEL": sel, "DATA": Namespace(DATA_IRI), "RULE": Namespace(RULE_IRI)}
