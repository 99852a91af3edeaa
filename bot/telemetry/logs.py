"""Log lines: plain text (the default) or one JSON object per line (LICENSEBOT_LOG_FORMAT=json), each carrying who
and what it is about (the Slack user, the customer, the batch) wherever that is known, and never a secret.

The fields live in a context variable rather than being passed around: a Slack request binds them as it learns
them (bot/slack/interactions.py gives every request a scope of its own, carried into the listener's thread), the save
binds the customer and the batch, and the delivery worker scopes each message's batch. Every line logged meanwhile,
by any module, carries them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class _Fields:
    """One scope's fields; replaced whole on each change, so a thread reading them never sees half an update."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)


_scope: ContextVar[_Fields | None] = ContextVar("licensebot_log_fields", default=None)


def current() -> dict[str, str]:
    fields = _scope.get()
    return dict(fields.values) if fields else {}


@contextmanager
def scope(**values: str | None) -> Iterator[None]:
    """Fields for every line logged inside the block (on top of the enclosing scope's)."""
    token = _scope.set(_Fields({**current(), **_clean(values)}))
    try:
        yield
    finally:
        _scope.reset(token)


def bind(**values: str | None) -> None:
    """Add fields to the current scope, for the rest of it; outside any scope (a CLI command) this does nothing."""
    fields = _scope.get()
    if fields is not None:
        fields.values = {**fields.values, **_clean(values)}


def _clean(values: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


# --- secrets ----------------------------------------------------------------------------------------------------

SLACK_TOKEN = re.compile(r"\b(?:xox[abeprs]|xapp)-[0-9A-Za-z-]+")  # bot, user, app-level, refresh, ...
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/?#@\s]+:)[^@/?#\s]+@", re.IGNORECASE)
REDACTED = "[redacted]"
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class RedactSecrets(logging.Filter):
    """Rewrites a record before any handler formats it: Slack tokens, passwords in URLs, and the exact values of the
    secrets it is given (the signing secret has no recognisable shape) become [redacted]. On a handler, so it sees
    every record, whichever logger it came from."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would redact ordinary words; real secrets are long.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = SLACK_TOKEN.sub(REDACTED, text)
        return URL_PASSWORD.sub(rf"\1{REDACTED}@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


# --- formats ----------------------------------------------------------------------------------------------------


class TextFormatter(logging.Formatter):
    """The classic line, with the scope's fields appended as key=value (unless the message already says them)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        message = record.getMessage()
        extra = [f"{k}={v}" for k, v in current().items() if f"{k}=" not in message]
        return f"{line} {' '.join(extra)}" if extra else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the scope's fields, then any `extra=` the call
    passed; `exc` holds a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **current(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(log_format: str, secrets: Iterable[str] = ()) -> None:
    """Give the root logger's handlers (a stderr one if it has none) the chosen format and the redaction filter;
    levels stay as the caller set them. Safe to call again."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
        root.setLevel(logging.INFO)
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    for handler in root.handlers:
        handler.setFormatter(formatter)
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(RedactSecrets(secrets))
