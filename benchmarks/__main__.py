"""Placeholder until the benchmark suite lands: ``python -m benchmarks``."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    print("benchmarks: not yet implemented", file=sys.stderr)
