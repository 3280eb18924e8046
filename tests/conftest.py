"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    # The suite runs against a shared Redis as well as the in-process cache: start each
    # test with an empty cache so no test sees another's entries, whatever the order.
    cache.clear()
    yield
