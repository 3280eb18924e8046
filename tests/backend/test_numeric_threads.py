"""The server entry points leave one BLAS, OpenMP and torch thread per worker process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from backend.numeric_threads import limit_numeric_threads

_PROBE = """
import json
import backend.{entry}
import numpy, torch
from threadpoolctl import threadpool_info
print(json.dumps({{"pools": [p["num_threads"] for p in threadpool_info()],
                   "torch": torch.get_num_threads()}}))
"""


@pytest.mark.parametrize("entry", ["asgi", "wsgi"])
def test_a_server_process_runs_one_numeric_thread(entry: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.pop("SERVER_NUMERIC_THREADS", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(entry=entry)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["pools"] and set(seen["pools"]) == {1}
    assert seen["torch"] == 1


def test_a_thread_count_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="SERVER_NUMERIC_THREADS must be at least 1, got 0"):
        limit_numeric_threads(0)
