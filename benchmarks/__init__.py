"""Benchmarks for `plan solve`: a workbook generator (`benchmarks.generate`), a timing
runner (`benchmarks.run`) and a long run from `plan`'s plan that brackets the optimum
(`benchmarks.proof`). Not part of the test run; see docs/performance.md."""
