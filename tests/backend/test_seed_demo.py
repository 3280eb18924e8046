"""seed_demo: counts, demo accounts, realism invariants, determinism, command behaviour."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from backend.content.models import Category, ContentItem, Creator, Tag
from backend.demo.generator import DEMO_PASSWORD, DemoDataExists, seed_demo
from backend.interactions.models import NEGATIVE_KINDS, Impression, Interaction, NotInterested

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SIZES = {"users": 60, "items": 200, "days": 120, "now": NOW}


def fingerprint() -> dict[str, list]:
    """Everything the generator decides, keyed by natural values rather than ids."""
    User = get_user_model()
    items = ContentItem.objects.order_by("id")
    return {
        "users": list(
            User.objects.order_by("username").values_list(
                "username",
                "password",
                "first_name",
                "last_name",
                "date_joined",
                "accent_color",
                "font_size",
            )
        ),
        "interests": sorted(
            (u.username, tuple(sorted(u.interested_tags.values_list("slug", flat=True))))
            for u in User.objects.prefetch_related("interested_tags")
        ),
        "creators": list(
            Creator.objects.order_by("user__username").values_list(
                "user__username", "display_name", "bio"
            )
        ),
        "items": [
            (
                i.title,
                i.excerpt,
                i.body,
                i.type,
                i.image_url,
                i.creator.user.username,
                i.category.slug,
                i.published_at,
                tuple(sorted(t.slug for t in i.tags.all())),
            )
            for i in items.select_related("creator__user", "category").prefetch_related("tags")
        ],
        "interactions": sorted(
            Interaction.objects.values_list(
                "user__username",
                "item__title",
                "item__published_at",
                "kind",
                "value",
                "device",
                "client_timezone",
                "local_hour",
                "occurred_at",
            )
        ),
        "impressions": sorted(
            Impression.objects.values_list(
                "user__username",
                "item__title",
                "position",
                "method",
                "model_version",
                "request_id",
                "shown_at",
            )
        ),
        "not_interested": sorted(
            NotInterested.objects.values_list(
                "user__username", "tag__slug", "creator__user__username", "created_at"
            ),
            key=repr,
        ),
    }


def test_counts_match_the_database_and_the_requested_sizes():
    counts = seed_demo(seed=7, **SIZES)
    User = get_user_model()
    assert counts["items"] == ContentItem.objects.count() == 200
    assert counts["users"] == 60
    assert counts["creators"] == Creator.objects.count() == 10
    assert User.objects.count() == 60 + 10
    assert counts["categories"] == Category.objects.count() >= 10
    assert counts["tags"] == Tag.objects.count() >= 100
    assert counts["interactions"] == Interaction.objects.count() > 1000
    assert counts["not_interested"] == NotInterested.objects.count() > 0
    assert counts["item_tags"] == ContentItem.tags.through.objects.count()
    # Every item has a category and at least one tag; the four types all occur.
    assert not ContentItem.objects.filter(category__isnull=True).exists()
    assert not ContentItem.objects.annotate(n=Count("tags")).filter(n=0).exists()
    assert set(ContentItem.objects.values_list("type", flat=True)) == {
        "blog",
        "video",
        "image",
        "audio",
    }


def test_demo_accounts_authenticate_and_have_history():
    seed_demo(seed=7, **SIZES)
    demo = authenticate(username="demo", password=DEMO_PASSWORD)
    creator_user = authenticate(username="creator", password=DEMO_PASSWORD)
    assert demo is not None and creator_user is not None
    assert authenticate(username="demo", password="wrong") is None
    # 200 items, popular ones met again and again: a few dozen distinct ones at least.
    assert demo.interactions.count() >= 60
    assert demo.impressions.count() > demo.interactions.filter(kind="view").count()
    assert demo.interested_tags.exists() and demo.interested_categories.exists()
    assert not demo.is_creator and creator_user.is_creator
    assert not demo.is_staff and not creator_user.is_staff
    creator = creator_user.creator_profile
    published = creator.items.filter(published_at__lte=NOW)
    assert published.count() >= 5
    assert Interaction.objects.filter(item__creator=creator).count() > 0
    # Ordinary generated accounts cannot log in.
    other = get_user_model().objects.exclude(username__in=["demo", "creator"]).first()
    assert not other.has_usable_password()


def test_every_account_has_its_own_name():
    seed_demo(seed=7, **SIZES)
    User = get_user_model()
    names = list(User.objects.values_list("first_name", "last_name"))
    assert len(set(names)) == len(names) == 70
    assert all(first and last for first, last in names)
    displays = list(Creator.objects.values_list("display_name", flat=True))
    assert len(set(displays)) == len(displays)
    demo, creator = User.objects.get(username="demo"), User.objects.get(username="creator")
    assert "Demo" not in (demo.first_name, creator.first_name)
    assert creator.creator_profile.display_name == f"{creator.first_name} {creator.last_name}"


def test_items_have_unique_titles_and_no_outside_images():
    seed_demo(seed=7, **SIZES)
    titles = list(ContentItem.objects.values_list("title", flat=True))
    assert len(set(titles)) == len(titles)
    assert set(ContentItem.objects.values_list("image_url", flat=True)) == {""}


def test_feedback_is_realistic():
    seed_demo(seed=7, **SIZES)
    kinds = dict(Interaction.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds["view"] > kinds["click"] > kinds["like"] > kinds["share"]
    assert kinds["dwell"] == kinds["click"]
    for kind in NEGATIVE_KINDS:
        assert kinds.get(kind.value, 0) > 0, kind
    assert not Interaction.objects.filter(kind="dwell", value__lte=0).exists()
    assert set(Interaction.objects.values_list("device", flat=True)) == {
        "mobile",
        "desktop",
        "tablet",
        "tv",
    }
    assert not Interaction.objects.filter(local_hour__gt=23).exists()
    assert Interaction.objects.values("client_timezone").distinct().count() > 3
    assert NotInterested.objects.filter(tag__isnull=False).exists()


def test_kinds_of_items_have_their_moments():
    """Long reads in the evening and on desktops, audio in the morning, videos on TVs: the
    patterns the context affinities learn."""
    seed_demo(seed=7, users=200, items=400, days=120, now=NOW)
    clicks = Interaction.objects.filter(kind="click")

    def share(kind: str, **where) -> float:
        acts = clicks.filter(**where)
        return acts.filter(item__type=kind).count() / max(acts.count(), 1)

    morning, evening = {"local_hour__range": (6, 11)}, {"local_hour__range": (18, 22)}
    assert share("blog", **evening) > 1.3 * share("blog", **morning)
    assert share("audio", **morning) > 1.5 * share("audio", **evening)
    assert share("video", device="tv") > 1.5 * share("video")
    assert share("blog", device="desktop") > 1.3 * share("blog", device="mobile")


def test_interactions_never_precede_publication_or_follow_now():
    seed_demo(seed=7, **SIZES)
    assert not Interaction.objects.filter(occurred_at__lt=F("item__published_at")).exists()
    assert not Interaction.objects.filter(item__published_at__isnull=True).exists()
    assert not Interaction.objects.filter(occurred_at__gt=NOW).exists()
    assert not Interaction.objects.filter(occurred_at__lt=F("user__date_joined")).exists()
    assert not ContentItem.objects.filter(published_at__gt=NOW).exists()


def test_same_seed_gives_the_same_platform_and_another_seed_differs():
    seed_demo(seed=11, **SIZES)
    first = fingerprint()
    seed_demo(seed=11, flush=True, **SIZES)
    assert fingerprint() == first
    seed_demo(seed=12, flush=True, **SIZES)
    other = fingerprint()
    assert other["items"] != first["items"]
    assert other["interactions"] != first["interactions"]


def test_refuses_to_seed_over_existing_data_without_flush():
    seed_demo(seed=7, **SIZES)
    before = Interaction.objects.count()
    with pytest.raises(DemoDataExists):
        seed_demo(seed=8, **SIZES)
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed_demo", "--users=20", "--items=50", "--now=2025-06-01", verbosity=0)
    assert Interaction.objects.count() == before
    assert ContentItem.objects.count() == 200


def test_command_if_empty_seeds_once_then_does_nothing():
    out = StringIO()
    args = ["--users=30", "--items=80", "--seed=3", "--now=2025-06-01", "--if-empty"]
    call_command("seed_demo", *args, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "demo" in text and "creator" in text and DEMO_PASSWORD in text
    assert "interactions" in text
    assert ContentItem.objects.count() == 80
    titles = set(ContentItem.objects.values_list("title", flat=True))
    out = StringIO()
    call_command("seed_demo", *args[:-1], "--seed=4", "--if-empty", stdout=out)
    assert "nothing else to do" in out.getvalue()
    assert set(ContentItem.objects.values_list("title", flat=True)) == titles


def test_command_if_empty_still_adds_the_staff_account_asked_for():
    args = ["--users=20", "--items=50", "--seed=3", "--now=2025-06-01", "--if-empty"]
    call_command("seed_demo", *args, verbosity=0)
    User = get_user_model()
    assert not User.objects.filter(username="admin").exists()
    items = ContentItem.objects.count()
    out = StringIO()
    call_command("seed_demo", *args, "--admin", stdout=out)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert "Created the superuser 'admin'" in out.getvalue()
    assert ContentItem.objects.count() == items
    out = StringIO()
    call_command("seed_demo", *args, "--admin", stdout=out)
    assert "Created" not in out.getvalue() and User.objects.filter(username="admin").count() == 1


def test_command_flush_replaces_data_and_admin_is_optional():
    User = get_user_model()
    call_command("seed_demo", "--users=20", "--items=50", "--now=2025-06-01", verbosity=0)
    assert not User.objects.filter(username="admin").exists()
    out = StringIO()
    call_command(
        "seed_demo",
        "--users=25",
        "--items=60",
        "--now=2025-06-01",
        "--flush",
        "--admin",
        stdout=out,
        stderr=StringIO(),
    )
    assert ContentItem.objects.count() == 60
    assert User.objects.filter(is_superuser=False).count() == 25 + 3
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin is not None and admin.is_superuser and admin.is_staff
    assert "admin" in out.getvalue()


def test_command_rejects_bad_options():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--users=0", verbosity=0)
    for bad in ["yesterday", "2025-02-30", "2025-06-01T25:00"]:
        with pytest.raises(CommandError, match="--now"):
            call_command("seed_demo", f"--now={bad}", verbosity=0)
    assert not ContentItem.objects.exists()
