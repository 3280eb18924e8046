"""The processes one :func:`gnn.fit` runs on: one, or several started by ``torchrun``.

The recipe is a validation search over closed-form filters plus, for one kind of content
tower, a BPR fit by gradient descent. Over several processes (``torch.distributed``, gloo on
the CPU, NCCL on CUDA) each rank scores its share of the validation users and the sums are
added up, and the BPR tower is a :class:`~torch.nn.parallel.DistributedDataParallel` module
fed each rank's share of every batch. Every choice is made from the added-up figures, and
whether the time budget is spent is rank 0's clock, broadcast: every rank takes the same
path through the search and stops at the same point. A single process is :data:`SINGLE`,
where every collective is the identity, so the recipe has one implementation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from threadpoolctl import threadpool_limits

__all__ = ["SINGLE", "Ranks", "init_ranks"]


@dataclass(frozen=True)
class Ranks:
    """This process's place among ``world_size`` ranks; rank 0 leads (logs, writes, decides)."""

    rank: int = 0
    world_size: int = 1

    @property
    def is_leader(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def device(self) -> torch.device:
        """Where tensors that take part in collectives live: this rank's GPU under NCCL,
        which reduces CUDA tensors only, else the CPU."""
        return _device()

    def share_of(self, count: int, chunk: int = 1) -> range:
        """The starts of this rank's chunks of ``range(count)``, dealt round-robin."""
        return range(self.rank * chunk, count, chunk * self.world_size)

    def sum(self, values: np.ndarray) -> np.ndarray:
        """The element-wise sum over all ranks, the same bits on every rank: reduced onto
        rank 0 then broadcast, so that no rank can branch differently on a last digit."""
        if not self.distributed:
            return np.asarray(values, dtype=np.float64)
        tensor = torch.as_tensor(np.asarray(values, dtype=np.float64)).to(self.device)
        dist.reduce(tensor, dst=0)
        dist.broadcast(tensor, src=0)
        return tensor.cpu().numpy()

    def agree(self, flag: bool) -> bool:
        """Rank 0's ``flag`` on every rank (e.g. whether the time budget is spent)."""
        if not self.distributed:
            return flag
        tensor = torch.tensor([1.0 if flag else 0.0], dtype=torch.float64, device=self.device)
        dist.broadcast(tensor, src=0)
        return bool(tensor.item())

    def share(self, obj: Any) -> Any:
        """Rank 0's ``obj`` (any picklable value) on every rank."""
        if not self.distributed:
            return obj
        box = [obj]
        dist.broadcast_object_list(box, src=0, device=self.device)
        return box[0]

    def leave(self) -> None:
        """Leave the process group (nothing for a single process)."""
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()


SINGLE = Ranks()


def _device() -> torch.device:
    """Where collectives' tensors live: NCCL takes CUDA tensors only, gloo CPU ones."""
    if dist.is_initialized() and dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def init_ranks(device: str = "cpu", threads: int | None = None) -> Ranks:
    """Join the process group ``torchrun`` describes (``WORLD_SIZE``, ``RANK``, ...), or
    :data:`SINGLE` outside it.

    NCCL where the recipe's device is CUDA (each local rank on its own GPU), else gloo. The
    ranks of one machine share its cores: each gets ``threads`` (default: the cores over the
    local ranks) for torch and for NumPy's BLAS, which would otherwise each start one thread
    per core in every process and fight over them.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return SINGLE
    local_ranks = int(os.environ.get("LOCAL_WORLD_SIZE", str(world_size)))
    per_rank = threads or max(1, (os.cpu_count() or 1) // local_ranks)
    torch.set_num_threads(per_rank)
    threadpool_limits(per_rank)
    cuda = device in ("cuda", "auto") and torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    return Ranks(dist.get_rank(), dist.get_world_size())
