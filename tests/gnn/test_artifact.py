import json

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
