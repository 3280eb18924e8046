"""Account services: signing in and out, display preferences and declared interests.

Every write validates its whole input first and raises ``ValidationError`` keyed by
field name, so a caller never sees a half-applied change. Writes to one account take
that account's row lock first, so concurrent writes apply one after the other: the
final state is always one that a single call asked for, never a mix.
"""

from __future__ import annotations

from django.contrib.auth import aauthenticate, alogin, alogout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from backend.accounts.models import FONT_SIZE_MAX, FONT_SIZE_MIN, User
from backend.content.models import Category, Tag

__all__ = [
    "interested_categories_by_user",
    "interested_tags_by_user",
    "log_in",
    "log_out",
    "set_interests",
    "update_preferences",
]


async def log_in(request: HttpRequest, username: str, password: str) -> User:
    """Check the credentials and start a session; the same error for any wrong detail.

    Failures are counted per account and per address (``backend/throttle.py``); while
    either is locked, :class:`~backend.throttle.LoginLocked` is raised before the password
    is even checked.
    """
    from asgiref.sync import sync_to_async

    from backend import throttle

    address = throttle.client_address(request)
    await sync_to_async(throttle.check_login)(username, address)
    user = await aauthenticate(request, username=username, password=password)
    if user is None:
        await sync_to_async(throttle.login_failed)(username, address)
        raise ValidationError({"password": ["Wrong username or password."]})
    await sync_to_async(throttle.login_succeeded)(username, address)
    await alogin(request, user)
    return user


class SessionNotEnded(RuntimeError):
    """The session store could not drop the session (its cache is unreachable)."""


async def log_out(request: HttpRequest) -> None:
    """End the session; :class:`SessionNotEnded` when the session cache cannot drop it
    (then the sign-out did not happen, and can be tried again)."""
    from backend.recommendations.cache import CACHE_ERRORS

    drop_cached_copy = getattr(request.session, "adrop_cached_copy", None)
    try:
        if drop_cached_copy is not None:
            await drop_cached_copy()  # first: if the cache cannot, nothing has changed yet
        await alogout(request)
    except CACHE_ERRORS as exc:
        raise SessionNotEnded("The session could not be ended just now; try again.") from exc


def update_preferences(
    user: User, *, accent_color: str | None = None, font_size: int | None = None
) -> User:
    """Change the dashboard's accent colour and/or base font size, validated together."""
    changed: list[str] = []
    if accent_color is not None:
        user.accent_color = accent_color.lower()
        changed.append("accent_color")
    if font_size is not None:
        user.font_size = font_size
        changed.append("font_size")
    if not changed:
        return user
    errors: dict[str, list[str]] = {}
    if accent_color is not None:
        try:
            User._meta.get_field("accent_color").clean(user.accent_color, user)
        except ValidationError as exc:
            errors["accent_color"] = exc.messages
    if font_size is not None and not FONT_SIZE_MIN <= font_size <= FONT_SIZE_MAX:
        errors["font_size"] = [
            f"Enter a size from {FONT_SIZE_MIN} to {FONT_SIZE_MAX} pixels; got {font_size}."
        ]
    if errors:
        user.refresh_from_db(fields=changed)
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(user)
        user.save(update_fields=changed)
    return user


def _lock(user: User) -> None:
    """Hold the account's row until the transaction ends (PostgreSQL; SQLite writes are
    serialised by the database itself)."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


def _existing_ids(model, ids: list[int], field: str, label: str) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        listed = ", ".join(str(pk) for pk in missing)
        raise ValidationError({field: [f"No {label} with id {listed}."]})
    return wanted


def set_interests(
    user: User, *, tag_ids: list[int] | None = None, category_ids: list[int] | None = None
) -> User:
    """Replace the declared interests; a list left out (None) stays as it is."""
    errors: dict[str, list[str]] = {}
    tags = categories = None
    if tag_ids is not None:
        try:
            tags = _existing_ids(Tag, tag_ids, "tag_ids", "tag")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if category_ids is not None:
        try:
            categories = _existing_ids(Category, category_ids, "category_ids", "category")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # ``set`` reads the current rows, then adds and removes the difference: two such
        # diffs taken from the same starting state would mix.
        _lock(user)
        if tags is not None:
            user.interested_tags.set(tags)
        if categories is not None:
            user.interested_categories.set(categories)
    return user


def interested_tags_by_user(user_ids: list[int]) -> dict[int, list[Tag]]:
    """Declared tag interests of several users in one query, keyed by user id."""
    result: dict[int, list[Tag]] = {pk: [] for pk in user_ids}
    through = User.interested_tags.through
    rows = through.objects.filter(user_id__in=user_ids).select_related("tag").order_by("tag__name")
    for row in rows:
        result[row.user_id].append(row.tag)
    return result


def interested_categories_by_user(user_ids: list[int]) -> dict[int, list[Category]]:
    """Declared category interests of several users in one query, keyed by user id."""
    result: dict[int, list[Category]] = {pk: [] for pk in user_ids}
    through = User.interested_categories.through
    rows = (
        through.objects.filter(user_id__in=user_ids)
        .select_related("category")
        .order_by("category__name")
    )
    for row in rows:
        result[row.user_id].append(row.category)
    return result
