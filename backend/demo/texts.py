"""Titles, excerpts and bodies of items: grammatical, and every title distinct.

A category's possible titles are enumerated (template x noun x second noun x adjective x
number) and each item gets one drawn *without replacement*, with templates about equally
likely, so titles repeat only when a category has more items than possible titles; the
repeats then read as a series ("... (part 2)"). Titles of different categories never
meet, since every title names one of its category's nouns and the categories' nouns are
disjoint. A last pass makes any title that is still not unique a later part of a series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from backend.demo.grammar import capitalised, with_article
from backend.demo.plan import TYPES
from backend.demo.vocabulary import (
    BODY_SENTENCES,
    CATEGORIES,
    EXCERPT_TEMPLATES,
    TITLE_TEMPLATES,
    TYPE_TITLE_PREFIX,
    TYPE_WORD,
)

__all__ = ["ItemTexts", "TitleChoice", "choose_titles", "item_texts", "unique_titles"]

# Values of "{n}" in titles.
NUMBERS = np.arange(3, 13)
_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class ItemTexts:
    titles: list[str]
    excerpts: list[str]
    bodies: list[str]


@dataclass(frozen=True)
class TitleChoice:
    """Per item: indices of the template, noun, second noun, adjective, number, and the
    part of a series (0: none)."""

    template: np.ndarray
    noun: np.ndarray
    noun2: np.ndarray
    adj: np.ndarray
    number: np.ndarray
    part: np.ndarray


def _slots(template: str) -> set[str]:
    names = set(_PLACEHOLDER.findall(template))
    used = {"noun2"} & names
    if names & {"adj", "a_adj", "A_adj"}:
        used.add("adj")
    if "n" in names:
        used.add("n")
    return used


def _title_space(n_nouns: int, n_adjs: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (template, noun, noun2, adj, number) a category can have, and a weight per row
    that makes each template as likely as any other."""
    rows, weights = [], []
    for t, template in enumerate(TITLE_TEMPLATES):
        used = _slots(template)
        sizes = (
            n_nouns,
            n_nouns - 1 if "noun2" in used else 1,
            n_adjs if "adj" in used else 1,
            len(NUMBERS) if "n" in used else 1,
        )
        noun, other, adj, number = np.indices(sizes).reshape(4, -1)
        noun2 = (noun + 1 + other) % n_nouns  # never the noun itself
        size = noun.size
        rows.append(np.stack([np.full(size, t), noun, noun2, adj, number], axis=1))
        weights.append(np.full(size, 1.0 / size))
    return np.concatenate(rows), np.concatenate(weights)


def choose_titles(rng: np.random.Generator, category: np.ndarray) -> TitleChoice:
    """Draw each item's title words, without replacement within its category."""
    n = len(category)
    out = np.zeros((n, 6), dtype=np.int64)
    for c, spec in enumerate(CATEGORIES):
        members = np.flatnonzero(category == c)
        if not len(members):
            continue
        space, weights = _title_space(len(spec["nouns"]) + len(spec["plural"]), len(spec["adjs"]))
        # Weighted sampling without replacement (Efraimidis-Spirakis): the smallest keys.
        order = np.argsort(rng.exponential(size=len(space)) / weights, kind="stable")
        k = np.arange(len(members))
        out[members, :5] = space[order[k % len(space)]]
        out[members, 5] = k // len(space)
    return TitleChoice(*(out[:, j] for j in range(6)))


def _words(spec: dict, noun: int, noun2: int, adj: int, number: int) -> dict[str, object]:
    nouns = spec["nouns"] + spec["plural"]
    plural = noun >= len(spec["nouns"])
    adjective = spec["adjs"][adj]
    return {
        "noun": nouns[noun],
        "Noun": capitalised(nouns[noun]),
        "noun2": nouns[noun2],
        "adj": adjective,
        "a_adj": with_article(adjective),
        "A_adj": capitalised(with_article(adjective)),
        "n": int(NUMBERS[number]),
        "s": "" if plural else "s",
        "is": "are" if plural else "is",
        "Is": "Are" if plural else "Is",
        "has": "have" if plural else "has",
    }


def unique_titles(titles: list[str]) -> list[str]:
    """The titles with any repeat made a later part: "Title (part 2)", "(part 3)", ..."""
    seen: set[str] = set()
    out = []
    for title in titles:
        candidate, part = title, 1
        while candidate in seen:
            part += 1
            candidate = f"{title} (part {part})"
        seen.add(candidate)
        out.append(candidate)
    return out


def _titles(rng: np.random.Generator, choice: TitleChoice, category, ctype) -> list[str]:
    prefix_pick = rng.integers(0, 4, len(category)).tolist()
    titles = []
    for i, c in enumerate(category.tolist()):
        words = _words(
            CATEGORIES[c], choice.noun[i], choice.noun2[i], choice.adj[i], choice.number[i]
        )
        title = TITLE_TEMPLATES[choice.template[i]].format(**words)
        if choice.part[i]:
            title += f" (part {choice.part[i] + 1})"
        # One colon to a title at most: "Watch: Ramen: what nobody tells you" reads badly.
        prefix = "" if ": " in title else TYPE_TITLE_PREFIX[TYPES[ctype[i]]][prefix_pick[i]]
        titles.append((prefix + title)[:200])
    return unique_titles(titles)


def item_texts(
    rng: np.random.Generator,
    category: np.ndarray,
    ctype: np.ndarray,
    item_tags: np.ndarray,
    tag_names: list[str],
) -> ItemTexts:
    """Title, excerpt and body of every item, from its category's vocabulary."""
    choice = choose_titles(rng, category)
    titles = _titles(rng, choice, category, ctype)
    picks = rng.integers(0, 1 << 30, size=(len(category), 5)).tolist()
    labels = [t.replace("-", " ") for t in tag_names]
    excerpts, bodies = [], []
    for i, (c, t, p) in enumerate(zip(category.tolist(), ctype.tolist(), picks, strict=True)):
        spec = CATEGORIES[c]
        words = _words(spec, choice.noun[i], choice.noun2[i], p[0] % len(spec["adjs"]), 0)
        tags_here = [x for x in item_tags[i].tolist() if x >= 0]
        words["tag"] = labels[tags_here[p[1] % len(tags_here)]] if tags_here else words["noun2"]
        words["kind"] = TYPE_WORD[TYPES[t]]
        excerpts.append(EXCERPT_TEMPLATES[p[2] % len(EXCERPT_TEMPLATES)].format(**words)[:500])
        start, n_sent = p[3] % len(BODY_SENTENCES), 3 + p[4] % 4
        bodies.append(
            " ".join(
                BODY_SENTENCES[(start + 5 * k) % len(BODY_SENTENCES)].format(**words)
                for k in range(n_sent)
            )
        )
    return ItemTexts(titles, excerpts, bodies)
