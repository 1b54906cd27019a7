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


def _namespaces() -> dict[str, Any]:
    from rdflib.namespace import DefinedNamespace, Namespace
    from rdflib.term import URIRef  # noqa: F401 - the annotations below name it

    class SEL(DefinedNamespace):
        """The ``sel:`` ontology (https://w3id.org/selaras/ontology#)."""

        _fail = True
        _NS = Namespace(SEL_IRI)

        # --- competencies -----------------------------------------------------
        Competency: URIRef
        SoftCompetency: URIRef
        HardCompetency: URIRef
        FunctionalCompetency: URIRef
        CoreCompetency: URIRef
        LeadershipCompetency: URIRef
        BehavioralCompetency: URIRef
        TechnicalCompetency: URIRef
        CompetencyDictionary: URIRef
        code: URIRef
        scale: URIRef
        LevelDescriptor: URIRef
        levelDescriptor: URIRef
        descriptorLevel: URIRef

        # --- proficiency scales -----------------------------------------------
        ProficiencyScale: URIRef
        ProficiencyLevel: URIRef
        hasLevel: URIRef
        rank: URIRef
        minRank: URIRef
        maxRank: URIRef

        # --- positions and the job architecture -------------------------------
        Position: URIRef
        ManagerialPosition: URIRef
        SpecialistPosition: URIRef
        Grade: URIRef
        grade: URIRef
        JobFamily: URIRef
        jobFamily: URIRef
        CareerTrack: URIRef
        ManagerialTrack: URIRef
        SpecialistTrack: URIRef
        track: URIRef
        OrganisationalUnit: URIRef
        unit: URIRef
        parentUnit: URIRef
        reportsTo: URIRef

        # --- requirements (n-ary: position, competency, level) ----------------
        Requirement: URIRef
        position: URIRef
        competency: URIRef
        requiredLevel: URIRef
        importance: URIRef

        # --- certification body (LSP) and corporate university (Corpu) --------
        CertificationScheme: URIRef
        CertificationAuthority: URIRef
        SchemeCompetency: URIRef
        certifies: URIRef
        level: URIRef
        headcount: URIRef
        recognisedBy: URIRef
        proposedBy: URIRef
        TrainingProgram: URIRef
        ProgramCompetency: URIRef
        develops: URIRef
        DevelopmentMethod: URIRef
        ClassroomTraining: URIRef
        JobAssignment: URIRef
        CoachingAndMentoring: URIRef
        SelfDirectedStudy: URIRef
        method: URIRef
        hours: URIRef
        preparesFor: URIRef

        # --- people -------------------------------------------------------------
        Employee: URIRef
        holdsPosition: URIRef
        Assessment: URIRef
        employee: URIRef
        assessedLevel: URIRef
        assessedOn: URIRef
        assessmentMethod: URIRef
        Certification: URIRef
        scheme: URIRef
        issuedOn: URIRef
        expiresOn: URIRef
        Tenure: URIRef
        startDate: URIRef
        endDate: URIRef

        # --- policy: the paper's recommendations and governance principles ----
        Recommendation: URIRef
        GovernancePrinciple: URIRef
        servesPrinciple: URIRef

        # --- provenance and settings ---------------------------------------------
        illustrative: URIRef
        illustrativeProperty: URIRef
        Settings: URIRef
        referenceDate: URIRef
        staleAfterMonths: URIRef
        staleBefore: URIRef
        expiryWarningDays: URIRef
        expiringBefore: URIRef
        maxLateralGradeSteps: URIRef
        readinessScope: URIRef
        minMoveSimilarity: URIRef
        maxMovesPerPosition: URIRef

        # --- rules and explanations ---------------------------------------------
        Rule: URIRef
        inferredBy: URIRef
        premise: URIRef

        # --- conclusions: held levels, gaps, readiness ------------------------
        HeldCompetency: URIRef
        heldLevel: URIRef
        CompetencyGap: URIRef
        gap: URIRef
        gapStatus: URIRef
        GapStatus: URIRef
        Met: URIRef
        Below: URIRef
        NotAssessed: URIRef
        closedBy: URIRef
        certifiableBy: URIRef
        Readiness: URIRef
        readiness: URIRef
        requirementsMet: URIRef
        requirementCount: URIRef
        unmetCompetency: URIRef
        CertificationNeed: URIRef

        # --- conclusions: career moves -----------------------------------------
        CareerMove: URIRef
        fromPosition: URIRef
        toPosition: URIRef
        moveType: URIRef
        MoveType: URIRef
        Promotion: URIRef
        LateralMove: URIRef
        CrossFamilyPromotion: URIRef
        levelIncrease: URIRef
        LevelIncrease: URIRef
        fromLevel: URIRef
        toLevel: URIRef
        increase: URIRef
        newCompetency: URIRef
        NewCompetency: URIRef
        totalIncrease: URIRef
        newCompetencyCount: URIRef
        gradeSteps: URIRef
        changesTrack: URIRef
        ObservedTransition: URIRef
        transitionCount: URIRef
        firstObserved: URIRef
        lastObserved: URIRef

        # --- conclusions: alignment and data quality ----------------------------
        UnalignedCompetency: URIRef
        lacks: URIRef
        AlignmentGap: URIRef
        NoCertificationScheme: URIRef
        NoTrainingProgram: URIRef
        peopleAffected: URIRef
        positionsAffected: URIRef
        ModelAnomaly: URIRef
        anomalyType: URIRef
        AnomalyType: URIRef
        GradeOrderInversion: URIRef
        SupervisorRequiresLess: URIRef
        TitleAtSeveralGrades: URIRef
        MergedTitle: URIRef
        MissingCoreRequirement: URIRef
        MissingLeadershipRequirement: URIRef
        SchemeOutsideModel: URIRef
        focus: URIRef
        relatedTo: URIRef
        StaleAssessment: URIRef
        MissingAssessment: URIRef

    return {"SEL": SEL, "DATA": Namespace(DATA_IRI), "RULE": Namespace(RULE_IRI)}
