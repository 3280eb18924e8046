"""Feedback queries: none at the top level, on purpose.

The viewer's own activity is read through ``me { myInteractions }``, which takes the
user from the session. With no top-level query over interactions, no argument can point
at someone else's activity.
"""

from __future__ import annotations

__all__: list[str] = []
