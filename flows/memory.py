"""Handing a process's freed memory back to the system (Python, Arrow and the C heap keep it otherwise)."""

from __future__ import annotations


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
