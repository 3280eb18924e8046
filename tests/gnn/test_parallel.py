"""The recipe over two gloo processes (torch.multiprocessing) against one process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gnn import fit
from gnn.parallel import SINGLE, Ranks
from gnn.tower import TowerSetting, fit_tower
from tests.gnn.conftest import CLUSTERS, make_data

WORLD = 2


def _config():
    from gnn import TrainConfig

    # the BPR tower first and alone: the fit that DDP carries is the one served
    return TrainConfig(
        emb_dim=16,
        rank_grid=(16, 32),
        seed=0,
        text_dim=64,
        towers=(TowerSetting("bpr", epochs=5),),
    )


def _rank(rank: int, folder: str) -> None:
    """One rank: join the group through a file (no port), fit, write what it got."""
    torch.set_num_threads(1)
    out = Path(folder)
    dist.init_process_group(
        "gloo", init_method=f"file://{out / 'store'}", rank=rank, world_size=WORLD
    )
    ranks = Ranks(rank, WORLD)
    try:
        agreed = ranks.agree(rank == 1)  # rank 1 alone says "out of time": rank 0 decides
        result = fit(make_data(), _config(), progress=False, ranks=ranks)
        np.savez(
            out / f"rank{rank}.npz",
            item=result.weights.item_embeddings,
            content=result.weights.content_weight,
        )
        summary = {"choice": result.choice.to_json(), "metrics": result.metrics}
        summary["agreed"] = agreed
        (out / f"rank{rank}.json").write_text(json.dumps(summary))
    finally:
        ranks.leave()


def test_two_gloo_ranks_fit_what_one_process_fits(tmp_path):
    mp.spawn(_rank, args=(str(tmp_path),), nprocs=WORLD, join=True)
    one = fit(make_data(), _config(), progress=False, ranks=SINGLE)
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(WORLD)]
    arrays = [np.load(tmp_path / f"rank{r}.npz") for r in range(WORLD)]
    assert [r["agreed"] for r in ranks] == [False, False]
    # every rank took the same path and holds the same model, the DDP tower in step
    assert ranks[0]["choice"] == ranks[1]["choice"]
    np.testing.assert_array_equal(arrays[0]["content"], arrays[1]["content"])
    np.testing.assert_array_equal(arrays[0]["item"], arrays[1]["item"])
    assert ranks[0]["choice"]["tower"]["loss"] == "bpr"
    # the validation search is exact over ranks: one process chooses the same
    choice = one.choice.to_json()
    for key in ("recency", "strength", "edge_weight", "rank", "lowpass", "tilt", "neighbours"):
        assert ranks[0]["choice"][key] == choice[key], key
    # the tower's batches are the same, only the negatives drawn per rank differ
    for key in ("recall@20", "ndcg@20"):
        assert abs(ranks[0]["metrics"][key] - one.metrics[key]) <= 0.05, key


def _tower_rank(rank: int, folder: str) -> None:
    torch.set_num_threads(1)
    out = Path(folder)
    dist.init_process_group(
        "gloo", init_method=f"file://{out / 'store'}", rank=rank, world_size=WORLD
    )
    ranks = Ranks(rank, WORLD)
    try:
        w = fit_tower(*_tower_inputs(), train_items=np.arange(90), seed=0, ranks=ranks)
        np.save(out / f"tower{rank}.npy", w)
    finally:
        ranks.leave()


def _tower_inputs():
    import scipy.sparse as sp

    rng = np.random.default_rng(1)
    data = make_data()
    liked = data.weight > 0
    positive = sp.csr_matrix(
        (np.ones(liked.sum(), np.float32), (data.user[liked], data.item[liked])), shape=(60, 90)
    )
    # the features carry each item's taste cluster, the user vectors each user's
    clusters = np.eye(8, dtype=np.float32)[:CLUSTERS]
    features = np.hstack([clusters[np.arange(90) % CLUSTERS], rng.random((90, 9))])
    features = sp.csr_matrix(features.astype(np.float32))
    users = clusters[np.arange(60) % CLUSTERS] + 0.1 * rng.standard_normal((60, 8))
    users = users.astype(np.float32)
    items = rng.standard_normal((90, 8)).astype(np.float32)
    return features, users, items, positive, TowerSetting("bpr", epochs=3, lr=0.05)


def test_the_bpr_tower_stays_in_step_across_ranks(tmp_path):
    mp.spawn(_tower_rank, args=(str(tmp_path),), nprocs=WORLD, join=True)
    w0, w1 = (np.load(tmp_path / f"tower{r}.npy") for r in range(WORLD))
    np.testing.assert_array_equal(w0, w1)
    single = fit_tower(*_tower_inputs(), train_items=np.arange(90), seed=0)
    # other negatives, another W: both rank a user's items above the others as well
    auc_two, auc_one = _pair_auc(w0), _pair_auc(single)
    assert auc_two > 0.6 and auc_one > 0.6
    assert abs(auc_two - auc_one) < 0.05


def _pair_auc(weight: np.ndarray) -> float:
    """The share of (positive, other item) pairs of a user that ``e_u . x W`` orders right."""
    features, users, _, positive, _ = _tower_inputs()
    scores = users @ np.asarray(features @ weight).T
    held = positive.toarray() > 0
    right = [
        (scores[u, held[u]][:, None] > scores[u, ~held[u]][None, :]).mean()
        for u in range(len(users))
    ]
    return float(np.mean(right))
