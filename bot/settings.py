"""Settings from the environment and an optional `.env` file (pydantic-settings)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # The embedded default: a SQLite file in the working directory. Production: postgresql+psycopg://...
    database_url: str = "sqlite:///licensebot.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    # The outbox worker (bot/outbox.py). Slack allows about one message per second per channel.
    outbox_deadline_hours: float = 24.0  # keep trying this long after a message was queued, then mark it dead
    outbox_channel_interval_s: float = 1.0  # least time between two sends to the same channel
    outbox_lease_s: float = 120.0  # a claimed message another worker may take over after this (its worker died)
    outbox_poll_s: float = 0.5  # how often an idle worker looks for due messages
    outbox_batch: int = 20  # messages claimed at once, at most one per channel
    outbox_concurrency: int = 4  # of a claim, how many are sent at the same time
    slack_timeout_s: float = 10.0  # the worker's HTTP timeout for one Slack call


def safe_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say nothing of it rather than risk echoing a secret
        return "<unparseable DATABASE_URL>"
