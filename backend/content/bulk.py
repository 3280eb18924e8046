"""Writing many rows fast: PostgreSQL ``COPY``, ``executemany`` elsewhere.

Used by the demo generator and the dataset importer; rows written here skip model
``save()`` and signals, like ``bulk_create``.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from django.core.management.color import no_style
from django.db import connections, router
from django.db.models import Max, Model
from django.utils import timezone
from tqdm import tqdm

__all__ = [
    "bulk_insert",
    "bulk_load_cache",
    "indexes_dropped",
    "connection_for",
    "format_datetimes",
    "next_id",
    "reset_sequences",
]


def connection_for(model: type[Model]):
    return connections[router.db_for_write(model)]


def format_datetimes(seconds: np.ndarray, connection) -> list[str | None]:
    """Unix seconds (NaN for none) as the text the back end stores for UTC times."""
    seconds = np.asarray(seconds, dtype=np.float64)
    if seconds.size == 0:
        return []
    missing = ~np.isfinite(seconds)
    text = np.datetime_as_string(
        np.where(missing, 0, seconds).astype("int64").astype("datetime64[s]"), unit="s"
    )
    text = np.char.replace(text, "T", " ")
    if connection.vendor == "postgresql":
        text = np.char.add(text, "+00")
    out = text.tolist()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            out[i] = None
    return out


def bulk_insert(
    model: type[Model],
    columns: dict[str, Sequence],
    *,
    desc: str | None = None,
    progress: bool = False,
    chunk_size: int = 20_000,
) -> int:
    """Insert rows given column-wise (``attname -> values``, ready for the database).

    Concrete fields that are not given take their default (auto timestamps: now); an auto
    primary key not given is left to the database. PostgreSQL gets ``COPY``; other back ends
    a parameterised ``executemany``. No model ``save()``, no signals: the caller owns
    validity, as with ``bulk_create``.
    """
    connection = connection_for(model)
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns of {model.__name__} differ in length: {sorted(lengths)}")
    n = lengths.pop()
    if n == 0:
        return 0
    names: list[str] = []
    values: list[Iterable] = []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.attname in columns:
            column = columns[field.attname]
            values.append(column.tolist() if isinstance(column, np.ndarray) else column)
        elif field.primary_key:
            continue
        else:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = now
            elif field.has_default():
                default = field.get_default()
            elif field.null:
                default = None
            elif field.empty_strings_allowed and field.blank:
                default = ""
            else:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
            values.append(itertools.repeat(field.get_db_prep_save(default, connection)))
        names.append(field.column)
    unknown = set(columns) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(name) for name in names)
    rows = zip(*values, strict=False)
    bar = tqdm(
        total=n,
        desc=desc or model._meta.verbose_name_plural,
        unit="rows",
        disable=not progress,
        file=sys.stderr,
        leave=True,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for start in range(0, n, chunk_size):
                    for row in itertools.islice(rows, chunk_size):
                        copy.write_row(row)
                    bar.update(min(chunk_size, n - start))
        else:
            placeholders = ", ".join(["%s"] * len(names))
            sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
            for start in range(0, n, chunk_size):
                cursor.executemany(sql, list(itertools.islice(rows, chunk_size)))
                bar.update(min(chunk_size, n - start))
    bar.close()
    return n


def reset_sequences(models: Sequence[type[Model]]) -> None:
    """After inserting explicit ids, move the back end's id sequences past them."""
    connection = connection_for(models[0])
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def refresh_statistics(models: Sequence[type[Model]]) -> None:
    """Let the query planner see the rows just loaded (``ANALYZE``), instead of waiting for
    the database's own schedule: right after a bulk load its plans still assume empty
    tables, and choose scans where an index would take a millisecond."""
    connection = connection_for(models[0])
    quote = connection.ops.quote_name
    tables = {m._meta.db_table for m in models}
    for model in models:
        tables |= {f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many}
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"ANALYZE {quote(table)}")


def next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


@contextmanager
def bulk_load_cache(model: type[Model], mebibytes: int = 512) -> Iterator[None]:
    """On SQLite, let the connection cache up to ``mebibytes`` of pages while loading:
    with the default 2 MiB, each row inserted into a large index reads its pages back from
    the file. The previous size is restored afterwards. Other back ends: nothing."""
    connection = connection_for(model)
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _plain_indexes(connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that back no constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, connection.ops.quote_name(table)],
            )
        else:
            return []
        return list(cursor.fetchall())


@contextmanager
def indexes_dropped(model: type[Model]) -> Iterator[None]:
    """Drop the model's plain indexes for a bulk load and build them again afterwards.

    Building an index over loaded rows (one sort) is several times faster than updating
    it row by row. Use inside a transaction: both back ends that support it (SQLite and
    PostgreSQL) undo the drop if the load fails.
    """
    connection = connection_for(model)
    indexes = _plain_indexes(connection, model._meta.db_table)
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if indexes and connection.vendor == "postgresql":
            # PostgreSQL builds no index over rows whose deferred foreign-key checks are
            # still pending: run the checks now (they would run at commit anyway).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, statement in indexes:
            cursor.execute(statement)
        if indexes and connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
