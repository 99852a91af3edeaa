"""Read-only use cases over the audit: recent changes a page at a time (the bot's `/licenses history`), and every
line streamed for export (the CLI's `licensebot audit export`).

`actor` None is the trusted local caller (the CLI); a Slack user id sees only the customers its operator may manage.
Pages are cut at a cursor, (at, id) of an edge line, never at an offset: lines appended meanwhile do not shift them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from licensing.errors import InvalidRequest, LicensingError, UnknownCustomer
from licensing.ports import UnitOfWork
from licensing.queries import operator_for
from licensing.results import AuditQuery, AuditRecord

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
EXPORT_CHUNK = 1000

Cursor = tuple[datetime, int]


class UnknownUser(LicensingError):
    def __init__(self, customer_id: str, user_id: str) -> None:
        self.customer_id, self.user_id = customer_id, user_id
        super().__init__(f"Customer '{customer_id}' has no user '{user_id}', and no change was ever recorded for one.")


@dataclass(frozen=True)
class HistoryPage:
    records: tuple[AuditRecord, ...]  # newest first
    newer: Cursor | None  # pass as `after` for the page before this one; None on the newest page
    older: Cursor | None  # pass as `before` for the next page; None on the oldest
    customer_id: str | None
    user_id: str | None
    customer_names: dict[str, str]  # id -> name, for the customers on the page
    product_names: dict[str, str]  # sku -> name, for the products on the page


def recent(
    *,
    actor: str | None,
    uow: UnitOfWork,
    customer_id: str | None = None,
    user_id: str | None = None,
    before: Cursor | None = None,
    after: Cursor | None = None,
    page_size: int = PAGE_SIZE,
) -> HistoryPage:
    """Recent audit lines, newest first, within the operator's customers, optionally of one customer and one user.

    With neither cursor, the newest page; `before` gives the page older than it, `after` the page newer than it (the
    newest page when fewer than a page are newer).
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"Page size must be between 1 and {MAX_PAGE_SIZE}.")
    if user_id is not None and customer_id is None:
        raise InvalidRequest("Name the customer before the user.")
    if before is not None and after is not None:
        raise InvalidRequest("Page older or newer, not both.")
    with uow:
        query = _query(actor, uow, customer_id, user_id)
        if after is not None:
            rows = uow.audit.page(query, after=after, limit=page_size + 1)
            if len(rows) > page_size:
                rows, newer, older = rows[1:], True, True
            else:
                rows, newer, older = _first(uow, query, page_size)
        elif before is not None:
            rows = uow.audit.page(query, before=before, limit=page_size + 1)
            rows, newer, older = rows[:page_size], True, len(rows) > page_size
        else:
            rows, newer, older = _first(uow, query, page_size)
        if not rows and user_id is not None and customer_id is not None:
            if not uow.users.get_many(customer_id, [user_id]):
                raise UnknownUser(customer_id, user_id)
        customers = {r.entry.customer_id for r in rows}
        skus = {r.entry.sku for r in rows if r.entry.sku}
        customer_names = {c: found.name for c in sorted(customers) if (found := uow.customers.get(c))}
        product_names = {sku: p.name for sku, p in uow.products.get_many(skus).items()} if skus else {}
    return HistoryPage(
        tuple(rows),
        rows[0].key if newer and rows else None,
        rows[-1].key if older and rows else None,
        customer_id,
        user_id,
        customer_names,
        product_names,
    )


def export(
    *,
    actor: str | None,
    uow: UnitOfWork,
    customer_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    chunk: int = EXPORT_CHUNK,
) -> Iterator[AuditRecord]:
    """Every audit line in [since, until), oldest first, streamed: memory does not grow with the audit.

    Checks run before the first line is read, so a refusal raises before anything is written.
    """
    with uow:
        query = _query(actor, uow, customer_id, None)
    query = AuditQuery(query.customers, None, since, until)
    return _stream(uow, query, chunk)


def _stream(uow: UnitOfWork, query: AuditQuery, chunk: int) -> Iterator[AuditRecord]:
    with uow:
        yield from uow.audit.export(query, chunk=chunk)


def _first(uow: UnitOfWork, query: AuditQuery, page_size: int) -> tuple[list[AuditRecord], bool, bool]:
    rows = uow.audit.page(query, limit=page_size + 1)
    return rows[:page_size], False, len(rows) > page_size


def _query(actor: str | None, uow: UnitOfWork, customer_id: str | None, user_id: str | None) -> AuditQuery:
    """The customers the caller asked for, within those they may see; a named customer must exist."""
    scope = None if actor is None else operator_for(actor, uow, customer_id).customers
    if customer_id is not None:
        if uow.customers.get(customer_id) is None:
            raise UnknownCustomer(customer_id)
        return AuditQuery(frozenset({customer_id}), user_id)
    return AuditQuery(scope, user_id)
