"""The query page that ``selaras serve`` shows at ``/``: one self-contained HTML document.

No CDN, no external script or style: it works offline and under the page's Content-Security-
Policy. It lists the named queries (from ``/queries``) on the left; a click loads a query's
text and a field per parameter. Run sends the named query with its parameters to
``/queries/NAME`` (the server binds them as typed RDF terms) while its text is unchanged,
and the text to ``/sparql`` once it is edited. SELECT answers show as a table; other formats
as text, with a download link. Every value is written with ``textContent``, never as HTML.
"""

from __future__ import annotations

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Selaras SPARQL</title>
<style>
  :root { --line: #d0d7de; --muted: #57606a; --accent: #0b6e4f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1f2328; display: flex; height: 100vh; }
  nav { width: 300px; border-right: 1px solid var(--line); overflow-y: auto; padding: 12px; flex: none; }
  nav h1 { font-size: 18px; margin: 0 0 4px; }
  nav p { color: var(--muted); margin: 0 0 12px; font-size: 12px; }
  nav button { display: block; width: 100%; text-align: left; background: none; border: 0;
               border-radius: 6px; padding: 6px 8px; cursor: pointer; font: inherit; }
  nav button:hover, nav button.active { background: #eef6f2; }
  nav button small { display: block; color: var(--muted); }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; padding: 12px; gap: 8px; }
  textarea { width: 100%; height: 30vh; font: 13px/1.4 ui-monospace, monospace; padding: 8px;
             border: 1px solid var(--line); border-radius: 6px; resize: vertical; }
  .bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  .bar label { color: var(--muted); }
  input, select { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; }
  #run { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 6px 16px;
         font: inherit; cursor: pointer; }
  #purpose { color: var(--muted); margin: 0; }
  #status { color: var(--muted); }
  #status.error { color: #b42318; }
  #out { flex: 1; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
  table { border-collapse: collapse; font-size: 13px; }
  th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
  th { position: sticky; top: 0; background: #f6f8fa; }
  pre { margin: 0; padding: 8px; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; }
</style>
</head>
<body>
<nav>
  <h1>Selaras SPARQL</h1>
  <p>Named queries — click one to load it. Endpoint: <code id="endpoint"></code></p>
  <div id="queries"></div>
</nav>
<main>
  <p id="purpose">Type a SPARQL query, or pick a named query. The default graph is the union of all graphs.</p>
  <textarea id="text" spellcheck="false" aria-label="SPARQL query"></textarea>
  <div class="bar" id="params"></div>
  <div class="bar">
    <button id="run" type="button">Run (Ctrl+Enter)</button>
    <label>format
      <select id="format">
        <option value="table">table</option>
        <option value="application/sparql-results+json">JSON</option>
        <option value="application/sparql-results+xml">XML</option>
        <option value="text/csv">CSV</option>
        <option value="text/tab-separated-values">TSV</option>
        <option value="text/turtle">Turtle (graphs)</option>
        <option value="application/n-triples">N-Triples (graphs)</option>
        <option value="application/ld+json">JSON-LD (graphs)</option>
      </select>
    </label>
    <span id="status"></span>
    <a id="download" hidden>download</a>
  </div>
  <div id="out"></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const START = "PREFIX sel: <https://w3id.org/selaras/ontology#>\\n\\n" +
  "SELECT ?class (COUNT(?c) AS ?competencies) WHERE {\\n  ?c a ?class .\\n" +
  "  VALUES ?class { sel:CoreCompetency sel:LeadershipCompetency sel:BehavioralCompetency sel:TechnicalCompetency }\\n" +
  "}\\nGROUP BY ?class";
let current = null;   // the named query shown, while its text is unchanged
$("endpoint").textContent = location.origin + "/sparql";
$("text").value = START;

function el(tag, text) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

async function loadQueries() {
  const list = $("queries");
  try {
    const response = await fetch("/queries");
    const queries = await response.json();
    for (const q of queries) {
      const b = el("button"); b.type = "button";
      b.append(el("span", q.title)); b.append(el("small", q.name + (q.judul ? " · " + q.judul : "")));
      b.addEventListener("click", () => pick(q, b));
      list.append(b);
    }
  } catch (err) { list.append(el("p", "could not load the named queries: " + err)); }
}

function pick(q, button) {
  document.querySelectorAll("nav button").forEach((b) => b.classList.remove("active"));
  button.classList.add("active");
  current = q;
  $("text").value = q.text;
  $("purpose").textContent = q.purpose;
  const params = $("params"); params.replaceChildren();
  for (const p of q.params) {
    const label = el("label", p.name + (p.required ? "*" : "") + " ");
    label.title = p.type + " — " + p.help;
    const input = el("input"); input.name = p.name; input.size = 18;
    input.value = (q.example && q.example[p.name]) || (p.default && p.default !== "any" ? p.default : "");
    input.placeholder = p.default || p.type;
    label.append(input); params.append(label);
  }
}

$("text").addEventListener("input", () => {
  if (current && $("text").value !== current.text) { current = null; $("params").replaceChildren(); }
});

async function run() {
  const choice = $("format").value;
  const accept = choice === "table" ? "application/sparql-results+json, text/turtle;q=0.9" : choice;
  let response;
  const started = performance.now();
  $("status").className = ""; $("status").textContent = "running…"; $("download").hidden = true;
  try {
    if (current) {
      const args = new URLSearchParams();
      for (const input of $("params").querySelectorAll("input")) if (input.value) args.set(input.name, input.value);
      response = await fetch("/queries/" + encodeURIComponent(current.name) + "?" + args, { headers: { Accept: accept } });
    } else {
      response = await fetch("/sparql", { method: "POST", body: $("text").value,
        headers: { "Content-Type": "application/sparql-query", Accept: accept } });
    }
  } catch (err) { return fail("the server did not answer: " + err); }
  const type = (response.headers.get("Content-Type") || "").split(";")[0];
  const body = await response.text();
  if (!response.ok) return fail(response.status + " " + response.statusText + ": " + body);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const out = $("out"); out.replaceChildren();
  if (type === "application/sparql-results+json" && choice === "table") {
    const doc = JSON.parse(body);
    if ("boolean" in doc) { out.append(el("pre", String(doc.boolean))); }
    else { out.append(table(doc)); }
    const n = doc.results ? doc.results.bindings.length : 1;
    $("status").textContent = n + " row" + (n === 1 ? "" : "s") + " in " + seconds + " s";
  } else {
    out.append(el("pre", body));
    $("status").textContent = type + " in " + seconds + " s";
  }
  const link = $("download");
  link.href = URL.createObjectURL(new Blob([body], { type: type }));
  link.download = "result." + ({ "text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "ttl",
    "application/n-triples": "nt", "application/ld+json": "jsonld", "application/sparql-results+xml": "xml" }[type] || "json");
  link.hidden = false;
}

function short(term) {
  if (!term) return "";
  const v = term.value;
  for (const [prefix, base] of [["sel:", "https://w3id.org/selaras/ontology#"], ["", "https://w3id.org/selaras/id/"]])
    if (term.type === "uri" && v.startsWith(base)) return prefix + v.slice(base.length);
  return v;
}

function table(doc) {
  const t = el("table"), head = el("tr");
  for (const v of doc.head.vars) head.append(el("th", v));
  t.append(head);
  for (const row of doc.results.bindings) {
    const tr = el("tr");
    for (const v of doc.head.vars) {
      const td = el("td", short(row[v]));
      if (row[v] && row[v].type === "uri") td.title = row[v].value;
      tr.append(td);
    }
    t.append(tr);
  }
  return t;
}

function fail(message) {
  $("status").className = "error"; $("status").textContent = "error";
  $("out").replaceChildren(el("pre", message));
}

$("run").addEventListener("click", run);
$("text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
loadQueries();
</script>
</body>
</html>
"""
