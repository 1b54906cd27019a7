"""Career paths: the graph, paths, ranked next moves, talent pools, plans, maps, framework import.

Expected numbers on the fixture (tests/data/career/org, scale 0–6, so a level r sits at
x = (r + 1) / 7) are worked out by hand in the comments; the bundled organisation checks
follow the issue's acceptance list.
"""

from __future__ import annotations

import json
import math
import xml.dom.minidom
from pathlib import Path

import pytest

import selaras
from selaras.engine import career
from selaras.engine.career import map as careermap
from selaras.engine.ingest import framework
from selaras.engine.errors import InputError, NotFoundError

DATA = Path(__file__).parent / "data" / "career"
X = 1 / 7  # one level on the fixture's seven-level scale


def centred_similarity(cg: career.CareerGraph, a: str, b: str) -> float:
    """S straight from its definition: the cosine of the two profiles minus the mean profile, over
    every competency (dense vectors; the engine never builds them)."""
    profiled = [p for p in cg.positions.values() if p.requirements]
    comps = sorted({c for p in profiled for c in p.requirements})

    def u(p: career.Position) -> list[float]:
        return [p.weights[c] * cg.competencies[c].x(p.requirements[c]) if c in p.requirements else 0.0
                for c in comps]

    mean = [sum(col) / len(profiled) for col in zip(*(u(p) for p in profiled), strict=True)]
    za = [v - m for v, m in zip(u(cg.positions[a]), mean, strict=True)]
    zb = [v - m for v, m in zip(u(cg.positions[b]), mean, strict=True)]
    return sum(x * y for x, y in zip(za, zb, strict=True)) / math.sqrt(sum(x * x for x in za) * sum(y * y for y in zb))


def documented_score(m: career.RankedMove, readiness: float = 0.0) -> float:
    """The score of ``career next`` from its parts with the default weights (README, career next --help)."""
    return (0.5 * m.similarity - 0.25 * m.increase - 1.0 * m.new - 0.0 * m.grade
            - (0.0 if m.changes_track else 0.0) + 8.0 * m.observed + readiness)


@pytest.fixture(scope="module")
def small() -> career.CareerGraph:
    org = selaras.open()
    org.import_paths([DATA / "org"])
    return org.career().graph


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("career") / "store"
    with selaras.open(path) as org:
        org.import_paths([DATA / "org"])
        org.infer()
    return str(path)


@pytest.fixture(scope="module")
def lxy(example) -> career.CareerGraph:
    return example.career().graph


# --- the graph ---------------------------------------------------------------------------------
def test_graph_has_one_edge_per_inferred_move(small):
    # same family and a higher grade, or another family 0–1 grade steps up
    expected = {
        ("ops-analyst", "ops-senior"), ("ops-analyst", "ops-lead"), ("ops-analyst", "head"),
        ("ops-senior", "ops-lead"), ("ops-senior", "head"), ("ops-lead", "head"),
        ("data-analyst", "data-lead"),
        ("ops-analyst", "data-analyst"), ("ops-senior", "data-analyst"), ("ops-senior", "data-lead"),
        ("ops-lead", "data-lead"), ("data-analyst", "ops-senior"), ("data-analyst", "ops-lead"),
        ("data-lead", "ops-lead"), ("data-lead", "head"),
    }
    assert set(small.graph.edges) == expected
    assert small.graph.edges["ops-analyst", "data-analyst"]["type"] == "CrossFamilyPromotion"
    assert small.graph.edges["data-lead", "ops-lead"]["type"] == "LateralMove"
    assert small.graph.edges["ops-analyst", "ops-lead"]["changes_track"] is True
    assert small.competencies["A"].low == 0 and small.competencies["A"].high == 6


def test_edge_demands_agree_with_the_inferred_moves(example, lxy):
    rows = example.query("PREFIX sel: <https://w3id.org/selaras/ontology#> SELECT ?from ?to ?total ?new WHERE { "
                         "?m a sel:CareerMove ; sel:fromPosition/sel:code ?from ; sel:toPosition/sel:code ?to ; "
                         "sel:totalIncrease ?total ; sel:newCompetencyCount ?new }").rows
    inferred = {(r["from"].value, r["to"].value): (int(r["total"].value), int(r["new"].value)) for r in rows}
    assert set(inferred) == set(lxy.graph.edges)
    for (u, v), totals in inferred.items():
        step = career.move_step(lxy, u, v)
        assert (step.total_increase, len(step.new)) == totals, (u, v)


def test_graph_is_cached_and_rebuilt_when_facts_change(tmp_path):
    org = selaras.open()
    org.import_paths([DATA / "org"])
    first = org.career().graph
    assert org.career().graph is first
    extra = tmp_path / "positions.csv"
    extra.write_text("position,label,grade,family,track\ndata-head,Head of Data,G4,data,managerial\n")
    org.import_paths([extra])
    second = org.career().graph
    assert second is not first and second.tag != first.tag
    assert second.graph.has_edge("data-lead", "data-head")


# --- paths -------------------------------------------------------------------------------------
def test_k_best_paths_by_effort(small):
    paths = career.best_paths(small, "ops-analyst", "data-lead", 3)
    assert [p.positions for p in paths] == [
        ("ops-analyst", "data-analyst", "data-lead"),
        ("ops-analyst", "ops-senior", "data-lead"),
        ("ops-analyst", "ops-lead", "data-lead"),
    ]
    # effort = 1 per move + Σ normalised increases + Σ normalised new levels
    # via data-analyst: new D3 (4/7); then A 2→4 (2/7), D 3→5 (2/7), new L4 (5/7)
    # via ops-senior: A +1, B +2, new C2 (6/7); then A +1, new D5 (6/7), new L4 (5/7)
    # via ops-lead: A +2, B +2, new C3, new L3 (12/7); then L +1, new D5 (7/7)
    for path, demand in zip(paths, (13, 18, 19), strict=True):
        assert path.effort == pytest.approx(2 + demand * X)
    second = paths[0].steps[1]
    assert [(c.competency, c.before, c.after) for c in second.increases] == [("A", 2, 4), ("D", 3, 5)]
    assert [(c.competency, c.after) for c in second.new] == [("L", 4)]
    assert second.move_type == "Promotion" and second.grade_steps == 1


def test_track_filter_keeps_to_the_track(small):
    paths = career.best_paths(small, "ops-analyst", "head", 5, track="managerial")
    assert paths and all(small.positions[p].track == "managerial" for path in paths for p in path.positions[1:])


@pytest.mark.parametrize(("source", "target", "kwargs", "words"), [
    ("head", "ops-analyst", {}, ["grade", "G1", "below G4"]),
    ("ops-analyst", "data-lead", {"track": "specialist"}, ["track", "managerial"]),
    ("ops-analyst", "ops-lead", {"max_increase": 1}, ["competency", "Accountability 2→4 (+2)", "Leading people new→3"]),
], ids=["grade", "track", "competency"])
def test_no_path_says_why(small, source, target, kwargs, words):
    with pytest.raises(career.NoPathError) as err:
        career.best_paths(small, source, target, **kwargs)
    text = " ".join(err.value.reasons)
    for w in words:
        assert w in text


# --- next moves ---------------------------------------------------------------------------------
def test_next_ranks_by_the_documented_score(small):
    moves = career.next_moves(small, "ops-analyst")
    # profiles in sevenths: ops-analyst (A3, B3); ops-senior (A4, B5, C3); data-analyst (A3, D4)
    by_target = {m.target: m for m in moves}
    senior, data = by_target["ops-senior"], by_target["data-analyst"]
    for m in moves:
        assert m.similarity == pytest.approx(centred_similarity(small, "ops-analyst", m.target), abs=1e-6)
        assert m.score == pytest.approx(documented_score(m), abs=1e-5)
    # the demands are those of the move, whatever the weights
    assert senior.increase == pytest.approx((1 + 2) * X / 3, abs=1e-6)
    assert senior.new == pytest.approx(3 * X / 3, abs=1e-6)
    assert senior.grade == pytest.approx(1 / 3, abs=1e-6)  # one step over a ladder of span 3
    assert data.new == pytest.approx(4 * X / 2, abs=1e-6)
    assert data.increase == 0
    lead = by_target["ops-lead"]  # ops-lead (A5, B5, C4, L4), onto the managerial track
    assert (lead.increase, lead.new, lead.changes_track) == (pytest.approx(4 * X / 4), pytest.approx(8 * X / 4), True)
    # best first, ties by the smaller grade step
    assert [m.target for m in moves] == [m.target for m in sorted(moves, key=lambda m: (-m.score, m.grade_steps,
                                                                                        m.target))]
    assert -1 <= min(m.similarity for m in moves) <= max(m.similarity for m in moves) <= 1


def test_the_similarity_discriminates_where_the_cosine_does_not(small):
    # the uncentred cosine of two positive profiles is close to 1 for every pair; centred on the
    # mean profile, the same pairs spread over a wider range (the reason for centring)
    cg = career.with_allowed_moves(small)
    edges = [cg.graph.edges[e] for e in cg.graph.edges]
    spread = lambda key: max(d[key] for d in edges) - min(d[key] for d in edges)  # noqa: E731
    assert spread("similarity") > spread("cosine")


def test_ranking_weights_change_the_order(small):
    moves = career.next_moves(small, "ops-analyst", career.RankingOptions(grade=0, new=0, similarity=0))
    assert moves[0].target == "data-analyst"  # nothing to climb: only new competencies, weighted 0
    with pytest.raises(InputError):
        career.RankingOptions(grade=-1)


def test_next_for_an_employee_uses_held_levels_and_readiness(small):
    e1 = career.resolve_employee(small, "ana putri")
    moves = career.next_moves_for_employee(small, e1)
    senior = next(m for m in moves if m.target == "ops-senior")
    # e1 holds A2, B3 (latest), C2; ops-senior requires A3, B4, C2
    assert senior.readiness == pytest.approx((2 / 3 + 3 / 4 + 1) / 3, abs=1e-6)
    assert (senior.met, senior.required) == (1, 3)
    assert senior.increase == pytest.approx(2 * X / 3, abs=1e-6)
    assert senior.new == 0
    assert senior.score == pytest.approx(documented_score(senior, readiness=(2 / 3 + 3 / 4 + 1) / 3), abs=1e-5)
    assert moves == sorted(moves, key=lambda m: (-m.score, m.grade_steps, m.target))


# --- talent pool ----------------------------------------------------------------------------------
def test_pool_ranks_everyone_by_readiness(small):
    # ops-lead requires A4 B4 C3 L3 (scale minimum 0): credit = held / required, 0 when not assessed
    pool = career.talent_pool(small, "ops-lead")
    assert [(c.employee, c.readiness, c.met) for c in pool] == [
        ("e3", pytest.approx((3 / 4 + 1 + 2 / 3 + 0) / 4, abs=1e-6), 1),
        ("e1", pytest.approx((2 / 4 + 3 / 4 + 2 / 3 + 0) / 4, abs=1e-6), 0),
        ("e2", pytest.approx((1 / 4 + 2 / 4 + 0 + 0) / 4, abs=1e-6), 0),
        ("e4", pytest.approx((2 / 4 + 0 + 0 + 0) / 4, abs=1e-6), 0),
    ]
    assert [(g.competency, g.held, g.required) for g in pool[0].gaps] == [("A", 3, 4), ("C", 2, 3), ("L", None, 3)]
    assert [c.route for c in pool] == ["Promotion", "Promotion", "Promotion", "CrossFamilyPromotion"]
    assert [c.employee for c in career.talent_pool(small, "ops-lead", min_readiness=0.5)] == ["e3"]


def test_pool_routes_and_reachable_filter(small):
    # nothing leads into the lowest ops grade: e3 (ops-senior) and e4 (data-analyst) have no route
    pool = career.talent_pool(small, "ops-analyst")
    assert {(c.employee, c.route) for c in pool} == {("e3", "none"), ("e4", "none")}
    assert career.talent_pool(small, "ops-analyst", reachable=True) == []
    assert {c.employee: c.route for c in career.talent_pool(small, "data-lead")}["e1"] == "path"
    holders = career.talent_pool(small, "ops-analyst", include_holders=True)
    assert {c.employee: c.route for c in holders}["e1"] == "current"


def test_pool_readiness_matches_the_rule(example, lxy):
    inferred = lxy.inferred_readiness()
    held = lxy.held()
    lows = {c: comp.low for c, comp in lxy.competencies.items()}
    for (emp, pos), score in inferred.items():
        mine, _ = career.readiness_score(held.get(emp, {}), lxy.positions[pos].requirements, lows)
        assert mine == pytest.approx(score, abs=1e-9), (emp, pos)


# --- development plan -----------------------------------------------------------------------------
def test_plan_covers_the_gaps_with_few_programmes(small):
    e1 = small.employees["e1"]
    plan = career.development_plan(small, e1, "ops-lead")
    assert plan.path == ("ops-analyst", "ops-lead")  # direct: 12/7 + 1 beats 12/7 + 2 via ops-senior
    (step,) = plan.steps
    assert [(g.competency, g.held, g.required) for g in step.gaps] == [("A", 2, 4), ("B", 3, 4), ("C", 2, 3),
                                                                      ("L", None, 3)]
    # p-lead closes A, L and p-bc closes B, C (two each; p-bc has fewer hours); p-lead-basic (L2) is too low
    assert step.programs == ("p-bc", "p-lead")
    assert dict((g.competency, g.programs) for g in step.gaps)["L"] == ("p-lead",)
    assert step.uncovered == ()
    assert step.schemes == ("s-lead", "s-ops")
    assert plan.readiness_before == pytest.approx((2 / 4 + 3 / 4 + 2 / 3) / 4, abs=1e-6)


def test_plan_assuming_programmes(small):
    plan = career.development_plan(small, small.employees["e1"], "ops-lead", assume=["p-lead"])
    assert plan.readiness_assumed == pytest.approx((1 + 3 / 4 + 2 / 3 + 1) / 4, abs=1e-6)
    assert [g.competency for g in plan.steps[0].gaps] == ["B", "C"]
    assert plan.steps[0].programs == ("p-bc",)


def test_plan_over_two_steps_carries_levels_forward(small):
    plan = career.development_plan(small, small.employees["e1"], "data-lead")
    assert plan.path == ("ops-analyst", "data-analyst", "data-lead")
    first, second = plan.steps
    assert [(g.competency, g.required) for g in first.gaps] == [("D", 3)] and first.uncovered == ("D",)
    # after step 1 e1 is taken to hold D3; data-lead wants A4, D5, L4
    assert [(g.competency, g.held, g.required) for g in second.gaps] == [("A", 2, 4), ("D", 3, 5), ("L", None, 4)]
    assert second.programs == ("p-lead",) and second.uncovered == ("D",)


# --- names ------------------------------------------------------------------------------------
def test_names_resolve_by_code_or_label(small, lxy):
    assert career.resolve_position(small, "OPERATIONS LEAD") == "ops-lead"
    assert career.resolve_position(lxy, "Manager Sertifikasi (A2)") == "manager-sertifikasi-a2"
    with pytest.raises(NotFoundError, match="ops-lead"):
        career.resolve_position(small, "Operations Leed")
    with pytest.raises(InputError, match="manager-sertifikasi-a2.*manager-sertifikasi-c8"):
        career.resolve_position(lxy, "manager sertifikasi")
    assert career.resolve_program(small, "leading teams") == "p-lead"


# --- the bundled organisation (acceptance) ---------------------------------------------------------
def test_paths_from_staff_to_head_of_lsp(cli, example_store):
    out = cli("--store", example_store, "career", "paths", "staf-sertifikasi-c8", "kepala-lsp", "--format", "json")
    assert out.exit_code == 0
    doc = json.loads(out.output)
    assert doc["paths"][0]["positions"] == ["staf-sertifikasi-c8", "kepala-lsp"]
    for path in doc["paths"]:
        assert path["positions"][-1] == "kepala-lsp"
        assert all("increases" in s and "new" in s for s in path["steps"])
    first = doc["paths"][0]["steps"][0]
    assert first["total_increase"] == sum(i["increase"] for i in first["increases"]) > 0


def test_a2_to_c11_shows_the_increases(cli, example_store):
    out = cli("--store", example_store, "career", "paths", "manager-sertifikasi-a2", "Kepala Lembaga Sertifikasi "
              "Profesi Jaminan Sosial", "--k", "1", "--format", "md")
    assert out.exit_code == 0
    assert "Integrity 1→4 (+3)" in out.output
    assert "Creating Value for the Customer 2→4 (+2)" in out.output
    out = cli("--store", example_store, "career", "paths", "manager-sertifikasi-a2", "kepala-lsp", "--k", "1",
              "--lang", "id", "--format", "md")
    assert "Integritas 1→4 (+3)" in out.output and "Jalur 1" in out.output


def test_next_for_an_employee_ready_for_promotion(cli, example_store):
    out = cli("--store", example_store, "career", "next", "--employee", "E0038", "--format", "json")
    assert out.exit_code == 0
    doc = json.loads(out.output)
    best = doc["moves"][0]
    assert best["position"] == "verifikator-senior" and best["readiness"] == 1.0 and best["met"] == best["required"]
    scores = [m["score"] for m in doc["moves"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= m["readiness"] <= 1 for m in doc["moves"])


def test_pool_and_plan_on_the_bundled_organisation(cli, example_store):
    out = cli("--store", example_store, "career", "pool", "verifikator-senior", "--min-readiness", "0.8",
              "--format", "json")
    doc = json.loads(out.output)
    assert doc["candidates"][0]["employee"] == "E0038" and doc["candidates"][0]["readiness"] == 1.0
    assert all(c["readiness"] >= 0.8 for c in doc["candidates"])
    out = cli("--store", example_store, "career", "plan", "--employee", "E0038", "--target", "verifikator-ahli",
              "--format", "md")
    assert out.exit_code == 0 and "### Step 1" in out.output


def test_no_path_exits_1_with_the_reason(cli, small_store):
    out = cli("--store", small_store, "career", "paths", "head", "ops-analyst")
    assert out.exit_code == 1
    assert "No career path" in out.output and "no career move lowers the grade" in out.output


def test_misspelt_names_exit_2_with_close_matches(cli, small_store):
    out = cli("--store", small_store, "career", "next", "Operations Leed")
    assert out.exit_code == 2 and "did you mean ops-lead" in out.output
    out = cli("--store", small_store, "career", "plan", "--employee", "Ana Putry", "--target", "ops-lead")
    assert out.exit_code == 2 and "e1" in out.output
    out = cli("--store", small_store, "career", "next", "ops-lead", "--weight", "speed=2")
    assert out.exit_code == 2


@pytest.mark.parametrize("fmt", ["table", "md", "json"])
def test_every_command_writes_every_format(cli, small_store, fmt):
    for args in (["paths", "ops-analyst", "data-lead"], ["next", "ops-analyst"], ["next", "--employee", "e1"],
                 ["pool", "ops-lead"], ["plan", "--employee", "e1", "--target", "ops-lead", "--assume", "p-lead"]):
        out = cli("--store", small_store, "career", *args, "--format", fmt, "--lang", "id")
        assert out.exit_code == 0, (args, out.output)
        if fmt == "json":
            json.loads(out.output)


# --- map ------------------------------------------------------------------------------------------
def test_map_leaves_out_skip_level_moves(small):
    data = careermap.select(small)
    skipped = {("ops-analyst", "ops-lead"), ("ops-analyst", "head"), ("ops-senior", "head")}
    assert set(data.moves) == set(small.graph.edges) - skipped
    assert set(careermap.select(small, all_moves=True).moves) == set(small.graph.edges)
    assert careermap.select(small, "Operations").positions == ["head", "ops-lead", "ops-senior", "ops-analyst"]


def test_map_formats(cli, small_store, tmp_path):
    dot = cli("--store", small_store, "career", "map", "--format", "dot").output
    assert dot.startswith("digraph career") and '"ops-analyst" -> "ops-senior"' in dot
    mermaid = cli("--store", small_store, "career", "map", "--format", "mermaid", "--family", "ops").output
    assert mermaid.startswith("flowchart BT") and "data-lead" not in mermaid
    svg = cli("--store", small_store, "career", "map", "--format", "svg").output
    xml.dom.minidom.parseString(svg)
    page = tmp_path / "career.html"
    out = cli("--store", small_store, "career", "map", "--format", "html", "-o", str(page))
    assert out.exit_code == 0
    text = page.read_text()
    assert "<svg" in text and 'id="career-data"' in text and "addEventListener('click'" in text
    # self-contained: no external resource (the only URL is the SVG namespace)
    assert "src=" not in text and "<link" not in text
    assert {u for u in text.split('"') if u.startswith("http")} == {"http://www.w3.org/2000/svg"}
    data = json.loads(text.split('id="career-data">')[1].split("</script>")[0])
    move = next(m for m in data["moves"] if m["from"].endswith("ops-analyst") and m["to"].endswith("ops-senior"))
    assert ["Bookkeeping (B)", 2, 4] in move["increases"] and ["Controlling (C)", 2] in move["new"]


# --- framework import -----------------------------------------------------------------------------
def test_framework_import_with_a_0_to_7_scale():
    org = selaras.open()
    report = framework.import_framework(org.store, DATA / "framework" / "requirements.csv",
                                        DATA / "framework" / "positions.csv")
    assert (report.scale, report.low, report.high) == ("fw0-7", 0, 7)
    assert report.positions == 4 and report.requirements == 13 and report.competencies_new == 4
    assert report.rounded == 7  # 5.62 4.12 4.5 3.75 5.12 4.88 2.88
    cg = org.career().graph
    assert cg.positions["15-1252.00"].requirements == {"Programming": 6, "critical-thinking": 4,
                                                       "reading-comprehension": 5}
    assert {c: (x.low, x.high) for c, x in cg.competencies.items()} == {c: (0, 7) for c in cg.competencies}
    # Job Zones rank by their number: zone 2 → zone 4 is two steps, too far for another family
    assert set(cg.graph.edges) == {("15-1252.00", "15-1299.08"), ("15-1252.00", "11-3021.00"),
                                   ("15-1299.08", "11-3021.00"), ("11-3021.00", "15-1299.08")}
    assert career.next_moves(cg, career.resolve_position(cg, "software developers"))[0].target == "15-1299.08"


def test_framework_import_reports_bad_rows_and_writes_nothing(tmp_path):
    req = tmp_path / "req.csv"
    req.write_text("position,competency,level\np1,Skill,high\np9,Skill,2\n")
    pos = tmp_path / "pos.csv"
    pos.write_text("position,label,family,grade\np1,Position 1,F,1\n")
    org = selaras.open()
    before = org.store.count()
    with pytest.raises(InputError) as err:
        framework.import_framework(org.store, req, pos)
    text = str(err.value)
    assert "req.csv:2:level" in text and "req.csv:3:position: unknown position 'p9'" in text
    assert org.store.count() == before


def test_import_framework_command(cli, tmp_path):
    store = str(tmp_path / "fw")
    out = cli("--store", store, "career", "import-framework", str(DATA / "framework" / "requirements.csv"),
              str(DATA / "framework" / "positions.csv"), "--format", "json")
    assert out.exit_code == 0 and json.loads(out.output)["scale"] == "fw0-7"
    out = cli("--store", store, "career", "next", "15-1252.00", "--format", "json")
    assert out.exit_code == 0 and json.loads(out.stdout)["moves"][0]["position"] == "15-1299.08"
    # the first reading command after the import inferred the conclusions into the store, and said so
    assert "stale" in out.stderr and "inferring them into the store" in out.stderr
    again = cli("--store", store, "career", "next", "15-1252.00", "--format", "json")
    assert again.exit_code == 0 and again.stderr == "" and again.stdout == out.stdout


def test_what_the_career_graph_is_built_from_is_kept_beside_the_store_for_its_conclusions(cli, tmp_path):
    # a fresh `selaras career` process reads the kept file instead of the requirements and moves;
    # other conclusions (here: settings given for a run) or a damaged file make it read the store
    store = str(tmp_path / "store")
    assert cli("--store", store, "init", "--example").exit_code == 0
    kept = tmp_path / "store.career.json"
    assert cli("--store", store, "infer", "--no-owl").exit_code == 0
    assert kept.exists()  # written by the inference, for the first career command
    kept.unlink()
    args = ("--store", store, "career", "next", "manager-sertifikasi-a2", "--format", "json")
    first = cli(*args)
    assert first.exit_code == 0 and kept.exists()
    assert cli(*args).output == first.output
    assert len(json.loads(first.output)["moves"]) > 1
    assert cli("--store", store, "infer", "--max-moves-per-position", "1").exit_code == 0
    fewer = cli(*args)
    assert len(json.loads(fewer.output)["moves"]) == 1
    kept.write_text("{damaged", encoding="utf-8")
    assert cli(*args).output == fewer.output
    assert json.loads(kept.read_text(encoding="utf-8"))["format"] == 1
