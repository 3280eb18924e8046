"""A 2-D map of the embedding space (t-SNE) for people to look at.

Users, items and tags live in one space: a user's score for an item is a dot product, and
tags are nodes of the same graph. The map is made from unit vectors with the cosine metric,
so "close on the map" reads as "would be recommended together", whatever the vectors'
lengths (which encode popularity, not topic).
"""

from __future__ import annotations

import numpy as np

__all__ = ["project_embeddings"]


def project_embeddings(
    blocks: dict[str, np.ndarray], *, seed: int = 0, perplexity: float = 30.0
) -> dict[str, np.ndarray]:
    """Project each named block of vectors (rows) to 2-D coordinates in one shared t-SNE.

    Returns the same keys with ``(n, 2)`` float32 arrays, scaled to ``[-1, 1]``.
    Deterministic for a given ``seed``.
    """
    from sklearn.manifold import TSNE  # imported here: only the atlas needs scikit-learn

    names = [name for name, rows in blocks.items() if len(rows)]
    if not names:
        return {name: np.zeros((0, 2), dtype=np.float32) for name in blocks}
    stacked = np.concatenate([np.asarray(blocks[n], dtype=np.float64) for n in names])
    norms = np.linalg.norm(stacked, axis=1, keepdims=True)
    unit = stacked / np.maximum(norms, 1e-12)
    n = len(unit)
    if n < 4:
        # t-SNE needs a few points; a handful is shown on a line in input order.
        coords = np.stack([np.linspace(-1, 1, n), np.zeros(n)], axis=1)
    else:
        tsne = TSNE(
            n_components=2,
            metric="cosine",
            init="pca",
            perplexity=min(perplexity, (n - 1) / 3),
            random_state=seed,
        )
        coords = tsne.fit_transform(unit)
        coords = coords - coords.mean(axis=0)
        coords = coords / max(float(np.abs(coords).max()), 1e-12)
    out: dict[str, np.ndarray] = {name: np.zeros((0, 2), dtype=np.float32) for name in blocks}
    start = 0
    for name in names:
        size = len(blocks[name])
        out[name] = coords[start : start + size].astype(np.float32)
        start += size
    return out
