"""Downgrades keep the data they can, and never throw data away without being told to.

Every migration's ``downgrade()`` first calls :func:`refuse_to_lose` with the tables and columns it is about
to drop. If any of them holds data, the downgrade stops with a message that says what would be lost and how to
go ahead, before it has changed anything in that step. Tables and columns it keeps are copied as they are
(SQLite's batch mode rebuilds a table with its rows; PostgreSQL alters it in place).

To accept the loss (after a backup), name the revisions in the environment variable
``MINSIP_DOWNGRADE_DISCARD`` (comma-separated, e.g. ``0009`` or ``0009,0008``), or ``all``.

On PostgreSQL a refused downgrade undoes the whole run (Alembic runs it in one transaction). On SQLite each
step is its own transaction, so the steps before the refused one stay done: the database is then at the
refused revision.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from alembic import op
from sqlalchemy import text

ACCEPT_ENV = "MINSIP_DOWNGRADE_DISCARD"


class DowngradeRefused(RuntimeError):
    """A downgrade would lose data that nobody agreed to lose."""


def accepted(revision: str) -> bool:
    chosen = {part.strip() for part in os.environ.get(ACCEPT_ENV, "").split(",") if part.strip()}
    return "all" in chosen or revision in chosen


def _count(sql: str) -> int:
    return int(op.get_bind().execute(text(sql)).scalar() or 0)


def refuse_to_lose(
    revision: str,
    tables: Iterable[str] = (),
    columns: Iterable[tuple[str, str, str]] = (),
    rows_with_no_place: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Stop the downgrade of ``revision`` if it would drop data, unless MINSIP_DOWNGRADE_DISCARD allows it.

    ``tables``: the tables the downgrade drops (a table with rows is data lost).
    ``columns``: ``(table, column, what it means)`` for the columns it drops (a value that is not NULL is
    data lost).
    ``rows_with_no_place``: ``(table, SQL condition, what they are)`` for rows the older schema cannot hold at
    all (a NOT NULL it brings back, say). These always stop the downgrade, even when the loss is accepted:
    someone has to decide what becomes of them.
    """
    for table, condition, meaning in rows_with_no_place:
        count = _count(f'SELECT COUNT(*) FROM "{table}" WHERE {condition}')  # noqa: S608 (the migration's own SQL)
        if count:
            raise DowngradeRefused(
                f"Downgrade of revision {revision} refused: {count} {meaning} cannot be stored in the older "
                f"schema (table {table}, {condition}). Deal with them first, then run the downgrade again. "
                f"This step changed nothing: the database is at revision {revision} or newer."
            )
    losses = []
    for table in tables:
        rows = _count(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (names from the migration itself)
        if rows:
            losses.append(f"{rows} row(s) in table {table}")
    for table, column, meaning in columns:
        values = _count(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" IS NOT NULL')  # noqa: S608
        if values:
            losses.append(f"{values} value(s) in {table}.{column} ({meaning})")
    if not losses or accepted(revision):
        return
    raise DowngradeRefused(
        f"Downgrade of revision {revision} refused: the older schema has no place for "
        + "; ".join(losses)
        + f". This step changed nothing: the database is at revision {revision} or newer. "
        f"To downgrade anyway and lose this data, make a backup first, then set {ACCEPT_ENV}={revision} "
        f"(or {ACCEPT_ENV}=all) and run the downgrade again."
    )
