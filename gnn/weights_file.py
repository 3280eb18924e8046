"""Read-only, memory-mapped views of the arrays in a safetensors file.

``safetensors.numpy.load_file`` (and ``safe_open(..., framework="numpy")``) copy every
tensor into the reading process's own memory, so each server worker holds its own copy of
the same model. Mapping the file instead lets every process read the same pages of the
operating system's page cache: a model of any size is in memory once per machine.

The format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
length ``N``, ``N`` bytes of JSON mapping each tensor's name to its ``dtype``, ``shape`` and
``data_offsets`` (``[begin, end)`` in the data that follows the header), an optional
``__metadata__`` entry, then the data. Every offset and size is checked against the file
before a view is made, so a truncated or inconsistent file is an error here, not a crash or
garbage later. The views are not writeable (the mapping is read-only): code that needs a
changed array makes a new one.

A mapped file must not be rewritten in place while mapped (its pages would change under
the readers); artifacts never are: a version is written to a temporary directory and
renamed (see :mod:`gnn.artifact`).
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from math import prod

import numpy as np

__all__ = ["WeightsFileError", "map_safetensors", "release_pages"]

_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U64": np.uint64,
    "U32": np.uint32,
    "U16": np.uint16,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
# A header larger than this is not one safetensors writes (its own reader's limit).
_MAX_HEADER = 100_000_000


class WeightsFileError(ValueError):
    """A safetensors file is truncated, or its header does not describe its data."""


def map_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every tensor of the safetensors file at ``path`` as a read-only view of its mapping.

    The mapping stays open as long as any returned array (or a view of one) is alive.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size < 8:
            raise WeightsFileError(f"{size} bytes: too short for a safetensors header")
        (header_len,) = struct.unpack("<Q", fh.read(8))
        if header_len > min(_MAX_HEADER, size - 8):
            raise WeightsFileError(f"header of {header_len} bytes in a file of {size} bytes")
        header = _parse_header(fh.read(header_len))
        data_start = 8 + header_len
        entries = _check_entries(header, size - data_start)
        if not entries:
            return {}
        # Read-only and shared: the pages are the page cache's, the same in every process.
        buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return {
        name: _view(buffer, dtype, shape, data_start + begin)
        for name, (dtype, shape, begin) in entries.items()
    }


def release_pages(arrays: dict[str, np.ndarray]) -> None:
    """Unmap the resident pages of the mappings behind ``arrays`` from this process (they
    stay in the page cache, and the next read of one maps it again, without disk I/O).

    A load reads every array once to check it; without this, each worker would keep every
    page it checked counted as its own resident memory, including arrays that serving reads
    only a few rows of. Linux only; elsewhere a no-op.
    """
    if not hasattr(mmap, "MADV_DONTNEED"):
        return
    buffers = {}
    for arr in arrays.values():
        base = arr
        while isinstance(base, np.ndarray) and base.base is not None:
            base = base.base
        if isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap):
            buffers[id(base.obj)] = base.obj
    for buffer in buffers.values():
        # a read-only shared file mapping: dropping its pages loses nothing
        buffer.madvise(mmap.MADV_DONTNEED)


def _parse_header(raw: bytes) -> dict:
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WeightsFileError(f"header is not JSON: {exc}") from exc
    if not isinstance(header, dict):
        raise WeightsFileError("header is not a JSON object")
    header.pop("__metadata__", None)
    return header


def _check_entries(header: dict, data_len: int) -> dict[str, tuple[np.dtype, tuple, int]]:
    """``name -> (dtype, shape, begin)``, once every entry is known to lie inside the data
    (``data_len`` bytes) without overlapping another."""
    entries: dict[str, tuple[np.dtype, tuple, int]] = {}
    spans = []
    for name, info in header.items():
        try:
            dtype = np.dtype(_DTYPES[info["dtype"]])
            shape = tuple(int(n) for n in info["shape"])
            begin, end = (int(n) for n in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise WeightsFileError(f"{name}: bad header entry {info!r}") from exc
        if min(shape, default=0) < 0 or not 0 <= begin <= end:
            raise WeightsFileError(f"{name}: bad shape {shape} or offsets [{begin}, {end})")
        if end - begin != prod(shape) * dtype.itemsize:
            raise WeightsFileError(
                f"{name}: {end - begin} bytes for shape {shape} of {dtype} "
                f"({prod(shape) * dtype.itemsize} expected)"
            )
        if end > data_len:
            raise WeightsFileError(
                f"{name}: data ends at {end}, the file holds {data_len} bytes of data (truncated?)"
            )
        entries[name] = (dtype, shape, begin)
        spans.append((begin, end, name))
    spans.sort()
    for (_, end, first), (begin, _, second) in zip(spans, spans[1:], strict=False):
        if begin < end:
            raise WeightsFileError(f"{first} and {second} overlap")
    return entries


def _view(buffer: mmap.mmap, dtype: np.dtype, shape: tuple, offset: int) -> np.ndarray:
    count = prod(shape)
    if not count:
        arr = np.empty(shape, dtype=dtype)
    elif offset % dtype.itemsize:
        # safetensors orders tensors by alignment, so this does not happen in files it
        # writes; an unaligned view would be slow (and copied by some kernels), so copy once.
        raw = np.frombuffer(buffer, dtype=np.uint8, count=count * dtype.itemsize, offset=offset)
        arr = raw.copy().view(dtype).reshape(shape)
    else:
        return np.frombuffer(buffer, dtype=dtype, count=count, offset=offset).reshape(shape)
    arr.setflags(write=False)  # read-only like the mapped ones: nothing may write into weights
    return arr
