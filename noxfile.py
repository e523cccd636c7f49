"""Developer sessions: ``nox -s tests``, ``nox -s lint``, ``nox -s typecheck``, ``nox -s bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True

PACKAGE = "seventime_async"
SOURCES = (PACKAGE, "tests", "benchmarks", "examples", "noxfile.py")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """The test suite, against the emulator over loopback TCP."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", *SOURCES)
    session.run("ruff", "format", "--check", *SOURCES)


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install("-e", ".[sync]", "mypy")
    session.run("mypy", "--strict", PACKAGE)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks with ratios against in-run baselines; ``-- --smoke`` for a quick pass."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
