"""The ``selaras`` command line.

Exit codes: 0 success; 1 findings (a failed check, audit findings at or above --fail-on);
2 usage or input error (bad option, bad file, bad query — the message says the fix).
Errors go to stderr; results to stdout.

Without ``--store`` (or ``SELARAS_STORE``) commands use ``./.selaras``; when that store does
not exist, reading commands use the bundled example organisation in memory.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from selaras.engine import messages
from selaras.engine.api import DEFAULT_STORE, CheckReport, Selaras, Stats
from selaras.engine.errors import InconsistentError, SelarasError
from selaras.engine.inference import InferenceReport
from selaras.engine.render import GRAPH_FORMATS, SELECT_FORMATS, render_records, render_result
from selaras.engine.rules.settings import READINESS_SCOPES
from selaras.engine.store import FACTS_GRAPH, remove_store
from selaras.engine.store import exists as store_exists
from selaras.ontology import EXAMPLE_DIR

if TYPE_CHECKING:
    from selaras.engine.audit.run import AuditReport

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Options shared by every command."""

    def __init__(self, store: Path, explicit: bool, endpoint: str | None = None,
                 update_endpoint: str | None = None) -> None:
        self.store_path = store
        self.explicit = explicit
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint

    def open(self, *, write: bool = False, create: bool = False) -> Selaras:
        """Open the store for a command; fall back to the bundled example when there is none.

        Only ``create`` commands (init, import) make a new store; others, when there is no
        store and none was named, work on the bundled example organisation in memory.
        With ``--endpoint`` every command works on that SPARQL server instead.
        """
        if self.endpoint:
            return _attended(Selaras.open(endpoint=self.endpoint, update_endpoint=self.update_endpoint,
                                          read_only=not write))
        exists = store_exists(self.store_path)
        if not exists and not create:
            if self.explicit:
                raise click.UsageError(
                    f"no Selaras store at {self.store_path} — run `selaras --store {self.store_path} init` "
                    f"or `selaras --store {self.store_path} import FILES…` first")
            click.echo(f"note: no store at {self.store_path}; using the bundled example organisation "
                       f"(`selaras init` creates a store of your own)", err=True)
            return _attended(Selaras.open(example=True))
        return _attended(Selaras.open(self.store_path, read_only=not write))


    @contextlib.contextmanager
    def writing(self, *, create: bool = False) -> Iterator[Selaras]:
        """Open the store for writing; a store folder this command creates is removed if it fails.

        A rejected import into a new store leaves no folder behind (not even the ontology).
        """
        new = create and not self.endpoint and not self.store_path.exists()
        try:
            with self.open(write=True, create=create) as org:
                yield org
        except BaseException:
            if new:
                remove_store(self.store_path)
            raise

    def reading(self) -> Selaras:
        """Open the store for a reading command; say on stderr when it holds no organisation."""
        org = self.open()
        if not org.holds_organisation():
            click.echo(f"note: {org.store.location} holds no organisation yet (only the ontology) — import one "
                       f"with `selaras import FOLDER`, or try `selaras init --example`", err=True)
        return org


def _attended(org: Selaras) -> Selaras:
    """Let an organisation tell the user what it does on its own: notes on stderr, a progress bar."""
    org.notify = lambda message: click.echo(message, err=True)
    org.progress = rule_progress
    return org


@contextlib.contextmanager
def rule_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar of inference's rules on stderr, when stderr is a terminal (nothing when piped)."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True), disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("inferring", total=None)

        def progress(rule: str, done: int, total: int) -> None:
            bar.update(task, description=f"rule {rule}", completed=done, total=total)

        yield progress


@contextlib.contextmanager
def working(description: str) -> Iterator[Callable[[str], None]]:
    """Show a spinner and what is being done on stderr while a long step runs, when stderr is a
    terminal (nothing when piped). Yields a function that changes the description."""
    if not sys.stderr.isatty():
        yield lambda text: None
        return
    from rich.console import Console

    with Console(stderr=True, force_terminal=True).status(description) as status:
        yield lambda text: status.update(text)


def _count(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``: a count with its noun in the right number."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def command_errors(func: F) -> F:
    """Turn Selaras errors into a message on stderr and exit code 2 (1 for inconsistency)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InconsistentError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)
        except SelarasError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
    return wrapper  # type: ignore[return-value]


def output_options(formats: tuple[str, ...], default: str = "table") -> Callable[[F], F]:
    """Add the shared ``--format`` and ``--lang`` options."""
    def decorate(func: F) -> F:
        func = click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
                            help="Language of labels and messages.")(func)
        func = click.option("--format", "fmt", type=click.Choice(formats), default=default, show_default=True,
                            help="Output format.")(func)
        return func
    return decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", type=click.Path(file_okay=False, path_type=Path), envvar="SELARAS_STORE",
              default=None, help="Store directory (default ./.selaras; env SELARAS_STORE).")
@click.option("--endpoint", metavar="QUERY_URL", envvar="SELARAS_ENDPOINT", default=None,
              help="Use this SPARQL 1.1 server instead of a store directory (env SELARAS_ENDPOINT).")
@click.option("--update-endpoint", metavar="UPDATE_URL", envvar="SELARAS_UPDATE_ENDPOINT", default=None,
              help="The server's SPARQL Update URL when it is not QUERY_URL's …/query → …/update "
                   "(env SELARAS_UPDATE_ENDPOINT).")
@click.version_option(package_name="selaras")
@click.pass_context
def main(ctx: click.Context, store: Path | None, endpoint: str | None, update_endpoint: str | None) -> None:
    """Selaras: competency gaps, career moves and certification/training alignment, as a
    knowledge graph with explained rules.

    \b
    Example:
      selaras stats                      # the bundled example organisation
      selaras init && selaras import my-org/ && selaras stats
    """
    ctx.obj = State(store or DEFAULT_STORE, explicit=store is not None, endpoint=endpoint,
                    update_endpoint=update_endpoint)


@main.command()
@click.option("--example", is_flag=True, help="Also import the bundled example organisation.")
@click.pass_obj
@command_errors
def init(state: State, example: bool) -> None:
    """Create a store with the Selaras ontology (and, with --example, the example organisation).

    \b
    Example:
      selaras --store ./lembaga init --example
    """
    with state.open(write=True, create=True) as org:
        if example and org.store.count(FACTS_GRAPH) == 0:
            org.import_paths([EXAMPLE_DIR])
        n = org.store.count()
        where = org.store.location
    click.echo(f"store ready at {where} ({n} quads)")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Replace all existing facts instead of adding to them.")
@click.pass_obj
@command_errors
def import_(state: State, paths: tuple[Path, ...], replace: bool) -> None:
    """Import CSV folders/files, XLSX workbooks, Turtle, JSON-LD or RDF/XML; all or nothing.

    Every problem is listed as file:row:column: what is wrong — how to fix it, and
    nothing is written when there is any (exit 2).

    \b
    Example:
      selaras import my-org/
      selaras import --replace workbook.xlsx
    """
    with state.writing(create=True) as org, working(f"importing {', '.join(map(str, paths))}"):
        report = org.import_paths(list(paths), replace=replace)
    if not report.changed:
        what = (f"{_count(report.rows, 'row')} from {_count(len(report.files), 'file')}: the store holds these "
                f"facts already" if report.rows else f"no rows in {_count(len(report.files), 'file')}")
        click.echo(f"{what} — nothing changed (the facts' version, and so the conclusions, stay as they were)")
        return
    click.echo(f"imported {_count(report.rows, 'row')} from {_count(len(report.files), 'file')}: "
               f"{_count(report.added, 'fact')} added, {report.removed} replaced")


@main.command()
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@command_errors
def template(output: Path) -> None:
    """Write an empty XLSX import workbook: one sheet per table, and a README sheet of columns.

    \b
    Example:
      selaras template my-organisation.xlsx
    """
    from selaras.engine.ingest.tabular import write_template

    write_template(str(output))
    click.echo(f"wrote {output}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "xml"]),
              default="trig", show_default=True, help="RDF format (nq and trig keep the named graphs).")
@click.option("--graph", type=click.Choice(["all", "facts", "ontology", "inferred"]), default="all",
              show_default=True, help="Which part of the dataset to write.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--pseudonymise", is_flag=True,
              help="Replace employee codes and names with stable keyed pseudonyms (needs --key).")
@click.option("--key", envvar="SELARAS_PSEUDONYM_KEY", default=None,
              help="Secret for --pseudonymise (env SELARAS_PSEUDONYM_KEY); same key, same pseudonyms.")
@click.pass_obj
@command_errors
def export(state: State, fmt: str, graph: str, output: Path | None, pseudonymise: bool, key: str | None) -> None:
    """Write the dataset (or a part of it) as RDF, optionally pseudonymised for sharing.

    \b
    Example:
      selaras export --format ttl --graph facts -o facts.ttl
      SELARAS_PSEUDONYM_KEY=… selaras export --pseudonymise -o shareable.trig
    """
    with state.open() as org:
        written = org.export(output or sys.stdout.buffer, fmt=fmt, graph=graph, pseudonymise=pseudonymise, key=key)
    if output:
        click.echo(f"wrote {written} bytes to {output}", err=True)

@main.command()
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def stats(state: State, fmt: str, lang: str) -> None:
    """Count what the store holds: classes, competency groups, scales, schemes and headcounts.

    \b
    Example:
      selaras stats --format json
    """
    with state.open() as org:
        s = org.stats()
    click.echo(_stats_text(s, fmt), nl=False)


def _stats_text(s: Stats, fmt: str) -> str:
    """``selaras stats``'s output: JSON, or tables of classes, groups, scales and schemes."""
    if fmt == "json":
        return json.dumps({
            "classes": s.classes, "illustrative": s.illustrative,
            "competencies_by_group": s.competencies_by_group,
            "competencies": sum(s.competencies_by_group.values()),
            "levels_by_scale": s.levels_by_scale, "schemes": s.schemes, "scheme_headcount": s.headcount,
        }, indent=2, ensure_ascii=False) + "\n"
    classes = [(c, n, s.illustrative.get(c, 0)) for c, n in s.classes.items()]
    out = render_records("Entities per class", ["class", "count", "illustrative"], classes, fmt)
    groups = [*s.competencies_by_group.items(), ("all", sum(s.competencies_by_group.values()))]
    out += render_records("Competencies per group", ["group", "count"], groups, fmt)
    out += render_records("Proficiency scales", ["scale", "levels"], list(s.levels_by_scale.items()), fmt)
    mark = lambda made_up: "*" if made_up else ""  # noqa: E731
    schemes: list[tuple[object, ...]] = [(x["code"], x["label"], x["headcount"], f'{x["certified"]}{mark(x["certified_illustrative"])}',
                ("yes" if x["recognised"] else "no") + mark(x["recognised_illustrative"])) for x in s.schemes]
    schemes.append(("", "total", s.headcount, sum(int(x["certified"]) for x in s.schemes), ""))  # type: ignore[call-overload]
    out += render_records("Certification schemes (headcount from the occupation map)",
                          ["scheme", "label", "headcount", "certified", "recognised"], schemes, fmt)
    if any(x["certified_illustrative"] or x["recognised_illustrative"] for x in s.schemes):
        out += ("* illustrative: made up for the example, not a fact of the source (sel:illustrative, "
                "sel:illustrativeProperty)\n")
    return out


def settings_options(func: F) -> F:
    """Add the policy settings that inference reads (they override the data's settings.csv)."""
    func = click.option("--readiness-scope", type=click.Choice(READINESS_SCOPES), default=None,
                        help="Readiness for each employee's own position and every position one move "
                             "away (moves), or the own position only (position: linear, for large "
                             "organisations) (default: data, else moves).")(func)
    func = click.option("--max-moves-per-position", type=click.IntRange(1), default=None,
                        help="Moves concluded from one position at most, the best by the score of "
                             "`career next` (default: data, else 15).")(func)
    func = click.option("--min-move-similarity", type=click.FloatRange(0, 1), default=None,
                        help="Least profile similarity (0-1) a concluded move needs (default: data, "
                             "else 0.3).")(func)
    func = click.option("--max-lateral-grade-steps", type=click.IntRange(0), default=None,
                        help="Grades a move into another family may rise (default: data, else 1).")(func)
    func = click.option("--stale-after-months", type=click.IntRange(0), default=None,
                        help="Assessments older than this are stale (default: data, else 24).")(func)
    func = click.option("--reference-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        help="The 'as of' date (default: the data's reference_date, else today).")(func)
    return func


def _settings(reference_date: Any, stale_after_months: int | None, max_lateral_grade_steps: int | None,
              readiness_scope: str | None = None, min_move_similarity: float | None = None,
              max_moves_per_position: int | None = None) -> Any:
    from selaras.engine.inference import Settings

    return Settings(reference_date=reference_date.date() if reference_date else None,
                    stale_after_months=stale_after_months, max_lateral_grade_steps=max_lateral_grade_steps,
                    readiness_scope=readiness_scope, min_move_similarity=min_move_similarity,
                    max_moves_per_position=max_moves_per_position)


@main.command()
@settings_options
@click.option("--owl/--no-owl", default=True, show_default=True,
              help="Also classify positions and competencies with the OWL reasoner (HermiT).")
@click.option("--force", is_flag=True, help="Run the rules even when the conclusions are current.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
@command_errors
def infer(state: State, owl: bool, force: bool, fmt: str, **settings: Any) -> None:
    """Run every rule in dependency order, each into its own named graph, and store the conclusions.

    When the stored conclusions already reflect the facts and settings, nothing runs (it
    says so); --force runs the rules again anyway.

    \b
    Example:
      selaras infer --reference-date 2026-06-30
    """
    with state.open(write=True) as org, rule_progress() as progress:
        report = org.infer(_settings(**settings), force=force, owl=owl, progress=progress)
    click.echo(_infer_text(report, org.store.location, fmt), nl=False)


def _infer_text(report: InferenceReport, location: str, fmt: str) -> str:
    """``selaras infer``'s output: the rules run (or that nothing was to do) and HermiT's classification."""
    if report.current:
        message = (f"the conclusions in {location} are current (nothing changed since they were "
                   f"inferred): nothing to do — `selaras infer --force` runs the rules again")
        if fmt == "json":
            return json.dumps({"current": True, "message": message}) + "\n"
        out = message + "\n"
    elif fmt == "json":
        return json.dumps({
            "seconds": report.seconds, "iterations": report.iterations, "triples": report.triples,
            "rules": [{"rule": r.rule, "triples": r.triples, "seconds": r.seconds} for r in report.runs],
            "owl": report.owl.classified if report.owl else None,
        }, indent=2) + "\n"
    else:
        rows = [(r.rule, r.triples, f"{r.seconds:.3f}") for r in report.runs]
        out = render_records("Rules run", ["rule", "triples", "seconds"], rows, "table")
        out += (f"{report.triples} triples inferred by {len(report.runs)} rules in {report.seconds:.2f} s "
                f"({report.iterations} pass{'es' if report.iterations != 1 else ''}; "
                f"reference date {report.settings.reference_date})\n")
    if report.owl:
        out += f"OWL classification (HermiT): {', '.join(f'{k} {len(v)}' for k, v in report.owl.classified.items())}\n"
    return out

@main.group(invoke_without_command=True)
@click.pass_context
def rules(ctx: click.Context) -> None:
    """List the rules (id, title in English and Indonesian, the rules each depends on);
    `rules show ID` prints one with its source in the paper and its SPARQL body.

    \b
    Example:
      selaras rules
      selaras rules show career-move
    """
    from selaras.engine.rules import all_rules

    if ctx.invoked_subcommand is None:
        rows = [(r.id, r.title, r.judul, ", ".join(r.depends)) for r in all_rules()]
        click.echo(render_records("Rules", ["id", "title", "judul", "depends on"], rows, "table"), nl=False)


@rules.command("show")
@click.argument("rule_id")
@command_errors
def rules_show(rule_id: str) -> None:
    """Print one rule: its header and its SPARQL CONSTRUCT body.

    \b
    Example:
      selaras rules show gap
    """
    from selaras.engine.rules import get

    rule = get(rule_id)
    click.echo(f"# id: {rule.id}\n# graph: {rule.graph}")
    click.echo(rule.text, nl=False)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("thing", nargs=-1, required=True)
@output_options(("text", "json"), default="text")
@click.pass_obj
@command_errors
def explain(state: State, thing: tuple[str, ...], fmt: str, lang: str) -> None:
    """Explain a conclusion: the rule that concluded it and its premises, in words.

    THING is an IRI, a data path (move/FROM/TO, gap/EMPLOYEE/COMPETENCY), an employee and a
    competency ("E0001 INT") or a move ("FROM -> TO", positions by code or label).

    \b
    Example:
      selaras explain manager-sertifikasi-a2 '->' kepala-lsp
      selaras explain E0001 INT --lang id
    """
    from selaras.engine import explain as explaining

    with state.open() as org:
        org.ensure_inferred()
        e = explaining.explain(org.store, " ".join(thing), lang)
    if fmt == "json":
        click.echo(json.dumps(e.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(explaining.render(e, lang), nl=False)


@main.command()
@click.option("--owl/--no-owl", default=True, show_default=True, help="Run HermiT's consistency check.")
@output_options(("table", "json"))
@click.pass_obj
@command_errors
def check(state: State, owl: bool, fmt: str, lang: str) -> None:
    """Validate the data with the SHACL shapes and the OWL reasoner (HermiT); exit 1 on errors.

    \b
    Example:
      selaras check
    """
    with state.open() as org, working("checking the data against the SHACL shapes") as step:
        report = org.check(owl=owl, step=step)
    click.echo(_check_text(report, fmt), nl=False)
    if not report.conforms:
        sys.exit(1)


def _check_text(report: CheckReport, fmt: str) -> str:
    """``selaras check``'s output: JSON, or the SHACL results and HermiT's verdict."""
    if fmt == "json":
        return json.dumps({
            "conforms": report.conforms,
            "shacl": [vars(r) for r in report.shacl],
            "owl": None if report.owl is None else {"consistent": report.owl.consistent,
                                                    "problems": report.owl.problems},
        }, indent=2, ensure_ascii=False) + "\n"
    out, results, errors = "", report.shacl, report.errors
    if results:
        rows = [(r.severity, r.focus_label, (r.path or "").rsplit("#", 1)[-1], r.message) for r in results]
        out += render_records("SHACL results", ["severity", "focus", "property", "message"], rows, "table")
    out += f"SHACL: {len(errors)} error(s), {len(results) - len(errors)} warning(s)/note(s)\n"
    if report.owl is not None:
        out += "OWL (HermiT): consistent\n" if report.owl.consistent else "OWL (HermiT): INCONSISTENT\n"
        out += "".join(f"  {p}\n" for p in ([] if report.owl.consistent else report.owl.problems))
    return out

@main.command()
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True)
@command_errors
def demo(lang: str) -> None:
    """Run the main job on the bundled example organisation: inference, then the findings.

    Works in memory; touches no store.

    \b
    Example:
      selaras demo
    """
    from selaras.engine.audit.report import summary_columns, summary_rows
    from selaras.engine.store.labels import Labels

    say, org = messages.texts("demo", lang), Selaras.open(example=True)
    click.echo(_demo_head(say, org.stats()))
    o = org.overview()
    labels = Labels(org.store, lang)
    click.echo(say["inference"].format(t=o.inference.triples, r=len(o.inference.runs), sec=o.inference.seconds,
                                       m=len(o.owl.classified["ManagerialPosition"]),
                                       sp=len(o.owl.classified["SpecialistPosition"])))
    counts = [(labels(kind), n) for kind, n in o.conclusions]
    click.echo(render_records(say["conclusions"], say["conclusion_columns"], counts, "table"), nl=False)
    top = [(labels(c), level, people, positions) for c, level, people, positions in o.unaligned]
    click.echo(render_records(say["unaligned"], say["unaligned_columns"], top, "table"), nl=False)
    click.echo(render_records(say["audit"], summary_columns(lang), summary_rows(o.audit, lang), "table"), nl=False)


def _demo_head(say: dict[str, Any], s: Stats) -> str:
    return say["head"].format(c=sum(s.competencies_by_group.values()),
                              g="/".join(str(v) for v in s.competencies_by_group.values()),
                              l=sum(s.levels_by_scale.values()), s=len(s.schemes), h=s.headcount,
                              p=s.classes.get("Position", 0), e=s.classes.get("Employee", 0))

@main.command()
@click.argument("name_or_sparql", required=False)
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"),
              help="Read the SPARQL from a file ('-' for stdin).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of a named query (repeatable).")
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
@output_options(SELECT_FORMATS + tuple(f for f in GRAPH_FORMATS if f not in SELECT_FORMATS))
@click.pass_obj
@command_errors
def query(state: State, name_or_sparql: str | None, file: Any, params: tuple[str, ...], list_: bool,
          fmt: str, lang: str) -> None:
    """Run a named query, SPARQL text, a file (-f) or stdin (-f -).

    \b
    Example:
      selaras query --list
      selaras query competency-dictionary --param lang=id --format csv
      selaras query 'SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/selaras/ontology#TechnicalCompetency> }'
    """
    from selaras import queries

    if list_:
        rows = [(q.name, q.title, q.judul, ", ".join(_param_summary(p) for p in q.params))
                for q in queries.all_queries()]
        click.echo(render_records("Named queries", ["name", "title", "judul", "parameters"], rows,
                                  fmt if fmt in {"table", "md", "json", "csv", "tsv"} else "table"), nl=False)
        return
    given = dict(_key_value(p, "--param") for p in params)
    if file is None and name_or_sparql is None:
        raise click.UsageError("give a query name, SPARQL text, or -f FILE (see --list)")
    with state.reading() as org:
        result = (org.ask(file.read(), given, lang=lang, sparql=True) if file is not None
                  else org.ask(str(name_or_sparql), given, lang=lang))
    click.echo(render_result(result, fmt), nl=False)


def _key_value(text: str, option: str) -> tuple[str, str]:
    """``KEY=VALUE`` as (key, value), or a usage error naming the option."""
    key, sep, value = text.partition("=")
    if not sep:
        raise click.BadParameter(f"{text!r} is not KEY=VALUE", param_hint=option)
    return key.strip(), value

def _param_summary(p: Any) -> str:
    """Show a named query's parameter as ``name (required)`` or ``name=default``."""
    if p.required:
        return f"{p.name} (required)"
    return f"{p.name}={p.default}" if p.default else p.name


# --- career paths (issue 6) -------------------------------------------------------------------
@main.group()
def career() -> None:
    """Explore career paths over the inferred career moves: paths, next moves, talent pools,
    development plans and the career map.

    Positions are named by code or by title, employees by id or by name (case-insensitive); a
    misspelt name gets a list of close matches. Ranking: see `selaras career next --help`.

    \b
    Example:
      selaras career paths staf-sertifikasi-c8 kepala-lsp
      selaras career next --employee E0038
    """


def ranking_options(func: F) -> F:
    """Add --weight KEY=VALUE (repeatable) and --no-importance, the settings of the ranking score."""
    func = click.option("--no-importance", is_flag=True,
                        help="Ignore sel:importance (weight every competency alike).")(func)
    func = click.option("--weight", "weights", multiple=True, metavar="KEY=VALUE",
                        help="A ranking weight: similarity, increase, new, grade, track_change, observed, "
                             "readiness, step_cost (paths) (repeatable).")(func)
    return func


def _ranking(weights: tuple[str, ...], no_importance: bool) -> Any:
    from selaras.engine.career import RankingOptions

    known = {f for f in RankingOptions.__dataclass_fields__ if f != "use_importance"}
    values: dict[str, Any] = {"use_importance": not no_importance}
    for w in weights:
        key, sep, value = w.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in known:
            raise click.BadParameter(f"{w!r} is not KEY=VALUE with KEY one of {', '.join(sorted(known))}",
                                     param_hint="--weight")
        try:
            values[key] = float(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a number", param_hint="--weight") from None
    return RankingOptions(**values)


TRACK_OPTION = click.option("--track", type=click.Choice(["managerial", "specialist"]),
                            help="Keep to moves onto positions of this track.")


@career.command("paths")
@click.argument("source")
@click.argument("target")
@click.option("--k", type=click.IntRange(1), default=3, show_default=True, help="How many paths at most.")
@TRACK_OPTION
@click.option("--max-increase", type=click.IntRange(0), default=None,
              help="Leave out moves that raise any competency by more than this many levels.")
@click.option("--all", "all_moves", is_flag=True,
              help="Route over every move the job architecture allows, also those the rules did not "
                   "conclude (below min_move_similarity or past max_moves_per_position).")
@ranking_options
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def career_paths(state: State, source: str, target: str, k: int, track: str | None, max_increase: int | None,
                 all_moves: bool, weights: tuple[str, ...], no_importance: bool, fmt: str, lang: str) -> None:
    """The k best career paths from SOURCE to TARGET, each step with what it demands.

    Paths are ranked by effort: 1 per move plus the normalised level increases and new
    competencies the moves demand. Exit 1 when no path exists (the output says why: grade,
    family, track or competency).

    \b
    Example:
      selaras career paths staf-sertifikasi-c8 kepala-lsp
      selaras career paths "Verifikator Penjaminan Manfaat Rujukan" verifikator-ahli --track specialist
    """
    options = _ranking(weights, no_importance)
    with state.open() as org:
        paths = org.career().paths(source, target, k, track=track, max_increase=max_increase,
                                   all_moves=all_moves, options=options)
        click.echo(paths.render(fmt, lang), nl=False)  # labels are read as it writes
    if not paths.found:
        sys.exit(1)


@career.command("next")
@click.argument("position", required=False)
@click.option("--employee", "employee_name", metavar="ID", help="Rank the moves open to this employee instead.")
@TRACK_OPTION
@click.option("--limit", type=click.IntRange(0), default=10, show_default=True, help="Show this many (0: all).")
@click.option("--all", "all_moves", is_flag=True,
              help="Rank every move the job architecture allows, also those the rules did not conclude "
                   "(below min_move_similarity or past max_moves_per_position; marked ∘).")
@ranking_options
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def career_next(state: State, position: str | None, employee_name: str | None, track: str | None, limit: int,
                all_moves: bool, weights: tuple[str, ...], no_importance: bool, fmt: str, lang: str) -> None:
    """The moves open from POSITION (or to an employee), ranked best first.

    \b
    score = similarity·S − increase·I − new·N − grade·G − track_change·T + observed·O  (+ readiness·R)
      S  centred cosine of the two positions' normalised requirement profiles: each profile
         minus the organisation's mean profile, so what every position needs does not count
      I  normalised level increases, N  normalised new competencies (shares of the target profile)
      G  grade steps / span of the grade ladder,  T  1 when the move changes track
      O  share of the people who left the position that moved to the target (position histories)
      R  the employee's readiness for the target (with --employee; I and N then use held levels)
    Levels are normalised by each competency's scale, competencies weighted by importance when
    the data has it. Defaults, chosen by measurement (bench/ranking.py): similarity 0.5,
    increase 0.25, new 1, grade 0, track_change 0, observed 8, readiness 1.

    \b
    Example:
      selaras career next verifikator-pmr
      selaras career next --employee E0038 --format json
      selaras career next verifikator-pmr --weight grade=0 --weight similarity=2
    """
    if (position is None) == (employee_name is None):
        raise click.UsageError("give a POSITION or --employee ID (one of them)")
    options = _ranking(weights, no_importance)
    with state.open() as org:
        moves = org.career().next(position, employee=employee_name, track=track, limit=limit or None,
                                  all_moves=all_moves, options=options)
        click.echo(moves.render(fmt, lang), nl=False)


@career.command("pool")
@click.argument("position")
@click.option("--min-readiness", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Leave out employees below this readiness (0–1).")
@click.option("--include-holders", is_flag=True, help="Also list the employees who hold the position.")
@click.option("--reachable", is_flag=True, help="Only employees from whose position a career path leads here.")
@click.option("--limit", type=click.IntRange(0), default=20, show_default=True, help="Show this many (0: all).")
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def career_pool(state: State, position: str, min_readiness: float, include_holders: bool, reachable: bool,
                limit: int, fmt: str, lang: str) -> None:
    """The talent pool of POSITION: employees ranked by readiness, with their remaining gaps.

    Readiness is the rule `readiness`'s formula, computed for every employee from their held
    levels: the mean over the position's requirements of (held − scale min) / (required −
    scale min), capped at 1, 0 when not assessed.

    \b
    Example:
      selaras career pool verifikator-senior --min-readiness 0.8
      selaras career pool verifikator-senior --reachable --format md
    """
    with state.open() as org:
        pool = org.career().pool(position, min_readiness=min_readiness, include_holders=include_holders,
                                 reachable=reachable, limit=limit or None)
        click.echo(pool.render(fmt, lang), nl=False)


@career.command("plan")
@click.option("--employee", "employee_name", required=True, metavar="ID", help="The employee (id or name).")
@click.option("--target", required=True, metavar="POSITION", help="The position to plan for (code or title).")
@click.option("--assume", multiple=True, metavar="PROGRAMME",
              help="Take these programmes as completed (repeatable, or comma-separated).")
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def career_plan(state: State, employee_name: str, target: str, assume: tuple[str, ...], fmt: str, lang: str) -> None:
    """A development plan: for each step of the best path, the gaps, a small set of training
    programmes that closes them (level-aware) and the schemes that would certify them.

    --assume answers "what if they complete these programmes?": their levels count as held.

    \b
    Example:
      selaras career plan --employee E0038 --target verifikator-ahli
      selaras career plan --employee E0038 --target verifikator-ahli --assume pel-kepemimpinan-manajer
    """
    programs = [p.strip() for a in assume for p in a.split(",") if p.strip()]
    with state.open() as org:
        plan = org.career().plan(employee_name, target, assume=programs)
        click.echo(plan.render(fmt, lang), nl=False)


@career.command("map")
@click.option("--family", help="Draw one job family (code or label).")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "html", "svg"]), default="dot",
              show_default=True, help="DOT and Mermaid text, or an SVG / self-contained HTML picture.")
@click.option("--all-moves", is_flag=True, help="Also draw skip-level moves (A→C when A→B→C exists).")
@click.option("--lang", type=click.Choice(["en", "id"]), default="en", show_default=True,
              help="Language of labels.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.pass_obj
@command_errors
def career_map(state: State, family: str | None, fmt: str, all_moves: bool, lang: str, output: Path | None) -> None:
    """The career map: positions by family (columns) and grade (rows), moves with their demands.

    The HTML page is one self-contained file (no network): click a move to see what it
    demands, a position to see its requirements.

    \b
    Example:
      selaras career map --family sertifikasi --format mermaid
      selaras career map --format html -o career.html
      selaras career map --format dot | dot -Tpng > career.png
    """
    with state.open() as org:
        text = org.career().map(fmt, family=family, all_moves=all_moves, lang=lang)
    _write_or_echo(text, output, f"wrote {output} ({len(text)} characters)")


@career.command("import-framework")
@click.argument("requirements", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("positions", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace all existing facts instead of adding to them.")
@click.option("--min-importance", type=float, default=None,
              help="Leave out requirements whose importance is below this.")
@output_options(("table", "json", "md"))
@click.pass_obj
@command_errors
def career_import_framework(state: State, requirements: Path, positions: Path, replace: bool,
                            min_importance: float | None, fmt: str, lang: str) -> None:
    """Import another framework from a long CSV (position, competency, level[, importance]) and a
    positions CSV (position, label, family, grade[, track]); any scale; all or nothing.

    \b
    Example:
      selaras --store ./onet career import-framework requirements.csv positions.csv
    """
    with state.writing(create=True) as org:
        report = org.import_framework(requirements, positions, replace=replace, min_importance=min_importance)
    rows = [("positions", report.positions), ("requirements", report.requirements),
            ("competencies (new)", report.competencies_new),
            ("competencies (already known)", report.competencies_known),
            ("scale", f"{report.scale} ({report.low}–{report.high})"), ("grades", ", ".join(report.grades)),
            ("families", report.families), ("levels rounded", report.rounded),
            ("rows left out (--min-importance)", report.skipped)]
    if fmt == "json":
        click.echo(json.dumps({k: v for k, v in vars(report).items() if k != "imported"}, indent=2,
                              ensure_ascii=False))
        return
    click.echo(render_records("Framework imported", ["what", "value"], rows, fmt), nl=False)


@main.command()
@click.option("--employees", type=click.IntRange(0), default=1000, show_default=True, help="How many employees.")
@click.option("--positions", type=click.IntRange(2), default=None,
              help="How many positions (default: one per 25 employees, at least 20).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random numbers.")
@click.option("--competencies", type=click.IntRange(25), default=86, show_default=True,
              help="Size of the dictionary (86: the bundled example's; else synthesised codes).")
@click.option("--levels", type=click.IntRange(3, 10), default=5, show_default=True,
              help="Levels of the proficiency scale.")
@click.option("--readiness-scope", type=click.Choice(READINESS_SCOPES), default=None,
              help="Write readiness_scope to settings.csv (position: readiness for each employee's own "
                   "position only, for large organisations).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the CSV files into (created; files there are replaced).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format of the summary.")
@command_errors
def generate(employees: int, positions: int | None, seed: int, competencies: int, levels: int,
             readiness_scope: str | None, out: Path, fmt: str) -> None:
    """Write a synthetic organisation (families, grades, positions, requirements, schemes,
    programmes, employees, assessments, certifications) in the import format.

    The same arguments give byte-identical files; everything is marked illustrative.
    For tests, benchmarks and demonstrations at any size.

    \b
    Example:
      selaras generate --employees 500 --seed 1 --out org-500/
      selaras --store ./big import org-500/ && selaras --store ./big infer
    """
    from selaras.engine.ingest.generate import generate as write_organisation

    if positions is None:
        positions = max(20, round(employees / 25))
    with working(f"writing a synthetic organisation of {employees:,} employees into {out}"):
        report = write_organisation(out, employees=employees, positions=positions, seed=seed,
                                    competencies=competencies, scale_levels=levels, readiness_scope=readiness_scope)
    if fmt == "json":
        click.echo(json.dumps({"out": str(report.out), "seed": report.seed, "families": report.families,
                               "rows": report.rows, "seconds": round(report.seconds, 3)}, indent=2))
        return
    click.echo(render_records(f"Synthetic organisation in {out}", ["file", "rows"],
                              list(report.rows.items()), "table"), nl=False)
    click.echo(f"{report.total_rows} rows in {len(report.rows)} files, {report.families} job families, "
               f"seed {seed}, in {report.seconds:.2f} s")


@main.command()
@output_options(("table", "md", "html", "json"))
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error", show_default=True,
              help="Exit 1 when findings of this severity or heavier exist (never: always exit 0).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--check", "checks", multiple=True, metavar="ID",
              help="Run only this check (repeatable), e.g. R2-no-scheme; an unknown id lists them all.")
@click.option("--skip", "skip", multiple=True, metavar="ID",
              help="Leave this check out (repeatable), e.g. model-data-quality, the slow SHACL validation.")
@settings_options
@click.pass_obj
@command_errors
def audit(state: State, fmt: str, lang: str, fail_on: str, output: Path | None, checks: tuple[str, ...],
          skip: tuple[str, ...], **settings: Any) -> None:
    """Audit the alignment of the model, the LSP schemes and the Corpu programmes.

    Runs inference if the conclusions are stale, then one check or more per recommendation of
    the paper (R1-R6) and for the model's own consistency. Prints a summary per recommendation
    and the findings, each with its explanation (rule and premises); --format html writes one
    self-contained page with the coverage heat map and the priority list. Exit code: 0 when no
    finding reaches --fail-on, 1 when one does, 2 on a usage or input error.

    \b
    Example:
      selaras audit
      selaras audit --format html -o audit.html --lang id
      selaras audit --format json --fail-on warning --reference-date 2026-06-30
    """
    from selaras.engine.audit.report import render

    with state.open() as org:
        if not org.holds_organisation():
            raise SelarasError(f"{org.store.location} holds no organisation — nothing to audit; import one with "
                               f"`selaras import FOLDER` (or try `selaras init --example`)")
        org.ensure_inferred(_settings(**settings))  # with its own progress bar, before the audit's
        with working("auditing") as step:
            report = org.audit(_settings(**settings), checks=list(checks) or None, skip=skip, fail_on=fail_on,
                               progress=lambda check, done, total: step(f"auditing: {check} ({done + 1}/{total})"))
    _write_or_echo(render(report, fmt, lang), output, _report_written(report, fmt, lang, output))
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    sys.exit(report.exit_code())


def _report_written(report: AuditReport, fmt: str, lang: str, output: Path | None) -> str:
    """What ``selaras audit -o FILE`` says on stderr: the file and the findings by severity."""
    from selaras.engine.audit.report import summary_columns

    counts = ", ".join(f"{n} {word}" for word, n in zip(summary_columns(lang)[3:], report.counts().values(), strict=True))
    return (f"wrote {fmt} report to {output}: {len(report.findings)} findings ({counts})" if lang == "en" else
            f"laporan {fmt} ditulis ke {output}: {len(report.findings)} temuan ({counts})")


def _write_or_echo(text: str, output: Path | None, written: str) -> None:
    """Write ``text`` to the file ``output`` and say ``written`` on stderr, or print it when there is no file."""
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(written, err=True)
    else:
        click.echo(text, nl=False)


# --- SPARQL endpoint (issue 4) ------------------------------------------------------------------
@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 127.0.0.1 answers this machine only.")
@click.option("--port", type=click.IntRange(0, 65535), default=7879, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Most rows (or triples) an answer may hold.")
@click.option("--max-body", type=click.IntRange(min=1), default=1_000_000, show_default=True,
              help="Largest request body accepted, in bytes.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Query worker processes (one when updates are allowed).")
@click.option("--max-memory", type=click.IntRange(min=0), default=None, metavar="MB",
              help="Memory a worker may hold, in MB; a query that needs more is stopped with 503 "
                   "(default: half the machine's memory shared by the workers, at most 4096; 0: no limit).")
@click.option("--allow-update", is_flag=True,
              help="Accept SPARQL Update from clients that send the token (Authorization: Bearer TOKEN).")
@click.option("--token", envvar="SELARAS_TOKEN", default=None,
              help="The token updates need (env SELARAS_TOKEN); made up and printed when not given.")
@click.pass_obj
@command_errors
def serve(state: State, host: str, port: int, timeout: float, max_rows: int, max_body: int, workers: int,
          max_memory: int | None, allow_update: bool, token: str | None) -> None:
    """Serve the store as a SPARQL 1.1 Protocol endpoint, with a query page in the browser.

    Queries by GET and POST at /sparql (also /query and /update); results in SPARQL JSON, XML,
    CSV, TSV, or Turtle, N-Triples, JSON-LD for graphs, by Accept. Read-only unless started with
    --allow-update; the default graph is the union of all graphs. Without a store it serves the
    bundled example organisation. Stop it with Ctrl-C.

    \b
    Example:
      selaras serve                                  # http://127.0.0.1:7879/
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' \\
           http://127.0.0.1:7879/sparql
      SELARAS_TOKEN=s3cret selaras --store ./lembaga serve --allow-update
    """
    from selaras.engine.serve import ServerSettings, default_max_memory, new_token
    from selaras.engine.serve import serve as run_server

    if state.endpoint:
        raise click.UsageError("serve works on a store directory; a SPARQL server given with --endpoint "
                               "already is an endpoint")
    if allow_update and not token:
        token = new_token()
        click.echo(f"update token (send 'Authorization: Bearer TOKEN'): {token}", err=True)
    store = state.store_path if state.explicit or store_exists(state.store_path) else None
    if store is None:
        click.echo("note: no store given; serving the bundled example organisation", err=True)
    memory = default_max_memory(workers) if max_memory is None else max_memory
    run_server(ServerSettings(host=host, port=port, timeout=timeout, max_rows=max_rows, max_body=max_body, workers=workers,
                              allow_update=allow_update, token=token, max_memory=memory),
               store, out=lambda line: click.echo(line), err=lambda line: click.echo(line, err=True))


if __name__ == "__main__":  # pragma: no cover
    main()
