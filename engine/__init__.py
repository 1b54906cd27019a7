"""The Selaras engine, in layers: each module imports only from its own layer and those below.

- errors: ``errors.py``, ``types.py``, ``sparql.py`` (SPARQL text), ``messages.py`` (every text a
  reader sees, in English and Indonesian, from ``messages.toml``), ``templating.py`` (the HTML
  pages' Jinja2 templates, in ``templates/``);
- store: ``store/`` (``base.py``: graph names, results, capabilities; ``dataset.py``: the
  ``Dataset`` protocol, the facts version; ``embedded.py``: Oxigraph in this process;
  ``remote.py``: a SPARQL 1.1 server; ``labels.py``, ``names.py``);
- rules: ``rules/`` (one SPARQL file each, the registry, ``settings.py``), ``fastpath.py``,
  ``moves.py``;
- ingest: ``ingest/`` (``tabular.py``: the import format; ``sources.py``, ``checks.py``,
  ``writer.py`` and ``importer.py``, which runs them; ``framework.py``, ``framework_gen.py``,
  ``generate.py``, ``privacy.py``), ``validation/`` (SHACL: ``shacl.py``,
  the native engine ``native.py`` with one class per constraint component in ``components.py``,
  ``sparql_constraints.py``; HermiT: ``owl.py``);
- inference: ``inference.py``;
- services: ``explain.py``, ``audit/``, ``career/`` (``model``, ``graph``, ``paths``, ``scoring``,
  ``plan``, ``views``, ``map``, ``service``), ``render.py`` (and the top-level ``queries/``);
- api: ``api.py``;
- interfaces: ``serve/`` (``endpoint.py``: Starlette on uvicorn; ``workers.py``; ``protocol.py``;
  ``page.py``), and the top-level ``cli.py``.

The layers sit on the top-level ``ontology/``; ``tests/test_layers.py`` keeps them so.
"""
