"""One numeric thread per server worker, set in one place.

A server runs one process per core. OpenBLAS, OpenMP and torch each start a pool of helper
threads per process; after every product the BLAS helpers spin waiting for more work, so a
worker that scores one 100,000 x 64 product per request burnt about half of its CPU time in
those spins. With several workers per machine, more threads per worker only steal cores
from the other workers. Training (``manage.py train_gnn``) keeps its own thread settings:
only the server entry points (``backend/asgi.py``, ``backend/wsgi.py``) call this.
"""

from __future__ import annotations

import os
import sys

__all__ = ["limit_numeric_threads"]

_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_numeric_threads(threads: int | None = None) -> int:
    """Limit BLAS, OpenMP and torch to ``threads`` per process (``SERVER_NUMERIC_THREADS``,
    default 1) and return the number applied.

    The environment variables cover libraries loaded after this call (torch reads
    ``OMP_NUM_THREADS`` when it is first imported, which the web process does only once a
    model exists); threadpoolctl and ``torch.set_num_threads`` reach those already loaded.
    """
    if threads is None:
        threads = int(os.environ.get("SERVER_NUMERIC_THREADS", "1"))
    if threads < 1:
        raise ValueError(f"SERVER_NUMERIC_THREADS must be at least 1, got {threads}")
    for name in _VARIABLES:
        os.environ[name] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    return threads
