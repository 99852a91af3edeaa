"""The composition root: the one place that turns settings into running parts. `licensebot serve`, `worker`, the
CLI's commands and the tests all build what they need here, so each part is wired one way only."""

from __future__ import annotations

from functools import partial

from prometheus_client import CollectorRegistry
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.alerts.messages import alert_watch
from bot.deps import Deps
from bot.outbox.worker import Worker, make_worker_client
from bot.runtime.health import Probes, start_listener
from bot.settings import Settings
from bot.slack.interactions import ContextExecutor
from bot.telemetry import logs
from bot.telemetry.metrics import Metrics, OutboxCollector
from bot.webclient import PooledWebClient
from providers.graph import GraphClient
from providers.graph.tenant import GraphTenants
from providers.partner_center import PartnerCenterClient
from storage.db import make_engine, make_session_factory
from storage.modal_store import SqlModalStore
from storage.uow import SqlUnitOfWork


def bootstrap(settings: Settings, *, schema: str | None = None) -> Deps:
    """The database side: engine, units of work, the modal store; Microsoft Graph and Partner Center when they are
    configured."""
    config = settings.graph_config()  # first: a half-configured Graph app is refused before anything opens
    if settings.partner_tenant_id and config is None:
        raise ValueError("LICENSEBOT_PARTNER_TENANT_ID needs the Graph app (LICENSEBOT_GRAPH_CLIENT_ID and its secret)")
    engine = make_engine(settings.database_url, schema=schema)
    factory = make_session_factory(engine)
    # What open modals remember is written by nearly every click, and need not wait for the disk (storage/db.py).
    modal_engine = make_engine(settings.database_url, schema=schema, durable=False)
    deadline = settings.worker_config().deadline
    counted = metrics(engine, settings)
    client = GraphClient(config, observe=counted.provider_call("graph")) if config else None
    partner = (
        PartnerCenterClient(config, settings.partner_tenant_id, url=settings.partner_center_url)
        if config and settings.partner_tenant_id
        else None
    )
    uow = partial(SqlUnitOfWork, factory, outbox_deadline=deadline, alerts=alert_watch(settings))
    return Deps(
        settings,
        engine,
        uow,
        SqlModalStore(make_session_factory(modal_engine)),
        factory,
        counted,
        GraphTenants(client) if client else None,
        partner,
        (modal_engine.dispose, *(c.close for c in (client, partner) if c is not None)),
        slow=ContextExecutor(max_workers=settings.slow_threads, thread_name_prefix="slow"),
    )


def metrics(engine: Engine, settings: Settings) -> Metrics:
    """A registry per process (per Deps, in tests), with the outbox's gauges read from the database at scrape."""
    registry = CollectorRegistry()
    registry.register(OutboxCollector(engine, settings.probe_timeout_s))
    return Metrics(registry)


def start_signals(deps: Deps) -> None:
    """For a long-running process (serve, worker): the log format and secret redaction its settings ask for, and
    the metrics listener when LICENSEBOT_METRICS_PORT is set (a daemon thread: it ends with the process)."""
    s = deps.settings
    logs.configure(s.log_format, secrets_of(s))
    if s.metrics_port is not None:
        start_listener(Probes(deps), s.metrics_host, s.metrics_port)


def secrets_of(settings: Settings) -> list[str]:
    """Values no log line may show, whatever their shape: the tokens, the signing secret, the database password."""
    values = [
        v.get_secret_value()
        for v in (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
        if v is not None
    ]
    try:
        password = make_url(settings.database_url).password
    except Exception:  # a malformed URL: nothing to pick out; the URL pattern still covers the usual shape
        password = None
    return values + ([str(password)] if password else [])


def slack_client(settings: Settings) -> WebClient:
    """The listeners' Web API client, its connections kept open between calls (bot/webclient.py). slack_sdk's
    retries stay on: a click that fails is the operator's to repeat."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return PooledWebClient(token=token, base_url=settings.slack_base_url)


def slack_app(deps: Deps, *, client: WebClient | None = None) -> App:
    from bot.app import build_app  # Bolt's listeners import the whole bot; the CLI's other commands need none of it

    return build_app(deps, client or slack_client(deps.settings))


def delivery_worker(deps: Deps) -> Worker:
    """The outbox worker, with a client of its own that never retries by itself (bot/outbox/worker.py says why)."""
    s = deps.settings
    if s.slack_bot_token is None:
        raise ValueError("the outbox worker needs SLACK_BOT_TOKEN")
    client = make_worker_client(s.slack_bot_token.get_secret_value(), s.slack_base_url, s.slack_timeout_s)
    return Worker(deps.sessionmaker, client, s.worker_config(), observer=deps.metrics.delivered)
