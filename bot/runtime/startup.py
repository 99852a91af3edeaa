"""What `serve` and `worker` check before they start, and the one-line explanations of the database's failures.

A process that starts with a bad token or no database would look healthy and then fail on every click or every
poll; checking first turns that into one line on stderr and exit 2, which a supervisor and a person both notice.
No message carries a token or a database password.
"""

from __future__ import annotations

import os
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.settings import Settings, safe_url
from storage.db import make_engine
from storage.migrate import is_current

# Slack's answers to a token it will not accept, and what each means for the person starting the bot.
_REFUSED = {
    "invalid_auth": "is not a valid token",
    "not_authed": "is empty",
    "token_revoked": "was revoked (the app was uninstalled or the token regenerated)",
    "token_expired": "has expired",
    "account_inactive": "belongs to a deactivated user or workspace",
}
_WHERE = "copy it again from https://api.slack.com/apps -> your app"


class StartupError(Exception):
    """A reason not to start, in one line for the person starting the process."""


def slack_refusal(variable: str, error: str) -> str:
    why = _REFUSED.get(error)
    if why is None:
        return f"Slack refused {variable} ({error})"
    return f"Slack refused {variable} ({error}): it {why}; {_WHERE}"


def unreachable_slack(base_url: str, exc: OSError, timeout_s: float) -> str:
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError):
        text = f"no answer within {timeout_s:g} s"
    else:
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"cannot reach Slack at {base_url}: {text}"


def verify_slack(settings: Settings) -> None:
    """Asks Slack whether it accepts the bot token (`auth.test`) and the app-level token for Socket Mode
    (`apps.connections.open`; the address it hands out is left unused), once each, without retrying."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    timeout = max(1, round(settings.slack_timeout_s))
    client = WebClient(token=token, base_url=settings.slack_base_url, timeout=timeout, retry_handlers=[])
    variable = "SLACK_BOT_TOKEN"
    try:
        client.auth_test()
        if settings.slack_app_token is not None:
            variable = "SLACK_APP_TOKEN"
            client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as e:
        raise StartupError(slack_refusal(variable, str(e.response.get("error")))) from None
    except OSError as e:  # URLError (refused, no such host) and TimeoutError are both OSErrors
        raise StartupError(unreachable_slack(settings.slack_base_url, e, timeout)) from None


def verify_database(engine: Engine, url: str) -> None:
    """The database answers and its schema is the one this version expects."""
    try:
        with engine.connect() as connection:
            current = is_current(connection)
    except DBAPIError as e:
        raise StartupError(unreachable_database(url, e)) from None
    if not current:
        raise StartupError(not_migrated(url))


def database_problem(url: str, error: DBAPIError) -> str:
    """What to tell the user about a database error met mid-command: down, not migrated, or what it said."""
    engine = make_engine(url)
    try:
        verify_database(engine, url)
    except StartupError as e:
        return str(e)
    finally:
        engine.dispose()
    return f"the database at {safe_url(url)} failed: {reason(url, error)}"


def unreachable_database(url: str, error: DBAPIError) -> str:
    return f"cannot connect to the database at {safe_url(url)}: {reason(url, error)}"


def not_migrated(url: str) -> str:
    return f"the database at {safe_url(url)} is not ready; run `licensebot db upgrade` first"


def reason(url: str, error: DBAPIError) -> str:
    """The driver's own first line (`Connection refused`, `unable to open database file`), password removed."""
    lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
    text = lines[0].removeprefix("connection failed: ")
    if text.startswith(("unable to open database file", "attempt to write a readonly database")):
        text += " (the SQLite file's directory must exist and be writable)"
    password = make_url(url).password
    return text.replace(str(password), "***") if password else text


def hide_slack_variables(environ: os._Environ[str] = os.environ) -> None:
    """Bolt and slack_sdk read SLACK_* variables on their own behind our settings' back.

    Bolt's App takes SLACK_BOT_TOKEN from the environment even when handed a client, and then warns that the token
    "will be unused"; SLACK_CLIENT_ID with SLACK_CLIENT_SECRET would silently switch it to the OAuth flow. The
    settings have read what licensebot uses (from here or `.env`) by the time this runs, so the process's
    environment no longer needs them, and child processes do not inherit the secrets either.
    """
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_VERIFICATION_TOKEN",
    ):
        environ.pop(name, None)
