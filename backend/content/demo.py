"""A believable demo platform, generated from a seed: taxonomy, creators, items, users, feedback.

``seed_demo()`` builds everything with vectorised numpy draws from one ``numpy.random.Generator``
and writes it with ``bulk_insert`` (PostgreSQL ``COPY``, ``executemany`` elsewhere), so the
same seed, sizes and ``now`` give the same rows, and 10,000 users with 100,000 items take well
under two minutes. The story it tells:

- creators have a home category, sometimes a second one, a mix of content types, a signature
  tag, a quality and a heavy-tailed productivity;
- items take their creator's category and style, tags from their category (popular tags more
  often) plus cross-cutting ones, text built from the category's vocabulary, and a publish
  time spread over the window with more items recently;
- users have latent tastes (a sparse mixture over categories, tag and type preferences), a
  heavy-tailed activity level, a time zone, a chronotype and a main device, a few favourite
  creators; some declared their interests;
- each exposure (a view) happens after the item's publication and the user's sign-up, mostly
  soon after publication, at a local hour drawn from a weekday or weekend day curve, and runs
  a funnel: click, dwell (milliseconds), then like / save / share / comment when the item fits
  the user's taste, or skip / dislike / hide when it does not.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import router, transaction
from django.utils import timezone
from django.utils.text import slugify

from backend.content.bulk import (
    bulk_insert,
    connection_for,
    format_datetimes,
    next_id,
    refresh_statistics,
    reset_sequences,
)
from backend.content.demo_vocabulary import (
    ACCENT_COLORS,
    BODY_SENTENCES,
    CATEGORIES,
    CITIES,
    CROSS_TAGS,
    DEVICE_SHARE,
    DEVICES,
    DWELL_MEDIAN_MS,
    EXCERPT_TEMPLATES,
    FIRST_NAMES,
    HOURS_WEEKDAY,
    HOURS_WEEKEND,
    LAST_NAMES,
    TIMEZONES,
    TITLE_TEMPLATES,
    TYPE_TITLE_PREFIX,
    TYPE_WORD,
)
from backend.content.models import Category, ContentItem, ContentType, Creator, Tag
from backend.interactions.models import Impression, Interaction, NotInterested

__all__ = [
    "DEMO_CREATOR_USERNAME",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "DemoDataExists",
    "default_now",
    "flush_platform_data",
    "platform_has_data",
    "seed_demo",
]

DEMO_USERNAME = "demo"
DEMO_CREATOR_USERNAME = "creator"
ADMIN_USERNAME = "admin"
# Demo data only: printed by the command and stated in the README.
DEMO_PASSWORD = "lupi-demo"

DAY = 86_400
TYPES = [ContentType.BLOG, ContentType.VIDEO, ContentType.IMAGE, ContentType.AUDIO]


class DemoDataExists(Exception):
    """The database already holds platform data and no flush was asked for."""


def default_now() -> datetime:
    """Today's midnight UTC: the anchor that keeps a seed's data the same all day."""
    today = timezone.now().astimezone(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def unusable_passwords(rng: np.random.Generator, n: int) -> list[str]:
    """Deterministic unusable password values (Django's "!" prefix), one per user."""
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    chars = alphabet[rng.integers(0, len(alphabet), size=(n, 40))]
    return ["!" + "".join(row) for row in chars.tolist()]


def demo_password_hash(seed: int, label: str) -> str:
    # A salt derived from the seed keeps the whole seeded database reproducible.
    salt = hashlib.sha256(f"lupi-demo:{seed}:{label}".encode()).hexdigest()[:22]
    return make_password(DEMO_PASSWORD, salt=salt)


# --------------------------------------------------------------------------------------------
# Platform data: what exists, and wiping it.
# --------------------------------------------------------------------------------------------
def platform_has_data() -> bool:
    User = get_user_model()
    return (
        ContentItem.objects.exists()
        or Creator.objects.exists()
        or User.objects.filter(username__in=[DEMO_USERNAME, DEMO_CREATOR_USERNAME]).exists()
    )


def flush_platform_data() -> dict[str, int]:
    """Delete feedback, content, taxonomy and every non-superuser account (children first)."""
    User = get_user_model()
    deleted: dict[str, int] = {}
    for label, qs in [
        ("impressions", Impression.objects.all()),
        ("interactions", Interaction.objects.all()),
        ("not_interested", NotInterested.objects.all()),
        ("item_tags", ContentItem.tags.through.objects.all()),
        ("user_tags", User.interested_tags.through.objects.all()),
        ("user_categories", User.interested_categories.through.objects.all()),
        ("items", ContentItem.objects.all()),
        ("creators", Creator.objects.all()),
        ("tags", Tag.objects.all()),
        ("categories", Category.objects.all()),
        ("users", User.objects.filter(is_superuser=False)),
    ]:
        deleted[label] = qs.delete()[0]
    return deleted


# --------------------------------------------------------------------------------------------
# Sampling helpers.
# --------------------------------------------------------------------------------------------
def _categorical(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    cum = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(probs) - 1)


def _rowwise_categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows, k) matrix of non-negative weights."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


class _GroupSampler:
    """Draw members of a group (e.g. items of a category) with probability ∝ weight."""

    def __init__(self, groups: np.ndarray, weights: np.ndarray, n_groups: int):
        self.order = np.argsort(groups, kind="stable")
        self.cum = np.concatenate([[0.0], np.cumsum(weights[self.order])])
        counts = np.bincount(groups, minlength=n_groups)
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.end = self.start + counts
        self.counts = counts

    def sample(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """One member per entry of ``group``; -1 where the group is empty."""
        lo = self.cum[self.start[group]]
        hi = self.cum[self.end[group]]
        target = lo + rng.random(len(group)) * (hi - lo)
        pos = np.searchsorted(self.cum, target, side="right") - 1
        pos = np.clip(pos, self.start[group], np.maximum(self.end[group] - 1, self.start[group]))
        out = self.order[np.minimum(pos, len(self.order) - 1)]
        return np.where(self.counts[group] > 0, out, -1)


def _dedupe_rows(matrix: np.ndarray) -> np.ndarray:
    """Sort each row and blank (-1) repeated values."""
    m = np.sort(matrix, axis=1)
    dup = np.zeros_like(m, dtype=bool)
    dup[:, 1:] = m[:, 1:] == m[:, :-1]
    m[dup] = -1
    return m


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _timezone_offsets(names: list[str], first_day: int, n_days: int) -> np.ndarray:
    """(zone, day) -> UTC offset in seconds, daylight saving included."""
    table = np.zeros((len(names), n_days), dtype=np.int64)
    for z, name in enumerate(names):
        zone = ZoneInfo(name)
        for d in range(n_days):
            moment = datetime.fromtimestamp((first_day + d) * DAY + DAY // 2, tz=UTC)
            table[z, d] = int(moment.astimezone(zone).utcoffset().total_seconds())
    return table


# --------------------------------------------------------------------------------------------
# The generator.
# --------------------------------------------------------------------------------------------
def seed_demo(
    *,
    seed: int = 42,
    users: int = 2000,
    items: int = 5000,
    creators: int | None = None,
    days: int = 180,
    now: datetime | None = None,
    flush: bool = False,
    admin: bool = False,
    progress: bool = False,
) -> dict[str, int]:
    """Generate the demo platform in one transaction and return the counts of what it wrote.

    Raises ``DemoDataExists`` when platform data is present and ``flush`` is false.
    """
    if users < 1 or items < 1 or days < 1:
        raise ValueError("users, items and days must be at least 1")
    if creators is None:
        creators = min(max(items // 20, 3), 5000)
    creators = max(1, min(creators, items))
    now = now or default_now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, UTC)
    with transaction.atomic(using=router.db_for_write(ContentItem)):
        if platform_has_data():
            if not flush:
                raise DemoDataExists(
                    "The database already holds platform data; pass --flush to replace it."
                )
            flush_platform_data()
        builder = _DemoBuilder(seed, users, items, creators, days, now, progress)
        counts = builder.build(admin=admin)
    return counts


class _DemoBuilder:
    def __init__(self, seed, n_users, n_items, n_creators, days, now, progress):
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.n_users = n_users
        self.n_items = n_items
        self.n_creators = n_creators
        self.days = days
        self.now_s = int(now.timestamp())
        self.start_s = self.now_s - days * DAY
        self.progress = progress
        self.connection = connection_for(ContentItem)
        self.counts: dict[str, int] = {}

    def times(self, seconds) -> list[str | None]:
        return format_datetimes(seconds, self.connection)

    def build(self, admin: bool) -> dict[str, int]:
        User = get_user_model()
        steps = [
            self.build_taxonomy,
            self.build_creators,
            self.build_items,
            self.build_users,
            self.build_interactions,
            self.build_not_interested,
        ]
        for step in steps:
            step()
        reset_sequences([User, Category, Tag, Creator, ContentItem])
        refresh_statistics([User, Category, Tag, Creator, ContentItem, Interaction, NotInterested])
        if admin:
            self.build_admin()
        return self.counts

    # -- taxonomy ---------------------------------------------------------------------------
    def build_taxonomy(self) -> None:
        self.cat_pop = np.array([c["pop"] for c in CATEGORIES])
        self.cat_types = np.array([c["types"] for c in CATEGORIES])
        self.cat_weekend = np.array([c["weekend"] for c in CATEGORIES])
        n_cat = len(CATEGORIES)
        base = next_id(Category)
        self.category_ids = np.arange(base, base + n_cat)
        bulk_insert(
            Category,
            {
                "id": self.category_ids,
                "name": [c["name"] for c in CATEGORIES],
                "slug": [slugify(c["name"]) for c in CATEGORIES],
            },
        )
        names: list[str] = []
        tag_cat: list[int] = []
        for ci, c in enumerate(CATEGORIES):
            names += c["tags"]
            tag_cat += [ci] * len(c["tags"])
        names += CROSS_TAGS
        tag_cat += [-1] * len(CROSS_TAGS)
        self.tag_names = names
        self.tag_cat = np.array(tag_cat)
        self.n_tags = len(names)
        self.n_cat_tags = len(CATEGORIES[0]["tags"])
        base = next_id(Tag)
        self.tag_ids = np.arange(base, base + self.n_tags)
        bulk_insert(Tag, {"id": self.tag_ids, "name": names, "slug": [slugify(t) for t in names]})
        self.counts["categories"] = n_cat
        self.counts["tags"] = self.n_tags

    # -- creators ---------------------------------------------------------------------------
    def build_creators(self) -> None:
        rng, C = self.rng, self.n_creators
        n_cat = len(CATEGORIES)
        home = _categorical(rng, self.cat_pop, C)
        second = (home + rng.integers(1, n_cat, C)) % n_cat
        has_second = rng.random(C) < 0.35
        mix = rng.gamma(self.cat_types[home] * 6.0 + 0.05)
        mix /= mix.sum(axis=1, keepdims=True)
        quality = rng.lognormal(0.0, 0.6, C)
        productivity = rng.pareto(1.5, C) + 1.0
        signature = home * self.n_cat_tags + rng.integers(0, self.n_cat_tags, C)
        # The documented creator account publishes steadily and is well liked.
        productivity[0] = max(productivity[0], np.quantile(productivity, 0.9))
        quality[0] = max(quality[0], np.quantile(quality, 0.8))
        self.creator_home, self.creator_second, self.creator_has_second = home, second, has_second
        self.creator_mix, self.creator_quality = mix, quality
        self.creator_productivity, self.creator_signature = productivity, signature

        picks = rng.integers(0, 1 << 30, size=(C, 5))
        display, usernames, first, last = [], [], [], []
        for c in range(C):
            p = picks[c]
            cat = CATEGORIES[home[c]]
            fn, ln = FIRST_NAMES[p[0] % len(FIRST_NAMES)], LAST_NAMES[p[1] % len(LAST_NAMES)]
            if p[2] % 2:
                name = f"{fn} {ln}"
                first.append(fn)
                last.append(ln)
            else:
                adj = cat["adjs"][p[3] % len(cat["adjs"])]
                name = f"{adj.capitalize()} {cat['brand'][p[4] % len(cat['brand'])]}"
                if p[3] % 3 == 0:
                    name = f"{fn}'s {cat['brand'][p[4] % len(cat['brand'])]}"
                first.append("")
                last.append("")
            display.append(name)
            usernames.append(f"{slugify(name).replace('-', '')[:20]}{c}")
        usernames[0] = DEMO_CREATOR_USERNAME
        first[0], last[0] = "Demo", "Creator"
        bios = []
        for c in range(C):
            cat = CATEGORIES[home[c]]
            p = picks[c]
            n1 = cat["nouns"][p[0] % len(cat["nouns"])]
            n2 = cat["nouns"][(p[1] + 1) % len(cat["nouns"])]
            city = CITIES[p[2] % len(CITIES)]
            bios.append(f"{cat['name']} creator from {city}. Mostly {n1}, sometimes {n2}.")

        User = get_user_model()
        base = next_id(User)
        self.creator_user_ids = np.arange(base, base + C)
        # Creators joined before the window; their accounts predate their first item.
        joined = self.start_s - rng.integers(30, 720, C) * DAY
        self.creator_joined = joined
        passwords = unusable_passwords(rng, C)
        passwords[0] = demo_password_hash(self.seed, DEMO_CREATOR_USERNAME)
        bulk_insert(
            User,
            {
                "id": self.creator_user_ids,
                "password": passwords,
                "username": usernames,
                "first_name": first,
                "last_name": last,
                "email": [f"{u}@example.com" for u in usernames],
                "date_joined": self.times(joined),
            },
            desc="creator accounts",
            progress=self.progress,
        )
        base = next_id(Creator)
        self.creator_ids = np.arange(base, base + C)
        bulk_insert(
            Creator,
            {
                "id": self.creator_ids,
                "user_id": self.creator_user_ids,
                "display_name": display,
                "bio": bios,
                "created_at": self.times(joined + DAY),
            },
            desc="creators",
            progress=self.progress,
        )
        self.counts["creators"] = C

    # -- items ------------------------------------------------------------------------------
    def build_items(self) -> None:
        rng, N = self.rng, self.n_items
        creator = _categorical(rng, self.creator_productivity, N)
        creator[: min(N, 6)] = 0
        u = rng.random(N)
        category = np.where(
            u < 0.82,
            self.creator_home[creator],
            np.where(
                (u < 0.95) & self.creator_has_second[creator],
                self.creator_second[creator],
                _categorical(rng, self.cat_pop, N),
            ),
        )
        ctype = _rowwise_categorical(rng, self.creator_mix[creator])
        # Tags: 1-4 from the category (popular ones first), the creator's signature tag half
        # the time, 0-2 cross-cutting ones.
        ranks = np.arange(self.n_cat_tags)
        zipf = 1.0 / (ranks + 1.0) ** 0.8
        in_cat = np.minimum(
            np.searchsorted(np.cumsum(zipf / zipf.sum()), rng.random((N, 4)), side="right"),
            self.n_cat_tags - 1,
        )
        k_cat = 1 + rng.binomial(3, 0.45, N)
        cat_tags = np.where(
            np.arange(4) < k_cat[:, None], category[:, None] * self.n_cat_tags + in_cat, -1
        )
        sig = np.where(
            (rng.random(N) < 0.5) & (self.creator_home[creator] == category),
            self.creator_signature[creator],
            -1,
        )
        n_cross = len(CROSS_TAGS)
        cross_w = 1.0 / (np.arange(n_cross) + 1.0) ** 0.5
        cross = len(CATEGORIES) * self.n_cat_tags + _categorical(rng, cross_w, N * 2).reshape(N, 2)
        k_cross = rng.binomial(2, 0.35, N)
        cross = np.where(np.arange(2) < k_cross[:, None], cross, -1)
        item_tags = _dedupe_rows(np.concatenate([cat_tags, sig[:, None], cross], axis=1))

        offset = (self.days * DAY * rng.random(N) ** 0.6).astype(np.int64)
        published = self.start_s + offset
        published = np.maximum(published, self.creator_joined[creator] + 2 * DAY)
        draft = rng.random(N) < 0.01
        draft[creator == 0] = False
        quality = self.creator_quality[creator] * rng.lognormal(0.0, 1.0, N)
        self.item_creator, self.item_category, self.item_type = creator, category, ctype
        self.item_tags, self.item_published, self.item_draft = item_tags, published, draft
        self.item_popularity = np.where(draft, 0.0, quality)
        self.item_quality = (np.log(quality) - np.log(quality).mean()) / (
            np.log(quality).std() + 1e-9
        )

        titles, excerpts, bodies = self.item_texts(category, ctype, item_tags)
        base = next_id(ContentItem)
        self.item_ids = np.arange(base, base + N)
        pub_text = self.times(np.where(draft, np.nan, published))
        created_s = np.where(draft, self.now_s - rng.integers(1, 20 * DAY, N), published)
        created_text = self.times(created_s)
        bulk_insert(
            ContentItem,
            {
                "id": self.item_ids,
                "type": [TYPES[t].value for t in ctype.tolist()],
                "title": titles,
                "excerpt": excerpts,
                "body": bodies,
                "image_url": [
                    f"https://picsum.photos/seed/lupi-{seed_n}/640/360"
                    for seed_n in rng.integers(1, 1_000_000, N).tolist()
                ],
                "creator_id": self.creator_ids[creator],
                "category_id": self.category_ids[category],
                "published_at": pub_text,
                "created_at": created_text,
                "updated_at": created_text,
            },
            desc="items",
            progress=self.progress,
        )
        rows, cols = np.nonzero(item_tags >= 0)
        through = ContentItem.tags.through
        field = ContentItem._meta.get_field("tags")
        bulk_insert(
            through,
            {
                through._meta.get_field(field.m2m_field_name()).attname: self.item_ids[rows],
                through._meta.get_field(field.m2m_reverse_field_name()).attname: self.tag_ids[
                    item_tags[rows, cols]
                ],
            },
            desc="item tags",
            progress=self.progress,
        )
        self.counts["items"] = N
        self.counts["published_items"] = int((~draft).sum())
        self.counts["item_tags"] = len(rows)

    def item_texts(self, category, ctype, item_tags):
        picks = self.rng.integers(0, 1 << 30, size=(self.n_items, 10)).tolist()
        titles, excerpts, bodies = [], [], []
        tag_names = [t.replace("-", " ") for t in self.tag_names]
        for i, (c, t, p) in enumerate(zip(category.tolist(), ctype.tolist(), picks, strict=True)):
            cat = CATEGORIES[c]
            nouns, adjs = cat["nouns"], cat["adjs"]
            noun = nouns[p[0] % len(nouns)]
            noun2 = nouns[(p[0] + 1 + p[1] % (len(nouns) - 1)) % len(nouns)]
            adj = adjs[p[2] % len(adjs)]
            tags_here = [x for x in item_tags[i].tolist() if x >= 0]
            tag = tag_names[tags_here[p[3] % len(tags_here)]] if tags_here else noun2
            kind = TYPE_WORD[TYPES[t]]
            words = {
                "noun": noun,
                "Noun": noun[0].upper() + noun[1:],
                "noun2": noun2,
                "adj": adj,
                "n": 3 + p[4] % 8,
                "tag": tag,
                "kind": kind,
            }
            prefix = TYPE_TITLE_PREFIX[TYPES[t]][p[5] % 4]
            title = TITLE_TEMPLATES[p[6] % len(TITLE_TEMPLATES)].format(**words)
            if prefix:
                title = prefix + title
            titles.append(title[:200])
            excerpts.append(EXCERPT_TEMPLATES[p[7] % len(EXCERPT_TEMPLATES)].format(**words)[:500])
            n_sent = 3 + p[8] % 4
            start = p[9] % len(BODY_SENTENCES)
            sentences = [
                BODY_SENTENCES[(start + 5 * k) % len(BODY_SENTENCES)].format(**words)
                for k in range(n_sent)
            ]
            bodies.append(" ".join(sentences))
        return titles, excerpts, bodies

    # -- users ------------------------------------------------------------------------------
    def build_users(self) -> None:
        rng, U = self.rng, self.n_users
        n_cat = len(CATEGORIES)
        taste = rng.gamma(self.cat_pop * 3.0, size=(U, n_cat)) + 1e-6
        taste /= taste.sum(axis=1, keepdims=True)
        cat_part = np.where(self.tag_cat >= 0, taste[:, np.maximum(self.tag_cat, 0)], 0.06)
        tag_aff = cat_part * rng.gamma(0.6, 1.0, size=(U, self.n_tags))
        tag_aff /= tag_aff.max(axis=1, keepdims=True) + 1e-9
        type_pref = rng.gamma(2.0, size=(U, 4))
        type_pref /= type_pref.sum(axis=1, keepdims=True)
        activity = np.clip(rng.lognormal(np.log(22.0), 1.0, U), 3, 1500).astype(np.int64)
        # Sign-up: a third were here before the window, the rest joined over it.
        joined = np.where(
            rng.random(U) < 0.35,
            self.start_s - rng.integers(1, 365, U) * DAY,
            self.start_s + (rng.random(U) * 0.9 * self.days * DAY).astype(np.int64),
        )
        tz_names = [name for name, _ in TIMEZONES]
        tz = _categorical(rng, np.array([w for _, w in TIMEZONES]), U)
        chrono = np.round(rng.normal(0.0, 1.3, U)).astype(np.int64)
        device = _categorical(rng, DEVICE_SHARE, U)
        # The documented demo user: long history, clear tastes, declared interests.
        activity[0] = max(int(np.quantile(activity, 0.97)), 150)
        joined[0] = self.start_s - 60 * DAY
        self.user_taste, self.user_tag_aff, self.user_type_pref = taste, tag_aff, type_pref
        self.user_activity, self.user_joined, self.user_tz = activity, joined, tz
        self.tz_names, self.user_chrono, self.user_device = tz_names, chrono, device

        # Favourite creators: a category from the user's taste, a creator of it by quality.
        creator_sampler = _GroupSampler(self.creator_home, self.creator_quality, n_cat)
        fav_cat = np.stack([_rowwise_categorical(rng, taste) for _ in range(3)], axis=1)
        fav = creator_sampler.sample(rng, fav_cat.ravel()).reshape(U, 3)
        self.user_fav_creators = np.where(fav >= 0, fav, 0)

        picks = rng.integers(0, 1 << 30, size=(U, 3)).tolist()
        usernames, first, last = [], [], []
        for u, p in enumerate(picks):
            fn, ln = FIRST_NAMES[p[0] % len(FIRST_NAMES)], LAST_NAMES[p[1] % len(LAST_NAMES)]
            first.append(fn)
            last.append(ln)
            usernames.append(f"{slugify(fn)}.{slugify(ln)}{u + 1}")
        usernames[0], first[0], last[0] = DEMO_USERNAME, "Demo", "Reader"
        passwords = unusable_passwords(rng, U)
        passwords[0] = demo_password_hash(self.seed, DEMO_USERNAME)
        accent = np.where(rng.random(U) < 0.2, rng.integers(0, len(ACCENT_COLORS), U), -1).tolist()
        font = np.where(rng.random(U) < 0.15, rng.choice([12, 13, 15, 16, 18], U), 14)
        User = get_user_model()
        base = next_id(User)
        self.user_ids = np.arange(base, base + U)
        default_accent = User._meta.get_field("accent_color").get_default()
        bulk_insert(
            User,
            {
                "id": self.user_ids,
                "password": passwords,
                "username": usernames,
                "first_name": first,
                "last_name": last,
                "email": [f"{name}@example.com" for name in usernames],
                "date_joined": self.times(joined),
                "accent_color": [ACCENT_COLORS[a] if a >= 0 else default_accent for a in accent],
                "font_size": font,
            },
            desc="users",
            progress=self.progress,
        )

        # Declared interests: about 60% of users name their top categories and tags.
        declares = rng.random(U) < 0.6
        declares[0] = True
        top_cats = np.argsort(-taste, axis=1)[:, :2]
        second_ok = np.take_along_axis(taste, top_cats[:, 1:2], axis=1)[:, 0] > 0.2
        cat_rows, cat_cols = [], []
        for k in range(2):
            mask = declares & (second_ok if k else True)
            cat_rows.append(np.flatnonzero(mask))
            cat_cols.append(top_cats[mask, k])
        cat_rows, cat_cols = np.concatenate(cat_rows), np.concatenate(cat_cols)
        n_tags_declared = rng.integers(3, 8, U)
        n_tags_declared[0] = 8
        top_tags = np.argsort(-(tag_aff * rng.uniform(0.7, 1.0, tag_aff.shape)), axis=1)[:, :8]
        tmask = declares[:, None] & (np.arange(8) < n_tags_declared[:, None])
        tag_rows, tag_k = np.nonzero(tmask)
        User = get_user_model()
        for field_name, rows, targets, target_ids in [
            ("interested_categories", cat_rows, cat_cols, self.category_ids),
            ("interested_tags", tag_rows, top_tags[tag_rows, tag_k], self.tag_ids),
        ]:
            field = User._meta.get_field(field_name)
            through = field.remote_field.through
            bulk_insert(
                through,
                {
                    through._meta.get_field(field.m2m_field_name()).attname: self.user_ids[rows],
                    through._meta.get_field(field.m2m_reverse_field_name()).attname: target_ids[
                        targets
                    ],
                },
                desc=field_name.replace("_", " "),
                progress=self.progress,
            )
            self.counts[field_name] = len(rows)
        self.counts["users"] = U

    # -- interactions -----------------------------------------------------------------------
    def build_interactions(self) -> None:
        rng = self.rng
        n_cat = len(CATEGORIES)
        user = np.repeat(np.arange(self.n_users), self.user_activity)
        E = len(user)
        published_items = ~self.item_draft
        by_category = _GroupSampler(self.item_category, self.item_popularity, n_cat)
        by_creator = _GroupSampler(self.item_creator, self.item_popularity, self.n_creators)

        # Where each exposure comes from: a favourite creator, the user's taste, exploration.
        source = rng.random(E)
        cat = np.where(
            source < 0.12,
            _categorical(rng, self.cat_pop, E),
            _rowwise_categorical(rng, self.user_taste[user]),
        )
        K = 5
        cand = by_category.sample(rng, np.repeat(cat, K)).reshape(E, K)
        valid = cand >= 0
        cand = np.where(valid, cand, 0)
        logit = self.affinity(user[:, None], cand)
        gumbel = -np.log(-np.log(rng.random((E, K))))
        choice = np.argmax(np.where(valid, logit + gumbel, -np.inf), axis=1)
        item = cand[np.arange(E), choice]
        # Exploration takes the first popularity draw: it is not chosen for taste.
        item = np.where(source < 0.12, cand[:, 0], item)
        fav = self.user_fav_creators[user, rng.integers(0, 3, E)]
        from_fav = by_creator.sample(rng, fav)
        use_fav = (source > 0.80) & (from_fav >= 0)
        item = np.where(use_fav, from_fav, item)
        ok = valid.any(axis=1) | use_fav
        user, item = user[ok], item[ok]
        ok = published_items[item]
        user, item = user[ok], item[ok]
        # One exposure per (user, item): repeats fold into the first.
        _, first = np.unique(user * self.n_items + item, return_index=True)
        first.sort()
        user, item = user[first], item[first]
        E = len(user)

        # When: after publication and sign-up, mostly soon after publication.
        base = np.maximum(self.item_published[item], self.user_joined[user])
        span = np.maximum(self.now_s - base, 1).astype(np.float64)
        mean = 6.0 * DAY
        u = rng.random(E)
        soon = -mean * np.log1p(-u * (1.0 - np.exp(-span / mean)))
        later = rng.random(E) * span
        t = base + np.where(rng.random(E) < 0.7, soon, later).astype(np.int64)
        # At which local hour: a weekday or weekend curve, shifted by the user's chronotype.
        first_day = self.start_s // DAY - 2
        n_days = (self.now_s - self.start_s) // DAY + 5
        offsets = _timezone_offsets(self.tz_names, first_day, n_days)
        tz = self.user_tz[user]
        day_idx = np.clip(t // DAY - first_day, 0, n_days - 1)
        local = t + offsets[tz, day_idx]
        local_day = local // DAY
        weekend = ((local_day + 3) % 7) >= 5
        hour = np.where(
            weekend,
            _categorical(rng, HOURS_WEEKEND, E),
            _categorical(rng, HOURS_WEEKDAY, E),
        )
        hour = (hour + self.user_chrono[user]) % 24
        local = local_day * DAY + hour * 3600 + rng.integers(0, 3600, E)
        t = local - offsets[tz, day_idx]
        t = np.where(t < base, t + DAY, t)
        t = np.where(t > self.now_s, t - DAY, t)
        t = np.clip(t, base, self.now_s)
        # Weekday rhythm: leisure categories gain at weekends, work-ish ones on weekdays.
        weekday = (((t + offsets[tz, np.clip(t // DAY - first_day, 0, n_days - 1)]) // DAY) + 3) % 7
        lean = self.cat_weekend[self.item_category[item]]
        keep = np.where(weekday >= 5, 0.55 + 0.45 * lean, 1.0 - 0.35 * lean)
        keep = np.where(user == 0, 1.0, keep)
        ok = rng.random(E) < keep
        user, item, t, tz = user[ok], item[ok], t[ok], tz[ok]
        E = len(user)
        day_idx = np.clip(t // DAY - first_day, 0, n_days - 1)
        local_hour = ((t + offsets[tz, day_idx]) // 3600) % 24
        local_weekday = (((t + offsets[tz, day_idx]) // DAY) + 3) % 7
        # Device: the user's usual one mostly; desktops in office hours, tablets at night.
        device = np.where(
            rng.random(E) < 0.7, self.user_device[user], _categorical(rng, DEVICE_SHARE, E)
        )
        office = (local_weekday < 5) & (local_hour >= 9) & (local_hour <= 17)
        device = np.where(office & (rng.random(E) < 0.25), 1, device)
        device = np.where((local_hour >= 21) & (rng.random(E) < 0.12), 2, device)

        # The funnel, driven by how well the item fits the user.
        aff = self.affinity(user, item)
        z = (aff - aff.mean()) / (aff.std() + 1e-9)
        q = self.item_quality[item]
        r = rng.random((E, 8))
        click = r[:, 0] < _sigmoid(-0.5 + 1.3 * z + 0.3 * q)
        dislike = r[:, 1] < _sigmoid(-3.4 - 1.6 * z - 0.3 * q)
        like = click & ~dislike & (r[:, 2] < _sigmoid(-1.2 + 1.2 * z + 0.5 * q))
        save = click & ~dislike & (r[:, 3] < _sigmoid(-2.8 + 1.0 * z))
        share = click & ~dislike & (r[:, 4] < _sigmoid(-3.6 + 0.8 * z + 0.5 * q))
        comment = click & (r[:, 5] < _sigmoid(-3.7 + 0.6 * z + 0.3 * q))
        skip = ~click & (r[:, 6] < _sigmoid(-0.9 - 1.4 * z))
        hide = ~click & (r[:, 7] < _sigmoid(-4.0 - 1.6 * z))
        itype = self.item_type[item]
        dwell_ms = DWELL_MEDIAN_MS[itype] * np.exp(0.45 * z + rng.normal(0.0, 0.6, E))
        skip_ms = rng.uniform(600, 4000, E)
        t_click = t + rng.integers(2, 25, E)
        t_dwell = t_click + (dwell_ms // 1000).astype(np.int64)
        t_react = t_dwell + rng.integers(1, 30, E)
        t_neg = t + rng.integers(3, 40, E)

        parts = [
            ("view", np.ones(E, bool), t, None),
            ("click", click, t_click, None),
            ("dwell", click, t_dwell, np.round(dwell_ms)),
            ("like", like, t_react, None),
            ("save", save, t_react + 2, None),
            ("share", share, t_react + 5, None),
            ("comment", comment, t_react + 40, None),
            ("skip", skip, t + (skip_ms // 1000).astype(np.int64), np.round(skip_ms)),
            ("dislike", dislike, np.where(click, t_react, t_neg), None),
            ("hide", hide, t_neg + 1, None),
        ]
        idx_all, kind_all, time_all, value_all = [], [], [], []
        for k, (kind, mask, when, value) in enumerate(parts):
            idx = np.flatnonzero(mask)
            idx_all.append(idx)
            kind_all.append(np.full(len(idx), k, dtype=np.int8))
            time_all.append(when[idx])
            value_all.append(value[idx] if value is not None else np.full(len(idx), np.nan))
            self.counts[f"interactions_{kind}"] = len(idx)
        idx = np.concatenate(idx_all)
        kinds = np.concatenate(kind_all)
        when = np.minimum(np.concatenate(time_all), self.now_s)
        value = np.concatenate(value_all)
        # Rows in time order, as they would have arrived.
        order = np.lexsort((kinds, idx, when))
        idx, kinds, when, value = idx[order], kinds[order], when[order], value[order]
        kind_names = [p[0] for p in parts]
        self.event_user, self.event_item, self.event_kind = user[idx], item[idx], kinds
        self.event_time = when
        value_list = [None if v != v else float(v) for v in value.tolist()]
        bulk_insert(
            Interaction,
            {
                "user_id": self.user_ids[user[idx]],
                "item_id": self.item_ids[item[idx]],
                "kind": [kind_names[k] for k in kinds.tolist()],
                "value": value_list,
                "device": [DEVICES[d] for d in device[idx].tolist()],
                "client_timezone": [self.tz_names[z] for z in tz[idx].tolist()],
                "local_hour": local_hour[idx],
                "occurred_at": self.times(when),
            },
            desc="interactions",
            progress=self.progress,
        )
        self.counts["interactions"] = len(idx)

    def affinity(self, user: np.ndarray, item: np.ndarray) -> np.ndarray:
        """How well items fit users: category taste, tag affinity, type preference."""
        cat = np.log(self.user_taste[user, self.item_category[item]] + 0.01)
        tags = self.item_tags[item]
        tag_score = np.where(
            tags >= 0, self.user_tag_aff[user[..., None], np.maximum(tags, 0)], 0.0
        ).sum(axis=-1)
        typ = np.log(self.user_type_pref[user, self.item_type[item]] + 0.05)
        return 0.6 * cat + 1.2 * tag_score + 0.5 * typ

    # -- "not interested" -------------------------------------------------------------------
    def build_not_interested(self) -> None:
        rng, U = self.rng, self.n_users
        # Tags: about 8% of users mute one or two tags of the category they like least.
        who = np.flatnonzero(rng.random(U) < 0.08)
        least = np.argmin(self.user_taste[who], axis=1)
        tag_rows = []
        for k in range(2):
            take = who if k == 0 else who[rng.random(len(who)) < 0.4]
            cats = least if k == 0 else least[np.searchsorted(who, take)]
            tags = cats * self.n_cat_tags + rng.integers(0, self.n_cat_tags, len(take))
            tag_rows.append(np.stack([take, tags], axis=1))
        pairs = np.unique(np.concatenate(tag_rows), axis=0)
        # Creators: a user who disliked or hid a creator's item sometimes mutes the creator.
        negative = np.isin(self.event_kind, [8, 9])
        neg_users = self.event_user[negative]
        neg_creators = self.item_creator[self.event_item[negative]]
        neg_time = self.event_time[negative]
        mute = rng.random(len(neg_users)) < 0.3
        cpairs, first = np.unique(
            np.stack([neg_users[mute], neg_creators[mute]], axis=1), axis=0, return_index=True
        )
        ctime = neg_time[mute][first] + 30
        joined = self.user_joined[pairs[:, 0]]
        ttime = np.maximum(joined, self.start_s) + (
            rng.random(len(pairs)) * (self.now_s - np.maximum(joined, self.start_s))
        ).astype(np.int64)
        n = len(pairs) + len(cpairs)
        bulk_insert(
            NotInterested,
            {
                "user_id": np.concatenate(
                    [self.user_ids[pairs[:, 0]], self.user_ids[cpairs[:, 0]]]
                ),
                "tag_id": self.tag_ids[pairs[:, 1]].tolist() + [None] * len(cpairs),
                "creator_id": [None] * len(pairs) + self.creator_ids[cpairs[:, 1]].tolist(),
                "created_at": self.times(np.minimum(np.concatenate([ttime, ctime]), self.now_s)),
            },
            desc="not interested",
            progress=self.progress,
        )
        self.counts["not_interested"] = n

    def build_admin(self) -> None:
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            return
        User.objects.create(
            username=ADMIN_USERNAME,
            email="admin@example.com",
            password=demo_password_hash(self.seed, ADMIN_USERNAME),
            is_staff=True,
            is_superuser=True,
            date_joined=datetime.fromtimestamp(self.start_s, tz=UTC) - timedelta(days=400),
        )
        self.counts["admin"] = 1
