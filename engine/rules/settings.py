"""The policy settings the rules read, and whether the stored conclusions are current.

The settings are the data's ``settings.csv``, overridden on request, else the defaults. The
conclusions are current when their version marker names the facts version and the settings
they were inferred from (:func:`is_current`).

Inference writes them into their own graph (:data:`~selaras.engine.store.SETTINGS_GRAPH`)
before any rule runs; the rules read the reference date and the cut-off dates from there.
:func:`derive` runs a few rules without the rest of inference, for what validates the facts
(the scale bounds the shapes read).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pyoxigraph as ox

from selaras.engine.errors import InputError
from selaras.engine.rules import get
from selaras.engine.store import (
    FACTS_GRAPH, INFERRED_PREFIX, META_GRAPH, SETTINGS_GRAPH, VERSION_INFO, Dataset, facts_version,
)
from selaras.ontology.namespace import RDF_TYPE, integer, sel, typed

#: Which positions the rule ``readiness`` scores each employee against (see :class:`Settings`).
READINESS_SCOPES = ("moves", "position")
SETTINGS_NODE = ox.NamedNode("https://w3id.org/selaras/id/settings/effective")
FACTS = ox.NamedNode(FACTS_GRAPH)
#: The subject of the conclusions' version marker in the bookkeeping graph.
INFERRED = ox.NamedNode(INFERRED_PREFIX.rstrip("/"))


@dataclass(frozen=True)
class Settings:
    """Policy settings for inference; ``None`` fields take the data's value, then the default.

    >>> Settings(reference_date=date(2026, 6, 30), stale_after_months=24).stale_before()
    datetime.date(2024, 6, 30)
    """

    reference_date: date | None = None
    stale_after_months: int | None = None
    expiry_warning_days: int | None = None
    max_lateral_grade_steps: int | None = None
    #: which positions the rule ``readiness`` scores each employee against: "moves" (their own
    #: position and every position one career move away; employees × moves conclusions) or
    #: "position" (their own position only, linear in the employees; ``career next`` and
    #: ``career pool`` still compute readiness for any position on demand)
    readiness_scope: str | None = None
    #: the least profile similarity (0–1) a move needs to be concluded (the rule ``career-move``)
    min_move_similarity: float | None = None
    #: the most moves concluded from one position, the best by the score of ``career next``
    max_moves_per_position: int | None = None

    DEFAULTS = {"stale_after_months": 24, "expiry_warning_days": 90, "max_lateral_grade_steps": 1,
                "readiness_scope": "moves", "min_move_similarity": 0.3, "max_moves_per_position": 15}
    READINESS_SCOPES = READINESS_SCOPES

    def __post_init__(self) -> None:
        if self.readiness_scope is not None and self.readiness_scope not in self.READINESS_SCOPES:
            raise InputError(f"readiness scope {self.readiness_scope!r} is unknown — use "
                             + " or ".join(self.READINESS_SCOPES))
        if self.min_move_similarity is not None and not 0 <= self.min_move_similarity <= 1:
            raise InputError(f"min move similarity {self.min_move_similarity} is outside 0–1 — "
                             f"give a share such as 0.3")
        if self.max_moves_per_position is not None and self.max_moves_per_position < 1:
            raise InputError(f"max moves per position {self.max_moves_per_position} is below 1 — "
                             f"give 1 or more (e.g. 15)")

    def stale_before(self) -> date:
        """The cut-off date: assessments before it are stale."""
        ref = self.reference_date or date.today()
        months = self.stale_after_months if self.stale_after_months is not None else 24
        y, m = divmod(ref.month - 1 - months, 12)
        year, month = ref.year + y, m + 1
        return date(year, month, min(ref.day, calendar.monthrange(year, month)[1]))

    def expiring_before(self) -> date:
        """Certifications expiring before this date (and not yet expired) are expiring soon."""
        ref = self.reference_date or date.today()
        return ref + timedelta(days=self.expiry_warning_days if self.expiry_warning_days is not None else 90)


def effective_settings(store: Dataset, overrides: Settings | None = None) -> Settings:
    """Combine command-line overrides, the data's ``settings.csv`` values and the defaults."""
    data: dict[str, object] = {}
    names = {
        "referenceDate": "reference_date",
        "staleAfterMonths": "stale_after_months",
        "expiryWarningDays": "expiry_warning_days",
        "maxLateralGradeSteps": "max_lateral_grade_steps",
        "readinessScope": "readiness_scope",
        "minMoveSimilarity": "min_move_similarity",
        "maxMovesPerPosition": "max_moves_per_position",
    }
    settings_node = ox.NamedNode("https://w3id.org/selaras/id/settings")
    for term, attr in names.items():
        for q in store.match(settings_node, sel(term), None, FACTS):
            if not isinstance(q.object, ox.Literal):  # (the shapes say a literal)
                continue
            value = q.object.value
            data[attr] = (date.fromisoformat(value) if attr == "reference_date"
                          else value if attr == "readiness_scope"
                          else float(value) if attr == "min_move_similarity" else int(value))
    merged = Settings(**{**Settings.DEFAULTS, **data})  # type: ignore[arg-type]
    if overrides:
        merged = replace(merged, **{k: v for k, v in vars(overrides).items() if v is not None})
    if merged.reference_date is None:
        merged = replace(merged, reference_date=date.today())
    return merged


def settings_quads(s: Settings) -> list[ox.Quad]:
    """The settings graph's quads: the effective settings and the cut-off dates they give."""
    g = ox.NamedNode(SETTINGS_GRAPH)
    n = SETTINGS_NODE
    assert s.reference_date is not None
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (n, RDF_TYPE, sel("Settings")),
        (n, sel("referenceDate"), typed(s.reference_date.isoformat(), "date")),
        (n, sel("staleAfterMonths"), integer(s.stale_after_months or 0)),
        (n, sel("staleBefore"), typed(s.stale_before().isoformat(), "date")),
        (n, sel("expiryWarningDays"), integer(s.expiry_warning_days or 0)),
        (n, sel("expiringBefore"), typed(s.expiring_before().isoformat(), "date")),
        (n, sel("maxLateralGradeSteps"), integer(s.max_lateral_grade_steps or 0)),
        (n, sel("readinessScope"), ox.Literal(s.readiness_scope or str(Settings.DEFAULTS["readiness_scope"]))),
        (n, sel("minMoveSimilarity"), typed(_decimal_text(s.min_move_similarity), "decimal")),
        (n, sel("maxMovesPerPosition"), integer(s.max_moves_per_position or 1)),
    ]
    return [ox.Quad(a, b, c, g) for a, b, c in triples]


def _decimal_text(value: float | None) -> str:
    """Write a share as an ``xsd:decimal`` lexical form.

    >>> _decimal_text(0.4), _decimal_text(1), _decimal_text(None), _decimal_text(1e-5)
    ('0.4', '1', '0', '0.00001')
    """
    return f"{float(value or 0.0):.9f}".rstrip("0").rstrip(".")


# --- whether the stored conclusions are current ------------------------------------
def state_tag(store: Dataset, settings: Settings) -> str:
    """Return the tag of what inference depends on: the facts version and the settings."""
    return f"{facts_version(store)}|{settings}"


#: Ends the version marker of conclusions inferred with settings given for the run (``infer --…``).
BY_REQUEST = "|by request"


def requested(overrides: Settings | None) -> bool:
    """Tell whether settings were given for a run (any field set), rather than taken from the data.

    >>> requested(None), requested(Settings()), requested(Settings(max_moves_per_position=5))
    (False, False, True)
    """
    return overrides is not None and any(v is not None for v in vars(overrides).values())


def stored_markers(store: Dataset) -> list[str]:
    """The version markers of the stored conclusions (facts version, settings, ``|by request``), sorted."""
    return sorted(q.object.value for q in store.match(INFERRED, VERSION_INFO, None, ox.NamedNode(META_GRAPH))
                  if isinstance(q.object, ox.Literal))


def is_current(store: Dataset, overrides: Settings | None = None, *, strict: bool = False) -> bool:
    """Tell whether the stored conclusions were inferred from the current facts and settings.

    Conclusions inferred with settings given for the run (``selaras infer --max-moves-per-position 5``)
    stay current for the commands that read them without settings of their own, until the facts
    change: a query after such a run answers from it rather than inferring the defaults again.
    ``strict`` compares the settings exactly (``selaras infer`` itself does).
    """
    tag = state_tag(store, effective_settings(store, overrides))
    stored = stored_markers(store)
    if any(t in (tag, tag + BY_REQUEST) for t in stored):
        return True
    if strict or requested(overrides):
        return False
    facts = f"{facts_version(store)}|"
    return any(t.startswith(facts) and t.endswith(BY_REQUEST) for t in stored)


def derive(store: Dataset, rule_ids: list[str]) -> None:
    """Write the effective settings and run these rules' updates in ``store``, in the order given.

    For the shapes, which read a rule's conclusions (the scale bounds) besides the facts; the
    rest of inference (versions, fast path, the other rules) is not involved.

    >>> from selaras.engine.store import open_store, inferred_graph
    >>> store = open_store()
    >>> derive(store, ["scale-bounds"]); store.count(inferred_graph("scale-bounds"))
    0
    """
    store.replace_graph(SETTINGS_GRAPH, settings_quads(effective_settings(store)))
    for rule_id in rule_ids:
        store.update(get(rule_id).as_update())
