"""Server-side state of an open /licenses modal: which customer, page and search, and the selected users.

Slack gives a view only 3,000 characters of `private_metadata`, far too few for 500 selected users, and a modal
cannot read its earlier views; so the view carries just a random token and the state lives here, keyed by it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from storage.bulk import rowcount
from storage.db import begin_write
from storage.models import Base
from storage.types import Key, NullableJSON, UTCDateTime


class ViewSessionRow(Base):
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
    choices: Mapped[dict[str, str] | None] = mapped_column(NullableJSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ViewSelectionRow(Base):
    __tablename__ = "view_selections"

    token: Mapped[str] = mapped_column(ForeignKey("view_sessions.token", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(Key, primary_key=True)


@dataclass(frozen=True)
class ViewSession:
    token: str
    slack_user_id: str
    channel_id: str | None
    customer_id: str | None = None
    customer_name: str | None = None
    query: str = ""
    page: int = 1
    showing_selected: bool = False
    rev: int = 0
    page_keys: dict[str, str] = field(default_factory=dict)  # option value -> user id, for the rendered page
    choices: dict[str, str] | None = None  # sku -> the choice pre-selected when Manage licenses opened


def _now() -> datetime:
    return datetime.now(UTC)


class SessionStore:
    """Each call is its own short transaction: this is UI state, not licensing data."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, slack_user_id: str, channel_id: str | None) -> ViewSession:
        vs = ViewSession(secrets.token_urlsafe(16), slack_user_id, channel_id)
        with self._sessions.begin() as s:
            s.execute(insert(ViewSessionRow).values(**_row(vs), updated_at=_now()))
        return vs

    def get(self, token: str) -> ViewSession | None:
        with self._sessions() as s:
            row = s.get(ViewSessionRow, token)
            if row is None:
                return None
            return ViewSession(
                row.token, row.slack_user_id, row.channel_id, row.customer_id, row.customer_name, row.query, row.page,
                row.showing_selected, row.rev, dict(row.page_keys), dict(row.choices) if row.choices else None,
            )  # fmt: skip

    def save(self, vs: ViewSession) -> None:
        with self._sessions.begin() as s:
            s.execute(
                update(ViewSessionRow).where(ViewSessionRow.token == vs.token).values(**_row(vs), updated_at=_now())
            )

    def switch_customer(self, vs: ViewSession, customer_id: str | None, customer_name: str | None) -> ViewSession:
        """A new customer starts from a clean slate: first page, no search, nothing selected."""
        fresh = replace(
            vs, customer_id=customer_id, customer_name=customer_name, query="", page=1, showing_selected=False,
            choices=None,
        )  # fmt: skip
        self.clear(vs.token)
        self.save(fresh)
        return fresh

    def selected(self, token: str) -> list[str]:
        with self._sessions() as s:
            rows = s.scalars(select(ViewSelectionRow.user_id).where(ViewSelectionRow.token == token))
            return sorted(rows)

    def count(self, token: str) -> int:
        with self._sessions() as s:
            stmt = select(func.count()).select_from(ViewSelectionRow).where(ViewSelectionRow.token == token)
            return int(s.scalar(stmt) or 0)

    def select(self, token: str, user_ids: Iterable[str]) -> None:
        ids = set(user_ids)
        if not ids:
            return
        with self._sessions() as s:
            begin_write(s)  # read-then-write: on SQLite, take the writer lock first rather than fail upgrading
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
            s.commit()

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
        cutoff = _now() - older_than
        with self._sessions.begin() as s:
            stale = select(ViewSessionRow.token).where(ViewSessionRow.updated_at < cutoff)
            s.execute(delete(ViewSelectionRow).where(ViewSelectionRow.token.in_(stale)))
            return rowcount(s.execute(delete(ViewSessionRow).where(ViewSessionRow.updated_at < cutoff)))


def _row(vs: ViewSession) -> dict[str, object]:
    return {
        "token": vs.token,
        "slack_user_id": vs.slack_user_id,
        "channel_id": vs.channel_id,
        "customer_id": vs.customer_id,
        "customer_name": vs.customer_name,
        "query": vs.query,
        "page": vs.page,
        "showing_selected": vs.showing_selected,
        "rev": vs.rev,
        "page_keys": vs.page_keys,
        "choices": vs.choices,
    }
