"""What a process may use and hands back: its cores, and its freed memory (Python, Arrow and
the C heap keep that otherwise). Cheap to import: no Prefect, no transforms."""

from __future__ import annotations

import os


def cores() -> int:
    """The cores this process may use (where the OS says), else the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def release_memory() -> None:
    """Collect garbage and return Arrow's freed memory to the system (its allocator keeps it otherwise)."""
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    _malloc_trim()


def _malloc_trim() -> None:
    """Hand the C heap's free pages back to the system (glibc keeps them otherwise); elsewhere a no-op."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
