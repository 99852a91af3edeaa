"""What was done: each save's result (by idempotency key) and the audit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

from licensing.results import AuditEntry, AuditQuery, AuditRecord, BatchResult


class BatchRepository(Protocol):
    def get_by_key(self, key: str) -> tuple[str, BatchResult] | None:
        """The change fingerprint and result stored under an idempotency key."""
        ...

    def add(self, result: BatchResult, *, key: str | None, fingerprint: str) -> None: ...


class AuditLog(Protocol):
    def append(self, entries: Sequence[AuditEntry]) -> None: ...

    def for_batch(self, batch_id: str) -> list[AuditEntry]: ...

    def page(
        self,
        query: AuditQuery,
        *,
        before: tuple[datetime, int] | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int,
    ) -> list[AuditRecord]:
        """Up to `limit` lines newest first, by (at, id) descending: those just older than `before`, or with `after`
        those just newer than it (still newest first), or else the newest."""
        ...

    def export(self, query: AuditQuery, *, chunk: int) -> Iterator[AuditRecord]:
        """Every matching line oldest first, by (at, id); holds at most about `chunk` rows in memory at a time."""
        ...
