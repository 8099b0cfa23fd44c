"""Measuring memory for the benchmark: process RSS around a phase, and sizes of index structures.

Peak RSS is a high-water mark over the whole process, so a phase that needs less than an earlier
one would show no growth at all. On Linux the mark is reset before each phase (writing 5 to
/proc/self/clear_refs), which makes "peak during this phase" measurable in one process. Freed
memory is handed back to the system first (a full collection, then glibc's malloc_trim), so a
phase is not credited with room left over by the one before. Elsewhere the figures fall back to
getrusage's lifetime peak and are marked as not exact.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_RESET_PEAK = "5"  # see proc(5): "5" resets the peak resident set size (VmHWM)


@dataclass
class MemoryDelta:
    """Bytes above the RSS at the start of a phase."""

    peak: int = 0  # highest RSS reached during the phase
    retained: int = 0  # still resident after it, once freed memory has been returned
    exact: bool = True  # False when the peak could not be reset (a lower bound then)


def release_free_memory() -> None:
    gc.collect()
    _malloc_trim()


def _malloc_trim() -> None:
    name = ctypes.util.find_library("c")
    if name is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(name)
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


def _status_kib(field: str) -> int | None:
    try:
        text = _STATUS.read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def rss_bytes() -> int:
    kib = _status_kib("VmRSS")
    return kib * 1024 if kib is not None else _lifetime_peak()


def _lifetime_peak() -> int:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text(_RESET_PEAK, encoding="ascii")
    except OSError:
        return False
    return _status_kib("VmHWM") is not None


def _peak_bytes() -> int:
    kib = _status_kib("VmHWM")
    return kib * 1024 if kib is not None else _lifetime_peak()


@contextmanager
def measure_peak(baseline: int | None = None) -> Iterator[MemoryDelta]:
    """Peak RSS of the `with` body above `baseline` (default: RSS on entry, after releasing).

    `retained` is left to the caller, which knows what the body allocated only to be freed."""
    release_free_memory()
    start = rss_bytes() if baseline is None else baseline
    delta = MemoryDelta(exact=_reset_peak())
    yield delta
    delta.peak = max(0, _peak_bytes() - start)


def retained_since(baseline: int) -> int:
    release_free_memory()
    return rss_bytes() - baseline


# -- sizes of Python structures -----------------------------------------------------------------


def vocabulary_bytes(vocabulary: Mapping[str, int]) -> int:
    """A term -> id dict: its table, its key strings and its id ints (-5..256 are shared)."""
    keys = sum(sys.getsizeof(term) for term in vocabulary)
    values = sum(sys.getsizeof(v) for v in vocabulary.values() if not -5 <= v <= 256)
    return sys.getsizeof(vocabulary) + keys + values


def strings_bytes(items: list[str]) -> int:
    """A list of strings, each distinct string object counted once (labels repeat "")."""
    unique = {id(item): item for item in items}
    return sys.getsizeof(items) + sum(sys.getsizeof(s) for s in unique.values())


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
