import numpy as np
import torch

from gnn.graph import interaction_matrices
from gnn.sampling import NegativeSampler, bpr_loss


def test_negatives_are_never_positives(data):
    positive, negative = interaction_matrices(data)
    sampler = NegativeSampler(positive, negative, hard_ratio=0.5)
    rng = np.random.default_rng(0)
    coo = positive.tocoo()
    users = np.repeat(coo.row, 20)
    neg, mask = sampler.sample(users, rng)
    dense = positive.toarray() > 0
    assert not dense[users[mask > 0], neg[mask > 0]].any()
    assert mask.mean() > 0.99


def test_dense_user_gets_masked_not_a_positive():
    import scipy.sparse as sp

    positive = sp.csr_matrix(np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], np.float32))
    sampler = NegativeSampler(positive, max_tries=3)
    neg, mask = sampler.sample(np.array([1] * 50 + [0] * 50), np.random.default_rng(0))
    assert (mask[:50] == 0).all()  # user 1 has consumed everything
    assert ((neg[50:] == 4) == (mask[50:] == 1)).all()


def test_hard_negatives_come_from_dislikes(data):
    positive, negative = interaction_matrices(data)
    sampler = NegativeSampler(positive, negative, hard_ratio=1.0)
    users = np.arange(data.num_users)
    neg, _ = sampler.sample(users, np.random.default_rng(0))
    assert all(negative[u, i] > 0 for u, i in zip(users, neg, strict=True))


def test_losses():
    pos, neg = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 0.0])
    expected = (-torch.log(torch.sigmoid(torch.tensor(2.0))) + np.log(2)) / 2
    torch.testing.assert_close(bpr_loss(pos, neg), expected)
    w = torch.tensor([1.0, 0.0])  # the second pair weighs nothing
    expected = -torch.log(torch.sigmoid(torch.tensor(2.0)))
    torch.testing.assert_close(bpr_loss(pos, neg, w), expected)
