"""Render an audit report: terminal text, Markdown, one self-contained HTML file, or JSON.

All four carry the same findings in the same order. The JSON document is the stable
interface for other tools; :data:`SCHEMA_VERSION` changes when a field changes meaning or goes
away (adding fields does not change it). Its fields are documented in the README ("Alignment
audit") and in :func:`to_json`.
"""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from selaras.engine.audit.coverage import Coverage, Priority, status
from selaras.engine.audit.findings import SEVERITIES, Finding, Ref, Severity
from selaras.engine.audit.run import FAIL_ON, AuditReport, iter_sections
from selaras.engine.render import records_markdown, records_table

#: Version of the JSON document's layout.
SCHEMA_VERSION = 1
FORMATS = ("table", "md", "html", "json")
#: How many premises a finding shows in Markdown and HTML (JSON lists them all).
PREMISES_SHOWN = 12

_UI: dict[str, dict[str, str]] = {
    "title": {"en": "Selaras alignment audit", "id": "Audit penyelarasan Selaras"},
    "store": {"en": "store", "id": "penyimpanan"},
    "reference": {"en": "reference date", "id": "tanggal acuan"},
    "stale": {"en": "assessments stale before", "id": "asesmen kedaluwarsa sebelum"},
    "expiring": {"en": "certificates expiring before", "id": "sertifikat habis berlaku sebelum"},
    "summary": {"en": "Summary by recommendation", "id": "Ringkasan per rekomendasi"},
    "section": {"en": "section", "id": "bagian"},
    "recommendation": {"en": "recommendation", "id": "rekomendasi"},
    "principles": {"en": "principles", "id": "prinsip"},
    "total": {"en": "total", "id": "jumlah"},
    "priorities": {"en": "Technical competencies to put into schemes first",
                   "id": "Kompetensi teknis yang perlu didahulukan masuk skema"},
    "priorities_note": {
        "en": "Technical competencies required at a level no scheme certifies, ranked by the people who hold "
              "a position requiring them at such a level, then by those positions.",
        "id": "Kompetensi teknis yang dipersyaratkan pada level yang belum disertifikasi skema mana pun, "
              "diurutkan menurut jumlah pegawai yang jabatannya mempersyaratkannya pada level itu, lalu "
              "menurut jumlah jabatan."},
    "rank": {"en": "rank", "id": "urutan"},
    "competency": {"en": "competency", "id": "kompetensi"},
    "required": {"en": "required", "id": "dipersyaratkan"},
    "uncovered_levels": {"en": "levels without a scheme", "id": "level tanpa skema"},
    "certified": {"en": "certified up to", "id": "disertifikasi hingga"},
    "developed": {"en": "developed up to", "id": "dikembangkan hingga"},
    "positions": {"en": "positions", "id": "jabatan"},
    "people": {"en": "people", "id": "pegawai"},
    "coverage": {"en": "Coverage matrix: technical competencies × schemes and programmes",
                 "id": "Matriks cakupan: kompetensi teknis × skema dan program"},
    "coverage_note": {
        "en": "Each cell holds the level to which a scheme certifies, or a programme develops, the competency; "
              "its colour compares that level with the levels positions require.",
        "id": "Setiap sel memuat level sertifikasi skema atau level pengembangan program untuk kompetensi itu; "
              "warnanya membandingkan level itu dengan level yang dipersyaratkan jabatan."},
    "best_scheme": {"en": "best scheme", "id": "skema terbaik"},
    "best_programme": {"en": "best programme", "id": "program terbaik"},
    "schemes": {"en": "certification schemes (occupation-map headcount)", "id": "skema sertifikasi (jumlah SDM peta okupasi)"},
    "programmes": {"en": "training programmes", "id": "program pelatihan"},
    "full": {"en": "at or above the highest required level", "id": "mencapai level tertinggi yang dipersyaratkan"},
    "partial": {"en": "reaches some required levels, not the highest", "id": "mencapai sebagian level yang dipersyaratkan"},
    "below": {"en": "below every required level", "id": "di bawah semua level yang dipersyaratkan"},
    "none": {"en": "not covered", "id": "tidak dicakup"},
    "nothing": {"en": "required, and no scheme (or programme) covers it at all", "id": "dipersyaratkan, dan tidak dicakup skema (atau program) mana pun"},
    "extra": {"en": "covered, but no position requires it", "id": "dicakup, tetapi tidak dipersyaratkan jabatan mana pun"},
    "findings": {"en": "Findings", "id": "Temuan"},
    "no_findings": {"en": "no findings", "id": "tidak ada temuan"},
    "skipped": {"en": "skipped", "id": "dilewati"},
    "not_run": {"en": "not run", "id": "tidak dijalankan"},
    "rule": {"en": "rule", "id": "aturan"},
    "premises": {"en": "premises", "id": "premis"},
    "more": {"en": "more", "id": "lainnya"},
    "explanation": {"en": "explanation", "id": "penjelasan"},
    "not_required": {"en": "not required", "id": "tidak dipersyaratkan"},
    "recognised_no": {"en": "not recognised by an authority", "id": "belum diakui otoritas"},
    "exit": {"en": "exit code with --fail-on", "id": "kode keluar dengan --fail-on"},
    "illustrative": {
        "en": "Figures come from the store's data; the bundled example organisation mixes the paper's facts "
              "with illustrative data (see its README).",
        "id": "Angka berasal dari data penyimpanan; contoh organisasi bawaan memadukan fakta makalah dengan "
              "data ilustratif (lihat README-nya)."},
}
_SEVERITY_WORD = {
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
    "id": {Severity.ERROR: "galat", Severity.WARNING: "peringatan", Severity.INFO: "info"},
}


def ui(key: str, lang: str) -> str:
    """Return a fixed text of the report in ``lang``."""
    return _UI[key]["id" if lang == "id" else "en"]


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

_CSS = """
:root { --full:#2e7d32; --partial:#f2b705; --below:#e06048; --none:#f4f4f2; --nothing:#7f1d1d; --extra:#8fa7b8;
        --error:#b3261e; --warning:#a15c00; --info:#1f5fa8; --ink:#1d1d1b; --muted:#5f6368; --line:#d9d9d6; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink);
       margin: 0 auto; padding: 24px 32px 64px; max-width: 1340px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 28px 0 4px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); font-weight: 600; }
p.meta, p.note { color: var(--muted); margin: 4px 0 12px; }
table { border-collapse: collapse; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.badge { display: inline-block; min-width: 64px; padding: 1px 6px; border-radius: 3px; color: #fff;
         font-size: 12px; font-weight: 700; text-transform: uppercase; text-align: center; }
.sev-error .badge, .badge.sev-error { background: var(--error); }
.sev-warning .badge, .badge.sev-warning { background: var(--warning); }
.sev-info .badge, .badge.sev-info { background: var(--info); }
td.zero { color: #b0b0b0; }
td.hot-error { color: var(--error); font-weight: 700; }
td.hot-warning { color: var(--warning); font-weight: 700; }
td.hot-info { color: var(--info); font-weight: 700; }
.verdict { font-weight: 600; margin-top: 8px; }
table.priorities td.bar { width: 220px; }
.bar span { display: block; height: 12px; background: var(--below); border-radius: 2px; }
.heatwrap { overflow-x: auto; }
table.heatmap { font-size: 12px; }
table.heatmap th.col { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
                       height: 235px; padding: 4px 2px; font-weight: 500; text-align: left; }
table.heatmap th.col.scheme { background: #eef3ee; }
table.heatmap th.col.programme { background: #f3f0ea; }
table.heatmap th.col.best { background: #e9e9e6; font-weight: 700; }
table.heatmap td.cov.best { border-right: 1px solid #fff; font-weight: 700; }
table.heatmap th.group { text-align: center; border-bottom: 0; font-size: 12px; color: var(--muted); }
table.heatmap td.cov { width: 26px; min-width: 26px; text-align: center; border: 1px solid #fff; padding: 3px 0; }
td.cov.full { background: var(--full); color: #fff; }
td.cov.partial { background: var(--partial); color: #222; }
td.cov.below { background: var(--below); color: #fff; }
td.cov.none { background: repeating-linear-gradient(135deg, var(--none) 0 4px, #dcdcd6 4px 6px); }
/* no scheme (or programme) at all for a required competency: the top priorities, shown as alarms */
td.cov.best.nothing { background: var(--nothing); color: #fff; }
td.cov.extra { background: var(--extra); color: #fff; }
table.heatmap td.name { white-space: nowrap; }
table.heatmap tr.notreq td.name { color: var(--muted); font-style: italic; }
table.heatmap td.sep, table.heatmap th.sep { border-left: 3px solid var(--ink); }
.legend { display: flex; gap: 16px; flex-wrap: wrap; margin: 8px 0 12px; font-size: 13px; }
.legend span.swatch { display: inline-block; width: 16px; height: 16px; vertical-align: -3px; margin-right: 4px;
                      border: 1px solid var(--line); }
section.rec { margin-top: 12px; }
section.rec > p.meta { margin-top: 0; }
article.finding { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; }
article.sev-error { border-left-color: var(--error); }
article.sev-warning { border-left-color: var(--warning); }
article.sev-info { border-left-color: var(--info); }
article.finding p { margin: 2px 0; }
article.finding .focus { color: var(--muted); font-size: 12px; }
details { font-size: 13px; color: var(--muted); }
details ul { margin: 4px 0; padding-left: 20px; }
code { font-size: 12px; background: #f1f1ef; padding: 0 3px; border-radius: 2px; }
.check-empty { color: var(--muted); font-size: 13px; margin: 2px 0 2px 0; }
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def to_html(report: AuditReport, lang: str = "en") -> str:
    """Render the report as one self-contained HTML file (inline CSS, no scripts, no network)."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(ui('title', lang))}</title><style>{_CSS}</style></head><body>",
        (f'<header><h1>{_e(ui("title", lang))}</h1><p class="meta">{_e(_settings_line(report, lang))}</p>'
         f'<p class="note">{_e(ui("illustrative", lang))}</p></header>'),
        _html_summary(report, lang),
        _html_priorities(report.priorities, lang),
        _html_coverage(report.coverage, lang),
        _html_findings(report, lang),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _html_summary(report: AuditReport, lang: str) -> str:
    rows = []
    for sec in report.sections:
        counts = report.counts(sec.id)
        cells = "".join(
            f'<td class="num {"hot-" + s.value if counts[s] else "zero"}" data-severity="{s.value}">{counts[s]}</td>'
            for s in SEVERITIES) if report.ran(sec.id) else \
            f'<td class="zero" colspan="{len(SEVERITIES)}">{_e(ui("not_run", lang))}</td>'

        principles = ", ".join(p.label.get(lang) for p in sec.principles)
        rows.append(f'<tr data-section="{_e(sec.id)}"><td><a href="#section-{_e(sec.id)}">{_e(sec.id)}</a></td>'
                    f"<td>{_e(sec.title.get(lang))}</td><td>{_e(principles)}</td>{cells}</tr>")
    total = report.counts()
    cells = "".join(f'<td class="num" data-severity="{s.value}">{total[s]}</td>' for s in SEVERITIES)
    rows.append(f'<tr class="total" data-section="total"><td>{_e(ui("total", lang))}</td><td></td><td></td>{cells}</tr>')
    head = "".join(f"<th>{_e(c)}</th>" for c in summary_columns(lang)[:3]) + "".join(
        f'<th class="num">{_e(_SEVERITY_WORD[lang][s])}</th>' for s in SEVERITIES)
    return (f'<section id="summary"><h2>{_e(ui("summary", lang))}</h2>'
            f'<table id="summary-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="verdict" data-exit-code="{report.exit_code()}" data-fail-on="{_e(report.fail_on)}">'
            f"{_e(_verdict(report, lang))}</p></section>")


def _html_priorities(items: Sequence[Priority], lang: str) -> str:
    peak = max((p.people for p in items), default=0) or 1
    rows = []
    for p in items:
        width = round(100 * p.people / peak)
        rows.append(
            f'<tr data-rank="{p.rank}" data-code="{_e(p.code)}" data-people="{p.people}" '
            f'data-positions="{p.positions}" data-required="{p.required}" '
            f'data-certified="{"" if p.certified is None else p.certified}">'
            f'<td class="num">{p.rank}</td><td title="{_e(p.competency.iri)}">{_e(p.competency.label.get(lang))}</td>'
            f'<td class="num">{p.required}</td><td>{_e(", ".join(map(str, p.levels)))}</td>'
            f'<td class="num">{_level(p.certified)}</td><td class="num">{_level(p.developed)}</td>'
            f'<td class="num">{p.positions}</td><td class="num">{p.people}</td>'
            f'<td class="bar"><span style="width:{width}%"></span></td></tr>')
    head = "".join(f'<th{" class=num" if n not in (1, 3) else ""}>{_e(ui(k, lang))}</th>' for n, k in enumerate(
        ("rank", "competency", "required", "uncovered_levels", "certified", "developed", "positions", "people")))
    return (f'<section id="priorities"><h2>{_e(ui("priorities", lang))}</h2>'
            f'<p class="note">{_e(ui("priorities_note", lang))}</p>'
            f'<table class="priorities"><thead><tr>{head}<th></th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
            "</section>")


def _html_coverage(cov: Coverage, lang: str) -> str:
    schemes = [c for c in cov.columns if c.kind == "scheme"]
    programmes = [c for c in cov.columns if c.kind == "programme"]
    first_programme = programmes[0].iri if programmes else None
    swatch = {k: f"var(--{k})" for k in ("full", "partial", "below", "extra", "nothing")}
    swatch["none"] = "repeating-linear-gradient(135deg, var(--none) 0 4px, #dcdcd6 4px 6px)"
    legend = "".join(f'<span><span class="swatch" style="background:{swatch[k]}"></span>{_e(ui(k, lang))}</span>'
                     for k in ("full", "partial", "below", "none", "nothing", "extra"))
    legend += f"<span>✱ {_e(ui('recognised_no', lang))}</span>"
    group = (f'<tr><th colspan="5"></th><th class="group" colspan="{len(schemes)}">{_e(ui("schemes", lang))}</th>'
             f'<th class="group sep" colspan="{len(programmes)}">{_e(ui("programmes", lang))}</th></tr>')
    cols = []
    for c in cov.columns:
        extra = f" ({c.headcount})" if c.headcount is not None else ""
        if c.recognised is False:
            extra += " ✱"
        tip = c.label.get(lang) + (f" — {ui('recognised_no', lang)}" if c.recognised is False else "")
        sep = " sep" if c.iri == first_programme else ""
        cols.append(f'<th class="col {c.kind}{sep}" data-column="{_e(c.code)}" data-kind="{c.kind}" '
                    f'title="{_e(tip)}">{_e(c.code + extra)}</th>')
    head = (f'<tr><th>{_e(ui("competency", lang))}</th><th class="num">{_e(ui("required", lang))}</th>'
            f'<th class="num">{_e(ui("people", lang))}</th>'
            f'<th class="col best">{_e(ui("best_scheme", lang))}</th>'
            f'<th class="col best">{_e(ui("best_programme", lang))}</th>{"".join(cols)}</tr>')
    rows = []
    for r in cov.rows:
        cells = []
        for col, cell in zip(cov.columns, r.cells, strict=True):
            sep = " sep" if col.iri == first_programme else ""
            tip = f"{r.code} × {col.code}: {_level(cell.level)} — {ui(cell.status, lang)}"
            cells.append(f'<td class="cov {cell.status}{sep}" data-column="{_e(col.code)}" data-status="{cell.status}" '
                         f'data-level="{"" if cell.level is None else cell.level}" title="{_e(tip)}">'
                         f'{"" if cell.level is None else cell.level}</td>')
        cls = ' class="notreq"' if r.required_max is None else ""
        best = "".join(
            f'<td class="cov best {st}{alarm}" data-best="{kind}" data-status="{st}" '
            f'title="{_e(ui("nothing" if alarm else st, lang))}">'
            f'{_level(level) if level is not None else ("✘" if alarm else "")}</td>'
            for kind, level in (("scheme", r.certified), ("programme", r.developed))
            for st in (status(level, r.required_min, r.required_max),)
            for alarm in (" nothing" if level is None and r.required_max is not None else "",))
        rows.append(f'<tr{cls} data-code="{_e(r.code)}" data-people="{r.people}" '
                    f'data-required-max="{"" if r.required_max is None else r.required_max}">'
                    f'<td class="name" title="{_e(r.competency.iri)}">{_e(r.competency.label.get(lang))}</td>'
                    f'<td class="num">{_e(_range(r, lang))}</td><td class="num">{r.people}</td>{best}{"".join(cells)}</tr>')
    return (f'<section id="coverage"><h2>{_e(ui("coverage", lang))}</h2>'
            f'<p class="note">{_e(ui("coverage_note", lang))}</p><div class="legend">{legend}</div>'
            f'<div class="heatwrap"><table class="heatmap"><thead>{group}{head}</thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div></section>')


def _html_findings(report: AuditReport, lang: str) -> str:
    out = [f'<section id="findings"><h2>{_e(ui("findings", lang))}</h2>']
    for sec, runs, findings in iter_sections(report):
        counts = report.counts(sec.id)
        principles = ", ".join(p.label.get(lang) for p in sec.principles)
        tally = ", ".join(f"{counts[s]} {_SEVERITY_WORD[lang][s]}" for s in SEVERITIES)
        rec = f' data-recommendation="{_e(sec.recommendation.iri)}"' if sec.recommendation else ""
        out.append(f'<section class="rec" id="section-{_e(sec.id)}" data-section="{_e(sec.id)}"{rec}>'
                   f"<h3>{_e(sec.id)} — {_e(sec.title.get(lang))}</h3>"
                   f'<p class="meta">{_e(ui("principles", lang))}: {_e(principles)} · {_e(tally)}</p>')
        for run in runs:
            mine = [f for f in findings if f.check == run.check.id]
            if run.skipped:
                out.append(f'<p class="check-empty" data-check="{_e(run.check.id)}" data-skipped="true">'
                           f"<code>{_e(run.check.id)}</code> {_e(run.check.text(lang))} — "
                           f"{_e(ui('skipped', lang))}: {_e(run.skipped)}</p>")
                continue
            if not mine:
                out.append(f'<p class="check-empty" data-check="{_e(run.check.id)}"><code>{_e(run.check.id)}</code> '
                           f"{_e(run.check.text(lang))} — {_e(ui('no_findings', lang))}</p>")
                continue
            out.append(f'<h4 data-check="{_e(run.check.id)}" data-count="{len(mine)}"><code>{_e(run.check.id)}</code> '
                       f"{_e(run.check.text(lang))} ({len(mine)})</h4>")
            out.extend(_html_finding(f, lang) for f in mine)
        out.append("</section>")
    out.append("</section>")
    return "\n".join(out)


def _html_finding(f: Finding, lang: str) -> str:
    e = f.explanation
    shown = e.premises[:PREMISES_SHOWN * 4]
    items = "".join(f'<li title="{_e(p.iri)}">{_e(p.label.get(lang))}</li>' for p in shown)
    more = len(e.premises) - len(shown)
    if more > 0:
        items += f"<li>… +{more} {_e(ui('more', lang))}</li>"
    word = _SEVERITY_WORD[lang][f.severity]
    return (f'<article class="finding sev-{f.severity.value}" data-check="{_e(f.check)}" '
            f'data-severity="{f.severity.value}" data-focus="{_e(f.focus.iri)}">'
            f'<p><span class="badge">{_e(word)}</span> {_e(f.message.get(lang))}</p>'
            f'<p class="focus">{_e(f.focus.label.get(lang))} · <code>{_e(f.focus.iri)}</code> · '
            f"{_e(f.principle.label.get(lang))}</p>"
            f"<details><summary>{_e(ui('explanation', lang))}: {_e(ui('rule', lang))} <code>{_e(e.rule)}</code> "
            f"({_e(e.rule_title.get(lang))}), {len(e.premises)} {_e(ui('premises', lang))}</summary>"
            f"<ul>{items}</ul></details></article>")


def fail_on_choices() -> tuple[str, ...]:
    """The values ``--fail-on`` accepts."""
    return tuple(FAIL_ON)
