"""Stages of the generator run alone, on what the stages before them returned."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from backend.content.models import Category, ContentItem, Creator, Tag
from backend.demo.accounts import draw_people
from backend.demo.creators import build_creators
from backend.demo.generator import make_plan
from backend.demo.items import build_items
from backend.demo.taxonomy import build_taxonomy

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _plan(seed=4):
    return make_plan(seed=seed, users=10, items=120, creators=None, days=90, now=NOW)


def test_taxonomy_alone():
    taxonomy = build_taxonomy(_plan())
    assert Category.objects.count() == taxonomy.n_categories == 12
    assert Tag.objects.count() == taxonomy.n_tags
    own = taxonomy.tag_category >= 0
    assert (np.bincount(taxonomy.tag_category[own]) == taxonomy.tags_per_category).all()


def test_creators_and_items_alone():
    plan = _plan()
    taxonomy = build_taxonomy(plan)
    people = draw_people(plan.rng("people"), plan.creators)
    creators = build_creators(plan, taxonomy, people)
    items = build_items(plan, taxonomy, creators)
    assert Creator.objects.count() == len(creators) == 6
    assert ContentItem.objects.count() == len(items) == 120
    # Items are published after their creator joined, never after now, and mostly in
    # their creator's home category.
    assert (items.published >= creators.joined[items.creator]).all()
    assert (items.published <= plan.now_s).all()
    assert (items.category == creators.home[items.creator]).mean() > 0.6
    assert (items.creator[:6] == 0).all()


def test_a_stage_draws_the_same_whatever_the_stages_before_it_drew():
    first, second = _plan(), _plan()
    assert first.rng("items").random(3).tolist() == second.rng("items").random(3).tolist()
    assert first.rng("items").random(3).tolist() != first.rng("readers").random(3).tolist()
    other = _plan(seed=5)
    assert other.rng("items").random(3).tolist() != first.rng("items").random(3).tolist()
