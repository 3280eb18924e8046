import json
import mmap
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from gnn import ArtifactError, fit, load_artifact, save_artifact, snapshot_hash
from gnn.artifact import _sha256
from gnn.content import item_tag_matrix


@pytest.fixture
def saved(tmp_path, data, small_config):
    result = fit(data, small_config, progress=False)
    ids = {
        "user": [f"u{i}" for i in range(data.num_users)],
        "item": [f"i{i}" for i in range(data.num_items)],
        "tag": [f"t{i}" for i in range(data.num_tags)],
        "category": [f"c{i}" for i in range(data.num_categories)],
    }
    path = save_artifact(
        tmp_path / "models",
        result,
        ids,
        params={"source": "test"},
        data_hash=snapshot_hash(data),
        version="v1",
    )
    return path, result, data


def test_round_trip(saved):
    path, result, data = saved
    assert sorted(p.name for p in path.iterdir()) == [
        "id_maps.json",
        "manifest.json",
        "weights.safetensors",
    ]
    model = load_artifact(path)
    assert model.version == "v1"
    assert model.manifest["data_hash"] == snapshot_hash(data)
    assert model.manifest["params"]["source"] == "test"
    assert model.manifest["params"]["config"]["emb_dim"] == 16
    assert model.id_maps["item"][3] == "i3"
    for name in ("item_embeddings", "user_embeddings", "tag_embeddings", "content_weight"):
        np.testing.assert_array_equal(getattr(model, name), getattr(result.weights, name))
    users = np.arange(5)
    np.testing.assert_allclose(
        model.user_scores(users), result.weights.user_scores(users), rtol=1e-6
    )
    assert model.graph_weight == result.weights.graph_weight
    assert model.recency == result.weights.recency
    assert model.strength == result.weights.strength
    assert (model.item_item != result.weights.item_item).nnz == 0
    assert model.manifest["training"]["choice"] == result.choice.to_json()
    vec = model.embed_new_items(item_text=["space rocket"], item_category=np.array([0]))
    np.testing.assert_allclose(
        vec, result.weights.embed_new_items(item_text=["space rocket"], item_category=np.array([0]))
    )
    # no temporary directory is left behind
    assert [p.name for p in path.parent.iterdir()] == ["v1"]


def test_existing_version_is_not_overwritten(saved):
    path, result, _ = saved
    with pytest.raises(FileExistsError):
        save_artifact(path.parent, result, {}, version="v1")


def test_corrupted_file_is_refused(saved):
    path, _, _ = saved
    blob = bytearray((path / "weights.safetensors").read_bytes())
    blob[-5] ^= 0xFF
    (path / "weights.safetensors").write_bytes(bytes(blob))
    with pytest.raises(ArtifactError, match="sha256"):
        load_artifact(path)


def test_missing_file_is_refused(saved):
    path, _, _ = saved
    (path / "id_maps.json").unlink()
    with pytest.raises(ArtifactError, match="missing id_maps.json"):
        load_artifact(path)
    (path / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match="no manifest.json"):
        load_artifact(path)


def test_wrong_shape_is_refused_even_with_matching_hash(saved):
    path, _, _ = saved
    arrays = load_file(str(path / "weights.safetensors"))
    arrays["item_graph"] = arrays["item_graph"][:-1]
    save_file(arrays, str(path / "weights.safetensors"))
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["weights.safetensors"] = _sha256(path / "weights.safetensors")
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="item_graph has shape"):
        load_artifact(path)
    manifest["shapes"]["item_graph"][0] -= 1
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="shape"):
        load_artifact(path)


def test_id_map_length_must_match(tmp_path, saved):
    _, result, _ = saved
    with pytest.raises(ArtifactError, match="id map 'item'"):
        save_artifact(tmp_path, result, {"item": ["only one"]}, version="bad")


def test_an_unknown_strength_is_refused(saved):
    path, _, _ = saved
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["model"]["strength"] = "squared"
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="unknown strength 'squared'"):
        load_artifact(path)


def test_the_tag_profile_term_round_trips(tmp_path, saved):
    """A model with the tag-profile term scores its items without interactions the same
    after loading; an artifact without the term loads with none."""
    _, result, data = saved
    weights = result.weights
    assert load_artifact(saved[0]).tag_weight == weights.tag_weight
    weights.item_warm = weights.item_warm.copy()
    weights.item_warm[:10] = False
    weights.item_tags = item_tag_matrix(data.item_tags, data.num_items, data.num_tags)
    weights.tag_weight = 0.7
    weights.refresh()
    ids = json.loads((saved[0] / "id_maps.json").read_text())
    model = load_artifact(save_artifact(tmp_path / "more", weights, ids, version="v2"))
    assert model.tag_weight == 0.7 and (model.item_tags != weights.item_tags).nnz == 0
    users = np.arange(data.num_users)
    np.testing.assert_allclose(model.user_scores(users), weights.user_scores(users), rtol=1e-6)
    term = weights.tag_term(weights.user_rows[users])
    assert term is not None and term.shape == (data.num_users, 10) and np.any(term)


def _rewrite_weights(path, blob: bytes) -> None:
    """Replace the weights file and update its sha256 in the manifest, as a writer with a
    bug would leave it: only the file's own checks can catch what is wrong."""
    (path / "weights.safetensors").write_bytes(blob)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["weights.safetensors"] = _sha256(path / "weights.safetensors")
    (path / "manifest.json").write_text(json.dumps(manifest))


def _header(path) -> tuple[dict, bytes]:
    blob = (path / "weights.safetensors").read_bytes()
    (size,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8 : 8 + size]), blob[8 + size :]


def _with_header(header: dict, data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def _mapped(arr: np.ndarray) -> bool:
    """The array is a view whose base chain ends in a memory map (through a memoryview)."""
    while isinstance(arr, np.ndarray) and arr.base is not None:
        arr = arr.base
    return isinstance(arr, memoryview) and isinstance(arr.obj, mmap.mmap)


def test_loaded_arrays_are_read_only_views_of_the_mapped_file(saved):
    model = load_artifact(saved[0])
    dense = {
        name: getattr(model, name)
        for name in (
            "user_graph",
            "item_graph",
            "tag_graph",
            "category_graph",
            "item_content",
            "content_weight",
            "fold_in_map",
            "item_popularity",
            "item_scale",
            "item_warm",
            "item_embeddings",
            "item_scoring",
            "cold_rows",
        )
    }
    dense["content_idf"] = model.content_spec.idf
    for name in ("item_item", "user_rows"):
        mat = getattr(model, name)
        assert mat is not None and mat.indices.dtype == np.int32
        dense |= {f"{name}.{part}": getattr(mat, part) for part in ("data", "indices", "indptr")}
    for name, arr in dense.items():  # an empty array has no bytes to map
        assert (_mapped(arr) or arr.size == 0) and not arr.flags.writeable, name
    with pytest.raises(ValueError, match="read-only"):
        model.item_graph[0, 0] = 1.0
    assert model.manifest["derived"] == ["cold_rows", "item_embeddings"] + (
        ["item_scoring"] if model.graph_weight != 1.0 else []
    )


def _mappings_of(path) -> list[dict[str, int]]:
    """The fields (kB) of each of this process's mappings of ``path``, from /proc/self/smaps."""
    target = str(path.resolve())
    mappings, current = [], None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and ":" not in fields[0]:
            current = {} if fields[-1] == target else None
            if current is not None:
                mappings.append(current)
        elif current is not None and fields[0].endswith(":") and len(fields) == 3:
            current[fields[0][:-1]] = int(fields[1])
    return mappings


needs_proc = pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="needs /proc")


@needs_proc
def test_two_loads_read_the_same_pages(saved):
    """Two loads of one version (two server workers, say) map the same page-cache pages:
    with both mapped in this process, every page both have read is shared, and none is a
    private (written) copy."""
    path = saved[0]
    loads = [load_artifact(path), load_artifact(path)]
    for model in loads:
        float(model.item_graph.sum() + model.item_scoring.sum() + model.item_item.data.sum())
    model = loads[0]
    read = model.item_graph.nbytes + model.item_scoring.nbytes + model.item_item.data.nbytes
    mappings = _mappings_of(path / "weights.safetensors")
    assert len(mappings) == 2
    for mapping in mappings:
        assert mapping["Private_Dirty"] == 0
        # Private_Clean may hold a few pages the kernel mapped around a fault in one of the
        # two mappings only (its fault-around window depends on the virtual address)
        assert mapping["Shared_Clean"] * 1024 >= read - 3 * 4096


@needs_proc
def test_a_load_leaves_no_page_resident_that_it_only_checked(saved):
    """The load's checks read every array; the pages are given back afterwards, so a
    process holds resident only what it reads again."""
    path = saved[0]
    model = load_artifact(path)
    (mapping,) = _mappings_of(path / "weights.safetensors")
    assert mapping["Rss"] == 0
    float(model.item_scoring.sum())
    (mapping,) = _mappings_of(path / "weights.safetensors")
    assert mapping["Rss"] >= model.item_scoring.nbytes // 1024


def test_a_truncated_weights_file_is_refused(saved):
    path = saved[0]
    _rewrite_weights(path, (path / "weights.safetensors").read_bytes()[:-100])
    with pytest.raises(ArtifactError, match="truncated"):
        load_artifact(path)
    _rewrite_weights(path, b"\x07\x00")
    with pytest.raises(ArtifactError, match="too short"):
        load_artifact(path)


def test_a_header_lying_about_offsets_is_refused(saved):
    path = saved[0]
    header, data = _header(path)
    entry = header["item_graph"]
    lying = json.loads(json.dumps(header))
    lying["item_graph"]["data_offsets"][1] += 4  # one more float than its shape holds
    _rewrite_weights(path, _with_header(lying, data))
    with pytest.raises(ArtifactError, match="item_graph: .* bytes for shape"):
        load_artifact(path)
    # the same size, moved onto the array before it
    begin, end = entry["data_offsets"]
    overlapping = json.loads(json.dumps(header))
    overlapping["item_graph"]["data_offsets"] = [begin - 4, end - 4]
    _rewrite_weights(path, _with_header(overlapping, data))
    with pytest.raises(ArtifactError, match="overlap"):
        load_artifact(path)
    blob = _with_header(header, data)
    _rewrite_weights(path, struct.pack("<Q", len(blob)) + blob[8:])
    with pytest.raises(ArtifactError, match="header of"):
        load_artifact(path)
    _rewrite_weights(path, struct.pack("<Q", 4) + b"{no}" + data)
    with pytest.raises(ArtifactError, match="not JSON"):
        load_artifact(path)


def test_an_artifact_without_derived_arrays_and_with_int64_indices_loads(saved):
    """Artifacts written before the derived arrays were stored: the model derives them in
    its own memory and casts the sparse indices to the kernels' int32, and scores the same."""
    path, result, data = saved
    arrays = load_file(str(path / "weights.safetensors"))
    for name in ("item_embeddings", "item_scoring", "cold_rows"):
        arrays.pop(name, None)
    for name in ("item_item", "user_rows"):
        for part in ("indices", "indptr"):
            arrays[f"{name}.{part}"] = arrays[f"{name}.{part}"].astype(np.int64)
    save_file(arrays, str(path / "weights.safetensors"))
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["derived"]
    manifest["shapes"] = {name: list(arr.shape) for name, arr in arrays.items()}
    (path / "manifest.json").write_text(json.dumps(manifest))
    _rewrite_weights(path, (path / "weights.safetensors").read_bytes())
    model = load_artifact(path)
    assert model.item_item.indices.dtype == np.int32 and model.item_embeddings.flags.writeable
    users = np.arange(data.num_users)
    np.testing.assert_allclose(model.user_scores(users), result.weights.user_scores(users))


def test_derived_arrays_that_disagree_with_the_weights_are_refused(saved):
    path = saved[0]
    arrays = load_file(str(path / "weights.safetensors"))
    arrays["item_embeddings"] = arrays["item_embeddings"] * np.float32(1.5)
    save_file(arrays, str(path / "weights.safetensors"))
    _rewrite_weights(path, (path / "weights.safetensors").read_bytes())
    with pytest.raises(ArtifactError, match="item_embeddings does not match"):
        load_artifact(path)
