"""Assignment by hash: deterministic, sticky across processes, and balanced by share."""

from __future__ import annotations

import hashlib

import numpy as np
from scipy.stats import chisquare

from backend.experiments.assignment import bucket, pick

SALT = "3f2a9c0d4e5b6a71"


def test_a_bucket_is_the_sha256_of_salt_and_user_id():
    digest = hashlib.sha256(b"3f2a9c0d4e5b6a71:42").digest()
    assert bucket(SALT, 42) == int.from_bytes(digest[:8], "big") / 2**64
    assert 0 <= bucket(SALT, 42) < 1


def test_assignment_is_deterministic_and_sticky():
    arms = [(0.5, "control"), (0.5, "treatment")]
    first = [pick(SALT, user_id, arms) for user_id in range(1, 501)]
    # Again, and with the arms given as a fresh list (another process, another day).
    assert [pick(SALT, user_id, list(arms)) for user_id in range(1, 501)] == first
    # Another salt splits the same users differently.
    other = [pick("another-salt", user_id, arms) for user_id in range(1, 501)]
    assert other != first


def test_assignment_is_balanced_by_share_on_10000_users():
    arms = [(0.5, "control"), (0.3, "fresher"), (0.2, "diverse")]
    picks = [pick(SALT, user_id, arms) for user_id in range(1, 10_001)]
    observed = np.array([picks.count(name) for _, name in arms])
    expected = np.array([share for share, _ in arms]) * len(picks)
    assert chisquare(observed, f_exp=expected).pvalue > 0.001
    assert observed.sum() == 10_000


def test_users_past_the_shares_are_not_in_the_experiment():
    arms = [(0.1, "control"), (0.1, "treatment")]
    picks = [pick(SALT, user_id, arms) for user_id in range(1, 10_001)]
    outside = picks.count(None)
    # 80% expected outside; a binomial's 99.9% range at n=10,000 is about ±1.3 points.
    assert 7_870 <= outside <= 8_130
    assert chisquare([picks.count("control"), picks.count("treatment")]).pvalue > 0.001
