"""A sparse product with a fast gradient, for the content tower's training (:mod:`gnn.tower`).

``python -m bench.propagation`` measures it against torch-geometric's ``spmm``, ``LGConv`` and
``EdgeIndex.matmul`` on the gowalla graph: the torch-autograd paths are 2-4x slower (their
backward pass), message passing 4-15x, ``EdgeIndex.matmul`` 1.2-1.4x at one thread.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["sparse_mm"]


class _SparseMatmul(torch.autograd.Function):
    """``y = A x`` with the gradient ``A^T dy`` taken from a stored transpose.

    Autograd through torch's CSR product is slow or unsupported on some builds; keeping
    ``A^T`` as its own CSR makes the backward pass exactly as fast as the forward one.
    """

    @staticmethod
    def forward(ctx, a: Tensor, a_t: Tensor, x: Tensor) -> Tensor:  # type: ignore[override]
        ctx.a_t = a_t
        return torch.sparse.mm(a, x)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[None, None, Tensor]:  # type: ignore[override]
        return None, None, torch.sparse.mm(ctx.a_t, grad)


def sparse_mm(a: Tensor, a_t: Tensor, x: Tensor) -> Tensor:
    """``a @ x`` for a CSR ``a`` (with transpose ``a_t``), differentiable in ``x``."""
    return _SparseMatmul.apply(a, a_t, x)
