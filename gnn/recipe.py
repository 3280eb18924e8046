"""The one recipe: ``gnn.fit(data)`` is what ``manage.py train_gnn`` and ``python -m
gnn.bench`` both run, with the same defaults.

Stages (each a function below):

1. **carve**: hold out every user's latest interactions as a validation split (all users up
   to 10,000, else a fifth of them), so that every choice is made on data the model was not
   fitted to, never on a test file;
2. **choose**: on that split, with the exact (unpruned) filter of :mod:`gnn.filters`, search
   the recency tilt of the users' queries, the tag and category edge weight, then the rank,
   low-pass weight and degree tilt together: one documented search, cut short by the time
   budget;
3. **build**: the served form of the chosen filter (the pruned item-item matrix, the dense
   embeddings, every user's query row) on the training part, where the dense term's weight,
   the content tower's fit (on pseudo-cold items) and the graph/content blend are chosen and
   the validation metrics are measured;
4. **context**: on the same split, the weight of the context affinities (:mod:`gnn.context`,
   lifts from the training part's acts) that ranks the held-out items best for the moment
   they were engaged with, 0 where the data carries no context or it does not help;
5. **package**: the same build on all the data with those choices, and the affinities of
   all the acts: the model that serves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from .cold import pseudo_cold, recall_among, tag_unit
from .content import (
    ContentSpec,
    build_content_matrix,
    item_tag_matrix,
    tag_cosine,
    unit_tag_rows,
)
from .context import DEFAULT_PRIOR, choose_weight, fit_lift, item_groups
from .data import TrainingData, temporal_split
from .filters import (
    DENSE_SVD_MAX,
    SpectralBasis,
    degree_power,
    exact_scores,
    item_item_filter,
    prune_rows,
    spectral_basis,
)
from .graph import InteractionGraph, build_graph, interaction_matrices
from .history import STRENGTHS, training_queries
from .metrics import evaluate_ranking
from .parallel import SINGLE, Ranks
from .recommender import ModelWeights
from .tower import TowerSetting, calibrate, fit_tower

__all__ = ["Choice", "TrainConfig", "TrainResult", "fit", "resolve_device"]

# Ridge first: where the pseudo-cold items cannot tell the fits apart (a small catalogue),
# the tower that places a new item among the items it resembles is kept.
DEFAULT_TOWERS = (
    TowerSetting("ridge", reg=0.01),
    TowerSetting("ridge", reg=0.3),
    TowerSetting("bpr", epochs=20, lr=0.01, reg=1e-5),
)


@dataclass
class TrainConfig:
    """The recipe's settings; every field is recorded in the artifact's manifest.

    The grids are the search of :func:`fit`; a single-value grid fixes that choice.
    ``emb_dim`` is the dense embedding (new users' fold-in, the content tower, the atlas).
    ``neighbours_grid`` caps each row of the served item-item matrix: the smallest cap whose
    validation recall is within ``neighbours_tolerance`` (relative) of the best is kept, as
    memory and serving time grow with it. ``time_budget_s`` bounds the whole call,
    ``search_share`` of it the validation search.
    """

    emb_dim: int = 64
    rank_grid: tuple[int, ...] = (64, 128, 256, 512)
    lowpass_grid: tuple[float, ...] = (0.0, 0.1, 0.3, 0.6, 1.0)
    tilt_grid: tuple[float, ...] = (-0.1, 0.0, 0.1, 0.2)
    recency_grid: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0, 16.0)
    strength_grid: tuple[str, ...] = STRENGTHS
    edge_grid: tuple[float, ...] = (0.0, 0.5)
    graph_weight_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    blend_grid: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)
    tag_profile_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    towers: tuple[TowerSetting, ...] = DEFAULT_TOWERS
    neighbours_grid: tuple[int, ...] = (128, 256, 512)
    neighbours_tolerance: float = 0.005
    context_weight_grid: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
    context_prior: float = DEFAULT_PRIOR
    cold_blend: float = 1.0
    holdout: float = 0.1
    text_dim: int = 4096
    topn: int = 20
    seed: int = 0
    device: str = "cpu"
    time_budget_s: float = 600.0
    search_share: float = 0.5
    num_threads: int | None = None

    def to_json(self) -> dict:
        out = asdict(self)
        out["towers"] = [t.to_json() for t in self.towers]
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


@dataclass
class Choice:
    """What the search chose; defaults are used where there is nothing to choose on."""

    recency: float = 0.0
    strength: str = "damped"
    edge_weight: float = 0.0
    rank: int = 64
    lowpass: float = 0.3
    tilt: float = 0.0
    neighbours: int = 256
    graph_weight: float = 1.0
    tower: TowerSetting = DEFAULT_TOWERS[0]
    tag_profile: float = 0.0
    blend: float = 0.0
    context_weight: float = 0.0

    def to_json(self) -> dict:
        out = asdict(self)
        out["tower"] = self.tower.to_json()
        return out


@dataclass
class TrainResult:
    """What :func:`fit` returns: the weights to serve and how the choices were made."""

    weights: ModelWeights
    config: TrainConfig
    choice: Choice
    metrics: dict[str, float]
    seconds: float
    history: list[dict] = field(default_factory=list)
    num_tags: int = 0
    num_categories: int = 0
    #: "completed", or "time budget" when the search was cut short.
    stop_reason: str = "completed"


def resolve_device(device: str) -> torch.device:
    """``"auto"`` picks CUDA when available, else the CPU (only the content tower uses it)."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


@dataclass
class _Search:
    """State shared by the search stages: the split, the clock, the log of what was tried."""

    train: TrainingData
    valid: dict[int, np.ndarray]
    config: TrainConfig
    clock: _Clock
    bar: tqdm
    history: list[dict] = field(default_factory=list)
    cut_short: bool = False
    say: Callable[[str], None] | None = None
    ranks: Ranks = SINGLE

    @property
    def users(self) -> np.ndarray:
        return np.array(sorted(self.valid), dtype=np.int64)

    def out_of_time(self) -> bool:
        """Whether the search's share of the budget is spent, by rank 0's clock: every rank
        stops at the same step."""
        over = self.clock.elapsed() >= self.config.time_budget_s * self.config.search_share
        over = self.ranks.agree(over)
        self.cut_short |= over
        return over

    def log(self, stage: str, recall: float, **choice: float | str) -> None:
        entry = {"stage": stage, "seconds": round(self.clock.elapsed(), 2), "recall": recall}
        self.history.append({**entry, **choice})
        if self.say is not None:
            self.say(f"[{entry['seconds']:.0f}s] {stage} {choice}: valid recall {recall:.4f}")
        self.bar.update(1)
        self.bar.set_postfix(stage=stage, recall=f"{recall:.4f}")


def fit(
    data: TrainingData,
    config: TrainConfig | None = None,
    *,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    ranks: Ranks = SINGLE,
) -> TrainResult:
    """Choose on a validation split carved from ``data``, then fit on all of it.

    Under ``torchrun`` every rank calls this with the same data and ``ranks``
    (:func:`gnn.parallel.init_ranks`); each returns the same model, and only rank 0 logs.
    """
    config = config or TrainConfig()
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    clock = _Clock()
    train, valid = carve(data, config)
    log = log if ranks.is_leader else None
    say = log or (lambda _msg: None)
    with tqdm(disable=not (progress and ranks.is_leader), desc="choose", unit="step") as bar:
        search = _Search(train, valid, config, clock, bar, say=log, ranks=ranks)
        choice = choose(search) if valid else Choice(rank=min(config.rank_grid))
        choice.neighbours = min(config.neighbours_grid)
        metrics: dict[str, float] = {}
        if valid:
            choice.neighbours = max(config.neighbours_grid)
            part = build(train, choice, config)
            choice.graph_weight = _choose_graph_weight(part, search)
            choice.neighbours = _choose_neighbours(part, search)
            metrics = _finish(part, train, choice, config, search)
            metrics.update(_choose_context(part, data, choice, search))
        say(f"chose {choice.to_json()} in {clock.elapsed():.0f}s")
        model = build(data, choice, config)
        model.weights.graph_weight = choice.graph_weight
        _fit_content(model, data, choice, config, ranks)
        _fit_context(model.weights, data, data.context, choice, config)
    return TrainResult(
        weights=model.weights,
        config=config,
        choice=choice,
        metrics=metrics,
        seconds=clock.elapsed(),
        history=search.history,
        num_tags=model.graph.num_tags,
        num_categories=model.graph.num_categories,
        stop_reason="time budget" if search.cut_short else "completed",
    )


def carve(data: TrainingData, config: TrainConfig) -> tuple[TrainingData, dict[int, np.ndarray]]:
    """The validation split: each chosen user's latest ``holdout`` share of positives."""
    share = 1.0 if data.num_users <= 10_000 else 0.2
    positives = int((data.weight > 0).sum())
    if positives < 20:
        return data, {}
    return temporal_split(data, config.holdout, user_fraction=share, seed=config.seed)


# -- choose -----------------------------------------------------------------------------


def _graph(
    data: TrainingData, edge_weight: float, strength: str, positive=None
) -> InteractionGraph:
    return build_graph(
        data,
        positive,
        tag_weight=edge_weight,
        category_weight=edge_weight,
        strength=strength,
    )


def _uniform_strength(positive: sp.csr_matrix) -> bool:
    return positive.nnz == 0 or bool(np.all(positive.data == positive.data[0]))


def _has_content_edges(data: TrainingData) -> bool:
    return (data.item_tags is not None and data.num_tags > 0) or (
        data.item_category is not None and data.num_categories > 0
    )


def choose(search: _Search) -> Choice:
    """The strength of acts x the recency tilt, then the edge weight, then rank x low-pass
    x tilt, each on exact scores at the best of the earlier choices."""
    config, train = search.config, search.train
    exclude, _ = interaction_matrices(train)
    choice = Choice(strength=config.strength_grid[0])
    graph = _graph(train, 0.0, choice.strength, exclude)
    ranks = _ranks(graph, config)
    basis = spectral_basis(graph, max(ranks), config.seed)
    if search.say is not None:
        search.say(f"[{search.clock.elapsed():.0f}s] basis of rank {max(ranks)} ready")
    probe = {"rank": ranks[len(ranks) // 2], "lowpass": 0.3, "tilt": 0.0}
    # where every positive pair weighs the same, the strengths give the same model
    kinds = config.strength_grid[: 1 if _uniform_strength(exclude) else None]
    powers = config.recency_grid if len(np.unique(train.time)) > 1 else (0.0,)
    best = -1.0
    for kind in kinds:
        if best >= 0 and search.out_of_time():
            break
        g = graph if kind == choice.strength else _graph(train, 0.0, kind, exclude)
        b = basis if g is graph else spectral_basis(g, max(ranks), config.seed)
        for power in powers:
            if best >= 0 and search.out_of_time():
                break
            recall = _probe(search, g, b, power, kind, exclude, probe)
            search.log("recency", recall, strength=kind, recency=power)
            if recall > best + 1e-9:
                best, graph, basis = recall, g, b
                choice.strength, choice.recency = kind, power
    for weight in config.edge_grid if _has_content_edges(train) else ():
        if weight == 0.0 or search.out_of_time():
            continue
        g = _graph(train, weight, choice.strength, exclude)
        b = spectral_basis(g, max(ranks), config.seed)
        recall = _probe(search, g, b, choice.recency, choice.strength, exclude, probe)
        search.log("edges", recall, edge_weight=weight)
        if recall > best + 1e-9:
            best, choice.edge_weight, graph, basis = recall, weight, g, b
    choice.rank, choice.lowpass, choice.tilt = probe["rank"], probe["lowpass"], probe["tilt"]
    # rank x low-pass at no tilt, then the tilt at the best of those: a coordinate search,
    # a third of the full grid's cost, as the tilt barely interacts with the other two
    stages = (
        {"ranks": ranks, "lowpass": config.lowpass_grid, "tilts": (0.0,)},
        {"tilts": config.tilt_grid},
    )
    for grid in stages:
        if search.out_of_time():
            break
        grid = {"ranks": (choice.rank,), "lowpass": (choice.lowpass,), **grid}
        results = _grid(search, graph, basis, choice.recency, choice.strength, exclude, **grid)
        (choice.rank, choice.lowpass, choice.tilt), recall = max(
            results.items(), key=lambda kv: (kv[1], -kv[0][0])
        )
        search.log("filter", recall, rank=choice.rank, lowpass=choice.lowpass, tilt=choice.tilt)
    return choice


def _probe(
    search: _Search,
    graph: InteractionGraph,
    basis: SpectralBasis,
    power: float,
    strength: str,
    exclude: sp.csr_matrix,
    probe: dict,
) -> float:
    """Validation recall at the probe's rank, low-pass and tilt."""
    rank, lowpass, tilt = probe["rank"], probe["lowpass"], probe["tilt"]
    one = {"ranks": (rank,), "lowpass": (lowpass,), "tilts": (tilt,)}
    return _grid(search, graph, basis, power, strength, exclude, **one)[(rank, lowpass, tilt)]


# Seconds per stored entry of R~ per basis vector of the randomised range finder, measured on
# the 2-core machine the benchmarks run on (gowalla: 810k entries, 288 vectors, about 35 s).
SVD_SECONDS_PER_ENTRY_VECTOR = 1.5e-7


def _ranks(graph: InteractionGraph, config: TrainConfig) -> tuple[int, ...]:
    """The rank grid, capped by the graph's size and by what a basis costs in the budget.

    The recipe computes two bases (the training part's and all data's); ranks whose
    estimated cost (linear in the entries of ``R~`` and in the rank) exceeds 15% of the
    budget each are dropped. An estimate, not a timing, so that the same data and seed give
    the same model on a busy machine as on a quiet one.
    """
    cap = min(graph.norm.shape) - 1
    ranks = tuple(sorted({min(r, cap) for r in config.rank_grid if r >= 1})) or (max(cap, 1),)
    if min(graph.norm.shape) <= DENSE_SVD_MAX:
        return ranks
    allowed = config.time_budget_s * 0.15
    cost = lambda r: graph.norm.nnz * (r + 32) * SVD_SECONDS_PER_ENTRY_VECTOR  # noqa: E731
    return tuple(r for r in ranks if r == ranks[0] or cost(r) <= allowed)


def _grid(
    search: _Search,
    graph: InteractionGraph,
    basis: SpectralBasis,
    power: float,
    strength: str,
    exclude: sp.csr_matrix,
    *,
    ranks: tuple[int, ...],
    lowpass: tuple[float, ...],
    tilts: tuple[float, ...],
    batch: int = 1024,
) -> dict[tuple, float]:
    """Validation recall of every (rank, low-pass, tilt) with exact scores, batch by batch."""
    users, k = search.users, search.config.topn
    queries = training_queries(search.train, power, strength)
    hits = {(r, a, t): 0.0 for r in ranks for a in lowpass for t in tilts}
    rights = {r: basis.right(r) for r in ranks}
    columns = {t: degree_power(graph.item_degree, t) for t in tilts}
    for start in search.ranks.share_of(len(users), batch):
        rows = users[start : start + batch]
        linear, projection = exact_scores(queries[rows], graph, basis)
        judge = _Judge(exclude[rows], [search.valid[int(u)] for u in rows], linear.shape, k)
        for r in ranks:
            low = projection[:, :r] @ rights[r].T if any(lowpass) else None
            for a in lowpass:
                base = linear + a * low if a else linear
                for t in tilts:
                    hits[(r, a, t)] += judge.recall_sum(base, columns[t])
    totals = search.ranks.sum(np.array(list(hits.values())))
    return {key: float(total) / max(len(users), 1) for key, total in zip(hits, totals, strict=True)}


class _Judge:
    """Recall@k of score batches for one batch of validation users; what does not depend on
    the scores (the training items to exclude, the held-out items) is laid out once."""

    def __init__(
        self, seen: sp.csr_matrix, targets: list[np.ndarray], shape: tuple[int, int], k: int
    ) -> None:
        coo = seen.tocoo()
        self.seen = (coo.row, coo.col)
        self.held = np.zeros(shape, dtype=bool)
        for row, target in enumerate(targets):
            self.held[row, target] = True
        self.sizes = np.array([len(t) for t in targets], dtype=np.float64)
        self.k = min(k, shape[1])
        self.buffer = np.empty(shape, dtype=np.float32)

    def recall_sum(self, scores: np.ndarray, column: np.ndarray) -> float:
        """Sum over the batch of Recall@k of ``scores * column``, training items excluded."""
        np.multiply(scores, column, out=self.buffer)
        self.buffer[self.seen] = -np.inf
        top = torch.topk(torch.from_numpy(self.buffer), self.k, dim=1, sorted=False).indices
        hits = np.take_along_axis(self.held, top.numpy(), axis=1).sum(axis=1)
        return float((hits / self.sizes).sum())


# -- build ------------------------------------------------------------------------------


@dataclass
class _Built:
    weights: ModelWeights
    graph: InteractionGraph
    positive: sp.csr_matrix
    features: sp.csr_matrix
    #: ``D_I^-1/2 V`` at the embedding's dimension: a query row times it is a user vector
    left: np.ndarray


def build(data: TrainingData, choice: Choice, config: TrainConfig) -> _Built:
    """The served form of ``choice`` fitted on ``data`` (content tower not yet fitted)."""
    positive, _ = interaction_matrices(data)
    graph = _graph(data, choice.edge_weight, choice.strength, positive)
    rank = max(choice.rank, config.emb_dim)
    basis = spectral_basis(graph, rank, config.seed)
    item_item = item_item_filter(
        graph,
        basis,
        rank=min(choice.rank, basis.rank),
        lowpass=choice.lowpass,
        tilt=choice.tilt,
        neighbours=choice.neighbours,
    )
    queries = training_queries(data, choice.recency, choice.strength)
    dim = min(config.emb_dim, basis.rank)
    left = basis.left(dim)
    tilt = degree_power(graph.item_degree, choice.tilt)
    spec, features = _content(data, config)
    weights = ModelWeights(
        user_graph=np.ascontiguousarray(queries @ left, dtype=np.float32),
        item_graph=np.ascontiguousarray(basis.right(dim) * tilt[:, None], dtype=np.float32),
        tag_graph=_context_vectors(data.item_tags, data.num_tags, data.num_items, left),
        category_graph=_category_vectors(data, left),
        item_content=np.zeros((data.num_items, dim), np.float32),
        content_weight=np.zeros((features.shape[1], dim), np.float32),
        content_spec=spec,
        fold_in_map=np.eye(dim, dtype=np.float32),
        item_warm=np.diff(positive.tocsc().indptr) > 0,
        item_popularity=np.diff(positive.tocsc().indptr).astype(np.float32),
        # fold-in divides the item vectors by this: d^(1/2 + tilt) / d^(1 + tilt) = d^-1/2
        item_scale=degree_power(graph.item_degree, 1.0 + choice.tilt),
        cold_blend=config.cold_blend,
        item_item=item_item,
        user_rows=queries,
        recency=choice.recency,
        strength=choice.strength,
    )
    return _Built(weights, graph, positive, features, left)


def _context_vectors(
    pairs: tuple[np.ndarray, np.ndarray] | None, count: int, num_items: int, left: np.ndarray
) -> np.ndarray:
    """A tag (or category) as a user who consumed all its items: its normalised row times
    ``D_I^-1/2 V``, so that declared interests live where users do."""
    if pairs is None or not count:
        return np.zeros((count, left.shape[1]), np.float32)
    items, ctx = pairs
    mat = sp.csr_matrix((np.ones(len(items), np.float32), (ctx, items)), shape=(count, num_items))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    deg = np.asarray(mat.sum(axis=1)).ravel()
    mat = sp.diags((1.0 / np.sqrt(np.maximum(deg, 1.0))).astype(np.float32)) @ mat
    return np.ascontiguousarray(mat @ left, dtype=np.float32)


def _category_vectors(data: TrainingData, left: np.ndarray) -> np.ndarray:
    if data.item_category is None or not data.num_categories:
        return np.zeros((data.num_categories, left.shape[1]), np.float32)
    has = np.flatnonzero(data.item_category >= 0)
    pairs = (has, data.item_category[has])
    return _context_vectors(pairs, data.num_categories, data.num_items, left)


def _content(data: TrainingData, config: TrainConfig) -> tuple[ContentSpec, sp.csr_matrix]:
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
    return spec, features


def _validate(weights: ModelWeights, search: _Search, exclude: sp.csr_matrix) -> float:
    """Validation recall, each rank scoring its share of the users."""
    key, users = f"recall@{search.config.topn}", search.users
    share = {int(users[i]): search.valid[int(users[i])] for i in search.ranks.share_of(len(users))}
    metrics = evaluate_ranking(weights.user_scores, share, exclude=exclude, k=search.config.topn)
    hits, count = search.ranks.sum(np.array([metrics[key] * metrics["users"], metrics["users"]]))
    return float(hits / max(count, 1.0))


def _choose_neighbours(part: _Built, search: _Search) -> int:
    """The smallest row cap within the tolerance of the best, on validation; ``part`` is
    left holding the matrix cut to it."""
    weights, full = part.weights, part.weights.item_item
    results: dict[int, tuple[float, sp.csr_matrix]] = {}
    for n in sorted(search.config.neighbours_grid):
        weights.item_item = prune_rows(full, n)
        results[n] = (_validate(weights, search, part.positive), weights.item_item)
        search.log("neighbours", results[n][0], neighbours=n)
    best = max(r for r, _ in results.values())
    chosen = min(
        n for n, (r, _) in results.items() if r >= best * (1 - search.config.neighbours_tolerance)
    )
    weights.item_item = results[chosen][1]
    return chosen


def _choose_graph_weight(part: _Built, search: _Search) -> float:
    """The dense term's weight next to the pruned filter, in units that match their scales."""
    weights = part.weights
    sample = search.users[:512]
    history = weights.history_scores(weights.user_rows[sample])
    dense = weights.user_graph[sample] @ weights.item_graph.T
    unit = float(np.abs(history).mean() / max(float(np.abs(dense).mean()), 1e-12))
    best, best_w = -1.0, 0.0
    for w in search.config.graph_weight_grid:
        weights.graph_weight = w * unit
        weights.refresh()
        recall = _validate(weights, search, part.positive)
        search.log("dense", recall, graph_weight=w)
        if recall > best + 1e-9:
            best, best_w = recall, w * unit
    weights.graph_weight = best_w
    weights.refresh()
    return best_w


def _finish(
    part: _Built, train: TrainingData, choice: Choice, config: TrainConfig, search: _Search
) -> dict[str, float]:
    """On the training part: choose the tower and the blend, and measure on validation."""
    weights = part.weights
    if part.features.shape[1]:
        choice.tower, choice.tag_profile = _choose_content(part, train, choice, config, search)
        _fit_content(part, train, choice, config, search.ranks)
        best = -1.0
        for b in config.blend_grid:
            weights.blend = b
            weights.refresh()
            recall = _validate(weights, search, part.positive)
            search.log("blend", recall, blend=b)
            if recall > best + 1e-9:
                best, choice.blend = recall, b
    weights.blend = choice.blend
    weights.refresh()
    return evaluate_ranking(
        weights.user_scores,
        search.valid,
        exclude=part.positive,
        k=config.topn,
        item_popularity=weights.item_popularity,
        item_features=weights.item_embeddings,
    )


def _context_groups(data: TrainingData) -> tuple[np.ndarray, int] | None:
    """Each item's context group and the number of groups; ``None`` without categories and
    types, or without acts that carry a context."""
    if data.context is None or not len(data.context) or not data.num_types:
        return None
    if data.item_category is None or data.item_type is None or not data.num_categories:
        return None
    groups = item_groups(data.item_category, data.item_type, data.num_types)
    return groups, data.num_categories * data.num_types


def _choose_context(
    part: _Built, data: TrainingData, choice: Choice, search: _Search
) -> dict[str, float]:
    """The context term's weight, on validation, with lifts from the acts of the training
    part only (the held-out pairs' acts left out); the validation recall with and without."""
    grouped = _context_groups(data)
    if grouped is None:
        return {}
    groups, num_groups = grouped
    acts, config = data.context, search.config
    held = np.concatenate(
        [u * np.int64(data.num_items) + np.asarray(v, np.int64) for u, v in search.valid.items()]
    )
    training = acts.subset(~np.isin(acts.user * np.int64(data.num_items) + acts.item, held))
    _fit_context(part.weights, data, training, choice, config)
    result = choose_weight(
        part.weights.user_scores,
        search.valid,
        part.positive,
        groups,
        acts,
        part.weights.context_lift,
        config.context_weight_grid,
        k=config.topn,
        seed=config.seed,
    )
    choice.context_weight = part.weights.context_weight = result.weight
    search.log("context", result.recall, context_weight=result.weight)
    k = config.topn
    return {
        f"context_recall@{k}": result.recall,
        f"context_free_recall@{k}": result.base_recall,
        f"context_ndcg@{k}": result.ndcg,
        f"context_free_ndcg@{k}": result.base_ndcg,
    }


def _fit_context(
    weights: ModelWeights, data: TrainingData, acts, choice: Choice, config: TrainConfig
) -> None:
    """Give ``weights`` the lift table of ``acts`` and the chosen weight (nothing without
    a context)."""
    grouped = _context_groups(data)
    if grouped is None or acts is None:
        return
    groups, num_groups = grouped
    weights.context_lift = fit_lift(groups, acts, num_groups, config.context_prior)
    weights.context_weight = choice.context_weight
    weights.context_num_types = data.num_types
    weights.context_bands, weights.context_devices = acts.bands, acts.devices


def _choose_content(
    part: _Built, train: TrainingData, choice: Choice, config: TrainConfig, search: _Search
) -> tuple[TowerSetting, float]:
    """The tower and the tag-profile weight that rank pseudo-cold items best (:mod:`gnn.cold`):
    every tower, and with each the grid of tag-profile weights where items carry tags."""
    cold = pseudo_cold(train, part.features, seed=config.seed)
    if cold is None:
        return config.towers[0], 0.0
    # The hidden items leave the users' histories and the tower's training items; the
    # spectral basis is the training part's (a second decomposition would double the cost
    # of the largest step, for a basis that the hidden pairs barely move).
    history = training_queries(cold.data, choice.recency, choice.strength)
    users = np.ascontiguousarray(history @ part.left, dtype=np.float32)
    positive, _ = interaction_matrices(cold.data)
    items = part.weights.item_graph
    tags = _item_tags(train)
    cosine = None
    if tags is not None:
        cosine = tag_cosine(history[cold.users], tags, unit_tag_rows(tags[cold.hidden]))
    warm = np.flatnonzero(np.diff(positive.tocsc().indptr) > 0)
    best: tuple[float, TowerSetting, float] = (-1.0, config.towers[0], 0.0)
    for setting in config.towers:
        if best[0] >= 0 and search.out_of_time():
            break
        w = fit_tower(
            part.features,
            users,
            items,
            positive,
            setting,
            train_items=warm,
            seed=config.seed,
            ranks=search.ranks,
        )
        content = np.asarray(part.features @ w, dtype=np.float32)
        tower = users[cold.users] @ content[cold.hidden].T
        unit = 0.0 if tags is None else tag_unit(users, content, history, tags, warm, config.seed)
        for weight in config.tag_profile_grid if cosine is not None and unit else (0.0,):
            scores = tower + np.float32(weight * unit) * cosine if weight else tower
            recall = recall_among(scores, cold, config.topn)
            name = f"{setting.loss}:{setting.epochs or setting.reg}"
            search.log("content", recall, tower=name, tag_profile=weight)
            if recall > best[0] + 1e-9:
                best = (recall, setting, weight)
    return best[1], best[2]


def _item_tags(data: TrainingData) -> sp.csr_matrix | None:
    if data.item_tags is None or not data.num_tags:
        return None
    return item_tag_matrix(data.item_tags, data.num_items, data.num_tags)


def _fit_content(
    built: _Built, data: TrainingData, choice: Choice, config: TrainConfig, ranks: Ranks
) -> None:
    """Fit the chosen tower on every item with interactions and put it on the graph's scale."""
    weights = built.weights
    weights.blend = choice.blend
    if built.features.shape[1]:
        warm = np.flatnonzero(weights.item_warm)
        w = fit_tower(
            built.features,
            weights.user_graph,
            weights.item_graph,
            built.positive,
            choice.tower,
            train_items=warm,
            seed=config.seed,
            ranks=ranks,
        )
        content = np.asarray(built.features @ w, dtype=np.float32)
        slope = _calibration(weights, content, config.seed)
        weights.content_weight = w * np.float32(slope)
        weights.item_content = content * np.float32(slope)
        tags = _item_tags(data) if choice.tag_profile else None
        if tags is not None and weights.user_rows is not None:
            unit = tag_unit(
                weights.user_graph, weights.item_content, weights.user_rows, tags, warm, config.seed
            )
            weights.item_tags, weights.tag_weight = tags, choice.tag_profile * unit
    weights.refresh()


def _calibration(weights: ModelWeights, content: np.ndarray, seed: int, users: int = 256) -> float:
    warm = np.flatnonzero(weights.item_warm)
    if not len(warm) or not weights.num_users:
        return 1.0
    rng = np.random.default_rng(seed)
    sample = rng.choice(weights.num_users, min(users, weights.num_users), replace=False)
    graph_only = replace(weights, blend=0.0, cold_blend=0.0)
    graph = graph_only.user_scores(sample)[:, warm].ravel()
    return calibrate(graph, (weights.user_graph[sample] @ content[warm].T).ravel())
