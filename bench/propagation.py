"""Time LightGCN propagation through today's custom sparse autograd and through torch-geometric.

    python -m bench.propagation [--data DIR] [--repeats N] [--threads 1 2] [--variants K ...]

One BPR step of LightGCN (3 layers, 64 dimensions, batch 16384 (user, positive, negative)
triples, L2 on the batch's layer-0 rows) on the training graph of a split, through:

- ``custom sparse_mm``: :func:`gnn.model.sparse_mm` over the bipartite ``R~`` and its stored
  transpose as torch CSR (what :func:`gnn.model.sparse_mm` gives the content tower);
- ``pyg spmm bipartite``: :func:`torch_geometric.utils.spmm` over the same ``R~`` and
  ``R~^T``, with torch's own autograd for the backward pass;
- ``pyg LGConv csr``: ``LGConv(normalize=False)`` over the normalised (users + items)
  adjacency as one torch CSR tensor;
- ``pyg LGConv EdgeIndex``: ``LGConv(normalize=False)`` over a row-sorted, undirected
  :class:`torch_geometric.EdgeIndex` with the normalised weights (``LGConv`` does not fuse
  over an ``EdgeIndex``, so this is message passing: gather, weight, scatter);
- ``pyg spmm EdgeIndex``: the same ``EdgeIndex`` through its own ``matmul``, PyG's sparse
  autograd (a CSR product forward, the cached transpose backward);
- ``pyg LightGCN``: PyG's ``LightGCN`` model's forward over the plain ``edge_index``, as
  :mod:`gnn.pyg_baseline` trains it (normalisation and message passing on every call).

All six start from the same layer-0 embeddings and the same triples; the forward outputs are
checked to agree before anything is timed. Timing rounds interleave the variants (in a
rotating order) so that a change in the machine's load hits all of them alike; each round
times the forward pass (loss included) and the backward pass of one step; the optimiser step
is left out (it is the same for all). ``x first`` is the per-round ratio of a variant's step
to the first variant's in the same round, the figure least moved by the machine's load,
with the number of rounds in which the variant was the slower one.
Peak memory is measured in a fresh process per variant: the growth of the peak RSS over the
RSS with the graph and operators built, over two steps. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric import EdgeIndex
from torch_geometric.nn import LGConv
from torch_geometric.nn.models import LightGCN
from torch_geometric.utils import spmm

from gnn.bench import load_split
from gnn.graph import build_graph, interaction_matrices, to_torch_csr
from gnn.model import sparse_mm
from gnn.sampling import NegativeSampler

LAYERS = 3
DIM = 64
BATCH = 16384
REG = 1e-4


@dataclass
class Problem:
    """The normalised graph, the starting embeddings and one batch of BPR triples."""

    num_users: int
    num_items: int
    norm: sp.csr_matrix  # R~, users x items
    users: Tensor
    positives: Tensor
    negatives: Tensor
    init: Tensor  # (users + items) x DIM, layer 0


def load_problem(data_dir: Path, seed: int = 0) -> Problem:
    data, _, _ = load_split(data_dir)
    positive, _ = interaction_matrices(data)
    # user-item edges only, unweighted: what PyG's LightGCN normalises, so that all variants
    # compute the same numbers
    graph = build_graph(data, positive, strength="binary", tag_weight=0.0, category_weight=0.0)
    rng = np.random.default_rng(seed)
    coo = positive.tocoo()
    pick = rng.choice(coo.nnz, size=min(BATCH, coo.nnz), replace=False)
    users = coo.row[pick].astype(np.int64)
    negatives, _ = NegativeSampler(positive, hard_ratio=0.0).sample(users, rng)
    generator = torch.Generator().manual_seed(seed)
    n = data.num_users + data.num_items
    return Problem(
        num_users=data.num_users,
        num_items=data.num_items,
        norm=graph.norm[: data.num_users].tocsr(),  # tag and category rows are empty
        users=torch.from_numpy(users),
        positives=torch.from_numpy(coo.col[pick].astype(np.int64)),
        negatives=torch.from_numpy(np.asarray(negatives, dtype=np.int64)),
        init=torch.randn(n, DIM, generator=generator) * 0.1,
    )


def _bpr(user: Tensor, pos: Tensor, neg: Tensor, layer0: tuple[Tensor, ...]) -> Tensor:
    """Mean BPR loss plus L2 on the batch's layer-0 rows, as LightGCN trains."""
    loss = -F.logsigmoid((user * pos).sum(-1) - (user * neg).sum(-1)).mean()
    return loss + REG * sum(t.pow(2).sum() for t in layer0) / len(user)


class Variant:
    """One way of running the step: ``embed()`` gives (users + items) x DIM final rows."""

    name = ""
    key = ""  # what --variants calls it

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.weight = torch.nn.Parameter(problem.init.clone())

    def embed(self) -> Tensor:
        raise NotImplementedError

    def loss(self) -> Tensor:
        p, n_u = self.problem, self.problem.num_users
        out = self.embed()
        u, i, j = p.users, p.positives + n_u, p.negatives + n_u
        layer0 = (self.weight[u], self.weight[i], self.weight[j])
        return _bpr(out[u], out[i], out[j], layer0)


def _bipartite(variant: Variant, product: Callable[[int, Tensor], Tensor]) -> Tensor:
    """Layer mean of LightGCN over ``R~`` with ``product(which, x)``."""
    n_u = variant.problem.num_users
    h_u, h_i = variant.weight[:n_u], variant.weight[n_u:]
    sum_u, sum_i = h_u, h_i
    for _ in range(LAYERS):
        h_u, h_i = product(0, h_i), product(1, h_u)
        sum_u, sum_i = sum_u + h_u, sum_i + h_i
    return torch.cat([sum_u, sum_i]) / (LAYERS + 1)


class CustomSparseMM(Variant):
    name = "custom sparse_mm"
    key = "custom"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.ops = (to_torch_csr(problem.norm), to_torch_csr(problem.norm.T.tocsr()))

    def embed(self) -> Tensor:
        return _bipartite(self, lambda k, x: sparse_mm(self.ops[k], self.ops[1 - k], x))


class PygSpmmBipartite(CustomSparseMM):
    name = "pyg spmm bipartite"
    key = "spmm"

    def embed(self) -> Tensor:
        return _bipartite(self, lambda k, x: spmm(self.ops[k], x))


def _layer_mean(variant: Variant, product: Callable[[Tensor], Tensor]) -> Tensor:
    """Layer mean of LightGCN over the full adjacency with ``product(x)``."""
    x = out = variant.weight
    for _ in range(LAYERS):
        x = product(x)
        out = out + x
    return out / (LAYERS + 1)


def _full_adjacency(problem: Problem) -> sp.csr_matrix:
    """``[[0, R~], [R~^T, 0]]`` over users then items."""
    return sp.bmat([[None, problem.norm], [problem.norm.T, None]], format="csr")


class _LGConvLayers(Variant):
    """LightGCN's layer mean with one ``LGConv(normalize=False)`` over ``self.graph``."""

    graph: tuple  # the adjacency arguments LGConv takes after x

    def embed(self) -> Tensor:
        conv = LGConv(normalize=False)
        return _layer_mean(self, lambda x: conv(x, *self.graph))


class PygLGConvCSR(_LGConvLayers):
    name = "pyg LGConv csr"
    key = "lgconv-csr"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.graph = (to_torch_csr(_full_adjacency(problem)),)


class PygLGConvEdgeIndex(_LGConvLayers):
    name = "pyg LGConv EdgeIndex"
    key = "lgconv-edgeindex"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        coo = _full_adjacency(problem).tocoo()  # CSR order: sorted by row
        n = problem.num_users + problem.num_items
        index = torch.from_numpy(np.stack([coo.row, coo.col]).astype(np.int64))
        self.index = EdgeIndex(index, sparse_size=(n, n), sort_order="row", is_undirected=True)
        self.value = torch.from_numpy(coo.data.astype(np.float32))
        self.graph = (self.index, self.value)


class PygSpmmEdgeIndex(PygLGConvEdgeIndex):
    """The same EdgeIndex through its own ``matmul``: PyG's sparse autograd, no messages."""

    name = "pyg spmm EdgeIndex"
    key = "spmm-edgeindex"

    def embed(self) -> Tensor:
        return _layer_mean(self, lambda x: self.index.matmul(x, self.value))


class PygLightGCN(Variant):
    name = "pyg LightGCN"
    key = "lightgcn"

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        coo = problem.norm.tocoo()
        users, items = coo.row.astype(np.int64), coo.col.astype(np.int64) + problem.num_users
        src, dst = np.concatenate([users, items]), np.concatenate([items, users])
        self.edge_index = torch.from_numpy(np.stack([src, dst]))
        n = problem.num_users + problem.num_items
        self.model = LightGCN(n, DIM, LAYERS)
        with torch.no_grad():
            self.model.embedding.weight.copy_(problem.init)
        self.weight = self.model.embedding.weight
        n_u = problem.num_users
        u = problem.users
        self.label_index = torch.cat(
            [
                torch.stack([u, problem.positives + n_u]),
                torch.stack([u, problem.negatives + n_u]),
            ],
            dim=1,
        )
        self.node_id = torch.cat([u, problem.positives + n_u, problem.negatives + n_u])

    def embed(self) -> Tensor:
        return self.model.get_embedding(self.edge_index)

    def loss(self) -> Tensor:
        rank = self.model(self.edge_index, self.label_index)
        pos, neg = rank.chunk(2)
        return self.model.recommendation_loss(pos, neg, node_id=self.node_id, lambda_reg=REG)


VARIANTS: list[type[Variant]] = [
    CustomSparseMM,
    PygSpmmBipartite,
    PygLGConvCSR,
    PygLGConvEdgeIndex,
    PygSpmmEdgeIndex,
    PygLightGCN,
]


def _step(variant: Variant) -> tuple[float, float]:
    """Milliseconds of the forward pass (with the loss) and of the backward pass."""
    variant.weight.grad = None
    start = time.perf_counter()
    loss = variant.loss()
    middle = time.perf_counter()
    loss.backward()
    end = time.perf_counter()
    return (middle - start) * 1000, (end - middle) * 1000


def check_agreement(variants: list[Variant]) -> dict[str, float]:
    """Max abs difference of each variant's final embeddings and loss from the first's."""
    with torch.no_grad():
        ref = variants[0].embed()
        ref_loss = variants[0].loss()
        diffs = {}
        for v in variants[1:]:
            diffs[v.name] = float((v.embed() - ref).abs().max())
            diffs[f"{v.name} loss"] = float(abs(v.loss() - ref_loss))
    return diffs


def _summary(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=4, method="inclusive") if len(samples) > 1 else samples * 3
    return {
        "median_ms": round(statistics.median(samples), 1),
        "q1_ms": round(q[0], 1),
        "q3_ms": round(q[2], 1),
        "min_ms": round(min(samples), 1),
        "max_ms": round(max(samples), 1),
    }


def time_variants(variants: list[Variant], threads: int, repeats: int) -> dict[str, dict]:
    """Interleaved rounds; the first round of each variant warms up and is dropped."""
    torch.set_num_threads(threads)
    forward = {v.name: [] for v in variants}
    total = {v.name: [] for v in variants}
    for r in range(repeats + 1):
        print(f"[{threads} thread(s)] round {r} of {repeats}", file=sys.stderr, flush=True)
        shift = r % len(variants)
        for v in variants[shift:] + variants[:shift]:
            f, b = _step(v)
            if r:
                forward[v.name].append(f)
                total[v.name].append(f + b)
    first = total[variants[0].name]
    return {
        v.name: {
            "forward": _summary(forward[v.name]),
            "forward_backward": _summary(total[v.name]),
            # paired by round (the same minute of the machine's load): how many times the
            # first variant's step this one takes
            "ratio_to_first": _ratios([t / f for t, f in zip(total[v.name], first, strict=True)]),
        }
        for v in variants
    }


def _ratios(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        # a sign test's count: in how many rounds this variant was the slower one
        "slower_in": sum(v > 1 for v in values),
        "rounds": len(values),
    }


def _peak_kb() -> int:
    """Peak RSS since the last reset (Linux's VmHWM), else the process's maximum RSS."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _memory_child(data_dir: str, key: str, queue) -> None:
    torch.set_num_threads(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls = next(cls for cls in VARIANTS if cls.key == key)
        variant = cls(load_problem(Path(data_dir)))
        base = psutil.Process().memory_info().rss // 1024
        reset = _reset_peak()
        for _ in range(2):
            _step(variant)
    queue.put({"peak_growth_mb": round((_peak_kb() - base) / 1024, 1), "peak_reset": reset})


def measure_memory(data_dir: Path, chosen: list[type[Variant]]) -> dict[str, dict]:
    """Peak RSS growth of two steps of each variant, each in a fresh process."""
    ctx = multiprocessing.get_context("spawn")
    out = {}
    for cls in chosen:
        queue = ctx.Queue()
        proc = ctx.Process(target=_memory_child, args=(str(data_dir), cls.key, queue))
        proc.start()
        out[cls.name] = queue.get()
        proc.join()
    return out


def _print(report: dict) -> None:
    print(
        f"LightGCN {LAYERS} layers, {DIM} d, batch {BATCH}: {report['users']} users, "
        f"{report['items']} items, {report['edges']} edges; {report['repeats']} timed steps"
    )
    print(f"agreement with {report['first']} (max abs diff):", report["agreement"])
    header = (
        f"{'variant':<22} {'thr':>3} {'fwd ms':>8} {'fwd+bwd ms':>11} {'[q1, q3]':>17} "
        f"{'[min, max]':>17} {'x first [min, max] slower in':>30} {'peak MB':>8}"
    )
    print(header)
    for threads, table in report["timings"].items():
        for name, t in table.items():
            fb = t["forward_backward"]
            mem = report["memory"].get(name, {}).get("peak_growth_mb", "")
            quartiles = f"[{fb['q1_ms']}, {fb['q3_ms']}]"
            extremes = f"[{fb['min_ms']}, {fb['max_ms']}]"
            r = t["ratio_to_first"]
            ratio = f"{r['median']} [{r['min']}, {r['max']}] {r['slower_in']}/{r['rounds']}"
            print(
                f"{name:<22} {threads:>3} {t['forward']['median_ms']:>8.1f} "
                f"{fb['median_ms']:>11.1f} {quartiles:>17} {extremes:>17} {ratio:>30} {mem:>8}"
            )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/gowalla"))
    parser.add_argument("--repeats", type=int, default=10, help="timed steps per variant")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-memory", action="store_true", help="skip the per-process peaks")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=[cls.key for cls in VARIANTS],
        default=[cls.key for cls in VARIANTS],
        help="which to run; the first is the one the others are compared with",
    )
    args = parser.parse_args(argv)
    chosen = [next(cls for cls in VARIANTS if cls.key == key) for key in args.variants]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's beta CSR notice, PyG's scripting notices
        problem = load_problem(args.data)
        variants = [cls(problem) for cls in chosen]
        report: dict = {
            "data": args.data.name,
            "users": problem.num_users,
            "items": problem.num_items,
            "edges": int(problem.norm.nnz),
            "repeats": args.repeats,
            "first": variants[0].name,
            "agreement": check_agreement(variants),
        }
        threads = torch.get_num_threads()
        try:
            report["timings"] = {t: time_variants(variants, t, args.repeats) for t in args.threads}
        finally:
            torch.set_num_threads(threads)
    report["memory"] = {} if args.no_memory else measure_memory(args.data, chosen)
    _print(report)
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
