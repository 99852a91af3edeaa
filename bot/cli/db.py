"""`licensebot db upgrade`."""

from __future__ import annotations

import click

from bot.settings import Settings, safe_url
from storage.migrate import upgrade


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    url = Settings().database_url
    upgrade(url)
    click.echo(f"database at {safe_url(url)} is up to date")
