"""`licensebot sync`: mirror connected customers' Microsoft 365 tenants, after finishing saves a crash interrupted.

Self-contained (its own settings, composition and error lines) so it registers on the CLI with one line.
Exit codes: 0 every tenant synced, 1 a tenant failed (named, with the reason), 2 bad input or missing settings.
A first run (no Microsoft 365 app set up, no customer connected) has nothing to sync: it says so and exits 0.
"""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.confirmation import renderer
from bot.deps import Deps
from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings
from cli.common import not_set_up
from cli.tables import table
from licensing.connected import remote
from licensing.connected.sync import SyncReport, sync_all
from licensing.errors import LicensingError

MISSING = "set LICENSEBOT_GRAPH_CLIENT_ID and LICENSEBOT_GRAPH_CLIENT_SECRET (or LICENSEBOT_GRAPH_CERTIFICATE)"
NONE_CONNECTED = "no customer is connected to Microsoft 365"


def _fail(message: str, as_json: bool) -> NoReturn:
    """One line on stderr; with --json, a JSON object on stdout instead: a script reads errors as it reads the rest."""
    if as_json:
        click.echo(json.dumps({"error": message}))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.command("sync")
@click.argument("customers", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def sync(customers: tuple[str, ...], as_json: bool) -> None:
    """Sync CUSTOMERS (default: every connected customer) from Microsoft 365: products, seats and users."""
    try:
        settings = Settings()
        if problem := not_set_up(settings.database_url):
            _fail(problem, as_json)
        deps = bootstrap(settings)
    except (ValidationError, ValueError) as e:
        _fail(str(e).splitlines()[0], as_json)
    if deps.m365 is None:
        _without_an_app(deps, customers, as_json)
        return
    try:
        reconciled, reports = _run(deps, customers)
    except LicensingError as e:
        _fail(e.user_message, as_json)
    except (OperationalError, ProgrammingError) as e:
        _fail(_not_ready(e), as_json)
    finally:
        deps.close()
    _print(reports, reconciled, as_json)
    if any(r.error for r in reports):
        sys.exit(1)


def _without_an_app(deps: Deps, customers: tuple[str, ...], as_json: bool) -> None:
    """Nothing connected means nothing to sync, which is no error; a connected customer (or one named) does need the
    app, so that still fails."""
    try:
        uow = deps.uow_factory()
        with uow:
            nothing_to_sync = not customers and not uow.mirror.all()
    except (OperationalError, ProgrammingError) as e:
        _fail(_not_ready(e), as_json)
    finally:
        deps.close()
    if not nothing_to_sync:
        _fail(f"no Microsoft 365 app is configured: {MISSING}", as_json)
    if as_json:
        click.echo(json.dumps({"tenants": [], "reconciled": [], "note": NONE_CONNECTED}, indent=2))
    else:
        click.echo(NONE_CONNECTED)


def _not_ready(e: OperationalError | ProgrammingError) -> str:
    return f"the database is not ready ({type(e.orig).__name__}); run `licensebot db upgrade` first"


def _run(deps: Deps, customers: tuple[str, ...]) -> tuple[list[str], list[SyncReport]]:
    assert deps.m365 is not None
    reconciled = remote.reconcile(provider=deps.m365, uow=deps.uow_factory(), render=renderer(deps))
    return reconciled, sync_all(provider=deps.m365, uow=deps.uow_factory(), only=customers)


def _print(reports: list[SyncReport], reconciled: list[str], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"tenants": [r.to_dict() for r in reports], "reconciled": reconciled}, indent=2))
        return
    for batch_id in reconciled:
        click.echo(f"batch {batch_id}: interrupted earlier; read back from Microsoft 365 and recorded")
    rows = [[r.customer_id, r.products, r.users, r.changes, f"failed: {r.error}" if r.error else "ok"] for r in reports]
    click.echo(
        table(["CUSTOMER", "PRODUCTS", "USERS", "CHANGES", "STATUS"], rows) if rows else "no connected customers"
    )
