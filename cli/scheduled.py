"""`licensebot scheduled run`: run the scheduled changes that are due now, as `serve` and `worker` do every 30 s.

For a deployment that runs neither (cron instead), and for looking at one run's outcome. Safe beside running
replicas: each change is claimed by one of them (licensing/scheduled/runs.py). Exit codes: 0 done, 2 bad settings or
a database not ready.
"""

from __future__ import annotations

import json
import sys

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings


@click.group("scheduled")
def scheduled() -> None:
    """Scheduled license changes (Starts on / Ends on in Manage licenses)."""


@scheduled.command("run")
def run() -> None:
    """Run the scheduled changes due now; prints the ids finished, as JSON."""
    from bot.runtime.jobs import run_scheduled

    try:
        deps = bootstrap(Settings())
    except (ValidationError, ValueError) as e:
        click.echo(f"error: {str(e).splitlines()[0]}", err=True)
        sys.exit(2)
    try:
        done = run_scheduled(deps)
    except (OperationalError, ProgrammingError) as e:
        click.echo(
            f"error: the database is not ready ({type(e.orig).__name__}); run `licensebot db upgrade` first", err=True
        )
        sys.exit(2)
    finally:
        deps.close()
    click.echo(json.dumps({"ran": done}))
