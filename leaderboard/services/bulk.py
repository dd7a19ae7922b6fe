"""Writing many entry rows at once: PostgreSQL ``COPY`` (psycopg 3), batched ``executemany``
elsewhere (SQLite).

Both run on the caller's connection, inside its transaction: they are exactly as atomic as the
import (or generator) that calls them. They skip Django's per-object machinery — building an
``Entry`` and preparing it in ``bulk_create`` cost about ten times the SQL itself — so callers
hand in plain tuples in ``ENTRY_FIELDS`` order, already validated and truncated to fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from django.db import connection

from ..models import Entry

ENTRY_FIELDS = (
    "snapshot_id",
    "model_id",
    "rank",
    "upstream_rank",
    "rank_upper",
    "rank_lower",
    "score",
    "rating_lower",
    "rating_upper",
    "votes",
    "preliminary",
    "raw_model",
    "raw_organization",
    "raw_license",
    "price_input",
    "price_output",
    "context_tokens",
)
BATCH_SIZE = 5000
"""Rows per ``executemany`` call: bounds the memory of one call, not the transaction."""


def _columns() -> str:
    fields = {field.attname: str(field.column) for field in Entry._meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(fields[name]) for name in ENTRY_FIELDS)


def insert_entries(rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (tuples in ``ENTRY_FIELDS`` order) into the entry table; returns how
    many. The database still checks every constraint (ranks, bounds, uniqueness, keys)."""
    table = connection.ops.quote_name(Entry._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's wrapper turns psycopg's errors into django.db's (IntegrityError…), as
            # for any query; COPY goes past the cursor wrapper that would do it.
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({_columns()}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(ENTRY_FIELDS))
        sql = f"INSERT INTO {table} ({_columns()}) VALUES ({placeholders})"
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH_SIZE)):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
