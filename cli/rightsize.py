"""Right-size on the command line: what `licenses show` says of unused licenses Partner Center still takes back, and
`licensebot licenses reduce`, a Reduce request posted for the deciders (licensing/connected/rightsize.py)."""

from __future__ import annotations

import click

from bot.purchases.messages import request_thread
from cli.common import deps, friendly_errors
from licensing.connected import rightsize
from licensing.tenants import ProviderError
from licensing.types import utcnow


def reducible(ctx: click.Context, customer: str) -> dict[str, rightsize.Reducible]:
    """By SKU, where Partner Center is set up; a Partner Center that does not answer is one line on stderr, and the
    rest of `licenses show` is still shown."""
    d = deps(ctx)
    if d.partner is None:
        return {}
    try:
        return rightsize.reducible(customer, uow=d.uow_factory(), partner=d.partner, today=utcnow().date())
    except ProviderError as e:
        click.echo(f"Partner Center did not say what is reducible: {e.message}", err=True)
        return {}


def said(r: rightsize.Reducible) -> str:
    """ "4 unused, reducible until 12 Dec"."""
    return f"{r.unused:,} unused, reducible until {r.until.day} {r.until:%b}"


@click.command("reduce")
@click.argument("customer")
@click.argument("sku")
@click.argument("quantity", type=click.IntRange(min=1))
@click.option("--as", "actor", required=True, help="Slack user id of the operator asking.")
@click.option("--note", default=None, help="A note for the approver.")
@click.pass_context
@friendly_errors
def reduce(ctx: click.Context, customer: str, sku: str, quantity: int, actor: str, note: str | None) -> None:
    """Ask for QUANTITY fewer licenses of SKU for CUSTOMER (connected to Microsoft 365): the request is posted for
    the partner's sales people, and an approval reduces the subscription in Partner Center, never below what is
    assigned."""
    d = deps(ctx)
    notify = request_thread(d.settings)
    asked = rightsize.request_reduction(
        customer, sku, quantity, actor=actor, uow=d.uow_factory(), note=note, notify=notify
    )
    click.echo(f"Reduce request {asked.id} sent: {quantity:,} fewer {asked.product_name} for {asked.customer_name}.")
