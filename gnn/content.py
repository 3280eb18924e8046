"""Item content features: tags, category, type and a hashed TF-IDF of the item text.

No vocabulary and no download: words and word pairs are hashed (CRC-32, stable across
processes, unlike Python's ``hash``) into ``text_dim`` buckets, the "hashing trick" of
Weinberger et al., "Feature Hashing for Large Scale Multitask Learning" (ICML 2009), and
weighted by a smoothed inverse document frequency ``idf(t) = log((1 + n) / (1 + df(t))) + 1``
learned on the training catalogue and stored with the model so that new items are featurised
exactly like the old ones. Year-like numbers also emit a decade token so that films (or posts)
of neighbouring years share a feature.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "ContentSpec",
    "build_content_matrix",
    "hashed_counts",
    "item_tag_matrix",
    "tag_cosine",
    "tokenize",
    "unit_tag_rows",
]

_WORD = re.compile(r"[a-z0-9]+")
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


def tokenize(text: str) -> list[str]:
    """Lower-case words, word bigrams and decade tokens of ``text``."""
    words = _WORD.findall(text.lower())
    tokens = list(words)
    tokens += [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    tokens += [f"decade:{w[:3]}" for w in words if _YEAR.match(w)]
    return tokens


def hashed_counts(texts: list[str], dim: int) -> sp.csr_matrix:
    """Term counts of ``texts`` hashed into ``dim`` columns (one row per text)."""
    indptr = [0]
    indices: list[int] = []
    for text in texts:
        cols = [zlib.crc32(tok.encode("utf-8")) % dim for tok in tokenize(text or "")]
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    mat = sp.csr_matrix(
        (data, np.asarray(indices, np.int64), np.asarray(indptr)), (len(texts), dim)
    )
    mat.sum_duplicates()
    return mat


def _row_normalise(mat: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
    return (sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ mat).tocsr()


@dataclass
class ContentSpec:
    """How item content becomes a feature row; saved with the model to featurise new items.

    The feature row is the concatenation of four blocks, each L2-normalised and scaled by its
    block weight: tags (multi-hot), category (one-hot), type (one-hot) and the TF-IDF of the
    text (``text_dim`` hashed columns, sublinear term frequency ``1 + log(tf)``).
    """

    num_tags: int
    num_categories: int
    num_types: int
    text_dim: int
    idf: np.ndarray | None = None
    tag_weight: float = 1.0
    category_weight: float = 0.7
    type_weight: float = 0.3
    text_weight: float = 1.0

    @property
    def dim(self) -> int:
        return self.num_tags + self.num_categories + self.num_types + self.text_dim

    def fit_idf(self, texts: list[str] | None) -> None:
        """Learn the inverse document frequencies of the hashed text columns."""
        if not texts or not self.text_dim:
            self.idf = np.ones(self.text_dim, dtype=np.float32)
            return
        counts = hashed_counts(texts, self.text_dim)
        df = np.bincount(counts.indices, minlength=self.text_dim)
        n = counts.shape[0]
        self.idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)

    def to_json(self) -> dict[str, float | int]:
        return {
            "num_tags": self.num_tags,
            "num_categories": self.num_categories,
            "num_types": self.num_types,
            "text_dim": self.text_dim,
            "tag_weight": self.tag_weight,
            "category_weight": self.category_weight,
            "type_weight": self.type_weight,
            "text_weight": self.text_weight,
        }

    @classmethod
    def from_json(cls, obj: dict, idf: np.ndarray | None) -> ContentSpec:
        return cls(idf=idf, **obj)


def build_content_matrix(
    spec: ContentSpec,
    num_items: int,
    *,
    item_tags: tuple[np.ndarray, np.ndarray] | None = None,
    item_category: np.ndarray | None = None,
    item_type: np.ndarray | None = None,
    item_text: list[str] | None = None,
) -> sp.csr_matrix:
    """The (num_items x spec.dim) content feature matrix described by ``spec``."""
    blocks: list[sp.csr_matrix] = []

    def one_hot(rows: np.ndarray, cols: np.ndarray, width: int, weight: float) -> None:
        keep = (cols >= 0) & (cols < width)
        mat = sp.csr_matrix(
            (np.ones(keep.sum(), np.float32), (rows[keep], cols[keep])), shape=(num_items, width)
        )
        mat.sum_duplicates()
        mat.data[:] = 1.0
        blocks.append(_row_normalise(mat) * weight)

    items = np.arange(num_items)
    if spec.num_tags:
        rows, tags = item_tags if item_tags is not None else (items[:0], items[:0])
        one_hot(np.asarray(rows), np.asarray(tags), spec.num_tags, spec.tag_weight)
    if spec.num_categories:
        cats = item_category if item_category is not None else np.full(num_items, -1)
        one_hot(items, np.asarray(cats), spec.num_categories, spec.category_weight)
    if spec.num_types:
        types = item_type if item_type is not None else np.full(num_items, -1)
        one_hot(items, np.asarray(types), spec.num_types, spec.type_weight)
    if spec.text_dim:
        texts = item_text if item_text is not None else [""] * num_items
        tf = hashed_counts(texts, spec.text_dim)
        tf.data = 1.0 + np.log(tf.data)
        idf = spec.idf if spec.idf is not None else np.ones(spec.text_dim, np.float32)
        blocks.append(_row_normalise(tf @ sp.diags(idf)) * spec.text_weight)
    if not blocks:
        return sp.csr_matrix((num_items, 0), dtype=np.float32)
    return sp.hstack(blocks, format="csr", dtype=np.float32)


# -- tag profiles -------------------------------------------------------------------------
# A user's tag profile (the tags of the items they consumed) against an item's tags is how a
# catalogue described only by free-form tags places an item nobody has consumed yet: the
# tower learns which tags predict whom, the profile says which tags this user met.


def item_tag_matrix(
    pairs: tuple[np.ndarray, np.ndarray] | None, num_items: int, num_tags: int
) -> sp.csr_matrix:
    """Binary (items x tags) matrix of ``(item rows, tag rows)`` pairs; a repeat counts once."""
    rows, tags = pairs if pairs is not None else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    mat = sp.csr_matrix(
        (np.ones(len(rows), np.float32), (np.asarray(rows), np.asarray(tags))),
        shape=(num_items, num_tags),
    )
    mat.sum_duplicates()
    mat.data[:] = 1.0
    return mat


def unit_tag_rows(item_tags: sp.csr_matrix) -> sp.csr_matrix:
    """``item_tags`` with each row scaled to unit length: the items :func:`tag_cosine`
    compares a profile with, built once per set of items."""
    return _row_normalise(item_tags.tocsr().astype(np.float32))


def tag_cosine(
    history: sp.csr_matrix, item_tags: sp.csr_matrix, unit_rows: sp.csr_matrix
) -> np.ndarray:
    """Dense (history rows x items of ``unit_rows``): the cosine of each row's tag profile
    (the tag rows of its positive items summed, every item counted once whatever its
    weight) with each item's tags.

    Row by row, whatever the batch: a served user (one row) and the same user evaluated in
    a batch get the same figures to the last bit, so their rankings agree.
    """
    history = history.tocsr()
    out = np.zeros((history.shape[0], unit_rows.shape[0]), dtype=np.float32)
    indptr, indices = item_tags.indptr, item_tags.indices
    for r in range(history.shape[0]):
        lo, hi = history.indptr[r], history.indptr[r + 1]
        items = history.indices[lo:hi][history.data[lo:hi] > 0]
        if not len(items):
            continue
        starts, lengths = indptr[items], indptr[items + 1] - indptr[items]
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        tags = indices[offsets + np.arange(int(lengths.sum()))]
        profile = np.bincount(tags, minlength=item_tags.shape[1]).astype(np.float32)
        norm = float(np.sqrt(profile @ profile))
        if norm > 0:
            out[r] = unit_rows @ (profile / np.float32(norm))
    return out
