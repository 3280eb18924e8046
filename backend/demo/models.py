"""What the generated platform knows and never shows: its readers' latent tastes."""

from __future__ import annotations

from django.db import models


class LatentTastes(models.Model):
    """The hidden truth of one generated platform, written by ``seed_demo``: every reader's
    category taste, tag affinity and type preference, and every item's quality, as one
    compressed NumPy archive (``backend.demo.latent``). The traffic simulator plays readers
    by them. Stored rather than regenerated from the seed, so that a change to a generator
    stage's draws cannot silently give the simulator other readers than the data has.

    One row: seeding again replaces it.
    """

    seed = models.IntegerField(help_text="seed_demo's --seed.")
    users = models.PositiveIntegerField(help_text="Readers generated.")
    items = models.PositiveIntegerField(help_text="Items generated.")
    generated_for = models.DateTimeField(help_text="seed_demo's --now: the end of its history.")
    arrays = models.BinaryField(help_text="The latent arrays, an .npz archive (float16 tastes).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "latent tastes"

    def __str__(self) -> str:
        return f"latent tastes of seed {self.seed} ({self.users} readers, {self.items} items)"
