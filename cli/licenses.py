"""`licensebot licenses show` and `licensebot licenses apply`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click

from cli import rightsize
from cli.common import deps, fail, friendly_errors, split
from cli.tables import table
from licensing import queries, service, services
from licensing.results import BatchResult, UserOutcome


@click.group()
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
    s = _summary(ctx, customer, split(users))
    # available is quantity − assigned (negative when a connected tenant is overused); overused says by how many.
    fields = ("sku", "name", "quantity", "assigned", "available", "overused", "holders", "state")
    products = [{f: list(v) if isinstance(v := getattr(p, f), tuple) else v for f in fields} for p in s.products]
    for product, p in zip(products, s.products, strict=True):
        # Over the selected users who hold the product: "all" of none when nobody selected holds it is "none".
        product["services"] = [{"plan": v.plan, "name": v.title, "state": v.state.value} for v in p.services]
    reducible = rightsize.reducible(ctx, customer)
    for product in products:  # unused licenses Partner Center still takes back: null where none
        r = reducible.get(str(product["sku"]))
        product["reducible"] = (
            {"unused": r.unused, "until": r.until.isoformat(), "subscription": r.subscription} if r else None
        )
    if as_json:
        click.echo(json.dumps({"customer": s.customer.id, "products": products}, indent=2))
        return
    click.echo(f"{s.customer.name} ({s.customer.id}), {len(s.selected)} user(s) selected\n")
    rows = [[p["sku"], p["name"], p["quantity"], p["assigned"], _available(p), p["state"]] for p in products]
    heads = ["SKU", "PRODUCT", "OWNED", "ASSIGNED", "AVAILABLE", "SELECTED HOLD"]
    if reducible:
        heads.append("RIGHT-SIZE")
        for row, product in zip(rows, products, strict=True):
            row.append(rightsize.said(r) if (r := reducible.get(str(product["sku"]))) else "")
    click.echo(table(heads, rows))


licenses.add_command(rightsize.reduce)


@licenses.command("apply")
@click.argument("customer")
@click.option("--users", "users", multiple=True, required=True, help="Comma-separated user ids.")
@click.option("--assign", "assign", multiple=True, help="SKU to assign to every user (repeatable).")
@click.option("--revoke", "revoke", multiple=True, help="SKU to revoke from every user (repeatable).")
@click.option("--location", default=None, help="Usage location (ISO 3166 alpha-2) to give every user.")
@click.option("--enable", "enable", multiple=True, help="SKU:PLAN service to turn on for the holders (repeatable).")
@click.option("--disable", "disable", multiple=True, help="SKU:PLAN service to turn off for the holders (repeatable).")
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
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    actor: str,
    dry_run: bool,
    key: str | None,
    as_json: bool,
) -> None:
    """Assign and revoke products, turn services on and off (and set the usage location) for users of CUSTOMER;
    each user all or nothing."""
    if queries.find_operator(actor, uow=deps(ctx).uow_factory()) is None:
        # Checked here, not left to the batch: a typo in --as is bad input (exit 2), not every user failing (1).
        fail(f"--as {actor}: no operator has that Slack user id; use one from the directory file's operators")
    try:
        switches = services.parse_switches(enable=split(enable), disable=split(disable))
    except ValueError as e:
        fail(str(e))
    change = service.make_change(
        customer, split(users), assign=split(assign), revoke=split(revoke), location=location, services=switches
    )
    _known(ctx, customer, change.user_ids, [*split(assign), *split(revoke)])
    uow = deps(ctx).uow_factory()
    if dry_run:
        result = service.plan(change, actor=actor, uow=uow)
    else:
        result = service.apply(change, actor=actor, uow=uow, idempotency_key=key, provider=deps(ctx).m365)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render_batch(result))
    if result.failed:
        sys.exit(1)


def _summary(ctx: click.Context, customer: str, users: Sequence[str]) -> queries.Summary:
    s = queries.summary(customer, users, actor=None, uow=deps(ctx).uow_factory())
    if s.missing:
        fail(f"no user {', '.join(repr(m) for m in s.missing)} in customer {customer}")
    return s


def _known(ctx: click.Context, customer: str, users: Sequence[str], skus: list[str]) -> None:
    """Unknown users and products are bad input (exit 2, said once, nothing recorded), not every user failing (1)."""
    s = _summary(ctx, customer, users)
    owned = {p.sku for p in s.products}
    unknown = [sku for sku in dict.fromkeys(skus) if sku not in owned]
    if unknown:
        products = ", ".join(sorted(owned)) or "none"
        fail(f"customer {customer} owns no {', '.join(repr(u) for u in unknown)}; its products: {products}")


def _available(product: dict[str, object]) -> object:
    """The AVAILABLE cell: the count, or "overused by N" where more are assigned than owned."""
    return f"overused by {product['overused']}" if product["overused"] else product["available"]


def _services(o: UserOutcome) -> str:
    said = [f"{c.sku}: {c.text}" for c in o.services] + [f"{sku}: not held, unchanged" for sku in o.not_held]
    return "; ".join(said)


def render_batch(result: BatchResult) -> str:
    head = f"{'Dry run' if result.dry_run else 'Batch ' + (result.batch_id or '')} for {result.customer_id}"
    if result.replayed:
        head += " (already applied with this key: nothing changed now)"
    moved = any(o.location for o in result.results)
    switched = any(o.services or o.not_held for o in result.results)
    headers = ["USER", "STATUS", "ASSIGNED", "REVOKED", *(["LOCATION"] if moved else [])]
    headers += [*(["SERVICES"] if switched else []), "ERRORS"]
    rows = [
        [
            o.user_id,
            o.status.value,
            " ".join(o.assigned),
            " ".join(o.revoked),
            *([o.location or ""] if moved else []),
            *([_services(o)] if switched else []),
            "; ".join(f"{e.code.value}: {e.message}" for e in o.errors),
        ]
        for o in result.results
    ]
    counts = {s: sum(1 for o in result.results if o.status.value == s) for s in ("updated", "unchanged", "failed")}
    tail = ", ".join(f"{n} {s}" for s, n in counts.items())
    return f"{head}\n\n{table(headers, rows)}\n\n{tail}"
