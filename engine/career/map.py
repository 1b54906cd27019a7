"""Draw the career map: DOT, Mermaid, SVG, or one self-contained HTML page.

The map shows positions (boxes; managerial positions shaded warm, specialist ones cool) in
one column per job family and one row per grade (most senior at the top), and the career
moves between them: promotions blue, cross-family promotions orange, lateral moves grey,
dashed when the move changes track. In DOT and Mermaid an edge is labelled with its demand: the
sum of level increases and the number of new competencies (``+7 · 2 new``); in SVG and HTML the
demand is in the move's tooltip and card, and titles wrap over two lines (in full in the tooltip).

By default the map leaves out *skip-level* moves, A→C when the graph also has A→B and B→C
with B drawn, of A's or C's family, and graded strictly between them, so the ladder stays readable; ``all_moves``
draws every inferred move. DOT and Mermaid are text for Graphviz and Mermaid renderers; SVG
and HTML are drawn here with the grid layout above, so they need no other program. The HTML
page has no external resources and fits the window's width: moves up a family's ladder are
drawn, moves across families only for the position clicked (or all, on request), and it filters
by job family (zooming onto its column) and by track; clicking a move shows what it demands,
clicking a position its requirements and moves.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from selaras.engine import messages, templating
from selaras.engine.career.graph import CareerGraph
from selaras.engine.career.model import natural_key
from selaras.engine.career.paths import move_step
from selaras.engine.errors import InputError

FORMATS = ("dot", "mermaid", "svg", "html")
COLORS = {"Promotion": "#2b6cb0", "CrossFamilyPromotion": "#dd6b20", "LateralMove": "#718096"}
FILL = {"managerial": "#fdebd3", "specialist": "#e3effc", None: "#eeeeee"}
STROKE = {"managerial": "#c05621", "specialist": "#2c5282", None: "#888888"}
NODE_W, NODE_H, GAP_X, ROW_H, TOP, LEFT = 156, 50, 16, 92, 70, 50
#: Characters of a title on one line of a box (two lines; the full title is in the box's tooltip).
TITLE_LINE = 24


@dataclass(frozen=True)
class MapData:
    """The positions and moves a map shows."""

    positions: list[str]
    moves: list[tuple[str, str]]
    families: list[str]


def select(cg: CareerGraph, family: str | None = None, *, all_moves: bool = False) -> MapData:
    """Choose the positions (all, or one family's) and the moves among them to draw.

    Raises:
        InputError: ``family`` names no job family of the data.
    """
    families = sorted({p.family or "" for p in cg.positions.values()}, key=natural_key)
    if family is not None:
        wanted = [f for f in families if f.casefold() == family.casefold()
                  or cg.label("family", f).casefold() == family.casefold()
                  or cg.label("family", f, "id").casefold() == family.casefold()]
        if not wanted:
            raise InputError(f"no job family {family!r} — use one of: {', '.join(families)}")
        families = wanted
    keep = {c for c, p in cg.positions.items() if (p.family or "") in families}
    positions = sorted(keep, key=lambda c: (natural_key(cg.positions[c].family or ""),
                                            -(cg.positions[c].rank or 0), c))
    g = cg.graph
    moves = []
    for u, v in g.edges:
        if u not in keep or v not in keep:
            continue
        if not all_moves and _skips_a_level(cg, u, v, keep):
            continue
        moves.append((u, v))
    moves.sort()
    return MapData(positions, moves, families)


def _skips_a_level(cg: CareerGraph, u: str, w: str, shown: set[str]) -> bool:
    """Tell whether u→w jumps over a drawn position v of u's or w's family (u→v→w, v graded between)."""
    g, rank = cg.graph, (lambda c: cg.positions[c].rank or 0)
    lo, hi = rank(u), rank(w)
    if hi - lo < 2:
        return False
    families = {cg.positions[u].family, cg.positions[w].family}
    return any(lo < rank(v) < hi and v in shown and cg.positions[v].family in families and g.has_edge(v, w)
               for v in g.successors(u))


def _demand(cg: CareerGraph, u: str, v: str, lang: str) -> str:
    step = move_step(cg, u, v)
    new = {"en": "new", "id": "baru"}.get(lang, "new")
    return f"+{step.total_increase} · {len(step.new)} {new}"


def _node_text(cg: CareerGraph, code: str, lang: str) -> tuple[str, str]:
    p = cg.positions[code]
    return cg.bare_title(code, lang), f"{code} · {cg.grade_name(p.grade, lang) if p.grade else '?'}"


# --- DOT and Mermaid -------------------------------------------------------------------------
def _dot_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(cg: CareerGraph, data: MapData, lang: str = "en") -> str:
    """Write the map as a Graphviz DOT digraph (families as clusters, senior grades on top).

    Render it with ``dot -Tsvg map.dot > map.svg``.
    """
    lines = ["digraph career {",
             '  graph [rankdir=BT, fontname="Helvetica", fontsize=11];',
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.7];']
    by_family: dict[str, list[str]] = defaultdict(list)
    for c in data.positions:
        by_family[cg.positions[c].family or ""].append(c)
    for i, fam in enumerate(data.families):
        lines.append(f"  subgraph cluster_{i} {{")
        lines.append(f"    label={_dot_str(cg.label('family', fam, lang) if fam else '?')}; "
                     f'style="rounded"; color="#bbbbbb";')
        for c in by_family.get(fam, []):
            p = cg.positions[c]
            title, sub = _node_text(cg, c, lang)
            lines.append(f"    {_dot_str(c)} [label={_dot_str(title + chr(10) + sub)}, "
                         f'fillcolor="{FILL[p.track]}", color="{STROKE[p.track]}"];')
        lines.append("  }")
    for u, v in data.moves:
        d = cg.graph.edges[u, v]
        style = ', style="dashed"' if d["changes_track"] else ""
        if d["grade_steps"] == 0:
            style += ", constraint=false"  # a lateral move does not push a position up a rank
        lines.append(f"  {_dot_str(u)} -> {_dot_str(v)} [xlabel={_dot_str(_demand(cg, u, v, lang))}, "
                     f'color="{COLORS.get(d["type"], "#444444")}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(cg: CareerGraph, data: MapData, lang: str = "en") -> str:
    """Write the map as a Mermaid flowchart (families as subgraphs)."""
    ids = {c: f"p{i}" for i, c in enumerate(data.positions)}
    lines = ["flowchart BT"]
    by_family: dict[str, list[str]] = defaultdict(list)
    for c in data.positions:
        by_family[cg.positions[c].family or ""].append(c)
    for i, fam in enumerate(data.families):
        lines.append(f'  subgraph f{i}["{_mermaid_text(cg.label("family", fam, lang) if fam else "?")}"]')
        for c in by_family.get(fam, []):
            title, sub = _node_text(cg, c, lang)
            lines.append(f'    {ids[c]}["{_mermaid_text(title)}<br/><small>{_mermaid_text(sub)}</small>"]')
        lines.append("  end")
    for u, v in data.moves:
        d = cg.graph.edges[u, v]
        arrow = "-.->" if d["changes_track"] else "-->"
        lines.append(f'  {ids[u]} {arrow}|"{_mermaid_text(_demand(cg, u, v, lang))}"| {ids[v]}')
    for track in ("managerial", "specialist"):
        members = [ids[c] for c in data.positions if cg.positions[c].track == track]
        lines.append(f"  classDef {track} fill:{FILL[track]},stroke:{STROKE[track]}")
        if members:
            lines.append(f"  class {','.join(members)} {track}")
    for i, (u, v) in enumerate(data.moves):
        color = COLORS.get(cg.graph.edges[u, v]["type"], "#444444")
        lines.append(f"  linkStyle {i} stroke:{color}")
    return "\n".join(lines) + "\n"


# --- SVG and HTML (own grid layout) -------------------------------------------------------------
@dataclass(frozen=True)
class _Layout:
    boxes: dict[str, tuple[float, float]]  # top-left corner of each position's box
    width: float
    height: float
    columns: Sequence[tuple[str, float, float]]  # family, x, width
    rows: Sequence[tuple[int, float, str]]  # rank, y, grade


def _layout(cg: CareerGraph, data: MapData) -> _Layout:
    ranks = sorted({cg.positions[c].rank or 0 for c in data.positions}, reverse=True)
    row_y = {r: TOP + i * ROW_H for i, r in enumerate(ranks)}
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for c in data.positions:
        p = cg.positions[c]
        cells[(p.family or "", p.rank or 0)].append(c)
    boxes: dict[str, tuple[float, float]] = {}
    columns = []
    x = LEFT
    for fam in data.families:
        width = max((len(v) for (f, _), v in cells.items() if f == fam), default=1)
        col_w = width * (NODE_W + GAP_X)
        for (f, r), members in cells.items():
            if f != fam:
                continue
            offset = (col_w - len(members) * (NODE_W + GAP_X)) / 2
            for i, c in enumerate(sorted(members)):
                boxes[c] = (x + offset + i * (NODE_W + GAP_X) + GAP_X / 2, row_y[r])
        columns.append((fam, x, col_w))
        x += col_w + GAP_X
    grades: dict[int, str] = {}
    for c in data.positions:
        p = cg.positions[c]
        grades.setdefault(p.rank or 0, p.grade or "")
    rows = [(r, row_y[r], grades[r]) for r in ranks]
    return _Layout(boxes, x + 10, TOP + len(ranks) * ROW_H + 40, columns, rows)


def _clip(cx: float, cy: float, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from a box's centre in direction (dx, dy) leaves the box."""
    hw, hh = NODE_W / 2 + 2, NODE_H / 2 + 2
    scale = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def _edge_path(a: tuple[float, float], b: tuple[float, float]) -> str:
    ax, ay = a[0] + NODE_W / 2, a[1] + NODE_H / 2
    bx, by = b[0] + NODE_W / 2, b[1] + NODE_H / 2
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy) or 1.0
    # bend to the left of the direction of travel, so A→B and B→A do not overlap
    bend = min(60.0, 0.18 * length)
    mx, my = (ax + bx) / 2 - dy / length * bend, (ay + by) / 2 + dx / length * bend
    sx, sy = _clip(ax, ay, mx - ax, my - ay)
    ex, ey = _clip(bx, by, mx - bx, my - by)
    return f"M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}"


def _truncate(text: str, n: int = 27) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _two_lines(text: str, n: int = TITLE_LINE) -> list[str]:
    """Break a title at a space into at most two lines of ``n`` characters (the second cut with …).

    >>> _two_lines("Kepala Lembaga Sertifikasi Profesi Jaminan Sosial")
    ['Kepala Lembaga', 'Sertifikasi Profesi Jam…']
    >>> _two_lines("Staf Frontliner")
    ['Staf Frontliner']
    """
    if len(text) <= n:
        return [text]
    cut = text.rfind(" ", 0, n + 1)
    if cut <= 0:
        return [_truncate(text, n)]
    return [text[:cut], _truncate(text[cut + 1:], n)]


def to_svg(cg: CareerGraph, data: MapData, lang: str = "en", *, interactive: bool = False) -> str:
    """Draw the map as an SVG document (hover a move or a position for its details).

    The layout and the texts are worked out here; the markup is ``engine/templates/career_map.svg.j2``.
    """
    lay = _layout(cg, data)
    words = messages.texts("career_map", lang)
    families = []
    for fam, x, w in lay.columns:
        name = cg.label("family", fam, lang) if fam else "?"
        families.append({"code": fam, "x": x, "w": w, "name": name, "short": _truncate(name, max(12, int(w / 7)))})
    moves = []
    for i, (u, v) in enumerate(data.moves):
        d = cg.graph.edges[u, v]
        moves.append({
            "id": i, "from": u, "to": v, "path": _edge_path(lay.boxes[u], lay.boxes[v]),
            "kind": "ladder" if d["type"] == "Promotion" else "across",  # up a family's ladder, or across families
            "tip": f"{u} → {v}: {cg.term_label(d['type'], lang)}, {_demand(cg, u, v, lang)}",
            "color": COLORS.get(d["type"], "#444444"), "marker": d["type"] if d["type"] in COLORS else "Promotion",
            "dashed": d["changes_track"],
            "faint": d["type"] == "LateralMove",  # keep the ladders in front
        })
    positions = []
    for c in data.positions:
        x, y = lay.boxes[c]
        p = cg.positions[c]
        title, sub = _node_text(cg, c, lang)
        lines = _two_lines(title)
        first = 15 if len(lines) == 2 else 20
        positions.append({"code": c, "family": p.family or "", "track": p.track or "", "title": title, "sub": sub,
                          "short_sub": _truncate(sub, 30), "x": x, "y": y, "fill": FILL[p.track],
                          "stroke": STROKE[p.track], "lines": [(y + first + 12 * n, line) for n, line in enumerate(lines)]})
    legend: list[dict[str, object]] = []
    lx = LEFT
    for kind, color in COLORS.items():
        legend.append({"shape": "line", "x": lx, "color": color, "dashed": False, "text": cg.term_label(kind, lang)})
        lx += 170
    legend.append({"shape": "line", "x": lx, "color": "#444444", "dashed": True, "text": words["dashed"]})
    lx += 190
    for track in ("managerial", "specialist"):
        legend.append({"shape": "box", "x": lx, "fill": FILL[track], "stroke": STROKE[track], "text": words[track]})
        lx += 170
    return templating.render("career_map.svg.j2", width=lay.width, height=lay.height, colors=list(COLORS.items()),
                             top=TOP, left=LEFT, node_w=NODE_W, node_h=NODE_H, families=families,
                             grades=lay.rows, moves=moves, positions=positions, legend=legend,
                             legend_y=lay.height - 14)


def _details(cg: CareerGraph, data: MapData, lang: str) -> dict[str, object]:
    def comp(c: str) -> str:
        return f"{cg.label('competency', c, lang)} ({c})"

    moves = []
    for u, v in data.moves:
        s = move_step(cg, u, v)
        moves.append({
            "from": f"{cg.title(u, lang)} · {u}", "to": f"{cg.title(v, lang)} · {v}",
            "type": cg.term_label(s.move_type, lang), "grade_steps": s.grade_steps,
            "changes_track": s.changes_track, "total_increase": s.total_increase,
            "increases": [[comp(ch.competency), ch.before, ch.after] for ch in s.increases],
            "new": [[comp(ch.competency), ch.after] for ch in s.new],
        })
    positions = {}
    for c in data.positions:
        p = cg.positions[c]
        positions[c] = {
            "label": cg.bare_title(c, lang), "grade": p.grade, "track": p.track,
            "family": cg.label("family", p.family, lang) if p.family else None,
            "requirements": [[comp(k), lv] for k, lv in sorted(p.requirements.items(), key=lambda kv: (-kv[1], kv[0]))],
            "moves_out": [f"{cg.title(v, lang)} · {v}" for v in sorted(cg.graph.successors(c))],
        }
    return {"moves": moves, "positions": positions}


def to_html(cg: CareerGraph, data: MapData, lang: str = "en") -> str:
    """Write one self-contained HTML page: the map fitted to the window's width, filters by job family
    and track, and a card that shows a clicked position's requirements and moves or a move's demands.

    Moves up a family's ladder are always drawn; moves across families (lateral moves and
    cross-family promotions, the tangle of a large map) only for the chosen position, or all
    when asked.
    """
    words = messages.texts("career_map", lang)
    # the SVG is markup the SVG template wrote, every text in it escaped there: put in as it is
    svg = Markup(to_svg(cg, data, lang, interactive=True))
    # fitted to the window, but never drawn below 65% of its size: a map of many families then
    # scrolls sideways (or is narrowed to one family by the filter) rather than turn unreadable
    least = round(0.65 * _layout(cg, data).width)
    families = [(f, cg.label("family", f, lang) if f else "?") for f in data.families]
    return templating.render("career_map.html.j2", lang=lang, words=words, svg=svg, least=least,
                             families=families, data={**_details(cg, data, lang), "words": words})


def render_map(cg: CareerGraph, fmt: str, *, family: str | None = None, all_moves: bool = False,
               lang: str = "en") -> str:
    """Return the career map in one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise InputError(f"unknown map format {fmt!r} — use one of {', '.join(FORMATS)}")
    data = select(cg, family, all_moves=all_moves)
    return {"dot": to_dot, "mermaid": to_mermaid, "svg": to_svg, "html": to_html}[fmt](cg, data, lang)
