"""Set-at-a-time building blocks: a statement per chunk of keys, never a statement per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    SQLColumnExpression,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.db import note_bulk_load

T = TypeVar("T")
Row = dict[str, Any]

# Values per IN list. Stays well under the bound-parameter limits (SQLite 32,766, PostgreSQL 65,535) and lets a
# change of the largest allowed size (10,000 users) load in one statement per kind.
CHUNK = 10_000


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def contains(column: SQLColumnExpression[str], needle: str, dialect: str) -> ColumnElement[bool]:
    """`needle` occurs in `column`; both already casefolded, so no database folds case (differently) for us."""
    if dialect == "postgresql":
        # LIKE, not strpos: the trigram index answers LIKE. The pattern is built here, whole, so the planner sees
        # a constant it can split into trigrams.
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"%{escaped}%", escape="\\")
    # SQLite reads every candidate row anyway; instr needs no escaping and is cheaper than LIKE's folding.
    return func.instr(column, needle) > 0


def least(a: SQLColumnExpression[int], b: SQLColumnExpression[int], dialect: str) -> ColumnElement[int]:
    return func.least(a, b) if dialect == "postgresql" else func.min(a, b)


def load(
    session: Session, table: Table, *, keys: Sequence[str], columns: Sequence[str], where: str, values: Iterable[Any]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Stored `columns` by primary key, for every row whose `where` column is one of `values`.

    Callers filter by the leading key column (a customer, a sku): SQLite cannot use an index for a
    multi-column IN list, and a whole customer is what an import compares anyway.
    """
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    n = len(keys)
    for batch in chunks(dict.fromkeys(values)):
        stmt = select(*(table.c[c] for c in (*keys, *columns))).where(table.c[where].in_(batch))
        for row in session.execute(stmt):
            found[tuple(row[:n])] = tuple(row[n:])
    return found


def diff(
    stored: Mapping[tuple[Any, ...], tuple[Any, ...]],
    rows: Iterable[Row],
    *,
    keys: Sequence[str],
    columns: Sequence[str],
) -> tuple[list[Row], list[Row]]:
    """The rows to insert and the rows whose `columns` differ from what is stored; identical rows are neither."""
    new: list[Row] = []
    changed: list[Row] = []
    for row in rows:
        old = stored.get(tuple(row[k] for k in keys))
        if old is None:
            new.append(row)
        elif old != tuple(row[c] for c in columns):
            changed.append(row)
    return new, changed


def insert_many(session: Session, table: Table, rows: Sequence[Row]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


def update_many(
    session: Session,
    table: Table,
    rows: Sequence[Row],
    *,
    keys: Sequence[str],
    columns: Sequence[str],
    extra: Mapping[str, ColumnElement[Any]] | None = None,
) -> int:
    """One executemany UPDATE setting `columns` (plus `extra` expressions) of each row found by its key."""
    if not rows:
        return 0
    # Parameter names must differ from column names: SQLAlchemy reserves those for its own SET clause.
    stmt = (
        update(table)
        .where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        .values({**{c: bindparam(f"v_{c}") for c in columns}, **(extra or {})})
    )
    params = [{**{f"k_{k}": r[k] for k in keys}, **{f"v_{c}": r[c] for c in columns}} for r in rows]
    return rowcount(session.execute(stmt, params))


def upsert_rows(
    session: Session,
    table: Table,
    rows: Iterable[Row],
    *,
    keys: Sequence[str],
    columns: Sequence[str],
    on_insert: Mapping[str, Any] | None = None,
    on_update: Mapping[str, ColumnElement[Any]] | None = None,
) -> tuple[list[Row], list[Row]]:
    """Upsert by primary key, set-at-a-time: load what is stored under the rows' leading key, insert the new rows
    (with `on_insert` values), update those whose `columns` differ (plus `on_update` expressions), leave identical
    rows alone, and note the bulk load. Returns (new, changed)."""
    rows = list(rows)
    leading = keys[0]
    stored = load(session, table, keys=keys, columns=columns, where=leading, values=(r[leading] for r in rows))
    new, changed = diff(stored, rows, keys=keys, columns=columns)
    insert_many(session, table, [{**r, **on_insert} for r in new] if on_insert else new)
    update_many(session, table, changed, keys=keys, columns=columns, extra=on_update)
    note_bulk_load(session, table.name, len(new) + len(changed))
    return new, changed


def rowcount(result: Any) -> int:
    """Rows an (executemany) statement changed; both drivers sum it over every parameter set."""
    return cast(CursorResult[Any], result).rowcount


def delete_many(session: Session, table: Table, rows: Sequence[Row], *, keys: Sequence[str]) -> int:
    """One executemany DELETE of each row found by its key; returns how many were deleted."""
    if not rows:
        return 0
    stmt = delete(table).where(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
    return rowcount(session.execute(stmt, [{f"k_{k}": r[k] for k in keys} for r in rows]))
