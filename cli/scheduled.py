"""`licensebot scheduled run`: run the scheduled changes that are due now, as `serve` and `worker` do every 30 s.

For a deployment that runs neither (cron instead), and for looking at one run's outcome. Safe beside running
replicas: each change is claimed by one of them (licensing/scheduled/runs.py). Exit codes: 0 done, 2 bad settings or
a database not ready.
"""

from __future__ import annotations

import json

import click
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings
from cli.common import fail, not_set_up


@click.group("scheduled")
def scheduled() -> None:
    """Scheduled license changes (Starts on / Ends on in Manage licenses)."""


@scheduled.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def run(as_json: bool) -> None:
    """Run the scheduled changes due now; says which ran."""
    from bot.runtime.jobs import run_scheduled

    try:
        settings = Settings()
        if problem := not_set_up(settings.database_url):
            fail(problem)
        deps = bootstrap(settings)
    except (ValidationError, ValueError) as e:
        fail(str(e).splitlines()[0])
    try:
        done = run_scheduled(deps)
    except (OperationalError, ProgrammingError) as e:
        fail(f"the database is not ready ({type(e.orig).__name__}); run `licensebot db upgrade` first")
    finally:
        deps.close()
    if as_json:
        click.echo(json.dumps({"ran": done}))
    elif done:
        click.echo(f"ran {len(done)} scheduled change{'s' if len(done) != 1 else ''}: {', '.join(map(str, done))}")
    else:
        click.echo("no scheduled change was due")
