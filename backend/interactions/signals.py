"""Signals other apps listen to, so that this app never imports them.

``feedback_recorded`` is sent (with ``user_id``) when a user's new feedback is stored,
including feedback stored with ``bulk_create``, which sends no ``post_save``.
"""

from django.dispatch import Signal

feedback_recorded = Signal()
