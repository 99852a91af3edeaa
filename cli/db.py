"""`licensebot db upgrade`."""

from __future__ import annotations

import click
from sqlalchemy.exc import DBAPIError

from bot.runtime.startup import reason
from bot.settings import safe_url
from cli.common import fail, friendly_errors, settings
from storage.db import make_engine
from storage.migrate import head_revisions, upgrade


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    url = settings().database_url
    make_engine(url).dispose()  # an unsupported URL says so before anything else is tried
    try:
        before = upgrade(url)
    except DBAPIError as e:  # cannot connect, cannot create the file, read-only: the driver's words say which
        fail(f"cannot migrate the database at {safe_url(url)}: {reason(url, e)}")
    head = ", ".join(sorted(head_revisions()))
    if not before:
        click.echo(f"database at {safe_url(url)} created: schema at migration {head}")
    elif before != head_revisions():
        click.echo(f"database at {safe_url(url)} migrated from {', '.join(sorted(before))} to {head}")
    else:
        click.echo(f"database at {safe_url(url)} is up to date (migration {head})")
