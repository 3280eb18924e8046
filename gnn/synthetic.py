"""A catalogue generated with known tastes, in the layout of a public temporal split.

Each item belongs to one of ``num_topics`` latent topics; each user's taste is a sparse
Dirichlet mixture over topics. A user picks items with probability proportional to the item's
popularity (long-tailed) times the user's taste for its topic (plus a little noise), and rates
them higher the more the topic is liked. Items carry free-form tags: a few that reveal the
topic (drawn from the topic's own words) and noise tags shared by all topics; some items carry
none. Titles are made-up names that sometimes contain a topic word. As in the
ml-latest-small split, a share of the items with at least five pairs is held out entirely
(``cold_items.txt``, ``test_cold.txt``) and each user's earliest 80% of the other pairs train,
the latest 20% test.

:func:`make_catalogue` builds it in memory; :meth:`Catalogue.training_data` gives what
:func:`gnn.bench.load_split` would read from the files :meth:`Catalogue.write_split` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .data import TrainingData

__all__ = ["Catalogue", "make_catalogue"]

SYLLABLES = tuple(c + v for c in "bdkmnprstvz" for v in "aeiou")  # parts of made-up words


@dataclass
class Catalogue:
    """A generated split. Interaction arrays hold the training pairs, in time order per user."""

    num_users: int
    num_items: int
    titles: list[str]
    tags: list[list[str]]
    genres: list[list[str]] | None
    item_topic: np.ndarray
    user_taste: np.ndarray
    user: np.ndarray
    item: np.ndarray
    rating: np.ndarray
    time: np.ndarray
    test: dict[int, np.ndarray]
    cold_items: np.ndarray
    cold_test: dict[int, np.ndarray]
    description: str

    def write_split(self, out: Path) -> None:
        """Write ``train.txt``, ``test.txt``, ``items.tsv``, ``train_interactions.tsv``,
        ``users.tsv``, ``cold_items.txt``, ``test_cold.txt`` and ``SPLIT.txt`` into ``out``."""
        out.mkdir(parents=True, exist_ok=True)
        bounds = np.searchsorted(self.user, np.arange(self.num_users + 1))
        _write_lists(
            out / "train.txt",
            {u: self.item[bounds[u] : bounds[u + 1]] for u in range(self.num_users)},
        )
        _write_lists(out / "test.txt", self.test)
        _write_lists(out / "test_cold.txt", self.cold_test)
        (out / "cold_items.txt").write_text("".join(f"{i}\n" for i in self.cold_items))
        header = ["item_id", "title"] + (["genres"] if self.genres is not None else []) + ["tags"]
        lines = ["\t".join(header)]
        for i in range(self.num_items):
            row = [str(i), self.titles[i]]
            if self.genres is not None:
                row.append("|".join(self.genres[i]))
            lines.append("\t".join([*row, "|".join(self.tags[i])]))
        (out / "items.tsv").write_text("\n".join(lines) + "\n")
        pairs = zip(self.user, self.item, self.rating, self.time, strict=True)
        rows = [f"{u}\t{i}\t{r:.1f}\t{t}" for u, i, r, t in pairs]
        (out / "train_interactions.tsv").write_text(
            "user_id\titem_id\trating\ttimestamp\n" + "".join(r + "\n" for r in rows)
        )
        users = "".join(f"{u}\t{u}\n" for u in range(self.num_users))
        (out / "users.tsv").write_text("user_id\tsource_user_id\n" + users)
        (out / "SPLIT.txt").write_text(self.description + "\n")

    def training_data(self) -> tuple[TrainingData, dict[int, np.ndarray], dict]:
        """``(train, test, extra)`` exactly as :func:`gnn.bench.load_split` reads the files."""
        labels = [
            [f"genre:{g}" for g in (self.genres[i] if self.genres else [])]
            + [f"tag:{t.lower()}" for t in self.tags[i]]
            for i in range(self.num_items)
        ]
        vocab = {t: k for k, t in enumerate(sorted({t for ts in labels for t in ts}))}
        genres = sorted(t for t in vocab if t.startswith("genre:"))
        pairs = [(i, vocab[t]) for i, ts in enumerate(labels) for t in ts]
        first_genre = [
            genres.index(ts[0]) if ts and ts[0].startswith("genre:") else -1 for ts in labels
        ]
        data = TrainingData(
            num_users=self.num_users,
            num_items=self.num_items,
            user=self.user,
            item=self.item,
            time=self.time,
            item_tags=(
                np.array([p[0] for p in pairs], dtype=np.int64),
                np.array([p[1] for p in pairs], dtype=np.int64),
            ),
            num_tags=len(vocab),
            item_category=np.array(first_genre),
            num_categories=max(len(genres), 1),
            item_text=list(self.titles),
        )
        return data, self.test, {"cold_items": self.cold_items, "cold_test": self.cold_test}


def _write_lists(path: Path, lists: dict[int, np.ndarray]) -> None:
    lines = [" ".join(str(x) for x in [u, *items]) for u, items in sorted(lists.items())]
    path.write_text("".join(line + "\n" for line in lines))


def _words(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    """``count`` new made-up words of two or three syllables, none already in ``taken``."""
    out: list[str] = []
    while len(out) < count:
        word = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4))))
        if word not in taken:
            taken.add(word)
            out.append(word)
    return out


def _item_content(
    rng: np.random.Generator,
    item_topic: np.ndarray,
    num_topics: int,
    tagged_share: float,
    title_topic_share: float,
) -> tuple[list[str], list[list[str]], list[str]]:
    """Titles, tags and topic names: topic tags reveal the topic, noise tags do not."""
    taken: set[str] = set()
    topic_names = _words(rng, num_topics, taken)
    topic_words = [_words(rng, 6, taken) for _ in range(num_topics)]
    noise_words = _words(rng, 4 * num_topics, taken)
    noise_weight = rng.pareto(1.5, len(noise_words)) + 1.0  # a few noise tags are everywhere
    noise_weight /= noise_weight.sum()
    titles, tags = [], []
    for topic in item_topic:
        name = [w.capitalize() for w in _words(rng, 2, set())]
        if rng.random() < title_topic_share:
            name.insert(int(rng.integers(0, 3)), rng.choice(topic_words[topic]).capitalize())
        titles.append(" ".join(name))
        own: list[str] = []
        if rng.random() < tagged_share:
            own = list(rng.choice(topic_words[topic], int(rng.integers(1, 4)), replace=False))
            noise = rng.choice(noise_words, int(rng.integers(0, 3)), replace=False, p=noise_weight)
            own += [w for w in noise if w not in own]
        tags.append([str(w) for w in own])
    return titles, tags, topic_names


def _choose_pairs(
    rng: np.random.Generator,
    taste: np.ndarray,
    item_topic: np.ndarray,
    popularity: np.ndarray,
    per_user: int,
    noise: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each user's items (taste x popularity), ratings and increasing times."""
    users, items, ratings, times = [], [], [], []
    num_items = len(item_topic)
    start = 1_500_000_000
    for u, pref in enumerate(taste):
        affinity = pref[item_topic] + noise
        prob = popularity * affinity
        prob /= prob.sum()
        count = min(num_items, max(5, int(rng.poisson(per_user))))
        chosen = rng.choice(num_items, count, replace=False, p=prob)
        liked = pref[item_topic[chosen]] / pref.max()
        rating = np.clip(np.round(2.0 + 3.0 * liked + rng.normal(0, 0.7, count)), 1, 5)
        first = start + int(rng.integers(0, 365 * 86_400))
        users.append(np.full(count, u))
        items.append(chosen)
        ratings.append(rating)
        times.append(first + np.cumsum(rng.exponential(86_400, count)).astype(np.int64))
    return (
        np.concatenate(users),
        np.concatenate(items),
        np.concatenate(ratings).astype(np.float32),
        np.concatenate(times),
    )


def make_catalogue(
    num_users: int = 2000,
    num_items: int = 3000,
    *,
    num_topics: int = 12,
    per_user: int = 40,
    taste_concentration: float = 0.15,
    noise: float = 0.02,
    tagged_share: float = 0.8,
    title_topic_share: float = 0.3,
    cold_share: float = 0.1,
    with_genres: bool = False,
    seed: int = 0,
) -> Catalogue:
    """Generate a catalogue; the same arguments always give the same catalogue.

    ``taste_concentration`` is the Dirichlet parameter of user tastes (small: a user likes few
    topics); ``noise`` is the affinity every user has for every topic; ``tagged_share`` the
    share of items with tags; ``cold_share`` the share of items with at least five pairs held
    out as cold. ``with_genres`` adds the topic's name as each item's genre.
    """
    rng = np.random.default_rng(seed)
    item_topic = rng.integers(0, num_topics, num_items)
    taste = rng.dirichlet(np.full(num_topics, taste_concentration), num_users)
    popularity = rng.lognormal(0.0, 1.0, num_items)
    titles, tags, topic_names = _item_content(
        rng, item_topic, num_topics, tagged_share, title_topic_share
    )
    user, item, rating, time = _choose_pairs(rng, taste, item_topic, popularity, per_user, noise)
    degree = np.bincount(item, minlength=num_items)
    eligible = np.flatnonzero(degree >= 5)
    cold = np.sort(rng.choice(eligible, int(round(cold_share * len(eligible))), replace=False))
    is_cold = np.isin(item, cold)
    cold_test = _lists(user[is_cold], item[is_cold])
    keep = ~is_cold
    train, test = _temporal_cut(user[keep], item[keep], rating[keep], time[keep], 0.8)
    description = (
        f"Synthetic catalogue (seed {seed}): {num_users} users, {num_items} items in "
        f"{num_topics} latent topics, Dirichlet({taste_concentration}) tastes, about {per_user} "
        f"pairs per user. Per-user temporal split on warm items: earliest 80% in train.txt, "
        f"latest 20% in test.txt (train {len(train[0])}, test {sum(map(len, test.values()))}). "
        f"Cold-start items: {len(cold)} items ({cold_share:.0%} of those with >= 5 pairs) are "
        f"absent from train; test_cold.txt holds their {int(is_cold.sum())} pairs, to be ranked "
        f"among cold_items.txt only. items.tsv has a made-up title and free-form tags"
        + (" and the topic as genre." if with_genres else ".")
    )
    return Catalogue(
        num_users=num_users,
        num_items=num_items,
        titles=titles,
        tags=tags,
        genres=[[topic_names[t]] for t in item_topic] if with_genres else None,
        item_topic=item_topic,
        user_taste=taste,
        user=train[0],
        item=train[1],
        rating=train[2],
        time=train[3],
        test=test,
        cold_items=cold,
        cold_test=cold_test,
        description=description,
    )


def _lists(user: np.ndarray, item: np.ndarray) -> dict[int, np.ndarray]:
    order = np.lexsort((item, user))
    user, item = user[order], item[order]
    starts = np.flatnonzero(np.r_[True, user[1:] != user[:-1]]) if len(user) else []
    ends = list(starts[1:]) + [len(user)]
    return {int(user[s]): item[s:e].copy() for s, e in zip(starts, ends, strict=True)}


def _temporal_cut(
    user: np.ndarray, item: np.ndarray, rating: np.ndarray, time: np.ndarray, share: float
) -> tuple[tuple[np.ndarray, ...], dict[int, np.ndarray]]:
    """Each user's earliest ``share`` of pairs (at least one) train; the rest test."""
    order = np.lexsort((time, user))
    user, item, rating, time = user[order], item[order], rating[order], time[order]
    rank = np.arange(len(user)) - np.searchsorted(user, user)
    count = np.bincount(user)[user]
    in_train = rank < np.maximum(1, np.floor(share * count))
    test = _lists(user[~in_train], item[~in_train])
    train = tuple(a[in_train] for a in (user, item, rating, time))
    return train, test
