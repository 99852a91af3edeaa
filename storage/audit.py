"""SQL implementation of licensing.ports.AuditLog: the append-only audit, its pages (a keyset cursor) and its
streamed export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, literal, select, tuple_
from sqlalchemy.orm import Session

from licensing.results import AuditEntry, AuditQuery, AuditRecord
from storage.bulk import insert_many
from storage.models import (
    AuditRow,
    table,
)
from storage.types import UTCDateTime

AuditSelect = Select[int, str, datetime, str, str, str, str | None, str, str, str | None]


class SqlAuditLog:
    _table = table(AuditRow)

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, entries: Sequence[AuditEntry]) -> None:
        insert_many(
            self._session,
            self._table,
            [
                {
                    "batch_id": e.batch_id,
                    "at": e.at,
                    "operator": e.operator,
                    "customer_id": e.customer_id,
                    "user_id": e.user_id,
                    "sku": e.sku,
                    "action": e.action,
                    "outcome": e.outcome,
                    "reason": e.reason,
                }
                for e in entries
            ],
        )

    def for_batch(self, batch_id: str) -> list[AuditEntry]:
        a = AuditRow
        stmt = (
            select(a.batch_id, a.at, a.operator, a.customer_id, a.user_id, a.sku, a.action, a.outcome, a.reason)
            .where(a.batch_id == batch_id)
            .order_by(a.id)
        )
        return [AuditEntry(*row) for row in self._session.execute(stmt)]

    def page(
        self,
        query: AuditQuery,
        *,
        before: tuple[datetime, int] | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int,
    ) -> list[AuditRecord]:
        a = AuditRow
        stmt = self._select(query)
        if after is not None:
            stmt = stmt.where(_past(after)).order_by(a.at, a.id).limit(limit)
            return [_record(row) for row in self._session.execute(stmt)][::-1]
        if before is not None:
            stmt = stmt.where(_past(before, newer=False))
        stmt = stmt.order_by(a.at.desc(), a.id.desc()).limit(limit)
        return [_record(row) for row in self._session.execute(stmt)]

    def export(self, query: AuditQuery, *, chunk: int) -> Iterator[AuditRecord]:
        a = AuditRow
        stmt = self._select(query).order_by(a.at, a.id)
        if self._session.get_bind().dialect.name == "postgresql":
            # One server-side cursor: PostgreSQL sends `chunk` rows at a time, the sort is done once.
            result = self._session.execute(stmt.execution_options(yield_per=chunk))
            for row in result:
                yield _record(row)
            return
        # SQLite: keyset chunks along the (at, id) index, each a short query, so no statement stays open long.
        last: tuple[datetime, int] | None = None
        while True:
            page = stmt if last is None else stmt.where(_past(last))
            rows = [_record(row) for row in self._session.execute(page.limit(chunk))]
            yield from rows
            if len(rows) < chunk:
                return
            last = rows[-1].key

    def _select(self, query: AuditQuery) -> AuditSelect:
        a = AuditRow
        stmt = select(
            a.id, a.batch_id, a.at, a.operator, a.customer_id, a.user_id, a.sku, a.action, a.outcome, a.reason
        )
        if query.customers is not None:
            stmt = stmt.where(a.customer_id.in_(sorted(query.customers)))
        if query.user_id is not None:
            stmt = stmt.where(a.user_id == query.user_id)
        if query.since is not None:
            stmt = stmt.where(a.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(a.at < query.until)
        return stmt


def _past(cursor: tuple[datetime, int], *, newer: bool = True) -> ColumnElement[bool]:
    """Lines after the cursor in (at, id) order (or before it). A row value, which both databases answer with a
    range on the (at, id) index; spelled with OR, SQLite scans the index from its start instead (50 times slower)."""
    at, id_ = cursor
    key = tuple_(AuditRow.at, AuditRow.id)
    value = tuple_(literal(at, UTCDateTime()), literal(id_, Integer()))  # typed, so `at` binds as the column stores it
    return key > value if newer else key < value


def _record(row: Any) -> AuditRecord:
    return AuditRecord(row[0], AuditEntry(*row[1:]))
