"""Training: spectral start, BPR/margin fine-tuning with early stopping, content tower, blend."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from .content import ContentSpec, build_content_matrix
from .data import TrainingData
from .graph import build_graph, interaction_matrices, to_torch_csr
from .metrics import evaluate_ranking
from .model import (
    HybridLightGCN,
    degree_scale,
    linear_filter_scores,
    sparse_mm,
    spectral_embeddings,
)
from .recommender import ModelWeights
from .sampling import NegativeSampler, bpr_loss, margin_loss

__all__ = ["TrainConfig", "TrainResult", "resolve_device", "train_model"]


@dataclass
class TrainConfig:
    """Hyper-parameters of :func:`train_model`; every field is recorded in the manifest."""

    emb_dim: int = 64
    layers: int = 3
    epochs: int = 50
    batch_size: int = 8192
    lr: float = 1e-3
    reg: float = 1e-4
    seed: int = 0
    device: str = "auto"
    time_budget_s: float | None = None
    loss: str = "bpr"
    margin: float = 1.0
    topn: int = 20
    init: str = "spectral"
    degree_power: float = 0.5
    tag_weight: float = 1.0
    category_weight: float = 1.0
    weight_transform: str = "log1p"
    hard_negative_ratio: float = 0.25
    eval_every: int = 1
    patience: int = 3
    linear_filter: bool = False
    linear_grid: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0)
    blend: float | None = None
    blend_grid: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5)
    cold_blend: float = 1.0
    text_dim: int = 4096
    content_epochs: int = 40
    content_lr: float = 0.01
    content_reg: float = 1e-5
    content_loss: str = "bpr"
    content_share: float = 0.15
    num_threads: int | None = None

    def to_json(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


@dataclass
class TrainResult:
    """What :func:`train_model` returns: the weights to serve and how training went."""

    weights: ModelWeights
    config: TrainConfig
    metrics: dict[str, float]
    loss_curve: list[float]
    epochs_run: int
    seconds: float
    history: list[dict[str, float]] = field(default_factory=list)
    num_tags: int = 0
    num_categories: int = 0


def resolve_device(device: str) -> torch.device:
    """``"auto"`` picks CUDA when available, else the CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class _Clock:
    """Wall time of training, excluding time spent in user callbacks."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.paused = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start - self.paused


def _user_rows(positive: sp.csr_matrix, weight_transform: str) -> sp.csr_matrix:
    """Degree-normalised interaction rows ``r^_u = r_u / sqrt(d_u)`` for the linear filter."""
    rows = positive.tocsr().astype(np.float32, copy=True)
    if weight_transform == "binary":
        rows.data[:] = 1.0
    elif weight_transform == "log1p":
        rows.data = np.where(rows.data >= 1, 1 + np.log(np.maximum(rows.data, 1)), rows.data)
    deg = np.asarray(rows.sum(axis=1)).ravel()
    return (sp.diags(1.0 / np.sqrt(np.where(deg > 0, deg, 1.0))) @ rows).tocsr().astype(np.float32)


def train_model(
    data: TrainingData,
    config: TrainConfig | None = None,
    *,
    valid: dict[int, np.ndarray] | None = None,
    progress: bool = True,
    callback: Callable[[int, float, Callable[[], ModelWeights]], None] | None = None,
) -> TrainResult:
    """Train the hybrid LightGCN on ``data`` and return its weights and metrics.

    Steps: build the normalised graph; start from the spectral embeddings (``init =
    "spectral"``, the ideal low-pass filter of GF-CF) or from N(0, 0.1); fine-tune with BPR
    (or margin ranking) on all positive pairs per epoch, interaction weights as sample
    weights, negatives from :class:`NegativeSampler`; evaluate Recall@``topn`` on ``valid``
    every ``eval_every`` epochs (the start included) and keep the best state, stopping after
    ``patience`` evaluations without gain or when ``time_budget_s`` is spent. Then fit the
    content tower and choose the blend (and the linear-filter weight) on ``valid``.

    ``callback(epoch, seconds, snapshot)`` is called after every epoch; ``snapshot()`` builds
    the current :class:`ModelWeights`. Its time is not charged to the budget.
    """
    config = config or TrainConfig()
    clock = _Clock()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = resolve_device(config.device)
    budget = config.time_budget_s or float("inf")

    positive, negative = interaction_matrices(data)
    graph = build_graph(
        data,
        positive,
        tag_weight=config.tag_weight,
        category_weight=config.category_weight,
        weight_transform=config.weight_transform,
    )
    scale_np = degree_scale(graph.item_degree, config.degree_power)
    init = None
    if config.init == "spectral":
        init = spectral_embeddings(graph, config.emb_dim, config.layers, config.seed)
    elif config.init != "normal":
        raise ValueError(f"unknown init {config.init!r}")
    spec = ContentSpec(
        num_tags=data.num_tags if data.item_tags is not None else 0,
        num_categories=data.num_categories if data.item_category is not None else 0,
        num_types=data.num_types if data.item_type is not None else 0,
        text_dim=config.text_dim if data.item_text is not None else 0,
    )
    spec.fit_idf(data.item_text)
    features = build_content_matrix(
        spec,
        data.num_items,
        item_tags=data.item_tags,
        item_category=data.item_category,
        item_type=data.item_type,
        item_text=data.item_text,
    )
    # With content features, part of the budget is kept for the content tower.
    graph_budget = budget * (1.0 - config.content_share) if features.shape[1] else budget
    model = HybridLightGCN(
        graph.num_context,
        data.num_items,
        config.emb_dim,
        config.layers,
        features.shape[1],
        degree_power=config.degree_power,
        init=init,
    ).to(device)
    norm, norm_t = graph.torch_operators(device)
    scale = torch.from_numpy(scale_np).to(device)
    user_rows = _user_rows(positive, config.weight_transform)
    item_warm = np.diff(positive.tocsc().indptr) > 0
    popularity = np.diff(positive.tocsc().indptr).astype(np.float32)

    def snapshot(blend: float = 0.0, content: np.ndarray | None = None) -> ModelWeights:
        with torch.no_grad():
            ctx, items = model.propagate(norm, norm_t)
        ctx_np, items_np = ctx.cpu().numpy(), items.cpu().numpy()
        n_u, n_t = data.num_users, graph.num_tags
        d = config.emb_dim
        return ModelWeights(
            user_graph=ctx_np[:n_u],
            item_graph=items_np * scale_np[:, None],
            tag_graph=ctx_np[n_u : n_u + n_t],
            category_graph=ctx_np[n_u + n_t :],
            item_content=content if content is not None else np.zeros_like(items_np),
            content_weight=model.content_weight.detach().cpu().numpy(),
            content_spec=spec,
            fold_in_map=np.eye(d, dtype=np.float32),
            item_warm=item_warm,
            item_popularity=popularity,
            item_scale=scale_np,
            blend=blend,
            cold_blend=config.cold_blend,
            linear_weight=0.0,
            graph_norm=graph.norm if config.linear_filter else None,
            user_rows=user_rows if config.linear_filter else None,
        )

    def validate(weights: ModelWeights) -> dict[str, float]:
        return evaluate_ranking(
            weights.user_scores, valid, exclude=positive, k=config.topn, item_features=None
        )

    key = f"recall@{config.topn}"
    history: list[dict[str, float]] = []
    best_state = copy.deepcopy(model.state_dict())
    best_recall, bad_evals = -1.0, 0
    if valid and config.init == "spectral":
        best_recall = validate(snapshot())[key]
        history.append({"epoch": 0, "seconds": clock.elapsed(), key: best_recall})

    pairs = positive.tocoo()
    pair_user = pairs.row.astype(np.int64)
    pair_item = pairs.col.astype(np.int64)
    pair_w = pairs.data.astype(np.float32)
    if config.weight_transform == "log1p":
        pair_w = np.where(pair_w >= 1, 1 + np.log(np.maximum(pair_w, 1)), pair_w)
    elif config.weight_transform == "binary":
        pair_w = np.ones_like(pair_w)
    pair_w = pair_w / pair_w.mean() if len(pair_w) else pair_w
    sampler = NegativeSampler(positive, negative, hard_ratio=config.hard_negative_ratio)
    lr = config.lr
    if init is not None:
        # Spectral embeddings are far smaller than the usual N(0, 0.1) start (their entries shrink
        # like 1/sqrt(n)); scaling the step by their RMS keeps ``lr`` a relative step size, so one
        # setting does not wreck the start on a large catalogue and crawl on a small one.
        lr *= float(np.sqrt(np.mean(init[1] ** 2))) / 0.1
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    loss_curve: list[float] = []
    epochs_run = 0
    stop = len(pair_user) == 0
    bar = tqdm(total=config.epochs, disable=not progress, desc="train", unit="epoch")
    for epoch in range(1, config.epochs + 1):
        if stop or clock.elapsed() >= graph_budget:
            break
        order = rng.permutation(len(pair_user))
        total, count = 0.0, 0
        for start in range(0, len(order), config.batch_size):
            if clock.elapsed() >= graph_budget:
                stop = True
                break
            idx = order[start : start + config.batch_size]
            u, i = pair_user[idx], pair_item[idx]
            j, mask = sampler.sample(u, rng)
            w = torch.from_numpy(pair_w[idx] * mask).to(device)
            loss = _step_loss(model, norm, norm_t, scale, u, i, j, w, config, device)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        if count == 0:
            break
        epochs_run = epoch
        loss_curve.append(total / count)
        entry: dict[str, float] = {
            "epoch": epoch,
            "seconds": clock.elapsed(),
            "loss": total / count,
        }
        if valid and epoch % config.eval_every == 0:
            recall = validate(snapshot())[key]
            entry[key] = recall
            if recall > best_recall:
                best_recall, bad_evals = recall, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                bad_evals += 1
                stop = stop or bad_evals >= config.patience
        elif not valid:
            best_state = copy.deepcopy(model.state_dict())
        history.append(entry)
        bar.update(1)
        bar.set_postfix(
            loss=f"{total / count:.4f}", **({key: f"{entry[key]:.4f}"} if key in entry else {})
        )
        if callback is not None:
            paused = time.perf_counter()
            callback(epoch, clock.elapsed(), snapshot)
            clock.paused += time.perf_counter() - paused
    bar.close()
    model.load_state_dict(best_state)

    weights = snapshot()
    weights.fold_in_map = _fit_fold_in(weights, user_rows)
    if features.shape[1]:
        _fit_content(
            model,
            features,
            weights,
            positive,
            sampler,
            config,
            rng,
            device,
            out_of_time=lambda: clock.elapsed() >= budget,
        )
        weights.content_weight = model.content_weight.detach().cpu().numpy()
        weights.item_content = np.asarray(features @ weights.content_weight, dtype=np.float32)
        _calibrate_content(weights, rng)
    metrics: dict[str, float] = {}
    if valid:
        if config.linear_filter:
            _choose_linear(weights, valid, positive, config, key)
        _choose_blend(weights, valid, positive, config, key, has_content=features.shape[1] > 0)
        metrics = _full_metrics(weights, valid, positive, config.topn, popularity)
    else:
        weights.blend = config.blend if config.blend is not None else 0.0
        weights.refresh()
    return TrainResult(
        weights=weights,
        config=config,
        metrics=metrics,
        loss_curve=loss_curve,
        epochs_run=epochs_run,
        seconds=clock.elapsed(),
        history=history,
        num_tags=graph.num_tags,
        num_categories=graph.num_categories,
    )


def _step_loss(
    model: HybridLightGCN,
    norm: torch.Tensor,
    norm_t: torch.Tensor,
    scale: torch.Tensor,
    u: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    w: torch.Tensor,
    config: TrainConfig,
    device: torch.device,
) -> torch.Tensor:
    ctx, items = model.propagate(norm, norm_t)
    ut = torch.from_numpy(u).to(device)
    it = torch.from_numpy(i).to(device)
    jt = torch.from_numpy(j).to(device)
    e_u = ctx[ut]
    pos = (e_u * items[it]).sum(1) * scale[it]
    neg = (e_u * items[jt]).sum(1) * scale[jt]
    if config.loss == "bpr":
        loss = bpr_loss(pos, neg, w)
    elif config.loss == "margin":
        loss = margin_loss(pos, neg, w, config.margin)
    else:
        raise ValueError(f"unknown loss {config.loss!r}")
    # L2 on the layer-0 embeddings of the batch, as in LightGCN.
    reg = (
        model.context_emb[ut].pow(2).sum()
        + model.item_emb[it].pow(2).sum()
        + model.item_emb[jt].pow(2).sum()
    ) / (2 * len(u))
    return loss + config.reg * reg


def _fit_fold_in(
    weights: ModelWeights, user_rows: sp.csr_matrix, ridge: float = 1e-3
) -> np.ndarray:
    """Ridge map from one propagation step ``r^_u E_I`` to the trained user vector."""
    base = weights.item_graph / weights.item_scale[:, None]
    x = np.asarray(user_rows @ base, dtype=np.float64)
    y = weights.user_graph.astype(np.float64)
    has = np.asarray(user_rows.getnnz(axis=1)) > 0
    x, y = x[has], y[has]
    if not len(x):
        return np.eye(base.shape[1], dtype=np.float32)
    gram = x.T @ x
    gram += ridge * np.trace(gram) / len(gram) * np.eye(len(gram))
    return np.linalg.solve(gram, x.T @ y).astype(np.float32)


def _fit_content(
    model: HybridLightGCN,
    features: sp.csr_matrix,
    weights: ModelWeights,
    positive: sp.csr_matrix,
    sampler: NegativeSampler,
    config: TrainConfig,
    rng: np.random.Generator,
    device: torch.device,
    out_of_time: Callable[[], bool] = lambda: False,
) -> None:
    """Train the content tower ``W`` with the graph frozen.

    ``"bpr"``: rank a user's items above random ones by ``e_u . x_i W`` with the trained user
    vectors ``e_u``; it learns which content predicts who consumes an item. ``"mse"``: regress
    ``x_i W`` onto the scaled graph item vectors of items with interactions.
    """
    x, x_t = to_torch_csr(features, device), to_torch_csr(features.T.tocsr(), device)
    users = torch.from_numpy(weights.user_graph).to(device)
    target = torch.from_numpy(weights.item_graph).to(device)
    warm = torch.from_numpy(np.flatnonzero(weights.item_warm)).to(device)
    optimiser = torch.optim.Adam([model.content_weight], lr=config.content_lr)
    pairs = positive.tocoo()
    pu, pi = pairs.row.astype(np.int64), pairs.col.astype(np.int64)
    batch = max(config.batch_size, 4096)
    for _ in range(config.content_epochs):
        if out_of_time():
            break
        if config.content_loss == "mse":
            pred = sparse_mm(x, x_t, model.content_weight)[warm]
            loss = (pred - target[warm]).pow(2).sum(1).mean()
            loss = loss + config.content_reg * model.content_weight.pow(2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            continue
        order = rng.permutation(len(pu))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            u, i = pu[idx], pi[idx]
            j, mask = sampler.sample(u, rng)
            c = sparse_mm(x, x_t, model.content_weight)
            e_u = users[torch.from_numpy(u).to(device)]
            pos = (e_u * c[torch.from_numpy(i).to(device)]).sum(1)
            neg = (e_u * c[torch.from_numpy(j).to(device)]).sum(1)
            loss = bpr_loss(pos, neg, torch.from_numpy(mask).to(device))
            loss = loss + config.content_reg * model.content_weight.pow(2).sum()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()


def _calibrate_content(weights: ModelWeights, rng: np.random.Generator, users: int = 256) -> None:
    """Put content scores on the scale of graph scores.

    The content tower is trained for ranking, so its scores have their own scale; items without
    interactions are scored by content alone and must compete fairly with warm items. The
    least-squares slope of graph score on content score over warm items (a sample of users)
    rescales the tower so that its score predicts the graph score.
    """
    warm = np.flatnonzero(weights.item_warm)
    if not len(warm) or not weights.num_users:
        return
    sample = rng.choice(weights.num_users, min(users, weights.num_users), replace=False)
    blend, weights.blend = weights.blend, 0.0
    weights.refresh()
    graph = weights.user_scores(sample)[:, warm].ravel()
    content = (weights.user_graph[sample] @ weights.item_content[warm].T).ravel()
    weights.blend = blend
    g, c = graph - graph.mean(), content - content.mean()
    slope = float((g * c).sum() / max(float((c * c).sum()), 1e-12))
    if slope <= 0:  # content carries no usable signal: match the spreads instead
        slope = float(g.std() / max(float(c.std()), 1e-12))
    weights.content_weight = weights.content_weight * np.float32(slope)
    weights.item_content = weights.item_content * np.float32(slope)
    weights.refresh()


def _choose_linear(
    weights: ModelWeights,
    valid: dict[int, np.ndarray],
    positive: sp.csr_matrix,
    config: TrainConfig,
    key: str,
) -> None:
    """Pick the linear-filter weight on ``valid``, relative to the embedding score scale."""
    users = np.array(sorted(valid), dtype=np.int64)[:512]
    dense = np.abs(weights.user_graph[users] @ weights.item_graph.T).mean()
    lin = np.abs(
        linear_filter_scores(
            weights.user_rows[users], weights.graph_norm, weights.graph_norm.T.tocsr()
        )
    ).mean()
    unit = float(dense / max(lin, 1e-12))
    best, best_w = -1.0, 0.0
    for c in config.linear_grid:
        weights.linear_weight = c * unit
        recall = evaluate_ranking(weights.user_scores, valid, exclude=positive, k=config.topn)[key]
        if recall > best:
            best, best_w = recall, c * unit
    weights.linear_weight = best_w


def _choose_blend(
    weights: ModelWeights,
    valid: dict[int, np.ndarray],
    positive: sp.csr_matrix,
    config: TrainConfig,
    key: str,
    *,
    has_content: bool,
) -> None:
    """Set the graph/content blend: ``config.blend`` if given, else the best of the grid."""
    if config.blend is not None or not has_content:
        weights.blend = config.blend if config.blend is not None else 0.0
        weights.refresh()
        return
    best, best_b = -1.0, 0.0
    for b in config.blend_grid:
        weights.blend = b
        weights.refresh()
        recall = evaluate_ranking(weights.user_scores, valid, exclude=positive, k=config.topn)[key]
        if recall > best + 1e-9:
            best, best_b = recall, b
    weights.blend = best_b
    weights.refresh()


def _full_metrics(
    weights: ModelWeights,
    valid: dict[int, np.ndarray],
    positive: sp.csr_matrix,
    k: int,
    popularity: np.ndarray,
) -> dict[str, float]:
    return evaluate_ranking(
        weights.user_scores,
        valid,
        exclude=positive,
        k=k,
        item_popularity=popularity,
        item_features=weights.item_embeddings,
    )
