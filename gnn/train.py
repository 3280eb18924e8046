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
from .data import TrainingData, aggregate_interactions
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

__all__ = [
    "TrainConfig",
    "TrainResult",
    "query_rows",
    "recency_fraction",
    "resolve_device",
    "train_model",
]


@dataclass
class TrainConfig:
    """Hyper-parameters of :func:`train_model`; every field is recorded in the manifest.

    Choices made on the validation split when one is given:

    * ``recency``: a user's query weighs each interaction by ``f ** recency``, ``f`` its rank
      by time within the user's history as a fraction (1: the latest); ``None`` picks it from
      ``recency_grid`` (0 = no tilt; data without times skip the search). On the MovieLens
      temporal splits this lifts Recall@20 by a fifth or more; on platform data it is chosen,
      never imposed.
    * the linear-filter weight (``linear_filter``, from ``linear_grid``) and the graph/content
      ``blend`` (from ``blend_grid`` unless set).

    ``refit_users`` folds the validation items back into the users' queries after the choices
    and the metrics, so the served model knows each user's latest interactions.
    ``search_share`` caps the time the validation search may take, as a share of
    ``time_budget_s``; ``evals_per_epoch`` > 1 judges fine-tuning within an epoch so that it
    stops early on large graphs where it does not help.
    """

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
    evals_per_epoch: int = 1
    patience: int = 3
    recency: float | None = None
    recency_grid: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0)
    refit_users: bool = True
    search_share: float = 0.5
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
    #: Why fine-tuning ended: "completed" (every epoch ran), "early stopping" (validation
    #: stopped improving for ``patience`` evaluations), "time budget", or "no training pairs".
    stop_reason: str = "completed"


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


def _transformed(positive: sp.csr_matrix, weight_transform: str) -> sp.csr_matrix:
    """Interaction weights damped as in the graph (``log1p``: ``1 + log w`` for ``w >= 1``)."""
    rows = positive.tocsr().astype(np.float32, copy=True)
    if weight_transform == "binary":
        rows.data[:] = 1.0
    elif weight_transform == "log1p":
        rows.data = np.where(rows.data >= 1, 1 + np.log(np.maximum(rows.data, 1)), rows.data)
    return rows


def _normalise_rows(rows: sp.csr_matrix, degree: np.ndarray) -> sp.csr_matrix:
    scale = 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0))
    return (sp.diags(scale.astype(np.float32)) @ rows).tocsr().astype(np.float32)


def _user_rows(positive: sp.csr_matrix, weight_transform: str) -> sp.csr_matrix:
    """Degree-normalised interaction rows ``r^_u = r_u / sqrt(d_u)`` for the linear filter."""
    rows = _transformed(positive, weight_transform)
    return _normalise_rows(rows, np.asarray(rows.sum(axis=1)).ravel())


def recency_fraction(
    user: np.ndarray, item: np.ndarray, time: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix | None:
    """Each pair's rank by time within its user, as a fraction in ``(0, 1]`` (1: the latest).

    Ties share their mean rank, so a user whose interactions carry no time gets a constant
    fraction. Returns ``None`` when no user has two distinct times (nothing to weight).
    """
    if not len(user):
        return None
    order = np.lexsort((time, user))
    u_s, t_s = user[order], time[order]
    starts = np.searchsorted(u_s, np.arange(shape[0] + 1))
    counts = np.diff(starts).astype(np.float64)
    pos = np.arange(len(u_s)) - starts[u_s] + 1.0
    new = np.r_[True, (u_s[1:] != u_s[:-1]) | (t_s[1:] != t_s[:-1])]
    if int(new.sum()) == int((counts > 0).sum()):
        return None
    group = np.cumsum(new) - 1
    mean_pos = (np.bincount(group, weights=pos) / np.bincount(group))[group]
    frac = np.empty(len(u_s))
    frac[order] = mean_pos / counts[u_s]
    return sp.csr_matrix((frac.astype(np.float32), (user, item)), shape=shape)


def query_rows(rows: sp.csr_matrix, fraction: sp.csr_matrix | None, power: float) -> sp.csr_matrix:
    """A user's query: interaction weights times ``fraction ** power``, normalised like ``r^_u``.

    The recency factor tilts a user's profile towards what they did last (``power = 0``: no
    tilt); rows keep their total weight, so only the mix within a user changes.
    """
    degree = np.asarray(rows.sum(axis=1)).ravel()
    if fraction is None or power == 0:
        return _normalise_rows(rows, degree)
    tilted = rows.multiply(fraction.power(power)).tocsr()
    mass = np.asarray(tilted.sum(axis=1)).ravel()
    factor = np.where(mass > 0, degree / np.where(mass > 0, mass, 1.0), 0.0)
    tilted = (sp.diags(factor.astype(np.float32)) @ tilted).tocsr()
    return _normalise_rows(tilted, degree)


def _fit_query_map(
    x: np.ndarray, y: np.ndarray, has: np.ndarray, ridge: float = 1e-6
) -> np.ndarray:
    """Least-squares map from propagated queries ``x`` to the trained user vectors ``y``."""
    x, y = x[has].astype(np.float64), y[has].astype(np.float64)
    dim = x.shape[1]
    if not len(x):
        return np.eye(dim, dtype=np.float32)
    gram = x.T @ x
    gram += (ridge * np.trace(gram) / dim + 1e-12) * np.eye(dim)
    return np.linalg.solve(gram, x.T @ y).astype(np.float32)


def train_model(
    data: TrainingData,
    config: TrainConfig | None = None,
    *,
    valid: dict[int, np.ndarray] | None = None,
    progress: bool = True,
    callback: Callable[[float, float, Callable[[], ModelWeights]], None] | None = None,
) -> TrainResult:
    """Train the hybrid LightGCN on ``data`` and return its weights and metrics.

    Steps: build the normalised graph; start from the spectral embeddings (``init =
    "spectral"``, the ideal low-pass filter of GF-CF) or from N(0, 0.1); choose on ``valid``
    the recency tilt of the user queries (:func:`query_rows`) and the linear-filter weight;
    fine-tune with BPR (or margin ranking) on all positive pairs, interaction weights as
    sample weights, negatives from :class:`NegativeSampler`, evaluating Recall@``topn`` on
    ``valid`` ``evals_per_epoch`` times per epoch (every ``eval_every`` epochs) and keeping
    the best state, stopping after ``patience`` evaluations without gain. Then fit the
    content tower, choose the blend on ``valid``, measure, and (``refit_users``) fold the
    held-out validation items into the users' queries so the served model knows them.

    ``time_budget_s`` bounds the whole call: time for the work after the loop is reserved
    from measured costs, and the loop stops early enough to leave it.

    ``callback(epoch, seconds, snapshot)`` is called when the spectral start is ready and
    whenever the best-so-far model changes; ``snapshot()`` builds that model (the one that
    would be served if training stopped then). Its time is not charged to the budget.
    """
    config = config or TrainConfig()
    clock = _Clock()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = resolve_device(config.device)
    budget = config.time_budget_s or float("inf")
    valid = valid or None

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
    has_content = features.shape[1] > 0
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
    base_rows = _transformed(positive, config.weight_transform)
    plain_rows = query_rows(base_rows, None, 0.0)
    has_rows = np.asarray(plain_rows.getnnz(axis=1)) > 0
    pos_coo = positive.tocoo()
    fraction = _pair_fraction(data, positive.shape)
    item_warm = np.diff(positive.tocsc().indptr) > 0
    popularity = np.diff(positive.tocsc().indptr).astype(np.float32)
    inv_sqrt_deg = (1.0 / np.sqrt(np.maximum(graph.item_degree, 1e-12))).astype(np.float32)
    inv_sqrt_deg[graph.item_degree <= 0] = 0.0
    choice = {"power": 0.0, "linear": 0.0}

    def embeddings() -> tuple[np.ndarray, np.ndarray]:
        with torch.no_grad():
            ctx, items = model.propagate(norm, norm_t)
        return ctx.cpu().numpy(), items.cpu().numpy()

    def snapshot(
        power: float | None = None,
        linear: float | None = None,
        rows: sp.csr_matrix | None = None,
    ) -> ModelWeights:
        """The served model of the current state: recency-tilted users, linear filter."""
        power = choice["power"] if power is None else power
        linear = choice["linear"] if linear is None else linear
        ctx_np, items_np = embeddings()
        n_u, n_t = data.num_users, graph.num_tags
        users = ctx_np[:n_u]
        queries = rows if rows is not None else query_rows(base_rows, fraction, power)
        if rows is not None or power:
            # users move with their query: the map from one propagation step of the query
            # to the trained user vector is exact for the spectral start (a diagonal).
            prop = items_np * inv_sqrt_deg[:, None]
            before = np.asarray(plain_rows @ prop)
            qmap = _fit_query_map(before, users, has_rows)
            users = users + (np.asarray(queries @ prop) - before) @ qmap
        return ModelWeights(
            user_graph=np.ascontiguousarray(users, dtype=np.float32),
            item_graph=items_np * scale_np[:, None],
            tag_graph=ctx_np[n_u : n_u + n_t],
            category_graph=ctx_np[n_u + n_t :],
            item_content=np.zeros_like(items_np),
            content_weight=model.content_weight.detach().cpu().numpy(),
            content_spec=spec,
            fold_in_map=np.eye(config.emb_dim, dtype=np.float32),
            item_warm=item_warm,
            item_popularity=popularity,
            item_scale=scale_np,
            blend=0.0,
            cold_blend=config.cold_blend,
            linear_weight=linear if config.linear_filter else 0.0,
            graph_norm=graph.norm if config.linear_filter else None,
            user_rows=queries if config.linear_filter else None,
        )

    refit_rows: dict[float, sp.csr_matrix] = {}

    def served() -> ModelWeights:
        """The model served if training stopped now: validation items folded into users."""
        if not (valid and config.refit_users):
            return snapshot()
        power = choice["power"]
        if power not in refit_rows:
            refit_rows[power] = _refit_rows(data, base_rows, valid, power)
        return snapshot(rows=refit_rows[power])

    evals_done = [0]

    def validate(weights: ModelWeights) -> float:
        evals_done[0] += 1
        return evaluate_ranking(
            weights.user_scores, valid, exclude=positive, k=config.topn, item_features=None
        )[key]

    key = f"recall@{config.topn}"
    powers: tuple[float, ...] = (0.0,)
    if config.recency is not None:
        powers = (config.recency,) if fraction is not None else (0.0,)
    elif valid and fraction is not None:
        powers = tuple(config.recency_grid) or (0.0,)
    linear_grid = tuple(config.linear_grid) if config.linear_filter and valid else (0.0,)

    def select(powers: tuple[float, ...] = powers) -> float:
        """Choose the recency tilt and the linear-filter weight on ``valid``; best recall."""
        if not valid:
            choice["power"] = powers[0]
            return -1.0
        best = -1.0
        unit = 1.0
        for power in powers:
            weights = snapshot(power=power, linear=0.0)
            if config.linear_filter and unit == 1.0:
                unit = _linear_unit(weights, valid)
            for c in linear_grid:
                if best >= 0 and clock.elapsed() >= budget * config.search_share:
                    return best  # the search may not eat the training budget
                weights.linear_weight = c * unit
                recall = validate(weights)
                if recall > best + 1e-9:
                    best = recall
                    choice["power"], choice["linear"] = power, c * unit
        return best

    history: list[dict[str, float]] = []
    best_state = copy.deepcopy(model.state_dict())
    best_recall, bad_evals = -1.0, 0
    t_eval = 0.0
    if valid:
        started = clock.elapsed()
        if config.init == "spectral":
            best_recall = select()
        else:
            choice["power"] = powers[0]
            best_recall = validate(snapshot())
        t_eval = (clock.elapsed() - started) / max(evals_done[0], 1)
        history.append(
            {
                "epoch": 0,
                "seconds": clock.elapsed(),
                key: best_recall,
                "recency": choice["power"],
                "linear_weight": choice["linear"],
            }
        )
    else:
        choice["power"] = powers[0]
    if callback is not None and config.init == "spectral":
        _pause(clock, lambda: callback(0, clock.elapsed(), served))

    # Time kept for what follows the loop: re-selection, blend, metrics, refits.
    post_evals = 2 + (len(config.blend_grid) if has_content and config.blend is None else 0)
    if config.epochs > 0:
        post_evals += len(linear_grid)
    reserve = 1.5 * t_eval * post_evals if valid else 0.0
    content_time = budget * config.content_share if has_content else 0.0
    loop_deadline = budget - reserve - content_time

    pair_user = pos_coo.row.astype(np.int64)
    pair_item = pos_coo.col.astype(np.int64)
    pair_w = pos_coo.data.astype(np.float32)
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
    improved = False
    stop = len(pair_user) == 0
    stop_reason = "no training pairs" if stop else "completed"
    n_batches = max(1, -(-len(pair_user) // config.batch_size))
    chunk = max(1, -(-n_batches // max(config.evals_per_epoch, 1)))
    t_batch = 0.0
    bar = tqdm(total=config.epochs, disable=not progress, desc="train", unit="epoch")
    for epoch in range(1, config.epochs + 1):
        if stop:
            break
        if clock.elapsed() + t_batch >= loop_deadline:
            stop_reason = "time budget"
            break
        order = rng.permutation(len(pair_user))
        total, count = 0.0, 0
        evaluate_now = bool(valid) and epoch % config.eval_every == 0
        for b, start in enumerate(range(0, len(order), config.batch_size)):
            if clock.elapsed() + t_batch + (t_eval if evaluate_now else 0.0) >= loop_deadline:
                stop, stop_reason = True, "time budget"
                break
            began = clock.elapsed()
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
            spent = clock.elapsed() - began
            t_batch = spent if t_batch == 0.0 else 0.8 * t_batch + 0.2 * spent
            last = start + config.batch_size >= len(order)
            if evaluate_now and ((b + 1) % chunk == 0 or last):
                recall = validate(snapshot())
                position = epoch - 1 + (b + 1) / n_batches
                history.append({"epoch": position, "seconds": clock.elapsed(), key: recall})
                if recall > best_recall:
                    best_recall, bad_evals, improved = recall, 0, True
                    best_state = copy.deepcopy(model.state_dict())
                    if callback is not None:
                        _pause(clock, lambda p=position: callback(p, clock.elapsed(), served))
                else:
                    bad_evals += 1
                    if bad_evals >= config.patience:
                        stop, stop_reason = True, "early stopping"
                        break
        if count == 0:
            break
        epochs_run = epoch
        loss_curve.append(total / count)
        history.append({"epoch": epoch, "seconds": clock.elapsed(), "loss": total / count})
        if not valid:
            best_state = copy.deepcopy(model.state_dict())
            improved = True
        bar.update(1)
        bar.set_postfix(loss=f"{total / count:.4f}", **{key: f"{max(best_recall, 0):.4f}"})
    bar.close()
    model.load_state_dict(best_state)
    if improved and valid and config.init == "spectral":
        select((choice["power"],))  # the filter weight that suits the fine-tuned embeddings

    weights = snapshot()
    weights.fold_in_map = _fit_fold_in(weights, plain_rows)
    if has_content:
        content_deadline = budget - reserve
        _fit_content(
            model,
            features,
            weights,
            positive,
            sampler,
            config,
            rng,
            device,
            out_of_time=lambda: clock.elapsed() >= content_deadline,
        )
        weights.content_weight = model.content_weight.detach().cpu().numpy()
        weights.item_content = np.asarray(features @ weights.content_weight, dtype=np.float32)
        _calibrate_content(weights, rng)
    metrics: dict[str, float] = {}
    if valid:
        _choose_blend(weights, valid, positive, config, key, has_content=has_content)
        metrics = _full_metrics(weights, valid, positive, config.topn, popularity)
        if config.refit_users:
            refit = served()
            weights.user_graph = refit.user_graph
            if weights.user_rows is not None:
                weights.user_rows = refit.user_rows
            weights.refresh()
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
        stop_reason=stop_reason,
    )


def _pause(clock: _Clock, fn: Callable[[], None]) -> None:
    began = time.perf_counter()
    fn()
    clock.paused += time.perf_counter() - began


def _pair_fraction(data: TrainingData, shape: tuple[int, int]) -> sp.csr_matrix | None:
    user, item, weight, when = aggregate_interactions(data)
    keep = weight > 0
    return recency_fraction(user[keep], item[keep], when[keep], shape)


def _refit_rows(
    data: TrainingData,
    base_rows: sp.csr_matrix,
    valid: dict[int, np.ndarray],
    power: float,
) -> sp.csr_matrix:
    """Query rows with the held-out validation items folded in as each user's latest items.

    The graph stays as trained; only the users' queries (and with them their vectors and
    linear-filter rows) include what validation held out, so the served model knows every
    interaction it was given.
    """
    users = np.concatenate([np.full(len(v), u) for u, v in valid.items()] + [[]]).astype(np.int64)
    items = np.concatenate([np.asarray(v) for v in valid.values()] + [[]]).astype(np.int64)
    extra = sp.csr_matrix((np.ones(len(users), np.float32), (users, items)), shape=base_rows.shape)
    extra.data[:] = 1.0
    full = (base_rows + extra).tocsr()
    fraction = None
    if power:
        user, item, weight, when = aggregate_interactions(data)
        keep = weight > 0
        latest = (when[keep].max() if keep.any() else 0) + 1
        fraction = recency_fraction(
            np.concatenate([user[keep], users]),
            np.concatenate([item[keep], items]),
            np.concatenate([when[keep], np.full(len(users), latest, dtype=np.int64)]),
            base_rows.shape,
        )
    return query_rows(full, fraction, power)


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


def _linear_unit(weights: ModelWeights, valid: dict[int, np.ndarray]) -> float:
    """Mean |embedding score| over mean |linear-filter score|: the filter weight's unit."""
    users = np.array(sorted(valid), dtype=np.int64)[:512]
    dense = np.abs(weights.user_graph[users] @ weights.item_graph.T).mean()
    lin = np.abs(
        linear_filter_scores(
            weights.user_rows[users], weights.graph_norm, weights.graph_norm.T.tocsr()
        )
    ).mean()
    return float(dense / max(lin, 1e-12))


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
