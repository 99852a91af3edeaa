"""`/licenses history [CUSTOMER] [USER]`: the words read, the customer found, a page of the audit as a view.

The filter (customer id, user id) rides in the view's private_metadata; each paging button carries its cursor. Every
page is read again with the clicking operator as the actor, so scope is checked on every click.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from blocks.history import HistoryRowVM, HistoryVM, history_view
from bot.deps import Deps
from bot.slack.timezones import OperatorZone
from licensing import history, queries
from licensing.audit import service_text
from licensing.directory.changes import DIRECTORY_IMPORT
from licensing.errors import InvalidRequest, LicensingError
from licensing.history import Cursor, HistoryPage
from licensing.purchases import SYNC

# Audit lines no Slack user wrote, by who wrote them: shown in words, never as a mention of an id Slack lacks.
NOT_PEOPLE = {DIRECTORY_IMPORT: "directory import", SYNC: "the Microsoft 365 sync"}

METADATA_MAX = 3000  # Slack's limit on private_metadata


def from_command(deps: Deps, actor: str, words: list[str], zone: OperatorZone) -> dict[str, Any]:
    """The first page for `/licenses history [CUSTOMER] [USER]` (`words` after "history")."""
    if len(words) > 2:
        raise InvalidRequest(
            "Usage: /licenses history [CUSTOMER] [USER], e.g. /licenses history contoso alice@contoso.com"
        )
    customer_id = resolve_customer(deps, actor, words[0]) if words else None
    user_id = words[1] if len(words) > 1 else None
    return view(deps, actor, customer_id, user_id, zone)


def from_click(
    deps: Deps, actor: str, metadata: str, zone: OperatorZone, *, newer: bool, cursor: str
) -> dict[str, Any]:
    """Another page of the filter the view was opened with, newer or older than `cursor`."""
    try:
        saved = json.loads(metadata)
        customer_id, user_id = saved.get("customer"), saved.get("user")
        at, _, id_ = cursor.partition("|")
        key: Cursor = (datetime.fromisoformat(at), int(id_))
        if key[0].tzinfo is None:
            raise ValueError("a cursor's time has its offset")
    except (ValueError, AttributeError) as e:
        raise InvalidRequest("This history page is damaged. Run /licenses history again.") from e
    after, before = (key, None) if newer else (None, key)
    return view(deps, actor, customer_id, user_id, zone, before=before, after=after)


def resolve_customer(deps: Deps, actor: str, word: str) -> str:
    """A customer by id, or by a name or id only one customer the operator may manage contains."""
    matches = queries.list_customers(actor=actor, query=word, limit=10, uow=deps.uow_factory())
    wanted = word.casefold()
    exact = [c for c in matches if wanted in (c.id.casefold(), c.name.casefold())]
    chosen = exact if len(exact) == 1 else matches
    if len(chosen) == 1:
        return chosen[0].id
    if not matches:
        raise LicensingError(f"No customer you manage matches “{word}”. Try /licenses history with no customer.")
    names = ", ".join(c.id for c in matches[:5]) + (" …" if len(matches) > 5 else "")
    raise LicensingError(f"{len(matches)} customers match “{word}” ({names}); give its id.")


def view(
    deps: Deps,
    actor: str,
    customer_id: str | None,
    user_id: str | None,
    zone: OperatorZone,
    *,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> dict[str, Any]:
    metadata = json.dumps({"customer": customer_id, "user": user_id}, separators=(",", ":"))
    if len(metadata) > METADATA_MAX:
        raise InvalidRequest("That customer or user id is too long to page through.")
    page = history.recent(
        actor=actor, uow=deps.uow_factory(), customer_id=customer_id, user_id=user_id, before=before, after=after
    )
    return history_view(history_vm(page, metadata, zone))


def history_vm(page: HistoryPage, metadata: str, zone: OperatorZone) -> HistoryVM:
    """Times in the reader's zone: Slack formats `<!date>` so itself, and the fallback text says the same time."""
    names = page.customer_names
    if page.customer_id is None:
        scope = "All your customers"
    else:
        customer = names.get(page.customer_id, page.customer_id)
        scope = f"{page.user_id} at {customer}" if page.user_id else customer
    rows = tuple(
        HistoryRowVM(
            at_epoch=int(r.entry.at.timestamp()),
            at_fallback=zone.stamp(r.entry.at),
            operator_id="" if r.entry.operator in NOT_PEOPLE else r.entry.operator,
            by=NOT_PEOPLE.get(r.entry.operator, "licensebot"),
            customer_name=names.get(r.entry.customer_id, r.entry.customer_id),
            user_id=r.entry.user_id,
            action=r.entry.action,
            product=page.product_names.get(r.entry.sku, r.entry.sku) if r.entry.sku else None,
            outcome=r.entry.outcome,
            reason=r.entry.reason,
            batch_id=r.entry.batch_id,
            service=service_text(r.entry.action, r.entry.sku),
        )
        for r in page.records
    )
    return HistoryVM(scope, rows, _token(page.newer), _token(page.older), metadata)


def _token(cursor: Cursor | None) -> str | None:
    return None if cursor is None else f"{cursor[0].isoformat()}|{cursor[1]}"
