"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.delivery import Config

SLACK_API_URL = "https://slack.com/api/"
_WORKER = Config()  # the delivery worker's defaults are these settings' defaults


def _env(name: str) -> str:
    """LICENSEBOT_<NAME>, in the environment and as a keyword alike: a bare LOG_FORMAT or METRICS_PORT may well
    mean something else there."""
    return f"licensebot_{name}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The embedded default: a SQLite file in the working directory. Production: postgresql+psycopg://...
    database_url: str = "sqlite:///licensebot.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    # The outbox worker (bot/delivery.py). Slack allows about one message per second per channel.
    # Keep trying this long after a message was queued, then mark it dead.
    outbox_deadline_hours: float = _WORKER.deadline.total_seconds() / 3600
    # Least time between two sends to the same channel.
    outbox_channel_interval_s: float = _WORKER.channel_interval.total_seconds()
    # A claimed message another worker may take over after this (its worker died).
    outbox_lease_s: float = _WORKER.lease.total_seconds()
    outbox_poll_s: float = 0.5  # how often an idle worker looks for due messages
    outbox_batch: int = _WORKER.batch  # messages claimed at once, at most one per channel
    outbox_concurrency: int = _WORKER.concurrency  # of a claim, how many are sent at the same time
    slack_timeout_s: float = 10.0  # the worker's HTTP timeout for one Slack call

    # A submission whose work ends within this budget is answered with its final view (bot/respond.py); slower
    # work is answered "Saving…" and updated, at least `ack_settle_s` after that answer left.
    ack_budget_s: float = 2.0
    ack_settle_s: float = 1.0

    # Production signals (bot/logs.py, bot/metrics.py, bot/health.py), named LICENSEBOT_* in the environment.
    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("log_format"))
    # A small HTTP listener for /metrics, /healthz and /readyz, for processes without an HTTP server of their own
    # (Socket Mode, `licensebot worker`). Off unless set; HTTP mode serves the three on the app's own port anyway.
    metrics_port: int | None = Field(None, validation_alias=_env("metrics_port"))
    metrics_host: str = Field("127.0.0.1", validation_alias=_env("metrics_host"))
    # How long /readyz and the outbox gauges wait for the database before answering without it.
    probe_timeout_s: float = Field(2.0, validation_alias=_env("probe_timeout_s"))

    @property
    def slack_base_url(self) -> str:
        """The Web API base URL with the one trailing slash slack_sdk expects."""
        return (self.slack_api_url or SLACK_API_URL).rstrip("/") + "/"

    def worker_config(self) -> Config:
        return Config(
            channel_interval=timedelta(seconds=self.outbox_channel_interval_s),
            lease=timedelta(seconds=self.outbox_lease_s),
            batch=self.outbox_batch,
            concurrency=self.outbox_concurrency,
            deadline=timedelta(hours=self.outbox_deadline_hours),
        )


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say nothing of it rather than risk echoing a secret
        return "<unparseable DATABASE_URL>"
