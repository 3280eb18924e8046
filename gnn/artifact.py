"""Versioned model artifacts: safetensors weights, JSON id maps and a hashed manifest.

Layout of one version directory::

    weights.safetensors   every array of :class:`ModelWeights` (float32 / int64 / uint8)
    id_maps.json          {"user": [external ids by row], "item": [...], "tag": [...], ...}
    manifest.json         parameters, data hash, metrics, code version, created time,
                          array shapes and the sha256 of the two files above

A version is written into a temporary directory next to its final place and renamed, so a
reader never sees half an artifact; :func:`load_artifact` re-hashes every file and checks
every shape, raising :class:`ArtifactError` instead of serving a broken model.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file

from .content import ContentSpec
from .history import STRENGTHS
from .recipe import TrainResult
from .recommender import ModelWeights

__all__ = ["ArtifactError", "FORMAT_VERSION", "LoadedModel", "load_artifact", "save_artifact"]

FORMAT_VERSION = 2
_WEIGHTS, _IDS, _MANIFEST = "weights.safetensors", "id_maps.json", "manifest.json"
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


class ArtifactError(Exception):
    """A model artifact is missing, corrupted or inconsistent and must not be served."""


class LoadedModel(ModelWeights):
    """A :class:`ModelWeights` read from disk, with its ``manifest``, ``id_maps`` and ``path``."""

    manifest: dict
    id_maps: dict[str, list]
    path: Path

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
    for name in _SPARSE:
        mat = getattr(weights, name)
        if mat is not None:
            mat = mat.tocsr()
            out[f"{name}.indptr"] = mat.indptr.astype(np.int64)
            out[f"{name}.indices"] = mat.indices.astype(np.int64)
            out[f"{name}.data"] = mat.data.astype(np.float32)
    return out


def save_artifact(
    root_dir: str | os.PathLike,
    result: TrainResult | ModelWeights,
    id_maps: dict[str, list],
    *,
    params: dict | None = None,
    data_hash: str = "",
    version: str | None = None,
    metrics: dict | None = None,
) -> Path:
    """Write ``result`` as a new version under ``root_dir`` and return its directory.

    ``id_maps`` maps each node kind to its external ids in row order; ``version`` defaults to
    a UTC timestamp. Refuses to overwrite an existing version.
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
        (tmp / _IDS).write_text(json.dumps({k: list(v) for k, v in id_maps.items()}))
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
                **{f"{name}_shape": _shape(getattr(weights, name)) for name in _SPARSE},
            },
            "shapes": {name: list(arr.shape) for name, arr in arrays.items()},
            "files": {name: _sha256(tmp / name) for name in (_WEIGHTS, _IDS)},
        }
        (tmp / _MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        for name in (_WEIGHTS, _IDS, _MANIFEST):
            with (tmp / name).open("rb") as fh:
                os.fsync(fh.fileno())
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


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


def _check_id_maps(weights: ModelWeights, id_maps: dict[str, list]) -> None:
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
        arrays = load_file(str(path / _WEIGHTS))
    except (SafetensorError, OSError) as exc:
        raise ArtifactError(f"{path}: unreadable weights: {exc}") from exc
    shapes = manifest.get("shapes", {})
    if set(shapes) != set(arrays):
        raise ArtifactError(f"{path}: weights hold {sorted(arrays)}, manifest {sorted(shapes)}")
    for name, arr in arrays.items():
        if list(arr.shape) != shapes[name]:
            raise ArtifactError(f"{path}: {name} has shape {arr.shape}, expected {shapes[name]}")
    id_maps = json.loads((path / _IDS).read_text())
    model = _build(manifest, arrays, path)
    try:
        _check_id_maps(model, id_maps)
        _check_consistent(model)
    except ArtifactError as exc:
        raise ArtifactError(f"{path}: {exc}") from exc
    model.manifest = manifest
    model.id_maps = id_maps
    model.path = path
    return model


def _sparse(
    arrays: dict[str, np.ndarray], name: str, shape: list[int] | None
) -> sp.csr_matrix | None:
    if shape is None:
        return None
    try:
        indices, indptr = arrays[f"{name}.indices"], arrays[f"{name}.indptr"]
        if len(indices) < 2**31 and max(shape) < 2**31:  # the compiled scoring kernels' type
            indices, indptr = indices.astype(np.int32), indptr.astype(np.int32)
        mat = sp.csr_matrix((arrays[f"{name}.data"], indices, indptr), shape=tuple(shape))
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
            item_warm=arrays["item_warm"].astype(bool),
            blend=float(meta["blend"]),
            cold_blend=float(meta["cold_blend"]),
            graph_weight=float(meta["graph_weight"]),
            recency=float(meta["recency"]),
            # artifacts written before the strength was chosen damped every weight
            strength=str(meta.get("strength", "damped")),
            # artifacts written before the tag-profile term have neither its weight nor tags
            tag_weight=float(meta.get("tag_weight", 0.0)),
            **{name: _sparse(arrays, name, meta.get(f"{name}_shape")) for name in _SPARSE},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: inconsistent manifest or weights: {exc}") from exc
    return model


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
    if model.strength not in STRENGTHS:
        raise ArtifactError(f"unknown strength {model.strength!r}; expected one of {STRENGTHS}")
    for arr in (model.user_graph, model.item_graph, model.item_content):
        if not np.isfinite(arr).all():
            raise ArtifactError("weights contain non-finite values")
