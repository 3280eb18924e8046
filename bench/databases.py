"""Throwaway PostgreSQL databases beside a given one, for runs that need a database of
their own (the attack suite, tests that start servers)."""

from __future__ import annotations

__all__ = ["drop_postgres", "fresh_postgres"]

_DROP = "DROP DATABASE IF EXISTS {} WITH (FORCE)"


def fresh_postgres(url: str, name: str) -> str:
    """A new, empty database called ``name`` beside the one ``url`` names; its URL."""
    import psycopg
    from psycopg import sql

    base, _, _old = url.rpartition("/")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL(_DROP).format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def drop_postgres(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL(_DROP).format(sql.Identifier(name)))
