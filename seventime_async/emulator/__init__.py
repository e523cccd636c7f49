"""An emulator of the Seven Time API for tests, benchmarks and demos (loopback only)."""

from ._data import DEFAULT_COUNTS, object_id
from ._server import FAULT_KINDS, Emulator, Faults, RequestRecord

__all__ = ["DEFAULT_COUNTS", "FAULT_KINDS", "Emulator", "Faults", "RequestRecord", "object_id"]
