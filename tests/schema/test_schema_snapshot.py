"""The committed schema/schema.graphql must match the schema the code builds."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from strawberry.printer import print_schema

from schema import schema

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
REGENERATE = "python manage.py export_schema schema --path schema/schema.graphql"


def test_committed_schema_matches_the_code():
    assert SNAPSHOT.exists(), f"schema/schema.graphql is missing; run `{REGENERATE}`"
    assert SNAPSHOT.read_text(encoding="utf-8") == print_schema(schema), (
        f"schema/schema.graphql is out of date; run `{REGENERATE}` and commit it"
    )


def test_export_schema_command_writes_the_same_file(tmp_path):
    target = tmp_path / "schema.graphql"
    call_command("export_schema", "schema", path=str(target))
    assert target.read_text(encoding="utf-8") == SNAPSHOT.read_text(encoding="utf-8")
