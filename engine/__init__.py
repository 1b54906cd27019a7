"""The Selaras engine: store, import, rules, inference, reasoning and explanations.

Where things live:

- ``store.py``: the RDF dataset (embedded Oxigraph, or a SPARQL 1.1 server) and its named graphs;
- ``tabular.py``: the CSV/XLSX import format, declared entity by entity;
- ``importer.py``: parse → validate → commit in one transaction, or nothing;
- ``validation.py``: SHACL (pySHACL) and OWL consistency/classification (owlready2 + HermiT);
- ``rules/``: the rules, one SPARQL file each, and their registry;
- ``inference.py``: runs the rules in dependency order into their own named graphs;
- ``explain.py``: which rule concluded a fact, from which premises;
- ``api.py``: the small Python API for notebooks.
"""
