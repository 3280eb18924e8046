"""The memory benchmark reads a process's memory from /proc the way it reports it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from bench import memory
from gnn.weights_file import map_safetensors

pytestmark = pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs /proc")


def test_a_mapped_weights_file_is_found_and_measured(tmp_path):
    # a name of its own: models loaded by other tests in this process map weights files too
    path = tmp_path / "probe.safetensors"
    save_file({"x": np.arange(1 << 18, dtype=np.float32)}, str(path))  # 1 MiB
    pid = os.getpid()
    assert memory.file_mapping(pid, path.name) == (0, 0, None)
    arrays = map_safetensors(path)
    assert float(arrays["x"].sum()) == float(np.arange(1 << 18, dtype=np.float64).sum())
    rss, pss, found = memory.file_mapping(pid, path.name)
    assert found == str(path)
    # every page of the array was read, so all of it is resident, and none of it is shared
    # with another process here
    assert rss >= 1 << 20 and pss == rss
    own = memory.measure(pid, "worker")
    assert own.rss >= own.pss >= own.uss > 0 and own.role == "worker"
