"""`licensebot serve` (the Slack app, with the outbox worker inside) and `licensebot worker` (the worker alone)."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from pathlib import Path

import click

from bot.deps import Deps
from bot.runtime import jobs as scheduler
from bot.runtime.bootstrap import delivery_worker, slack_app, start_signals
from bot.runtime.startup import hide_slack_variables, verify_database, verify_slack
from cli.common import deps, fail, friendly_errors, not_set_up
from licensing import directory
from licensing.directory.importer import import_file

DEMO_FILE = Path(__file__).resolve().parents[1] / "examples" / "demo.yaml"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP mode: address to listen on.")
@click.option("--port", default=3000, show_default=True, help="HTTP mode: port to listen on.")
@click.option("--demo", is_flag=True, help="Import examples/demo.yaml first if the database has no customers.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int, demo: bool) -> None:
    """Run the Slack app: Socket Mode if SLACK_APP_TOKEN is set, else HTTP at POST /slack/events."""
    from bot.runtime.serve import serve_http, serve_socket_mode

    _log_at_info()
    d = deps(ctx, set_up=False)
    start_signals(d)  # the log format (and secret redaction) asked for, and the metrics listener if configured
    s = d.settings
    missing = [] if s.slack_bot_token else ["SLACK_BOT_TOKEN"]
    if s.slack_signing_secret is None and s.slack_app_token is None:  # HTTP mode checks every request's signature
        missing.append("SLACK_SIGNING_SECRET")
    if missing:
        fail(
            f"set {' and '.join(missing)} (and SLACK_APP_TOKEN for Socket Mode). Create the app from manifest.yml: "
            "https://api.slack.com/apps -> Create New App -> From a manifest; then install it to your workspace."
        )
    _verify(d)
    if demo and not directory.has_customers(uow=d.uow_factory()):
        report = import_file(DEMO_FILE, uow=d.uow_factory())
        click.echo(f"imported the demo directory ({report.counts['users']} users)")
    stopping = _stop_on_signals()
    app = slack_app(d)
    worker = delivery_worker(d)
    jobs = scheduler.start(d, worker)  # the outbox is delivered from inside the app's process too
    # What start-up built (the app and its listeners, the libraries, the tables) lives as long as the process. Frozen,
    # it is left out of the garbage collector's full passes, each of which walked it for 65 ms in the middle of a
    # click (bench/bench_served.py: Manage licenses' p99).
    gc.freeze()
    try:
        if s.slack_app_token:
            serve_socket_mode(app, s.slack_app_token.get_secret_value(), stopping)
        else:
            serve_http(app, d, host, port)
    finally:
        # Saves taken on the slow lane (running or waiting their turn) finish, their results shown, before the worker
        # stops; one killed meanwhile recorded its intent first, and the next sync's reconcile finishes it.
        d.slow.shutdown(wait=True)
        scheduler.stop(jobs, worker)


def _log_at_info() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The schema check at start-up (alembic's MigrationContext) would announce its SQL dialect at INFO.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


def _verify(d: Deps) -> None:
    """Refuse to start, in one line, rather than run without a database or with a token Slack refuses."""
    if problem := not_set_up(d.settings.database_url):
        fail(problem)  # before connecting, which would leave an empty file behind
    verify_database(d.engine, d.settings.database_url)
    verify_slack(d.settings)
    hide_slack_variables()


def _stop_on_signals() -> threading.Event:
    """SIGTERM and Ctrl-C ask for a clean stop: the process finishes what is in flight and exits 0."""
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    return stopping


@click.command()
@click.pass_context
@friendly_errors
def worker(ctx: click.Context) -> None:
    """Run the background jobs (the outbox's threads and DMs, scheduled changes, the tenant sync, alerts) until
    SIGTERM or Ctrl-C, without answering Slack; run as many as you like on PostgreSQL, one on SQLite."""
    _log_at_info()
    d = deps(ctx, set_up=False)
    start_signals(d)
    if not d.settings.slack_bot_token:
        fail("set SLACK_BOT_TOKEN")
    _verify(d)
    stopping = _stop_on_signals()
    w = delivery_worker(d)
    jobs = scheduler.start(d, w)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        scheduler.stop(jobs, w)  # waits for the message in flight
