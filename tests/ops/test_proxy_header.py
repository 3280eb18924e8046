"""``X-Forwarded-Proto`` is trusted only when ``TRUST_X_FORWARDED_PROTO`` says a proxy
overwrites it (production settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backend.test_settings import run_python

SHOW = (
    "import django; django.setup(); from django.conf import settings as s;"
    "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
)
KEY = "p" * 20 + "roduction-secret-key-with-many-distinct-chars-0123456789"


@pytest.mark.parametrize(
    ("trust", "expected"),
    [(None, "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_the_proxy_header_is_trusted_only_when_a_setting_says_so(
    tmp_path: Path, trust: str | None, expected: str
) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "backend.production",
        "SECRET_KEY": KEY,
        "LUPI_VAR_DIR": str(tmp_path),
    }
    if trust is not None:
        env["TRUST_X_FORWARDED_PROTO"] = trust
    out = run_python(SHOW, **env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected
