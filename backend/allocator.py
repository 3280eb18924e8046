"""How much of the memory a server worker frees goes back to the operating system.

glibc's ``malloc`` serves a large block from ``mmap`` and unmaps it when freed, but only
up to a threshold that it raises each time such a block is freed, after which blocks of
that size come from its heaps, where freed memory stays with the process. Loading a model
of a million items allocates and frees temporaries of tens of megabytes (the catalogue's
tag pairs, sort buffers), and each request a few catalogue-sized score arrays: measured at
1,000,000 items, a worker kept about 60 MB more after its start-up than it was using.

Both functions do nothing where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

__all__ = ["map_large_blocks", "return_free_memory"]

logger = logging.getLogger(__name__)

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
# Blocks from this size up are mapped, and unmapped when freed: a score array of 100,000
# items is 400 kB; below it, blocks are the interpreter's and small numpy arrays.
LARGE_BLOCK = 256 * 1024


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def map_large_blocks(threshold: int = LARGE_BLOCK) -> None:
    """Serve every block of at least ``threshold`` bytes from its own mapping, from now on
    (a fixed threshold: glibc stops raising it)."""
    libc = _glibc()
    if libc is not None and not libc.mallopt(_M_MMAP_THRESHOLD, threshold):
        logger.warning("mallopt(M_MMAP_THRESHOLD, %d) was refused", threshold)


def return_free_memory() -> None:
    """Give the free pages of every malloc heap back to the operating system."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
