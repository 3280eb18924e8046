"""Item cards by id: creator, category and tags in one query, tags sorted by name."""

from __future__ import annotations

import pytest

from backend.content.services import items_by_ids
from tests.schema.conftest import make_category, make_creator, make_item, make_tag

pytestmark = pytest.mark.django_db


def test_cards_carry_their_tags_sorted_by_name_in_one_query(django_assert_num_queries):
    creator = make_creator("Ada")
    cooking = make_category("Cooking")
    soup, bread = make_tag("soup"), make_tag("bread")
    tagged = make_item(creator, title="Lentil soup", category=cooking, tags=[soup, bread])
    bare = make_item(creator, title="No tags")
    draft = make_item(creator, title="Draft", tags=[soup], published=False)
    with django_assert_num_queries(1):
        cards = items_by_ids([tagged.pk, bare.pk, draft.pk])
        names = {pk: [tag.name for tag in card.card_tags] for pk, card in cards.items()}
        creators = {card.creator.display_name for card in cards.values()}
        categories = {pk: card.category and card.category.name for pk, card in cards.items()}
    assert names == {tagged.pk: ["bread", "soup"], bare.pk: []}  # drafts are no cards
    assert creators == {"Ada"}
    assert categories == {tagged.pk: "Cooking", bare.pk: None}
    assert [tag.pk for tag in cards[tagged.pk].card_tags] == [bread.pk, soup.pk]
