"""What comes into a store: the import format, the importer, frameworks, generated organisations.

==========================  ===========================================================
module                      holds
==========================  ===========================================================
:mod:`.tabular`             the import format: every file kind, its columns and rules
:mod:`.sources`             finding and reading the files (CSV, XLSX, RDF), refusing hostile ones
:mod:`.checks`              columns, values, references, hierarchies, overlaps: every problem
:mod:`.writer`              the all-or-nothing write into the facts graph, the SHACL gate for RDF
:mod:`.importer`            :func:`~.importer.import_paths`: read, check, write, in that order
:mod:`.framework`           another framework from a long requirements CSV (any scale)
:mod:`.framework_gen`       a dense O*NET-shaped framework, for the benchmark
:mod:`.generate`            a generated organisation of any size, for the benchmark
:mod:`.privacy`             pseudonymised exports
==========================  ===========================================================

The SHACL and OWL checks an import passes through are in :mod:`selaras.engine.validation`.
"""
