"""Versioned model artifacts: safetensors weights, JSON id maps and a hashed manifest.

Layout of one version directory::

    weights.safetensors   every array of :class:`ModelWeights` (float32 / int32 / int64 /
                          uint8), and the ones it derives for scoring (see below)
    id_maps.json          {"user": [external ids by row], "item": [...], "tag": [...], ...}
    manifest.json         parameters, data hash, metrics, code version, created time,
                          array shapes and the sha256 of the two files above
    items.faiss           only for a catalogue of at least ``item_index_min_items``: the
                          approximate index over ``item_scoring`` (:mod:`gnn.vector_index`),
                          described (sha256, cells, probes) under ``item_index``

A version is written into a temporary directory next to its final place and renamed, so a
reader never sees half an artifact; :func:`load_artifact` re-hashes every file and checks
every shape, raising :class:`ArtifactError` instead of serving a broken model.

Loading maps the weights file read-only (:func:`gnn.weights_file.map_safetensors`) instead
of copying it, so the server's workers share one copy of the model in the page cache. For
that to hold, serving must not derive catalogue-sized arrays of its own: the blended item
vectors (``item_embeddings``, and ``item_scoring`` where ``graph_weight`` is not 1), the
rows of items without interactions and their unit tag rows are computed when the artifact
is written and stored with the weights (the manifest lists them under ``derived``); the
sparse matrices are stored with int32 indices where they fit, the type the scoring kernels
take, so they are used as mapped. An artifact written without them still loads: the model
then derives them in its own memory.

The item index is optional: a version whose index is missing, damaged or inconsistent
still loads, logs a warning and is served by brute force (``item_index`` is ``None``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from safetensors.numpy import save_file

from .content import ContentSpec
from .history import STRENGTHS
from .recipe import TrainResult
from .recommender import ModelWeights
from .vector_index import ItemIndex, VectorIndexError, build_item_index, read_item_index
from .weights_file import WeightsFileError, map_safetensors, release_pages

logger = logging.getLogger(__name__)

__all__ = ["ArtifactError", "FORMAT_VERSION", "LoadedModel", "load_artifact", "save_artifact"]

FORMAT_VERSION = 2
_WEIGHTS, _IDS, _MANIFEST = "weights.safetensors", "id_maps.json", "manifest.json"
_INDEX = "items.faiss"
_DENSE = (
    "user_graph",
    "item_graph",
    "tag_graph",
    "category_graph",
    "item_content",
    "content_weight",
    "fold_in_map",
    "item_popularity",
    "item_scale",
)


_SPARSE = ("item_item", "user_rows", "item_tags")
# What ModelWeights.refresh derives, stored so that no loading process derives its own copy.
_DERIVED_DENSE = ("item_embeddings", "item_scoring", "cold_rows")
_DERIVED_SPARSE = ("cold_tag_rows",)
# Rows of the derived item vectors compared with the weights they come from, at load.
_SPOT_CHECKS = 16


class ArtifactError(Exception):
    """A model artifact is missing, corrupted or inconsistent and must not be served."""


class LoadedModel(ModelWeights):
    """A :class:`ModelWeights` read from disk, with its ``manifest``, ``id_maps`` and ``path``.

    Its arrays are read-only views of the mapped weights file; its derived arrays are the
    stored ones (:func:`load_artifact` sets them) until :meth:`refresh` makes new ones.
    """

    manifest: dict
    # external ids by row: an int64 array where they are all integers (a list of a million
    # ints costs some 36 MB in every process that loads the model), else the list as stored
    id_maps: dict[str, list | np.ndarray]
    path: Path
    # the approximate index over item_scoring, where the artifact has one that loads
    item_index: ItemIndex | None = None

    def __post_init__(self) -> None:
        pass  # the derived arrays come from the artifact (see _attach_derived)

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_version() -> str:
    """A fingerprint of this package's source: the sha256 of its ``.py`` files, truncated."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


def _arrays(weights: ModelWeights) -> dict[str, np.ndarray]:
    out = {name: np.ascontiguousarray(getattr(weights, name), dtype=np.float32) for name in _DENSE}
    out["item_warm"] = np.ascontiguousarray(weights.item_warm, dtype=np.uint8)
    idf = weights.content_spec.idf
    out["content_idf"] = np.ascontiguousarray(
        idf if idf is not None else np.ones(weights.content_spec.text_dim), dtype=np.float32
    )
    out["item_embeddings"] = np.ascontiguousarray(weights.item_embeddings, dtype=np.float32)
    if weights.graph_weight != 1.0:  # else the scoring vectors are the embeddings themselves
        out["item_scoring"] = np.ascontiguousarray(weights.item_scoring, dtype=np.float32)
    out["cold_rows"] = np.ascontiguousarray(weights.cold_rows, dtype=np.int64)
    for name in _SPARSE + _DERIVED_SPARSE:
        mat = getattr(weights, name)
        if mat is not None:
            out.update(_sparse_arrays(name, mat.tocsr()))
    if weights.context_lift is not None:
        out["context_lift"] = np.ascontiguousarray(weights.context_lift, dtype=np.float32)
    return out


def _sparse_arrays(name: str, mat: sp.csr_matrix) -> dict[str, np.ndarray]:
    # int32 where it fits: the scoring kernels' type, so a loaded matrix is used as mapped
    fits = mat.nnz < 2**31 and max(mat.shape) < 2**31
    index = np.int32 if fits else np.int64
    return {
        f"{name}.indptr": mat.indptr.astype(index),
        f"{name}.indices": mat.indices.astype(index),
        f"{name}.data": mat.data.astype(np.float32),
    }


def save_artifact(
    root_dir: str | os.PathLike,
    result: TrainResult | ModelWeights,
    id_maps: dict[str, list | np.ndarray],
    *,
    params: dict | None = None,
    data_hash: str = "",
    version: str | None = None,
    metrics: dict | None = None,
    item_index_min_items: int | None = None,
) -> Path:
    """Write ``result`` as a new version under ``root_dir`` and return its directory.

    ``id_maps`` maps each node kind to its external ids in row order; ``version`` defaults to
    a UTC timestamp. Refuses to overwrite an existing version. A model of at least
    ``item_index_min_items`` items (``None``: never) gets an approximate item index, built
    here so that no serving process builds its own.
    """
    weights = result.weights if isinstance(result, TrainResult) else result
    root = Path(root_dir)
    root.mkdir(parents=True, exist_ok=True)
    version = version or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    if "/" in version or version.startswith("."):
        raise ValueError(f"bad version name {version!r}")
    final = root / version
    if final.exists():
        raise FileExistsError(f"version {version} already exists")
    _check_id_maps(weights, id_maps)
    arrays = _arrays(weights)
    tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=root))
    try:
        save_file(arrays, str(tmp / _WEIGHTS))
        ids = {k: v.tolist() if isinstance(v, np.ndarray) else list(v) for k, v in id_maps.items()}
        (tmp / _IDS).write_text(json.dumps(ids))
        index_entry = _write_index(tmp, weights, item_index_min_items)
        train_params = dict(params or {})
        if isinstance(result, TrainResult):
            train_params.setdefault("config", result.config.to_json())
        manifest = {
            "format_version": FORMAT_VERSION,
            "version": version,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "code_version": code_version(),
            "data_hash": data_hash,
            "params": train_params,
            "metrics": metrics if metrics is not None else getattr(result, "metrics", {}),
            "training": _training_summary(result),
            "model": {
                "blend": weights.blend,
                "cold_blend": weights.cold_blend,
                "graph_weight": weights.graph_weight,
                "recency": weights.recency,
                "strength": weights.strength,
                "num_users": weights.num_users,
                "num_items": weights.num_items,
                "dim": weights.dim,
                "content_spec": weights.content_spec.to_json(),
                "tag_weight": weights.tag_weight,
                "context_weight": weights.context_weight,
                "context_num_types": weights.context_num_types,
                "context_bands": list(weights.context_bands),
                "context_devices": list(weights.context_devices),
                **{
                    f"{name}_shape": _shape(getattr(weights, name))
                    for name in _SPARSE + _DERIVED_SPARSE
                },
            },
            "derived": sorted(
                name for name in _DERIVED_DENSE + _DERIVED_SPARSE if _stored(arrays, name)
            ),
            "shapes": {name: list(arr.shape) for name, arr in arrays.items()},
            "files": {name: _sha256(tmp / name) for name in (_WEIGHTS, _IDS)},
        }
        if index_entry is not None:
            manifest["item_index"] = index_entry
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        for name in (_WEIGHTS, _IDS, _MANIFEST) + ((_INDEX,) if index_entry else ()):
            with (tmp / name).open("rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _write_index(tmp: Path, weights: ModelWeights, min_items: int | None) -> dict | None:
    """Build and write the item index where the catalogue is large enough; its manifest entry."""
    if min_items is None or weights.num_items < max(min_items, 1):
        return None
    started = time.perf_counter()
    index = build_item_index(weights.item_scoring)
    index.write(tmp / _INDEX)
    return {
        "file": _INDEX,
        "sha256": _sha256(tmp / _INDEX),
        "vectors": "item_scoring",
        "items": index.ntotal,
        "dim": index.dim,
        "lists": index.lists,
        "nprobe": index.nprobe,
        "build_seconds": round(time.perf_counter() - started, 3),
    }


def _read_index(path: Path, manifest: dict, model: ModelWeights) -> ItemIndex | None:
    """The artifact's item index, or ``None`` (logged) where it has none that loads: a
    damaged index costs speed, never the model."""
    entry = manifest.get("item_index")
    if entry is None:
        return None
    try:
        file = path / str(entry["file"])
        if not file.is_file():
            raise VectorIndexError(f"no {entry['file']}")
        if _sha256(file) != entry["sha256"]:
            raise VectorIndexError(f"{entry['file']} does not match its sha256 in the manifest")
        return read_item_index(file, model.num_items, model.dim, int(entry["nprobe"]))
    except (VectorIndexError, KeyError, TypeError, ValueError) as exc:
        logger.warning("%s: item index not used, scoring by brute force: %s", path, exc)
        return None


def _stored(arrays: dict[str, np.ndarray], name: str) -> bool:
    return name in arrays or f"{name}.data" in arrays


def _shape(mat: sp.spmatrix | None) -> list[int] | None:
    return None if mat is None else list(mat.shape)


def _training_summary(result: TrainResult | ModelWeights) -> dict:
    if not isinstance(result, TrainResult):
        return {}
    return {
        "seconds": result.seconds,
        "choice": result.choice.to_json(),
        "stop_reason": result.stop_reason,
        "history": result.history,
    }


def _check_id_maps(weights: ModelWeights, id_maps: dict[str, list | np.ndarray]) -> None:
    expected = {
        "user": weights.num_users,
        "item": weights.num_items,
        "tag": weights.tag_graph.shape[0],
        "category": weights.category_graph.shape[0],
    }
    for kind, ids in id_maps.items():
        if kind in expected and len(ids) != expected[kind]:
            raise ArtifactError(f"id map {kind!r} has {len(ids)} ids, the model {expected[kind]}")


def load_artifact(path: str | os.PathLike) -> LoadedModel:
    """Load and verify a version directory written by :func:`save_artifact`."""
    path = Path(path)
    try:
        manifest = json.loads((path / _MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise ArtifactError(f"{path}: no {_MANIFEST}") from exc
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path}: {_MANIFEST} is not valid JSON") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{path}: unsupported format {manifest.get('format_version')!r}")
    for name, digest in manifest.get("files", {}).items():
        file = path / name
        if not file.is_file():
            raise ArtifactError(f"{path}: missing {name}")
        if _sha256(file) != digest:
            raise ArtifactError(f"{path}: {name} does not match its sha256 in the manifest")
    if set(manifest.get("files", {})) != {_WEIGHTS, _IDS}:
        raise ArtifactError(f"{path}: manifest does not list {_WEIGHTS} and {_IDS}")
    try:
        arrays = map_safetensors(path / _WEIGHTS)
    except (WeightsFileError, OSError) as exc:
        raise ArtifactError(f"{path}: unreadable weights: {exc}") from exc
    shapes = manifest.get("shapes", {})
    if set(shapes) != set(arrays):
        raise ArtifactError(f"{path}: weights hold {sorted(arrays)}, manifest {sorted(shapes)}")
    for name, arr in arrays.items():
        if list(arr.shape) != shapes[name]:
            raise ArtifactError(f"{path}: {name} has shape {arr.shape}, expected {shapes[name]}")
    id_maps = _id_arrays(json.loads((path / _IDS).read_text()))
    model = _build(manifest, arrays, path)
    try:
        _check_id_maps(model, id_maps)
        _check_consistent(model)
        _attach_derived(model, arrays, manifest)
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}") from exc
    # The checks read every array; serving reads some in full (the scoring vectors) and
    # others a few rows at a time: let each page come back when it is read again.
    release_pages(arrays)
    model.manifest = manifest
    model.id_maps = id_maps
    model.path = path
    model.item_index = _read_index(path, manifest, model)
    return model


def _id_arrays(id_maps: dict[str, list]) -> dict[str, list | np.ndarray]:
    out: dict[str, list | np.ndarray] = {}
    for kind, ids in id_maps.items():
        integers = all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        out[kind] = np.array(ids, dtype=np.int64) if integers and ids else ids
    return out


def _sparse(
    arrays: dict[str, np.ndarray], name: str, shape: list[int] | None
) -> sp.csr_matrix | None:
    if shape is None:
        return None
    try:
        indices, indptr = arrays[f"{name}.indices"], arrays[f"{name}.indptr"]
        fits = len(indices) < 2**31 and max(shape) < 2**31
        if fits and (indices.dtype != np.int32 or indptr.dtype != np.int32):
            # the compiled scoring kernels' type; artifacts written before int32 indices pay
            # for a private copy here
            indices, indptr = indices.astype(np.int32), indptr.astype(np.int32)
        mat = sp.csr_matrix(
            (arrays[f"{name}.data"], indices, indptr), shape=tuple(shape), copy=False
        )
        mat.check_format(full_check=True)  # the kernels trust the indices: check them once
        return mat
    except (KeyError, ValueError) as exc:
        raise ArtifactError(f"bad sparse matrix {name}: {exc}") from exc


def _build(manifest: dict, arrays: dict[str, np.ndarray], path: Path) -> LoadedModel:
    meta = manifest["model"]
    try:
        spec = ContentSpec.from_json(meta["content_spec"], arrays["content_idf"])
        model = LoadedModel(
            **{name: arrays[name] for name in _DENSE},
            content_spec=spec,
            item_warm=_flags(arrays["item_warm"]),
            blend=float(meta["blend"]),
            cold_blend=float(meta["cold_blend"]),
            graph_weight=float(meta["graph_weight"]),
            recency=float(meta["recency"]),
            # artifacts written before the strength was chosen damped every weight
            strength=str(meta.get("strength", "damped")),
            # artifacts written before the tag-profile term have neither its weight nor tags
            tag_weight=float(meta.get("tag_weight", 0.0)),
            # artifacts written before the context affinities have none
            context_lift=arrays.get("context_lift"),
            context_weight=float(meta.get("context_weight", 0.0)),
            context_num_types=int(meta.get("context_num_types", 0)),
            context_bands=tuple(meta.get("context_bands", ())),
            context_devices=tuple(meta.get("context_devices", ())),
            **{name: _sparse(arrays, name, meta.get(f"{name}_shape")) for name in _SPARSE},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: inconsistent manifest or weights: {exc}") from exc
    return model


def _flags(arr: np.ndarray) -> np.ndarray:
    """A uint8 array of 0s and 1s as booleans, without a copy."""
    if arr.dtype != np.uint8 or arr.max(initial=0) > 1:
        raise ValueError("item_warm holds values other than 0 and 1")
    return arr.view(np.bool_)


def _attach_derived(model: LoadedModel, arrays: dict[str, np.ndarray], manifest: dict) -> None:
    """Set the arrays :meth:`ModelWeights.refresh` derives: the stored ones, checked against
    the weights, or (an artifact written without them) derived here."""
    stored = set(manifest.get("derived", ()))
    if not {"item_embeddings", "cold_rows"} <= stored:
        model.refresh()
        return
    n_i, d = model.item_graph.shape
    embeddings = arrays["item_embeddings"]
    scoring = arrays["item_scoring"] if "item_scoring" in stored else embeddings
    cold_rows = arrays["cold_rows"]
    for name, arr in (("item_embeddings", embeddings), ("item_scoring", scoring)):
        if arr.shape != (n_i, d):
            raise ArtifactError(f"{name} has shape {arr.shape}, expected {(n_i, d)}")
        if not _finite(arr):
            raise ArtifactError(f"{name} contains non-finite values")
    if not np.array_equal(cold_rows, np.flatnonzero(~model.item_warm)):
        raise ArtifactError("cold_rows are not the rows of the items without interactions")
    _spot_check(model, embeddings, scoring)
    cold_tags = None
    if "cold_tag_rows" in stored:
        shape = manifest["model"].get("cold_tag_rows_shape")
        cold_tags = _sparse(arrays, "cold_tag_rows", shape)
        tags = model.item_tags.shape[1] if model.item_tags is not None else None
        if cold_tags is None or cold_tags.shape != (len(cold_rows), tags):
            want = [len(cold_rows), tags]
            raise ArtifactError(f"cold_tag_rows has shape {shape}, expected {want}")
    elif model.tag_weight and model.item_tags is not None:
        raise ArtifactError("the tag-profile term has no cold_tag_rows")
    model.item_embeddings, model.item_scoring = embeddings, scoring
    model.cold_rows, model.cold_tag_rows = cold_rows, cold_tags


def _spot_check(model: ModelWeights, embeddings: np.ndarray, scoring: np.ndarray) -> None:
    """The stored blended vectors agree with the weights at a few rows (a cheap guard
    against a writer that stored them from other weights or another blend)."""
    n_i = model.item_graph.shape[0]
    if not n_i:
        return
    rows = np.unique(np.linspace(0, n_i - 1, _SPOT_CHECKS).astype(np.int64))
    b = model.content_share[rows][:, None]
    graph, content = model.item_graph[rows], model.item_content[rows]
    want_embeddings = (1.0 - b) * graph + b * content
    want_scoring = (1.0 - b) * model.graph_weight * graph + b * content
    for name, got, want in (
        ("item_embeddings", embeddings[rows], want_embeddings),
        ("item_scoring", scoring[rows], want_scoring),
    ):
        if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
            raise ArtifactError(f"{name} does not match the weights and blend it was derived from")


def _finite(arr: np.ndarray, chunk: int = 1 << 16) -> bool:
    """``np.isfinite(arr).all()`` by blocks of rows: no temporary of the array's size."""
    return all(np.isfinite(arr[i : i + chunk]).all() for i in range(0, max(len(arr), 1), chunk))


def _check_context(model: ModelWeights) -> None:
    groups = model.category_graph.shape[0] * model.context_num_types
    want = (groups, len(model.context_bands) + 1, len(model.context_devices) + 1)
    if model.context_lift.shape != want:
        raise ArtifactError(f"context_lift has shape {model.context_lift.shape}, expected {want}")
    if not np.isfinite(model.context_lift).all() or not np.isfinite(model.context_weight):
        raise ArtifactError("the context affinities contain non-finite values")


def _check_consistent(model: ModelWeights) -> None:
    n_i, d = model.item_graph.shape
    checks = {
        "user_graph": (model.user_graph.shape[1], d),
        "item_content": (model.item_content.shape, (n_i, d)),
        "content_weight": (model.content_weight.shape, (model.content_spec.dim, d)),
        "fold_in_map": (model.fold_in_map.shape, (d, d)),
        "item_warm": (model.item_warm.shape, (n_i,)),
        "item_scale": (model.item_scale.shape, (n_i,)),
        "content_idf": (model.content_spec.idf.shape, (model.content_spec.text_dim,)),
    }
    if model.item_item is not None:
        checks["item_item"] = (model.item_item.shape, (n_i, n_i))
    if model.user_rows is not None:
        checks["user_rows"] = (model.user_rows.shape, (model.num_users, n_i))
    if model.item_tags is not None:
        checks["item_tags"] = (model.item_tags.shape, (n_i, model.tag_graph.shape[0]))
    for name, (got, want) in checks.items():
        if got != want:
            raise ArtifactError(f"{name} has shape {got}, expected {want}")
    if model.context_lift is not None:
        _check_context(model)
    if model.strength not in STRENGTHS:
        raise ArtifactError(f"unknown strength {model.strength!r}; expected one of {STRENGTHS}")
    for arr in (model.user_graph, model.item_graph, model.item_content):
        if not _finite(arr):
            raise ArtifactError("weights contain non-finite values")
