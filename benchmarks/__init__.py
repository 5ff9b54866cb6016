"""Benchmarks for `plan solve`: a workbook generator (`benchmarks.generate`) and a timing
runner (`benchmarks.run`). Not part of the test run; see docs/performance.md."""
