"""Data checks: Great Expectations suites over every warehouse table, and their runner.

- :mod:`expectations.suites` — the checks as data, generated from the warehouse schema
  and the vocabularies (one suite per table); no GX import.
- :mod:`expectations.frames` — what each suite reads, pulled from DuckDB (joins,
  offsets, regexes and edit replay computed there, article text never leaves DuckDB).
- :mod:`expectations.runner` — ``run_checks`` (GX, imported lazily), the
  ``check_results`` rows, JUnit XML, the rich table and the exit code.
- :mod:`expectations.data_docs` — the escaped HTML report under ``<home>/data_docs``.
"""
