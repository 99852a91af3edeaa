"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.outbox.config import Config
from licensing.alert_types import AlertPolicy
from providers.graph.config import DEFAULT_GRAPH_URL, DEFAULT_LOGIN_URL, GraphConfig
from providers.partner_center.config import DEFAULT_PARTNER_CENTER_URL

SLACK_API_URL = "https://slack.com/api/"
_WORKER = Config()  # the delivery worker's defaults are these settings' defaults


def _env(name: str, default: Any = None) -> Any:
    """A setting read from the environment only as LICENSEBOT_<NAME> (a bare LOG_FORMAT or GRAPH_URL may well mean
    something else there); code sets it by that name too: Settings(licensebot_graph_url=...)."""
    return Field(default, validation_alias=f"licensebot_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The embedded default: a SQLite file in the working directory. Production: postgresql+psycopg://...
    database_url: str = "sqlite:///licensebot.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    # The outbox worker (bot/outbox/worker.py). Slack allows about one message per second per channel.
    # Keep trying this long after a message was queued, then mark it dead.
    outbox_deadline_hours: float = _WORKER.deadline.total_seconds() / 3600
    # Least time between two sends to the same channel.
    outbox_channel_interval_s: float = _WORKER.channel_interval.total_seconds()
    # A claimed message another worker may take over after this (its worker died).
    outbox_lease_s: float = _WORKER.lease.total_seconds()
    outbox_poll_s: float = 0.5  # how often an idle worker looks for due messages
    outbox_lot: int = _WORKER.lot  # messages claimed at once, at most one per channel
    outbox_concurrency: int = _WORKER.concurrency  # of a claim, how many are sent at the same time
    slack_timeout_s: float = 10.0  # the worker's HTTP timeout for one Slack call

    # A submission whose work ends within this budget is answered with its final view (bot/slack/respond.py); slower
    # work is answered "Saving…" and updated, at least `ack_settle_s` after that answer left.
    ack_budget_s: float = 2.0
    ack_settle_s: float = 1.0
    # How many Saves (and other work that may wait on Microsoft 365) run at once, on threads of their own; more wait
    # their turn, showing "Saving…". Bolt's listener threads, which answer every click, never wait on them.
    slow_threads: int = Field(4, validation_alias="licensebot_slow_threads", ge=1)

    # Production signals (bot/telemetry/logs.py, bot/telemetry/metrics.py, bot/runtime/health.py).
    log_format: Literal["text", "json"] = _env("log_format", "text")
    # uvicorn's line per HTTP request. Off by default: in HTTP mode every request is Slack's POST /slack/events, the
    # metrics count and time each interaction by name, and the line cost a click about 0.3 ms (bench/bench_served.py).
    access_log: bool = _env("access_log", False)
    # A small HTTP listener for /metrics, /healthz and /readyz, for processes without an HTTP server of their own
    # (Socket Mode, `licensebot worker`). Off unless set; HTTP mode serves the three on the app's own port anyway.
    metrics_port: int | None = _env("metrics_port")
    metrics_host: str = _env("metrics_host", "127.0.0.1")
    # How long /readyz and the outbox gauges wait for the database before answering without it.
    probe_timeout_s: float = _env("probe_timeout_s", 2.0)

    # Microsoft Graph, for customers connected to a tenant (README: "Connecting customers to Microsoft 365").
    graph_client_id: str | None = _env("graph_client_id")
    graph_client_secret: SecretStr | None = _env("graph_client_secret")
    graph_certificate: str | None = _env("graph_certificate")  # a PEM file: private key + certificate
    graph_url: str = _env("graph_url", DEFAULT_GRAPH_URL)
    login_url: str = _env("login_url", DEFAULT_LOGIN_URL)
    ca_bundle: str | None = _env("ca_bundle")  # extra trusted CAs (PEM), on top of the system's
    graph_batches_in_flight: int = _env("graph_batches_in_flight", 4)
    sync_interval_min: float = _env("sync_interval", 15.0)  # minutes between two syncs of every tenant
    graph_view_timeout_s: float = 1.0  # opening Manage licenses waits this long for live seats (Slack wants 3 s)

    # Partner Center, where an approved Buy more of a connected customer is bought (the Graph app's credentials, in
    # the partner's own tenant). Unset: approval asks for the order to be placed by hand, as without it.
    partner_tenant_id: str | None = _env("partner_tenant_id")
    partner_center_url: str = _env("partner_center_url", DEFAULT_PARTNER_CENTER_URL)
    # How long a process placing an order holds it; after that another takes it over (reading before sending).
    partner_order_lease_s: float = _env("partner_order_lease_s", 300.0)

    # Buy more: where requests are posted for approval (a channel id); else the alerts channel; else the requester's
    # own direct messages.
    sales_channel: str | None = _env("sales_channel")
    alerts_channel: str | None = _env("alerts_channel")
    # Low-license alerts (licensing/alerts.py), posted to the alerts channel (none set: no messages, only the Home).
    alert_below: int | None = _env("alert_below")  # the threshold of subscriptions without their own alert_below
    alert_exclude: str = _env("alert_exclude", "")  # SKUs never alerted on, comma-separated (free and trial SKUs)
    alert_time: str = _env("alert_time", "09:00")  # HH:MM, UTC: the daily check and reminders

    @field_validator("alert_below")
    @classmethod
    def _not_negative(cls, v: int | None) -> int | None:
        if v is not None and v < 0:
            raise ValueError("must be 0 or more (0: no low alerts)")
        return v

    @field_validator("alert_time")
    @classmethod
    def _hh_mm(cls, v: str) -> str:
        parse_hh_mm(v)
        return v.strip()

    def alert_policy(self) -> AlertPolicy:
        skus = frozenset(s.strip() for s in self.alert_exclude.split(",") if s.strip())
        return AlertPolicy(self.alert_below, skus, parse_hh_mm(self.alert_time))

    def graph_config(self) -> GraphConfig | None:
        """None when no Graph app is configured (every customer is then local); ValueError when half configured."""
        if not self.graph_client_id:
            if self.graph_client_secret or self.graph_certificate:
                raise ValueError("set LICENSEBOT_GRAPH_CLIENT_ID as well as the secret or certificate")
            return None
        secret = self.graph_client_secret.get_secret_value() if self.graph_client_secret else None
        if (secret is None) == (self.graph_certificate is None):
            raise ValueError("set one of LICENSEBOT_GRAPH_CLIENT_SECRET or LICENSEBOT_GRAPH_CERTIFICATE")
        return GraphConfig(
            client_id=self.graph_client_id,
            client_secret=secret,
            certificate_path=self.graph_certificate,
            graph_url=self.graph_url,
            login_url=self.login_url,
            ca_bundle=self.ca_bundle,
            batches_in_flight=self.graph_batches_in_flight,
        )

    @property
    def slack_base_url(self) -> str:
        """The Web API base URL with the one trailing slash slack_sdk expects."""
        return (self.slack_api_url or SLACK_API_URL).rstrip("/") + "/"

    def worker_config(self) -> Config:
        return Config(
            channel_interval=timedelta(seconds=self.outbox_channel_interval_s),
            lease=timedelta(seconds=self.outbox_lease_s),
            lot=self.outbox_lot,
            concurrency=self.outbox_concurrency,
            deadline=timedelta(hours=self.outbox_deadline_hours),
        )


def parse_hh_mm(value: str) -> time:
    """A time of day as HH:MM (24-hour, UTC), or ValueError saying so."""
    hours, sep, minutes = value.strip().partition(":")
    if sep and 1 <= len(hours) <= 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit():
        if int(hours) < 24 and int(minutes) < 60:
            return time(int(hours), int(minutes))
    raise ValueError(f"must be a time of day as HH:MM in UTC, e.g. 09:00, not {value!r}")


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say nothing of it rather than risk echoing a secret
        return "<unparseable DATABASE_URL>"
