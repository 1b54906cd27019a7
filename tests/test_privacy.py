"""Pseudonymised exports name no employee, keep the analysis, and are stable per key."""

from __future__ import annotations

import rdflib

KEY = "a-long-random-secret-for-tests"


def test_pseudonymised_export_hides_codes_and_names(cli, example_store, tmp_path) -> None:
    out = tmp_path / "share.nq"
    result = cli("--store", example_store, "export", "--format", "nq", "--pseudonymise", "--key", KEY,
                 "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "E0001" not in text and "Utami Rahayu" not in text
    ds = rdflib.Dataset()
    ds.parse(out, format="nquads")
    employees = {s for s, _p, _o, _g in ds.quads((None, rdflib.RDF.type,
                                                 rdflib.URIRef("https://w3id.org/selaras/ontology#Employee"), None))}
    assert len(employees) == 222 and all(str(e).rsplit("/", 1)[-1].startswith("P") for e in employees)
    gaps = list(ds.quads((None, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/selaras/ontology#CompetencyGap"),
                          None)))
    assert len(gaps) == 3970  # the analysis survives


def test_pseudonyms_are_stable_per_key_and_differ_across_keys(cli, example_store, tmp_path) -> None:
    def export(key: str) -> str:
        out = tmp_path / f"{key[:4]}-{len(key)}.ttl"
        cli("--store", example_store, "export", "--graph", "facts", "--format", "nt", "--pseudonymise",
            "--key", key, "-o", str(out))
        return out.read_text(encoding="utf-8")

    assert export(KEY) == export(KEY)
    assert export(KEY) != export(KEY + "-other")


def test_pseudonymise_needs_a_real_key(cli, example_store) -> None:
    result = cli("--store", example_store, "export", "--pseudonymise", "--key", "short")
    assert result.exit_code == 2 and "key of at least 16 bytes" in result.stderr
