"""`licensebot outbox` and `licensebot outbox retry`: the messages not delivered yet, and sending dead ones again."""

from __future__ import annotations

from datetime import timedelta

import click

from cli.common import deps, fail, friendly_errors
from cli.tables import table
from licensing.types import utcnow
from storage.outbox import admin as outbox_admin


@click.group(invoke_without_command=True)
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
            r.id,
            r.status,
            r.kind,
            r.batch_id or "-",
            r.channel or f"@{r.fallback_user}",
            f"reply to {r.parent_id}" if r.parent_id else "parent",
            r.attempts,
            r.created_at.strftime(when),
            r.next_at.strftime(when) if r.status != "dead" else "-",
            r.last_error or "",
        ]
        for r in rows
    ]
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
        ids = outbox_admin.requeue(session, outbox_id, now=utcnow(), deadline=deadline)
    if ids is None:
        fail(f"no outbox message {outbox_id}")
    elif not ids:
        fail(f"outbox message {outbox_id} is not dead (it is pending, in flight or sent)")
    else:
        click.echo(f"queued again: {', '.join(map(str, ids))}")
