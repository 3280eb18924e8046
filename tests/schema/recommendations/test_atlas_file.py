"""A truncated or damaged atlas file of the active version is made again, with a warning,
instead of failing ``embeddingAtlas`` on every request."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.cache import cache

from backend.recommendations.atlas import atlas_path
from backend.recommendations.registry import registry
from tests.schema.conftest import GraphQL

QUERY = "{ embeddingAtlas { modelVersion method points { kind id x y } } }"


def test_a_truncated_atlas_file_is_built_again(
    gql: GraphQL, served, caplog: pytest.LogCaptureFixture
) -> None:
    gql.login(served["demo"])
    first = gql(QUERY)["data"]["embeddingAtlas"]
    path = atlas_path(registry.current().version)
    assert json.loads(path.read_text())["points"]
    path.write_bytes(path.read_bytes()[:100])  # a copy cut short
    cache.clear()  # the next request must read the file
    with caplog.at_level(logging.WARNING, logger="backend.recommendations.atlas"):
        again = gql(QUERY)
    assert "errors" not in again
    assert again["data"]["embeddingAtlas"]["modelVersion"] == first["modelVersion"]
    assert len(again["data"]["embeddingAtlas"]["points"]) == len(first["points"])
    assert "building it again" in caplog.text
    # The file holds a whole atlas again.
    assert json.loads(path.read_text())["model_version"] == first["modelVersion"]
