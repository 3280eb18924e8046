"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    # The suite runs against a shared Redis as well as the in-process cache: start each
    # test with an empty cache so no test sees another's entries, whatever the order. The
    # experiments' plans are this process's copy of rows the last test may have rolled
    # back: they are read again too.
    from backend.experiments.plans import plans

    cache.clear()
    plans.reset()
    yield


@pytest.fixture(autouse=True)
def _private_var_dirs(settings, tmp_path_factory):
    # Model artifacts and atlas files go to a per-test folder, never the checkout's var/.
    base = tmp_path_factory.mktemp("var")
    settings.LUPI_ARTIFACT_DIR = base / "models"
    settings.LUPI_ATLAS_DIR = base / "atlas"
    settings.LUPI_SIMULATION_RESULTS = base / "simulation" / "scenarios.json"


@pytest.fixture(autouse=True)
def _no_request_time_limit(monkeypatch):
    # Wall-clock limits make results depend on the machine's load; the limit has its own
    # test, which sets it where it needs it.
    from schema import limits

    monkeypatch.setattr(limits, "REQUEST_TIMEOUT", 0)
