"""The SQL adapter of `storage.modal_state.ModalStore`: an open modal's customer, page, search and selected users.

The tables keep the names they were created with (view_sessions, view_selections).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from licensing.types import Desired, Switch, utcnow
from storage.bulk import rowcount
from storage.db import write_transaction
from storage.modal_state import ModalState, without_choices
from storage.models import Base, table
from storage.types import Key, NullableJSON, UTCDateTime


class ModalStateRow(Base):
    __tablename__ = "view_sessions"

    token: Mapped[str] = mapped_column(String, primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String)
    channel_id: Mapped[str | None] = mapped_column(String, nullable=True)
    customer_id: Mapped[str | None] = mapped_column(Key, nullable=True)
    customer_name: Mapped[str | None] = mapped_column(String, nullable=True)
    query: Mapped[str] = mapped_column(String)
    page: Mapped[int] = mapped_column(Integer)
    showing_selected: Mapped[bool] = mapped_column(Boolean)
    rev: Mapped[int] = mapped_column(Integer)
    page_keys: Mapped[dict[str, str]] = mapped_column(JSON)
    initial: Mapped[dict[str, str] | None] = mapped_column(NullableJSON, nullable=True)
    # Defaults on the database side too, for the rows of modals open while migration 0005 ran.
    choices: Mapped[dict[str, str]] = mapped_column(JSON, server_default=text("'{}'"))
    product_page: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    product_query: Mapped[str] = mapped_column(String, server_default=text("''"))
    service_choices: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, server_default=text("'{}'"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ViewSelectionRow(Base):
    __tablename__ = "view_selections"

    token: Mapped[str] = mapped_column(ForeignKey("view_sessions.token", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(Key, primary_key=True)


_TABLE = table(ModalStateRow)
_SELECTED = table(ViewSelectionRow)
# Built once (storage/repositories.py says why): nearly every click reads and writes its modal.
GET = select(_TABLE).where(_TABLE.c.token == bindparam("k_token"))
SELECTED = select(_SELECTED.c.user_id).where(_SELECTED.c.token == bindparam("k_token"))
SELECTED_AMONG = SELECTED.where(_SELECTED.c.user_id.in_(bindparam("among", expanding=True)))
COUNT = select(func.count()).select_from(_SELECTED).where(_SELECTED.c.token == bindparam("k_token"))
_COLUMNS = [c.name for c in _TABLE.c if c.name != "token"]
# Without the service choices too: those are written only by merge_services, so a stale copy never undoes a newer one.
SAVE = {
    everything: update(_TABLE)
    .where(_TABLE.c.token == bindparam("k_token"))
    .values({c: bindparam(c) for c in _COLUMNS if everything or c != "service_choices"})
    for everything in (True, False)
}


class SqlModalStore:
    """Each call is its own short transaction: this is UI state, not licensing data."""

    def __init__(self, sessionmaker: sessionmaker[Session]) -> None:
        self._sessions = sessionmaker
        # What every click does (read the modal, its ticks, save it) runs on plain connections: a Session around
        # one statement costs about 50 µs more, three times a click (bench/bench_served.py).
        with sessionmaker() as s:
            bind = s.get_bind()
        self._engine: Engine = bind if isinstance(bind, Engine) else bind.engine

    def create(self, slack_user_id: str, channel_id: str | None) -> ModalState:
        modal = ModalState(secrets.token_urlsafe(16), slack_user_id, channel_id)
        with self._sessions.begin() as s:
            s.execute(insert(ModalStateRow).values(**_row(modal), updated_at=utcnow()))
        return modal

    def get(self, token: str) -> ModalState | None:
        # Core statements on the table, not the ORM entity: nearly every click reads and writes its modal, and the
        # ORM's loading and its UPDATE's bookkeeping cost more than the queries (bench/bench_served.py).
        with self._engine.connect() as c:
            row = c.execute(GET, {"k_token": token}).one_or_none()
            if row is None:
                return None
            return ModalState(
                row.token,
                row.slack_user_id,
                row.channel_id,
                row.customer_id,
                row.customer_name,
                row.query,
                row.page,
                row.showing_selected,
                row.rev,
                dict(row.page_keys),
                _choices(row.initial),
                _choices(row.choices) or {},
                row.product_page,
                row.product_query,
                {sku: {p: Switch(c) for p, c in chosen.items()} for sku, chosen in (row.service_choices or {}).items()},
            )

    def save(self, modal: ModalState) -> None:
        with self._engine.begin() as c:
            self._save(c, modal)

    def save_page(self, modal: ModalState, among: Sequence[str]) -> tuple[int, frozenset[str]]:
        with self._engine.begin() as c:
            self._save(c, modal)
            count = int(c.scalar(COUNT, {"k_token": modal.token}) or 0)
            if not count or not among:
                return count, frozenset()
            return count, frozenset(c.scalars(SELECTED_AMONG, {"k_token": modal.token, "among": list(among)}))

    @staticmethod
    def _save(c: Connection, modal: ModalState) -> None:
        row = _row(modal)
        del row["token"]
        everything = not modal.service_choices
        if not everything:
            del row["service_choices"]
        c.execute(SAVE[everything], {**row, "k_token": modal.token, "updated_at": utcnow()})

    def merge_services(self, token: str, sku: str, choices: dict[str, Switch]) -> ModalState | None:
        """Adds `choices` to the product's service choices in one write transaction: two clicks handled at once both
        count. Returns the modal as stored after it (None: gone)."""
        with self._sessions() as s, write_transaction(s):
            found = s.scalars(
                select(ModalStateRow.service_choices).where(ModalStateRow.token == token).with_for_update()
            ).first()
            if found is None:
                return None
            merged = {**found, sku: {**found.get(sku, {}), **{p: c.value for p, c in choices.items()}}}
            s.execute(
                update(ModalStateRow)
                .where(ModalStateRow.token == token)
                .values(service_choices=merged, updated_at=utcnow())
            )
        return self.get(token)

    def switch_customer(self, modal: ModalState, customer_id: str | None, customer_name: str | None) -> ModalState:
        """A new customer starts from a clean slate: first page, no search, nothing selected, no product picked."""
        fresh = replace(
            without_choices(modal),
            customer_id=customer_id,
            customer_name=customer_name,
            query="",
            page=1,
            showing_selected=False,
        )
        self.clear(modal.token)
        self.save(fresh)
        return fresh

    def selected(self, token: str) -> list[str]:
        with self._engine.connect() as c:
            return sorted(c.scalars(SELECTED, {"k_token": token}))

    def count(self, token: str) -> int:
        with self._engine.connect() as c:
            return int(c.scalar(COUNT, {"k_token": token}) or 0)

    def select(self, token: str, user_ids: Iterable[str]) -> None:
        ids = set(user_ids)
        if not ids:
            return
        # read-then-write: on SQLite, take the writer lock first rather than fail upgrading
        with self._sessions() as s, write_transaction(s):
            have = set(
                s.scalars(
                    select(ViewSelectionRow.user_id).where(
                        ViewSelectionRow.token == token, ViewSelectionRow.user_id.in_(ids)
                    )
                )
            )
            new = [{"token": token, "user_id": u} for u in sorted(ids - have)]
            if new:
                s.execute(insert(ViewSelectionRow), new)

    def deselect(self, token: str, user_ids: Iterable[str]) -> None:
        ids = set(user_ids)
        if ids:
            with self._sessions.begin() as s:
                s.execute(
                    delete(ViewSelectionRow).where(ViewSelectionRow.token == token, ViewSelectionRow.user_id.in_(ids))
                )

    def clear(self, token: str) -> None:
        with self._sessions.begin() as s:
            s.execute(delete(ViewSelectionRow).where(ViewSelectionRow.token == token))

    def purge(self, older_than: timedelta) -> int:
        """Forget modals untouched for a while; Slack closes a modal's interactivity long before a day passes."""
        cutoff = utcnow() - older_than
        with self._sessions.begin() as s:
            stale = select(ModalStateRow.token).where(ModalStateRow.updated_at < cutoff)
            s.execute(delete(ViewSelectionRow).where(ViewSelectionRow.token.in_(stale)))
            return rowcount(s.execute(delete(ModalStateRow).where(ModalStateRow.updated_at < cutoff)))


def _row(modal: ModalState) -> dict[str, object]:
    return {
        "token": modal.token,
        "slack_user_id": modal.slack_user_id,
        "channel_id": modal.channel_id,
        "customer_id": modal.customer_id,
        "customer_name": modal.customer_name,
        "query": modal.query,
        "page": modal.page,
        "showing_selected": modal.showing_selected,
        "rev": modal.rev,
        "page_keys": modal.page_keys,
        "initial": modal.initial,
        "choices": modal.choices,
        "product_page": modal.product_page,
        "product_query": modal.product_query,
        "service_choices": modal.service_choices,
    }


def _choices(stored: dict[str, str] | None) -> dict[str, Desired] | None:
    return {sku: Desired(c) for sku, c in stored.items()} if stored else None
