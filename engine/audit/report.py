"""Render an audit report: terminal text, Markdown, one self-contained HTML file, or JSON.

All four carry the same findings in the same order. The JSON document is the stable
interface for other tools; :data:`SCHEMA_VERSION` changes when a field changes meaning or goes
away (adding fields does not change it). Its fields are documented in the README ("Alignment
audit") and in :func:`to_json`.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from selaras.engine import messages, templating
from selaras.engine.audit.coverage import Coverage, Priority, status
from selaras.engine.audit.findings import SEVERITIES, Finding, Ref
from selaras.engine.audit.run import FAIL_ON, AuditReport, iter_sections
from selaras.engine.render import records_markdown, records_table

#: Version of the JSON document's layout.
SCHEMA_VERSION = 1
FORMATS = ("table", "md", "html", "json")
#: How many premises a finding shows in Markdown and HTML (JSON lists them all).
PREMISES_SHOWN = 12

#: A severity's word in each language (the catalogue's ``severity`` section).
_SEVERITY_WORD = {lang: {s: messages.text("severity", s.value, lang) for s in SEVERITIES} for lang in messages.LANGUAGES}


def ui(key: str, lang: str) -> str:
    """Return a fixed text of the report in ``lang`` (the catalogue's ``audit`` section)."""
    return messages.text("audit", key, lang)


def render(report: AuditReport, fmt: str, lang: str = "en") -> str:
    """Render the report as ``table`` (terminal), ``md``, ``html`` or ``json``."""
    if fmt == "json":
        return json.dumps(to_json(report, lang), indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return to_markdown(report, lang)
    if fmt == "html":
        return to_html(report, lang)
    return to_text(report, lang)


# --- JSON ---------------------------------------------------------------------------------

def _ref(ref: Ref | None, lang: str) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"iri": ref.iri, "label": ref.label.get(lang)}


def _finding_json(f: Finding, lang: str) -> dict[str, Any]:
    e = f.explanation
    return {
        "check": f.check,
        "severity": f.severity.value,
        "section": f.section,
        "recommendation": _ref(f.recommendation, lang),
        "principle": _ref(f.principle, lang),
        "focus": _ref(f.focus, lang),
        "message": f.message.get(lang),
        "messages": {"en": f.message.en, "id": f.message.id},
        "explanation": {
            "rule": e.rule,
            "rule_iri": e.rule_iri,
            "rule_title": e.rule_title.get(lang),
            "conclusions": list(e.conclusions),
            "premises": [_ref(p, lang) for p in e.premises],
        },
        "values": {k: v for k, v in f.values},
    }


def _priority_json(p: Priority, lang: str) -> dict[str, Any]:
    return {"rank": p.rank, "competency": {**(_ref(p.competency, lang) or {}), "code": p.code},
            "required_level": p.required, "uncovered_levels": list(p.levels),
            "certified_level": p.certified, "developed_level": p.developed,
            "positions": p.positions, "people": p.people}


def _coverage_json(c: Coverage, lang: str) -> dict[str, Any]:
    return {
        "columns": [{"kind": col.kind, "iri": col.iri, "code": col.code, "label": col.label.get(lang),
                     "headcount": col.headcount, "recognised": col.recognised, "prepares_for": col.prepares_for}
                    for col in c.columns],
        "rows": [{"competency": {**(_ref(r.competency, lang) or {}), "code": r.code},
                  "required_min": r.required_min, "required_max": r.required_max,
                  "positions": r.positions, "people": r.people,
                  "certified_level": r.certified, "developed_level": r.developed,
                  "certified_status": status(r.certified, r.required_min, r.required_max),
                  "developed_status": status(r.developed, r.required_min, r.required_max),
                  "cells": [{"column": col.code, "level": cell.level, "status": cell.status}
                            for col, cell in zip(c.columns, r.cells, strict=True)]}
                 for r in c.rows],
    }


def to_json(report: AuditReport, lang: str = "en") -> dict[str, Any]:
    """Return the report as a JSON-ready dict (see the README for every field).

    Top level: ``schema_version``, ``lang``, ``store``, ``settings``, ``fail_on``, ``exit_code``,
    ``summary`` (``total`` and per ``sections`` counts by severity), ``sections``, ``checks``
    (what each check did), ``findings``, ``priorities`` and ``coverage``.
    """
    s = report.settings
    counts = report.counts()
    return {
        "schema_version": SCHEMA_VERSION,
        "lang": lang,
        "store": report.store,
        "settings": {
            "reference_date": s.reference_date.isoformat() if s.reference_date else None,
            "stale_after_months": s.stale_after_months,
            "stale_before": s.stale_before().isoformat(),
            "expiry_warning_days": s.expiry_warning_days,
            "expiring_before": s.expiring_before().isoformat(),
        },
        "fail_on": report.fail_on,
        "exit_code": report.exit_code(),
        "summary": {
            "total": {sev.value: n for sev, n in counts.items()},
            "findings": len(report.findings),
            "sections": {sec.id: {sev.value: n for sev, n in report.counts(sec.id).items()}
                         for sec in report.sections if report.ran(sec.id)},
            "not_run": [sec.id for sec in report.sections if not report.ran(sec.id)],
        },
        "sections": [{"id": sec.id, "title": sec.title.get(lang), "recommendation": _ref(sec.recommendation, lang),
                      "principles": [_ref(p, lang) for p in sec.principles]} for sec in report.sections],
        "checks": [{"id": r.check.id, "iri": r.check.iri, "title": r.check.text(lang), "section": r.check.section,
                    "recommendation": r.check.recommendation_iri, "principle": r.check.principle_iri,
                    "severity": r.check.severity.value, "findings": r.findings,
                    "status": "skipped" if r.skipped else "ran", "note": r.skipped}
                   for r in report.runs],
        "findings": [_finding_json(f, lang) for f in report.findings],
        "priorities": [_priority_json(p, lang) for p in report.priorities],
        "coverage": _coverage_json(report.coverage, lang),
    }


# --- terminal -------------------------------------------------------------------------------

def summary_rows(report: AuditReport, lang: str) -> list[list[object]]:
    """Return the per-recommendation counts by severity, one row per section and a total."""
    rows: list[list[object]] = []
    for sec in report.sections:
        counts = report.counts(sec.id)
        tally = [counts[s] for s in SEVERITIES] if report.ran(sec.id) else [ui("not_run", lang)] + [""] * (
            len(SEVERITIES) - 1)
        rows.append([sec.id, sec.title.get(lang), ", ".join(p.label.get(lang) for p in sec.principles), *tally])
    total = report.counts()
    rows.append([ui("total", lang), "", "", *(total[s] for s in SEVERITIES)])
    return rows


def summary_columns(lang: str) -> list[str]:
    """Return the column names of :func:`summary_rows` in a language."""
    return [ui("section", lang), ui("recommendation", lang), ui("principles", lang),
            *(_SEVERITY_WORD[lang][s] for s in SEVERITIES)]


def _settings_line(report: AuditReport, lang: str) -> str:
    s = report.settings
    return (f"{ui('store', lang)}: {report.store} · {ui('reference', lang)}: {s.reference_date} · "
            f"{ui('stale', lang)}: {s.stale_before()} · {ui('expiring', lang)}: {s.expiring_before()}")


def _verdict(report: AuditReport, lang: str) -> str:
    total = report.counts()
    counts = ", ".join(f"{total[s]} {_SEVERITY_WORD[lang][s]}" for s in SEVERITIES)
    return f"{len(report.findings)} {ui('findings', lang).lower()} ({counts}); " \
           f"{ui('exit', lang)} {report.fail_on}: {report.exit_code()}"


def to_text(report: AuditReport, lang: str = "en") -> str:
    """Render the report for a terminal: the summary, the priorities, then the findings grouped."""
    out = [ui("title", lang), _settings_line(report, lang), ""]
    out.append(records_table(ui("summary", lang), summary_columns(lang), summary_rows(report, lang)))
    top = report.priorities[:10]
    if top:
        out.append(records_table(
            ui("priorities", lang),
            [ui("rank", lang), ui("competency", lang), ui("required", lang), ui("certified", lang),
             ui("positions", lang), ui("people", lang)],
            [[p.rank, p.competency.label.get(lang), p.required, _level(p.certified), p.positions, p.people]
             for p in top]))
    wrap = textwrap.TextWrapper(width=120, subsequent_indent=" " * 11)
    for sec, runs, findings in iter_sections(report):
        counts = report.counts(sec.id)
        head = f"{sec.id} — {sec.title.get(lang)}"
        out.append(head)
        out.append("=" * len(head))
        out.append("  " + ", ".join(f"{counts[s]} {_SEVERITY_WORD[lang][s]}" for s in SEVERITIES)
                   + f" · {ui('principles', lang)}: " + ", ".join(p.label.get(lang) for p in sec.principles))
        for run in runs:
            mine = [f for f in findings if f.check == run.check.id]
            if not mine and not run.skipped:
                continue
            out.append(f"  [{run.check.id}] {run.check.text(lang)}"
                       + (f" — {ui('skipped', lang)}: {run.skipped}" if run.skipped else f" ({len(mine)})"))
            for f in mine:
                tag = _SEVERITY_WORD[lang][f.severity].upper()
                out.append(wrap.fill(f"  {tag:<8} {f.message.get(lang)}"))
        out.append("")
    out.append(_verdict(report, lang))
    return "\n".join(out) + "\n"


def _level(level: int | None) -> str:
    return "–" if level is None else str(level)


# --- Markdown -------------------------------------------------------------------------------

_MARK = {"full": "✔", "partial": "◐", "below": "✘", "none": "", "extra": "+"}


def _premises_text(f: Finding, lang: str, limit: int = PREMISES_SHOWN) -> str:
    shown = [p.label.get(lang) for p in f.explanation.premises[:limit]]
    more = len(f.explanation.premises) - len(shown)
    if more > 0:
        shown.append(f"… +{more} {ui('more', lang)}")
    return "; ".join(shown)


def to_markdown(report: AuditReport, lang: str = "en") -> str:
    """Render the report as Markdown."""
    out = [f"# {ui('title', lang)}", "", _settings_line(report, lang), "", f"_{ui('illustrative', lang)}_", ""]
    out += [f"## {ui('summary', lang)}", "", records_markdown(summary_columns(lang), summary_rows(report, lang)),
            _verdict(report, lang), ""]
    out += [f"## {ui('priorities', lang)}", "", ui("priorities_note", lang), ""]
    out.append(records_markdown(
        [ui("rank", lang), ui("competency", lang), ui("required", lang), ui("uncovered_levels", lang),
         ui("certified", lang), ui("developed", lang), ui("positions", lang), ui("people", lang)],
        [[p.rank, p.competency.label.get(lang), p.required, ", ".join(map(str, p.levels)), _level(p.certified),
          _level(p.developed), p.positions, p.people] for p in report.priorities]))
    cov = report.coverage
    out += [f"## {ui('coverage', lang)}", "", ui("coverage_note", lang) + " "
            + " · ".join(f"{_MARK[k] or '(empty)'} {ui(k, lang)}" for k in ("full", "partial", "below", "none", "extra")),
            ""]
    out.append(records_markdown(
        [ui("competency", lang), ui("required", lang), ui("people", lang), *(c.code for c in cov.columns)],
        [[r.competency.label.get(lang), _range(r, lang), r.people,
          *(f"{cell.level} {_MARK[cell.status]}".strip() if cell.level is not None else "" for cell in r.cells)]
         for r in cov.rows]))
    out += [f"## {ui('findings', lang)}", ""]
    for sec, runs, findings in iter_sections(report):
        counts = report.counts(sec.id)
        out += [f"### {sec.id} — {sec.title.get(lang)}", "",
                f"{ui('principles', lang)}: " + ", ".join(p.label.get(lang) for p in sec.principles) + " · "
                + ", ".join(f"{counts[s]} {_SEVERITY_WORD[lang][s]}" for s in SEVERITIES), ""]
        for run in runs:
            mine = [f for f in findings if f.check == run.check.id]
            status = f"{ui('skipped', lang)}: {run.skipped}" if run.skipped else \
                f"{_SEVERITY_WORD[lang][run.check.severity]}, {len(mine)}"
            out += [f"#### `{run.check.id}` {run.check.text(lang)} ({status})", ""]
            if not mine:
                out += [f"_{ui('no_findings', lang)}_", ""]
                continue
            for f in mine:
                out.append(f"- **{_SEVERITY_WORD[lang][f.severity]}** — {f.message.get(lang)}")
                out.append(f"  - {ui('rule', lang)}: `{f.explanation.rule}` ({f.explanation.rule_title.get(lang)}); "
                           f"{ui('premises', lang)}: {_premises_text(f, lang)}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _range(row: Any, lang: str) -> str:
    if row.required_max is None:
        return ui("not_required", lang)
    if row.required_min == row.required_max:
        return str(row.required_max)
    return f"{row.required_min}–{row.required_max}"


# --- HTML -------------------------------------------------------------------------------
# The page's markup and style are in ``engine/templates/audit_report.html.j2``; the functions
# below choose what it shows, in the page's language, as plain values that Jinja escapes.

def to_html(report: AuditReport, lang: str = "en") -> str:
    """Render the report as one self-contained HTML file (inline CSS, no scripts, no network)."""
    return templating.render(
        "audit_report.html.j2", lang=lang, ui=messages.texts("audit", lang),
        severities=[(s.value, _SEVERITY_WORD[lang][s]) for s in SEVERITIES], settings=_settings_line(report, lang),
        summary=_html_summary(report, lang), priorities=_html_priorities(report.priorities, lang),
        coverage=_html_coverage(report.coverage, lang), findings=_html_findings(report, lang))


def _html_summary(report: AuditReport, lang: str) -> dict[str, Any]:
    rows = []
    for sec in report.sections:
        counts = report.counts(sec.id)
        rows.append({"id": sec.id, "title": sec.title.get(lang),
                     "principles": ", ".join(p.label.get(lang) for p in sec.principles),
                     # None: the section did not run
                     "counts": [(s.value, counts[s]) for s in SEVERITIES] if report.ran(sec.id) else None})
    total = report.counts()
    return {"columns": summary_columns(lang)[:3], "rows": rows, "total": [(s.value, total[s]) for s in SEVERITIES],
            "verdict": _verdict(report, lang), "exit_code": report.exit_code(), "fail_on": report.fail_on}


def _html_priorities(items: Sequence[Priority], lang: str) -> list[dict[str, Any]]:
    peak = max((p.people for p in items), default=0) or 1
    return [{"rank": p.rank, "code": p.code, "people": p.people, "positions": p.positions, "required": p.required,
             "certified": "" if p.certified is None else p.certified, "iri": p.competency.iri,
             "label": p.competency.label.get(lang), "levels": ", ".join(map(str, p.levels)),
             "certified_text": _level(p.certified), "developed_text": _level(p.developed),
             "width": round(100 * p.people / peak)}  # of the bar: people, against the most
            for p in items]


def _html_coverage(cov: Coverage, lang: str) -> dict[str, Any]:
    programmes = [c for c in cov.columns if c.kind == "programme"]
    first_programme = programmes[0].iri if programmes else None  # a rule sets the programmes apart
    columns = []
    for c in cov.columns:
        extra = f" ({c.headcount})" if c.headcount is not None else ""
        tip = c.label.get(lang)
        if c.recognised is False:
            extra += " ✱"
            tip += f" — {ui('recognised_no', lang)}"
        columns.append({"kind": c.kind, "code": c.code, "text": c.code + extra, "sep": c.iri == first_programme,
                        "tip": tip})
    rows = []
    for r in cov.rows:
        best = []
        for kind, level in (("scheme", r.certified), ("programme", r.developed)):
            st = status(level, r.required_min, r.required_max)
            alarm = level is None and r.required_max is not None  # required, and nothing covers it
            best.append({"kind": kind, "status": st, "alarm": alarm, "tip": ui("nothing" if alarm else st, lang),
                         "text": _level(level) if level is not None else ("✘" if alarm else "")})
        cells = [{"column": col.code, "status": cell.status, "sep": col.iri == first_programme,
                  "level": "" if cell.level is None else cell.level,
                  "tip": f"{r.code} × {col.code}: {_level(cell.level)} — {ui(cell.status, lang)}"}
                 for col, cell in zip(cov.columns, r.cells, strict=True)]
        rows.append({"code": r.code, "people": r.people, "not_required": r.required_max is None,
                     "required_max": "" if r.required_max is None else r.required_max, "iri": r.competency.iri,
                     "label": r.competency.label.get(lang), "range": _range(r, lang), "best": best, "cells": cells})
    return {"schemes": len(cov.columns) - len(programmes), "programmes": len(programmes), "columns": columns,
            "rows": rows}


def _html_findings(report: AuditReport, lang: str) -> list[dict[str, Any]]:
    sections = []
    for sec, runs, findings in iter_sections(report):
        counts = report.counts(sec.id)
        sections.append({
            "id": sec.id, "title": sec.title.get(lang),
            "recommendation": sec.recommendation.iri if sec.recommendation else None,
            "principles": ", ".join(p.label.get(lang) for p in sec.principles),
            "tally": ", ".join(f"{counts[s]} {_SEVERITY_WORD[lang][s]}" for s in SEVERITIES),
            "runs": [{"check": run.check.id, "text": run.check.text(lang), "skipped": run.skipped,
                      "findings": [_html_finding(f, lang) for f in findings if f.check == run.check.id]}
                     for run in runs]})
    return sections


def _html_finding(f: Finding, lang: str) -> dict[str, Any]:
    e = f.explanation
    shown = e.premises[:PREMISES_SHOWN * 4]
    return {"severity": f.severity.value, "check": f.check, "focus_iri": f.focus.iri,
            "word": _SEVERITY_WORD[lang][f.severity], "message": f.message.get(lang),
            "focus_label": f.focus.label.get(lang), "principle": f.principle.label.get(lang),
            "rule": e.rule, "rule_title": e.rule_title.get(lang), "premise_count": len(e.premises),
            "premises": [(p.iri, p.label.get(lang)) for p in shown], "more": len(e.premises) - len(shown)}


def fail_on_choices() -> tuple[str, ...]:
    """The values ``--fail-on`` accepts."""
    return tuple(FAIL_ON)
