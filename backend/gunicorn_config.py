"""gunicorn settings that let the workers share what every one of them imports.

    gunicorn -c python:backend.gunicorn_config backend.asgi:application \\
        -k uvicorn_worker.UvicornWorker --reuse-port

With ``preload_app`` the master imports the application once, before it forks the workers;
``when_ready`` then imports :mod:`gnn` (torch and the model library) there too, which the
application itself imports only when a model is loaded. The workers inherit those pages
copy-on-write instead of each building its own: measured with ``python -m bench.memory``,
a worker's private memory falls by about 140 MB (most of it torch's own tables), see
``bench/README.md`` ("Memory").

What stays per worker is what must: each worker loads the model after the fork (the
lifespan start-up, :func:`backend.recommendations.universe.warm_up`), with its own database
and cache connections; the model's weights are mapped from the artifact, so their pages are
shared anyway. Nothing here opens a connection or starts a thread in the master.
"""

from __future__ import annotations

from typing import Any

preload_app = True


def when_ready(server: Any) -> None:
    # Here, not at the top of this file: the application has been imported by now, and it
    # limits the numeric libraries' thread pools (backend.numeric_threads) before torch
    # reads its settings; importing torch first would start the pools of a full machine.
    import gnn  # noqa: F401
