"""`licensebot`: the command line. Exit codes: 0 done, 1 some users failed or invariants broken, 2 bad input."""

from __future__ import annotations

import functools
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot import scheduler
from bot.bootstrap import bootstrap, delivery_worker, slack_app
from bot.cli_sync import sync
from bot.deps import Deps
from bot.settings import Settings, safe_url
from bot.tables import table
from licensing import directory, queries, service
from licensing.directory_file import load_directory
from licensing.errors import DirectoryFileError, LicensingError
from licensing.results import BatchResult
from storage.migrate import upgrade
from storage.outbox import admin as outbox_admin

F = TypeVar("F", bound=Callable[..., Any])
DEMO_FILE = Path(__file__).resolve().parent.parent / "examples" / "demo.yaml"


def fail(message: str, code: int = 2) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def friendly_errors(fn: F) -> F:
    """One line on stderr instead of a traceback, for everything a user can cause or fix."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DirectoryFileError as e:
            for problem in e.problems:
                click.echo(problem, err=True)
            fail(f"{e.user_message} Nothing was imported.")
        except LicensingError as e:
            fail(e.user_message)
        except (OperationalError, ProgrammingError) as e:
            url = safe_url(Settings().database_url)
            fail(f"the database at {url} is not ready ({type(e.orig).__name__}); run `licensebot db upgrade` first")

    return cast(F, wrapper)


def split(values: tuple[str, ...]) -> list[str]:
    """`--users a,b --users c` and `--assign X --assign Y` both work."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Assign and revoke your customers' product licenses, many users at once."""


def deps(ctx: click.Context) -> Deps:
    """Built on first use (`db upgrade` needs none), from the composition root, and closed with the command."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = bootstrap(Settings())
        root.call_on_close(root.obj.close)
    return cast(Deps, root.obj)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    url = Settings().database_url
    upgrade(url)
    click.echo(f"database at {safe_url(url)} is up to date")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@friendly_errors
def import_(ctx: click.Context, file: Path) -> None:
    """Load a directory file (YAML): upsert by id, all or nothing."""
    report = directory.import_directory(load_directory(file), uow=deps(ctx).uow_factory())
    if report.changed == 0:
        click.echo(f"{file}: already up to date, nothing changed")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n)
    click.echo(f"{file}: imported ({counts} created or changed)")


@main.command()
@click.pass_context
@friendly_errors
def check(ctx: click.Context) -> None:
    """Verify every invariant in the database; exit 1 listing the violations."""
    problems = directory.check_directory(uow=deps(ctx).uow_factory())
    for problem in problems:
        click.echo(problem)
    if problems:
        fail(f"{len(problems)} violation{'s' if len(problems) != 1 else ''} found", code=1)
    click.echo("ok: every invariant holds")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP mode: address to listen on.")
@click.option("--port", default=3000, show_default=True, help="HTTP mode: port to listen on.")
@click.option("--demo", is_flag=True, help="Import examples/demo.yaml first if the database has no customers.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int, demo: bool) -> None:
    """Run the Slack app: Socket Mode if SLACK_APP_TOKEN is set, else HTTP at POST /slack/events."""
    from bot.serve import serve_http, serve_socket_mode

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    d = deps(ctx)
    s = d.settings
    missing = [] if s.slack_bot_token else ["SLACK_BOT_TOKEN"]
    if s.slack_signing_secret is None and s.slack_app_token is None:  # HTTP mode checks every request's signature
        missing.append("SLACK_SIGNING_SECRET")
    if missing:
        fail(
            f"set {' and '.join(missing)} (and SLACK_APP_TOKEN for Socket Mode). Create the app from manifest.yml: "
            "https://api.slack.com/apps -> Create New App -> From a manifest; then install it to your workspace."
        )
    if demo and not directory.has_customers(uow=d.uow_factory()):
        report = directory.import_directory(load_directory(DEMO_FILE), uow=d.uow_factory())
        click.echo(f"imported the demo directory ({report.counts['users']} users)")
    app = slack_app(d)
    worker = delivery_worker(d)
    jobs = scheduler.start(d, worker)  # the outbox is delivered from inside the app's process too
    try:
        if s.slack_app_token:
            # Socket Mode blocks with no SIGTERM handling of its own: make SIGTERM unwind to the `finally` below.
            signal.signal(signal.SIGTERM, _exit_on_signal)
            serve_socket_mode(app, s.slack_app_token.get_secret_value())
        else:
            serve_http(app, d, host, port)
    finally:
        scheduler.stop(jobs, worker)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.pass_context
@friendly_errors
def worker(ctx: click.Context) -> None:
    """Deliver the outbox (confirmation threads, DMs) until SIGTERM or Ctrl-C; run as many as you like on
    PostgreSQL, one on SQLite."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    d = deps(ctx)
    if not d.settings.slack_bot_token:
        fail("set SLACK_BOT_TOKEN")
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    w = delivery_worker(d)
    jobs = scheduler.start(d, w)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        scheduler.stop(jobs, w)  # waits for the message in flight


@main.group(invoke_without_command=True)
@click.pass_context
@friendly_errors
def outbox(ctx: click.Context) -> None:
    """List the messages not delivered yet (pending) and those given up on (dead)."""
    if ctx.invoked_subcommand is not None:
        return
    with deps(ctx).sessionmaker() as session:
        rows = outbox_admin.undelivered(session)
    if not rows:
        click.echo("outbox: nothing pending, nothing dead")
        return
    when = "%Y-%m-%d %H:%M:%S"
    table_rows = [
        [
            r.id, r.status, r.kind, r.batch_id or "-", r.channel or f"@{r.fallback_user}",
            f"reply to {r.parent_id}" if r.parent_id else "parent", r.attempts, r.created_at.strftime(when),
            r.next_at.strftime(when) if r.status != "dead" else "-", r.last_error or "",
        ]
        for r in rows
    ]  # fmt: skip
    headers = ["ID", "STATUS", "KIND", "BATCH", "CHANNEL", "PART", "ATTEMPTS", "QUEUED", "NEXT TRY", "LAST ERROR"]
    click.echo(table(headers, table_rows))
    counts = {st: sum(1 for r in rows if r.status == st) for st in ("pending", "sending", "dead")}
    click.echo("\n" + ", ".join(f"{n} {st}" for st, n in counts.items()))


@outbox.command("retry")
@click.argument("outbox_id", type=int)
@click.pass_context
@friendly_errors
def outbox_retry(ctx: click.Context, outbox_id: int) -> None:
    """Send dead message OUTBOX_ID again (with the rest of its thread), with a fresh deadline."""
    d = deps(ctx)
    deadline = timedelta(hours=d.settings.outbox_deadline_hours)
    with d.sessionmaker() as session:
        ids = outbox_admin.requeue(session, outbox_id, now=datetime.now(UTC), deadline=deadline)
    if ids is None:
        fail(f"no outbox message {outbox_id}")
    elif not ids:
        fail(f"outbox message {outbox_id} is not dead (it is pending, in flight or sent)")
    else:
        click.echo(f"queued again: {', '.join(map(str, ids))}")


@main.group()
def licenses() -> None:
    """Show and change a customer's licenses."""


@licenses.command("show")
@click.argument("customer")
@click.option("--users", "users", multiple=True, help="Comma-separated user ids: the selection.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, customer: str, users: tuple[str, ...], as_json: bool) -> None:
    """Every product CUSTOMER owns: seats, and which of the selected users hold it."""
    s = queries.summary(customer, split(users), actor=None, uow=deps(ctx).uow_factory())
    if s.missing:
        fail(f"no user {', '.join(repr(m) for m in s.missing)} in customer {customer}")
    fields = ("sku", "name", "quantity", "assigned", "available", "holders", "state")
    products = [{f: list(v) if isinstance(v := getattr(p, f), tuple) else v for f in fields} for p in s.products]
    if as_json:
        click.echo(json.dumps({"customer": s.customer.id, "products": products}, indent=2))
        return
    click.echo(f"{s.customer.name} ({s.customer.id}), {len(s.selected)} user(s) selected\n")
    rows = [[p["sku"], p["name"], p["quantity"], p["assigned"], p["available"], p["state"]] for p in products]
    click.echo(table(["SKU", "PRODUCT", "OWNED", "ASSIGNED", "AVAILABLE", "SELECTED HOLD"], rows))


@licenses.command("apply")
@click.argument("customer")
@click.option("--users", "users", multiple=True, required=True, help="Comma-separated user ids.")
@click.option("--assign", "assign", multiple=True, help="SKU to assign to every user (repeatable).")
@click.option("--revoke", "revoke", multiple=True, help="SKU to revoke from every user (repeatable).")
@click.option("--location", default=None, help="Usage location (ISO 3166 alpha-2) to give every user.")
@click.option("--as", "actor", required=True, help="Slack user id of the operator acting.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--key", default=None, help="Idempotency key: a repeat with the same key changes nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def apply_(
    ctx: click.Context,
    customer: str,
    users: tuple[str, ...],
    assign: tuple[str, ...],
    revoke: tuple[str, ...],
    location: str | None,
    actor: str,
    dry_run: bool,
    key: str | None,
    as_json: bool,
) -> None:
    """Assign and revoke products (and set the usage location) for users of CUSTOMER; each user all or nothing."""
    change = service.make_change(customer, split(users), assign=split(assign), revoke=split(revoke), location=location)
    uow = deps(ctx).uow_factory()
    if dry_run:
        result = service.plan(change, actor=actor, uow=uow)
    else:
        result = service.apply(change, actor=actor, uow=uow, idempotency_key=key, provider=deps(ctx).tenants)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render_batch(result))
    if result.failed:
        sys.exit(1)


def render_batch(result: BatchResult) -> str:
    head = f"{'Dry run' if result.dry_run else 'Batch ' + (result.batch_id or '')} for {result.customer_id}"
    if result.replayed:
        head += " (already applied with this key: nothing changed now)"
    moved = any(o.location for o in result.results)
    headers = ["USER", "STATUS", "ASSIGNED", "REVOKED", *(["LOCATION"] if moved else []), "ERRORS"]
    rows = [
        [
            o.user_id,
            o.status.value,
            " ".join(o.assigned),
            " ".join(o.revoked),
            *([o.location or ""] if moved else []),
            "; ".join(f"{e.code.value}: {e.message}" for e in o.errors),
        ]
        for o in result.results
    ]
    counts = {s: sum(1 for o in result.results if o.status.value == s) for s in ("updated", "unchanged", "failed")}
    tail = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{head}\n\n{table(headers, rows)}\n\n{tail}"


main.add_command(sync)
