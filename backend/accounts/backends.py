"""The authentication back end: Django's ``ModelBackend``, loading a session's account with
its creator profile.

Every signed-in request loads its account once (Django's authentication middleware); the
dashboard and the recommender then ask whether the viewer publishes. Joined to that one
query, the answer costs no round trip of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from backend.accounts.models import User

__all__ = ["AccountBackend"]


class AccountBackend(ModelBackend):
    @staticmethod
    def _accounts():
        return User._default_manager.select_related("creator_profile")

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = self._accounts().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> User | None:
        try:
            user = await self._accounts().aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
