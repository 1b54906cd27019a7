"""The Selaras engine, in layers: each module imports only from its own layer and those below.

- errors: ``errors.py``, ``types.py``, ``sparql.py`` (SPARQL text);
- store: ``store.py`` (the ``Dataset`` protocol and its ``Capabilities``, embedded Oxigraph,
  graph names, the facts version), ``remote.py`` (a SPARQL 1.1 server), ``labels.py``, ``names.py``;
- rules: ``rules/`` (one SPARQL file each, the registry, ``settings.py``), ``fastpath.py``,
  ``moves.py``;
- ingest: ``tabular.py`` (the import format), ``importer.py``, ``framework.py``,
  ``framework_gen.py``, ``generate.py``, ``privacy.py``, ``validation/`` (SHACL: ``shacl.py``,
  the native engine ``native.py`` with one class per constraint component in ``components.py``,
  ``sparql_constraints.py``; HermiT: ``owl.py``);
- inference: ``inference.py``;
- services: ``explain.py``, ``audit/``, ``career.py``, ``careermap.py``, ``careerview.py``,
  ``render.py`` (and the top-level ``queries/``);
- api: ``api.py``; interfaces: ``server.py``, ``serverpage.py`` (and the top-level ``cli.py``).

The layers sit on the top-level ``ontology/``; ``tests/test_layers.py`` keeps them so.
"""
