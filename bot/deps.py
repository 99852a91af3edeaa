"""What the listeners, the jobs and the CLI are handed at run time; built by bot/runtime/bootstrap.py, nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.telemetry.metrics import Metrics
from licensing.ports import PartnerCenter, TenantProvider, UnitOfWork
from storage.modal_state import ModalStore


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    uow_factory: Callable[[], UnitOfWork]  # a fresh unit of work for each use case
    modals: ModalStore
    sessionmaker: sessionmaker[Session]  # the outbox worker's and the CLI's own short transactions
    metrics: Metrics  # this process's registry: /metrics serves it
    m365: TenantProvider | None = None  # Microsoft 365, when a Graph app is configured
    partner: PartnerCenter | None = None  # Partner Center, when LICENSEBOT_PARTNER_TENANT_ID is set too
    closing: tuple[Callable[[], None], ...] = ()  # what else to close with the database (the modal store, Graph)
    # What to redraw after an operator's change (the App Home, set by bot/app.py): a room that changes licenses need
    # not know which rooms show them.
    after_change: tuple[Callable[[Deps, WebClient, str], None], ...] = ()
    # The slow lane: work that may wait on a remote service (a Save, which may call Microsoft 365) runs here, never
    # on Bolt's listener threads, so it cannot hold up anyone's clicks (bot/slack/respond.py). Bounded by the
    # LICENSEBOT_SLOW_THREADS setting; what finds it full waits its turn. bootstrap gives it the request's context.
    slow: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="slow"))

    def changed(self, client: WebClient, user: str) -> None:
        """Tell the rooms that show licenses that `user` changed some (each is best effort and never raises)."""
        for redraw in self.after_change:
            redraw(self, client, user)

    def close(self) -> None:
        """Let the slow lane finish what it took, then close the database connections (left open, they would
        outlive a CLI command, and warn in tests)."""
        self.slow.shutdown(wait=True)
        for close in self.closing:
            close()
        self.engine.dispose()
