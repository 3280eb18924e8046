"""The embedding atlas: a 2-D map of items, readers and tags of the active model.

The projection (t-SNE, in ``gnn.atlas``) takes seconds, so it is made once per model
version: right after ``train_gnn`` promotes a version, or on the first request for it, and
kept as JSON (``LUPI_ATLAS_DIR/<version>.json``) and in
the cache. Readers appear as anonymous points: the map shows where tastes lie, not who
holds them.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache

from backend.content.models import Category, ContentItem, Tag
from backend.recommendations.registry import ServingModel, registry

logger = logging.getLogger(__name__)

MAX_ITEMS = 1500
MAX_USERS = 300
MAX_TAGS = 300
CACHE_TIMEOUT = 24 * 3600
_build_lock = threading.Lock()


def atlas_path(version: str) -> Path:
    return Path(settings.LUPI_ATLAS_DIR) / f"{version}.json"


def _sample(rows: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.choice(rows, size=limit, replace=False)) if len(rows) > limit else rows


def build_atlas(state: ServingModel, *, seed: int = 0) -> dict:
    """Project a sample of ``state``'s items, readers and tags; returns the JSON document."""
    from gnn.atlas import project_embeddings

    rng = np.random.default_rng(seed)
    model = state.model
    published = np.flatnonzero(np.isfinite(state.catalogue.published))
    item_rows = _sample(published, MAX_ITEMS, rng)
    # Readers the model learned from (a row with training interactions), anonymous on the map.
    active = np.flatnonzero(np.abs(model.user_embeddings).sum(axis=1) > 0)
    user_rows = _sample(active, MAX_USERS, rng)
    tag_ids = [int(t) for t in state.tag_row]
    tag_rows = np.array([state.tag_row[t] for t in tag_ids], dtype=np.int64)
    tag_rows = _sample(tag_rows, MAX_TAGS, rng) if len(tag_rows) else tag_rows
    coords = project_embeddings(
        {
            "items": model.item_embeddings[item_rows],
            "users": model.user_embeddings[user_rows],
            "tags": model.tag_embeddings[tag_rows] if len(tag_rows) else np.zeros((0, 1)),
        },
        seed=seed,
    )
    item_ids = [int(state.item_ids[r]) for r in item_rows]
    titles = dict(ContentItem.objects.filter(id__in=item_ids).values_list("id", "title"))
    categories = dict(Category.objects.values_list("id", "name"))
    tag_id_of_row = {row: tag_id for tag_id, row in state.tag_row.items()}
    tag_names = dict(Tag.objects.values_list("id", "name"))
    points = []
    for (x, y), row, item_id in zip(coords["items"], item_rows, item_ids, strict=True):
        category = int(state.catalogue.category[row])
        points.append(
            {
                "kind": "item",
                "id": item_id,
                "label": titles.get(item_id, f"Item {item_id}"),
                "x": float(x),
                "y": float(y),
                "category_id": category if category >= 0 else None,
                "category_name": categories.get(category),
            }
        )
    for n, (x, y) in enumerate(coords["users"], start=1):
        points.append({"kind": "user", "id": n, "label": "A reader", "x": float(x), "y": float(y)})
    for (x, y), row in zip(coords["tags"], tag_rows, strict=True):
        tag_id = int(tag_id_of_row[int(row)])
        label = f"#{tag_names.get(tag_id, tag_id)}"
        points.append({"kind": "tag", "id": tag_id, "label": label, "x": float(x), "y": float(y)})
    return {"model_version": state.version, "method": "t-SNE", "points": points}


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle)
    os.replace(tmp, path)


def _read(path: Path) -> dict | None:
    """The atlas kept in ``path``; ``None`` when there is none or it cannot be used (a
    truncated or damaged file is logged and made again, not served as an error forever)."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("the atlas file %s is unreadable (%s); building it again", path, exc)
        return None
    if not isinstance(document, dict) or not isinstance(document.get("points"), list):
        logger.warning("the atlas file %s does not hold an atlas; building it again", path)
        return None
    return document


def ensure_atlas(state: ServingModel) -> dict:
    """The atlas of ``state``'s version: from the cache, the file, or built now (once)."""
    key = f"lupi:atlas:{state.version}"
    try:
        document = cache.get(key)
    except Exception:  # a cache outage must not take the atlas down
        document = None
    if document is not None:
        return document
    path = atlas_path(state.version)
    with _build_lock:
        document = _read(path)
        if document is None:
            document = build_atlas(state)
            _write(path, document)
            logger.info("built the embedding atlas of %s", state.version)
    try:
        cache.set(key, document, CACHE_TIMEOUT)
    except Exception:
        logger.warning("could not cache the atlas of %s", state.version)
    return document


def active_atlas() -> dict | None:
    """The active model's atlas, or ``None`` when no model is served."""
    state = registry.current()
    return None if state is None else ensure_atlas(state)
