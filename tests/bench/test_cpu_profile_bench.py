"""bench.cpu_profile's accounting: own CPU per function on every thread, each function in
one phase, a C function's time with its caller."""

from __future__ import annotations

import threading

import numpy as np

from bench.cpu_profile import ThreadProfiles, _phase_of


def _busy_in_numpy() -> None:
    matrix = np.random.default_rng(0).random((300, 300))
    for _ in range(20):
        matrix = matrix @ matrix / 300.0


def test_phases_are_named_by_module_path():
    assert _phase_of("/x/site-packages/django/db/models/query.py") == "sql (orm + driver)"
    assert _phase_of("/x/site-packages/graphql/validation/validate.py").startswith("graphql val")
    assert _phase_of("/x/site-packages/strawberry/schema/schema.py") == "graphql execution"
    assert _phase_of("/repo/backend/recommendations/scored_list.py").startswith("scoring")
    assert _phase_of("/x/lib/python3.11/json/encoder.py") == "other"


def test_every_thread_is_profiled_and_built_ins_count_at_their_caller():
    profiles = ThreadProfiles()
    profiles.install()
    try:
        before = profiles.own_times()
        worker = threading.Thread(target=_busy_in_numpy)
        worker.start()
        worker.join()
        after = profiles.own_times()
    finally:
        threading.setprofile(None)
        for profile in profiles.profiles:
            profile.disable()
    spent = {key: after[key] - before.get(key, 0.0) for key in after}
    mine = [key for key in spent if key.endswith("_busy_in_numpy")]
    # The products ran in a thread started after install, and their C time is the caller's.
    assert mine and spent[mine[0]] > 0.001
