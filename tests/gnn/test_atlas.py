"""The embedding atlas projection keeps neighbours together and is deterministic."""

from __future__ import annotations

import numpy as np

from gnn.atlas import project_embeddings


def clusters(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    centres = np.eye(8, dtype=np.float32)[:2] * 5
    labels = np.arange(n) % 2
    return centres[labels] + rng.normal(0, 0.3, (n, 8)).astype(np.float32), labels


def test_shapes_scale_and_determinism() -> None:
    rng = np.random.default_rng(0)
    items, _ = clusters(rng, 60)
    tags, _ = clusters(rng, 10)
    first = project_embeddings({"items": items, "tags": tags, "users": np.zeros((0, 8))})
    assert first["items"].shape == (60, 2) and first["tags"].shape == (10, 2)
    assert first["users"].shape == (0, 2)
    both = np.concatenate([first["items"], first["tags"]])
    assert np.isfinite(both).all() and np.abs(both).max() <= 1.0 + 1e-6
    again = project_embeddings({"items": items, "tags": tags, "users": np.zeros((0, 8))})
    np.testing.assert_allclose(first["items"], again["items"])


def test_neighbours_in_embedding_space_stay_neighbours_on_the_map() -> None:
    rng = np.random.default_rng(1)
    items, labels = clusters(rng, 80)
    coords = project_embeddings({"items": items})["items"]
    centre = [coords[labels == c].mean(axis=0) for c in (0, 1)]
    own = np.linalg.norm(coords - np.array(centre)[labels], axis=1).mean()
    other = np.linalg.norm(coords - np.array(centre)[1 - labels], axis=1).mean()
    assert own < other / 2


def test_tiny_inputs_do_not_fail() -> None:
    out = project_embeddings({"items": np.ones((2, 4)), "tags": np.zeros((0, 4))})
    assert out["items"].shape == (2, 2) and out["tags"].shape == (0, 2)
