"""Benchmarks for seventime_async (run with ``nox -s bench``); see README.md here."""
