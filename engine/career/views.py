"""Write career answers (paths, next moves, talent pools, plans) as a table, Markdown or JSON.

Labels come in the reader's language (``en`` or ``id``); so do headings. JSON carries codes,
labels and every number of the score, for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from selaras.engine import messages
from selaras.engine.career.graph import CareerGraph
from selaras.engine.career.model import (
    Candidate,
    CareerPath,
    Employee,
    Gap,
    LevelChange,
    Plan,
    RankedMove,
    RankingOptions,
)
from selaras.engine.render import records_markdown, records_table

def t(key: str, lang: str, **kwargs: object) -> str:
    """Return a heading or phrase in a language, filled in (the catalogue's ``career`` section).

    >>> t("path", "id", n=1, moves=2, effort="3.50")
    'Jalur 1 · 2 langkah · upaya 3.50'
    """
    return messages.text("career", key, lang, **kwargs)


def pct(x: float) -> str:
    """Write a share as a percentage.

    >>> pct(0.479166)
    '47.9%'
    """
    return f"{x * 100:.1f}%"


def _pos(cg: CareerGraph, code: str, lang: str) -> str:
    return f"{cg.title(code, lang)} · {code}"


def _move_label(cg: CareerGraph, move_type: str | None, lang: str) -> str:
    return cg.term_label(move_type, lang) if move_type else ""


def _change(cg: CareerGraph, ch: LevelChange, lang: str, *, codes: bool = False) -> str:
    name = ch.competency if codes else cg.label("competency", ch.competency, lang)
    if ch.before is None:
        return f"{name} {ch.after} ({t('new_word', lang)})"
    return f"{name} {ch.before}→{ch.after} (+{ch.after - ch.before})"


def _gap(cg: CareerGraph, g: Gap, lang: str, *, codes: bool = True) -> str:
    name = g.competency if codes else cg.label("competency", g.competency, lang)
    return f"{name} {'–' if g.held is None else g.held}→{g.required}"


def _blocks(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: str) -> str:
    if fmt == "md":
        return (f"### {title}\n\n" if title else "") + records_markdown(columns, rows) + "\n"
    return records_table(title, columns, rows)


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _pos_json(cg: CareerGraph, code: str, lang: str) -> dict[str, Any]:
    p = cg.positions[code]
    return {"position": code, "label": cg.bare_title(code, lang), "grade": p.grade,
            "family": p.family, "track": p.track}


def _change_json(cg: CareerGraph, ch: LevelChange, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"competency": ch.competency, "label": cg.label("competency", ch.competency, lang)}
    if ch.before is None:
        out["level"] = ch.after
    else:
        out.update({"from": ch.before, "to": ch.after, "increase": ch.after - ch.before})
    return out


# --- paths ---------------------------------------------------------------------------------
def render_paths(cg: CareerGraph, source: str, target: str, paths: list[CareerPath], fmt: str, lang: str) -> str:
    """Write the k best paths, each step with its level increases and new competencies."""
    if fmt == "json":
        return _dump({
            "from": _pos_json(cg, source, lang), "to": _pos_json(cg, target, lang),
            "paths": [{
                "positions": list(p.positions), "effort": round(p.effort, 4),
                "steps": [{
                    "from": s.source, "to": s.target, "label": cg.title(s.target, lang),
                    "move_type": s.move_type, "grade_steps": s.grade_steps, "track": s.track,
                    "changes_track": s.changes_track, "effort": round(s.effort, 4),
                    "total_increase": s.total_increase, "new_count": len(s.new),
                    "increases": [_change_json(cg, c, lang) for c in s.increases],
                    "new": [_change_json(cg, c, lang) for c in s.new],
                } for s in p.steps],
            } for p in paths],
        })
    head = t("paths_title", lang, a=_pos(cg, source, lang), b=_pos(cg, target, lang))
    out = f"## {head}\n\n" if fmt == "md" else head + "\n"
    cols = [t("step", lang), t("to", lang), t("type", lang), t("grades", lang), t("increases", lang), t("new", lang)]
    for n, p in enumerate(paths, 1):
        rows = [[i, _pos(cg, s.target, lang), _move_label(cg, s.move_type, lang), f"+{s.grade_steps}",
                 "; ".join(_change(cg, c, lang) for c in s.increases) or "–",
                 "; ".join(_change(cg, c, lang) for c in s.new) or "–"]
                for i, s in enumerate(p.steps, 1)]
        out += _blocks(t("path", lang, n=n, moves=len(p.steps), effort=f"{p.effort:.2f}"), cols, rows, fmt)
    return out


def render_no_path(cg: CareerGraph, source: str, target: str, reasons: list[str], fmt: str, lang: str) -> str:
    """Say that no path exists and why."""
    if fmt == "json":
        return _dump({"from": _pos_json(cg, source, lang), "to": _pos_json(cg, target, lang),
                      "paths": [], "reasons": reasons})
    head = t("no_path", lang, a=_pos(cg, source, lang), b=_pos(cg, target, lang))
    return head + "\n" + "".join(f"- {r}\n" for r in reasons)


# --- next moves ------------------------------------------------------------------------------
def _formula(options: RankingOptions, lang: str, employee: bool) -> str:
    text = t("formula", lang, s=options.similarity, i=options.increase, n=options.new, g=options.grade,
             t=options.track_change, o=options.observed)
    if employee:
        text += t("formula_r", lang, r=options.readiness)
    return text


def render_next(cg: CareerGraph, source: str, moves: list[RankedMove], options: RankingOptions, fmt: str,
                lang: str, employee: Employee | None = None) -> str:
    """Write the ranked moves from a position (or open to an employee)."""
    if fmt == "json":
        doc: dict[str, Any] = {"from": _pos_json(cg, source, lang), "options": vars(options).copy()}
        if employee is not None:
            doc["employee"] = {"employee": employee.code, "name": employee.name}
        doc["moves"] = [{
            "rank": n, **_pos_json(cg, m.target, lang), "move_type": m.move_type, "grade_steps": m.grade_steps,
            "changes_track": m.changes_track, "concluded": m.concluded, "score": m.score,
            "parts": {"similarity": m.similarity, "increase": m.increase, "new": m.new, "grade": m.grade,
                      "observed": m.observed, **({"readiness": m.readiness} if m.readiness is not None else {})},
            "moved": m.moved,
            "total_increase": m.total_increase, "new_count": m.new_count,
            **({"readiness": m.readiness, "met": m.met, "required": m.required} if m.readiness is not None else {}),
        } for n, m in enumerate(moves, 1)]
        return _dump(doc)
    if employee is not None:
        head = t("next_emp_title", lang, e=f"{employee.name} ({employee.code})", a=_pos(cg, source, lang))
    else:
        head = t("next_title", lang, a=_pos(cg, source, lang))
    if not moves:
        return head + "\n" + t("no_moves", lang, a=_pos(cg, source, lang)) + "\n"
    cols = [t("rank", lang), t("position", lang), t("label", lang), t("grade", lang), t("family", lang),
            t("type", lang), t("score", lang), t("similarity", lang), t("increase", lang), t("new_count", lang)]
    histories = bool(cg.departures)  # a "moved" column when the store holds position histories
    if histories:
        cols.append(t("moved", lang))
    if employee is not None:
        cols += [t("readiness", lang), t("met", lang)]
    rows = []
    for n, m in enumerate(moves, 1):
        p = cg.positions[m.target]
        assert p.grade is not None  # a move's target has a rank, so a grade
        row: list[object] = [n, m.target, cg.bare_title(m.target, lang), cg.grade_name(p.grade, lang), p.family,
                             _move_label(cg, m.move_type, lang) + (" ⇄" if m.changes_track else "")
                             + ("" if m.concluded else " ∘"),
                             f"{m.score:.3f}", f"{m.similarity:.2f}", f"+{m.total_increase}", m.new_count]
        if histories:
            row.append(m.moved)
        if employee is not None:
            row += [pct(m.readiness or 0.0), f"{m.met}/{m.required}"]
        rows.append(row)
    body = _blocks(head, cols, rows, fmt)
    legend = [t(key, lang) for key, shown in (("legend_track", any(m.changes_track for m in moves)),
                                              ("legend_unconcluded", not all(m.concluded for m in moves))) if shown]
    return body + _formula(options, lang, employee is not None) + "\n" + "".join(f"{line}\n" for line in legend)


# --- talent pool -------------------------------------------------------------------------------
def _route_label(cg: CareerGraph, route: str, lang: str) -> str:
    if route in {"current", "path", "none"}:
        return t(f"route_{route}", lang)
    return cg.term_label(route, lang)


def render_pool(cg: CareerGraph, position: str, pool: list[Candidate], min_readiness: float, fmt: str,
                lang: str) -> str:
    """Write the talent pool of a position: employees by readiness, with their remaining gaps."""
    emps = cg.employees
    if fmt == "json":
        return _dump({"position": _pos_json(cg, position, lang), "min_readiness": min_readiness, "candidates": [{
            "rank": n, "employee": c.employee, "name": emps[c.employee].name, "position": c.position,
            "route": c.route, "readiness": c.readiness, "met": c.met, "required": c.required,
            "gaps": [{"competency": g.competency, "label": cg.label("competency", g.competency, lang),
                      "held": g.held, "required": g.required} for g in c.gaps],
        } for n, c in enumerate(pool, 1)]})
    head = t("pool_title", lang, a=_pos(cg, position, lang))
    if not pool:
        return head + "\n" + t("pool_empty", lang, m=pct(min_readiness), a=_pos(cg, position, lang)) + "\n"
    cols = [t("rank", lang), t("employee", lang), t("name", lang), t("current", lang), t("route", lang),
            t("readiness", lang), t("met", lang), t("gaps", lang)]
    rows = [[n, c.employee, emps[c.employee].name, c.position or "", _route_label(cg, c.route, lang),
             pct(c.readiness), f"{c.met}/{c.required}", ", ".join(_gap(cg, g, lang) for g in c.gaps) or "–"]
            for n, c in enumerate(pool, 1)]
    return _blocks(head, cols, rows, fmt)


# --- development plan ------------------------------------------------------------------------------
def render_plan(cg: CareerGraph, plan: Plan, employee: Employee, fmt: str, lang: str) -> str:
    """Write a development plan: per step the gaps, the chosen programmes and the schemes."""
    if fmt == "json":
        return _dump({
            "employee": {"employee": employee.code, "name": employee.name},
            "current": _pos_json(cg, plan.current, lang) if plan.current in cg.positions else plan.current,
            "target": _pos_json(cg, plan.target, lang), "path": list(plan.path), "direct": plan.direct,
            "assumed": list(plan.assumed), "readiness_before": plan.readiness_before,
            "readiness_assumed": plan.readiness_assumed,
            "steps": [{
                "from": s.source, "to": s.target, "label": cg.title(s.target, lang),
                "move_type": s.move_type, "readiness": s.readiness,
                "gaps": [{"competency": g.competency, "label": cg.label("competency", g.competency, lang),
                          "held": g.held, "required": g.required, "programs": list(g.programs),
                          "schemes": list(g.schemes)} for g in s.gaps],
                "programs": list(s.programs), "uncovered": list(s.uncovered), "schemes": list(s.schemes),
            } for s in plan.steps],
        })
    cur = _pos(cg, plan.current, lang) if plan.current in cg.positions else str(plan.current)
    head = t("plan_title", lang, e=f"{employee.name} ({employee.code})", a=cur, b=_pos(cg, plan.target, lang))
    lines = [f"## {head}" if fmt == "md" else head, ""]
    ready = t("plan_ready", lang, b=plan.target, r=pct(plan.readiness_before))
    if plan.assumed:
        ready += t("plan_assumed", lang, r=pct(plan.readiness_assumed), p=", ".join(plan.assumed))
    lines.append(ready)
    if plan.direct:
        lines.append(t("plan_direct", lang))
    out = "\n".join(lines) + "\n\n"
    cols = [t("competency", lang), t("held", lang), t("required", lang), t("programs", lang), t("schemes", lang)]
    for n, s in enumerate(plan.steps, 1):
        move = f" ({_move_label(cg, s.move_type, lang)})" if s.move_type else ""
        title = t("plan_step", lang, n=n, b=_pos(cg, s.target, lang), move=move, r=pct(s.readiness))
        if not s.gaps:
            out += (f"### {title}\n\n" if fmt == "md" else title + "\n") + t("no_gaps", lang) + "\n\n"
            continue
        rows = [[f"{cg.label('competency', g.competency, lang)} ({g.competency})",
                 t("not_assessed", lang) if g.held is None else g.held, g.required,
                 ", ".join(p + ("*" if p in s.programs else "") for p in g.programs) or "–",
                 ", ".join(g.schemes) or "–"] for g in s.gaps]
        out += _blocks(title, cols, rows, fmt)
        out += t("chosen", lang, p=", ".join(s.programs) or t("none", lang)) + "\n"
        if s.uncovered:
            out += t("uncovered", lang, c=", ".join(s.uncovered)) + "\n"
        out += t("certify", lang, s=", ".join(s.schemes) or t("none", lang)) + "\n\n"
    return out
