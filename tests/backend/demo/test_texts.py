"""Titles and names of the demo platform: unique, grammatical, distinct."""

from __future__ import annotations

import re

import numpy as np
import pytest
from django.utils.text import slugify

from backend.demo.accounts import draw_people
from backend.demo.grammar import article, capitalised
from backend.demo.texts import choose_titles, item_texts, unique_titles
from backend.demo.vocabulary import CATEGORIES, FIRST_NAMES, LAST_NAMES

N_TAGS = len(CATEGORIES) * 10 + 30
# Words starting with a vowel letter but a consonant sound, and the reverse, that the
# vocabulary uses; any other "a"/"an" follows the first letter.
SAYS_A = ("one-", "unique", "uni", "use")
SAYS_AN = ("honest", "hour", "8")


def _texts(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    category = rng.integers(0, len(CATEGORIES), n)
    ctype = rng.integers(0, 4, n)
    tags = np.where(rng.random((n, 3)) < 0.7, rng.integers(0, N_TAGS, (n, 3)), -1)
    names = [f"tag {k}" for k in range(N_TAGS)]
    return category, item_texts(np.random.default_rng(seed + 1), category, ctype, tags, names)


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("crispy", "a"),
        ("unsettling", "an"),
        ("one-pan", "a"),
        ("honest", "an"),
        ("off-the-beaten-path", "an"),
        ("20-minute", "a"),
        ("8-minute", "an"),
        ("11-step", "an"),
        ("110-page", "a"),
        ("elegant", "an"),
        ("useful", "a"),
        ("hour-long", "an"),
    ],
)
def test_article_follows_the_sound_of_the_word(phrase, expected):
    assert article(phrase) == expected


def test_five_thousand_titles_are_unique():
    _, texts = _texts(5000)
    assert len(set(texts.titles)) == 5000


def test_a_category_with_more_items_than_titles_numbers_the_repeats():
    # Far more items than one category has titles: repeats become parts of a series.
    category = np.zeros(20_000, dtype=np.int64)
    choice = choose_titles(np.random.default_rng(1), category)
    assert choice.part.max() >= 1
    rng = np.random.default_rng(2)
    tags = np.full((20_000, 1), -1)
    texts = item_texts(rng, category, np.zeros(20_000, dtype=np.int64), tags, [])
    assert len(set(texts.titles)) == 20_000
    assert any(t.endswith("(part 2)") for t in texts.titles)


def test_unique_titles_makes_later_repeats_parts():
    assert unique_titles(["A", "B", "A", "A"]) == ["A", "B", "A (part 2)", "A (part 3)"]


def _article_errors(text: str) -> list[str]:
    errors = []
    for art, word in re.findall(r"\b([Aa]n?) ([\w'-]+)", text):
        lower = word.lower()
        vowel_sound = (lower[0] in "aeiou" and not lower.startswith(SAYS_A)) or lower.startswith(
            SAYS_AN
        )
        if (art.lower() == "an") != vowel_sound:
            errors.append(f"{art} {word}: {text}")
    return errors


def test_every_text_uses_a_and_an_correctly():
    _, texts = _texts(5000)
    errors = [e for t in texts.titles + texts.excerpts + texts.bodies for e in _article_errors(t)]
    assert errors == []


def test_verbs_agree_with_the_noun_they_follow():
    category, texts = _texts(5000)
    checks = [
        (r"^(?:\w[\w ]*: )?Why (.+) (matters?) more than you think", {"matter": True}),
        (r"^(?:\w[\w ]*: )?(Is|Are) (.+) worth the hype\?", None),
        (r"^(?:\w[\w ]*: )?Where (.+) (is|are) heading next", {"are": True}),
        (r"^(?:\w[\w ]*: )?(.+) (is|are) having a moment", {"are": True}),
        (r"^(?:\w[\w ]*: )?(.+) (has|have) changed, and so have I", {"have": True}),
    ]
    seen = 0
    for c, title in zip(category.tolist(), texts.titles, strict=True):
        spec = CATEGORIES[c]
        for pattern, plural_verbs in checks:
            match = re.match(pattern, title)
            if not match:
                continue
            seen += 1
            if plural_verbs is None:
                verb, noun = match.groups()
                plural_form = verb == "Are"
            else:
                noun, verb = match.groups()
                plural_form = plural_verbs.get(verb, False)
            # A noun opening the title is capitalised there.
            known = {capitalised(n): n for n in spec["nouns"] + spec["plural"]}
            known.update({n: n for n in spec["nouns"] + spec["plural"]})
            assert noun in known, title
            assert plural_form == (known[noun] in spec["plural"]), title
    assert seen > 200


def test_titles_are_capitalised_and_clean():
    _, texts = _texts(5000)
    for title in texts.titles:
        assert title[0].isupper() or title[0].isdigit(), title
        assert "  " not in title and title == title.strip(), title
        assert " i " not in f" {title} ", title
        assert len(title) <= 200


def test_nouns_of_categories_are_disjoint_and_titles_of_categories_never_meet():
    nouns = [n for c in CATEGORIES for n in c["nouns"] + c["plural"]]
    assert len(nouns) == len(set(nouns))


def test_names_cannot_be_found_inside_one_another():
    firsts = [f.lower() for f in FIRST_NAMES]
    lasts = [name.lower() for name in LAST_NAMES]
    assert not [(a, b) for a in firsts for b in firsts if a != b and b.endswith(a)]
    assert not [(a, b) for a in lasts for b in lasts if a != b and b.startswith(a)]
    assert len({slugify(f) for f in firsts}) == len(firsts)
    assert len({slugify(n) for n in lasts}) == len(lasts)


@pytest.mark.parametrize("n", [50, len(FIRST_NAMES) * len(LAST_NAMES) + 700])
def test_people_are_named_distinctly(n):
    people = draw_people(np.random.default_rng(5), n)
    names = [people.display(i) for i in range(n)]
    assert len(set(names)) == n
    assert len({people.username(i) for i in range(n)}) == n
    assert draw_people(np.random.default_rng(5), n) == people
