"""Stage 7: "not interested": muted tags of disliked categories, muted creators after a
dislike or a hide."""

from __future__ import annotations

import numpy as np

from backend.content.bulk import bulk_insert
from backend.demo.creators import Creators
from backend.demo.interactions import KINDS, Feedback
from backend.demo.items import Items
from backend.demo.plan import DemoPlan
from backend.demo.readers import Readers
from backend.demo.taxonomy import Taxonomy
from backend.interactions.models import NotInterested

__all__ = ["build_not_interested"]


def _muted_tags(rng, plan: DemoPlan, taxonomy: Taxonomy, readers: Readers):
    """About 8% of readers mute one or two tags of the category they like least."""
    who = np.flatnonzero(rng.random(len(readers)) < 0.08)
    least = np.argmin(readers.taste[who], axis=1)
    k = taxonomy.tags_per_category
    second = rng.random(len(who)) < 0.4
    pairs = np.concatenate(
        [
            np.stack([who, least * k + rng.integers(0, k, len(who))], axis=1),
            np.stack([who[second], least[second] * k + rng.integers(0, k, second.sum())], axis=1),
        ]
    )
    pairs = np.unique(pairs, axis=0)
    since = np.maximum(readers.joined[pairs[:, 0]], plan.start_s)
    when = since + (rng.random(len(pairs)) * (plan.now_s - since)).astype(np.int64)
    return pairs, when


def _muted_creators(rng, feedback: Feedback, items: Items):
    """A reader who disliked or hid a creator's item mutes the creator 30% of the time."""
    negative = np.isin(feedback.kind, [KINDS.index("dislike"), KINDS.index("hide")])
    users, creators = feedback.user[negative], items.creator[feedback.item[negative]]
    mute = rng.random(len(users)) < 0.3
    pairs, first = np.unique(
        np.stack([users[mute], creators[mute]], axis=1), axis=0, return_index=True
    )
    return pairs, feedback.time[negative][mute][first] + 30


def build_not_interested(
    plan: DemoPlan,
    taxonomy: Taxonomy,
    creators: Creators,
    items: Items,
    readers: Readers,
    feedback: Feedback,
) -> int:
    rng = plan.rng("not_interested")
    tags, tag_time = _muted_tags(rng, plan, taxonomy, readers)
    muted, muted_time = _muted_creators(rng, feedback, items)
    return bulk_insert(
        NotInterested,
        {
            "user_id": np.concatenate([readers.ids[tags[:, 0]], readers.ids[muted[:, 0]]]),
            "tag_id": taxonomy.tag_ids[tags[:, 1]].tolist() + [None] * len(muted),
            "creator_id": [None] * len(tags) + creators.ids[muted[:, 1]].tolist(),
            "created_at": plan.times(
                np.minimum(np.concatenate([tag_time, muted_time]), plan.now_s)
            ),
        },
        desc="not interested",
        progress=plan.progress,
    )
