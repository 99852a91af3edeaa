"""What the bot and the CLI need at run time, built once from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from licensing.ports import UnitOfWork
from storage.db import make_engine, make_session_factory
from storage.sessions import SessionStore
from storage.uow import SqlUnitOfWork


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    uow_factory: Callable[[], UnitOfWork]
    sessions: SessionStore
    session_factory: sessionmaker[Session]  # the outbox worker's own short transactions


def build_deps(settings: Settings, *, schema: str | None = None) -> Deps:
    engine = make_engine(settings.database_url, schema=schema)
    factory = make_session_factory(engine)
    deadline = timedelta(hours=settings.outbox_deadline_hours)
    return Deps(
        settings, engine, lambda: SqlUnitOfWork(factory, outbox_deadline=deadline), SessionStore(factory), factory
    )
