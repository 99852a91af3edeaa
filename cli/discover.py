"""`licensebot customers discover`: the partner's customers from Partner Center, and adding the new ones."""

from __future__ import annotations

import json

import click

from cli.common import deps, fail, friendly_errors
from cli.tables import table
from licensing.connected import discover as discovery
from licensing.tenants import ProviderError

MISSING = "set LICENSEBOT_PARTNER_TENANT_ID (and the Graph app: LICENSEBOT_GRAPH_CLIENT_ID and its secret)"


@click.command("discover")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--add", is_flag=True, help="Add the customers not known yet as connected customers (id from domain).")
@click.pass_context
@friendly_errors
def discover(ctx: click.Context, as_json: bool, add: bool) -> None:
    """The partner's customers in Partner Center (name, domain, tenant id), marking those already known."""
    d = deps(ctx)
    if d.partner is None:
        fail(MISSING)
    try:
        found = discovery.discover(partner=d.partner, uow=d.uow_factory())
    except ProviderError as e:
        fail(e.message)
    added = {a.id for a in discovery.add_new(found, uow=d.uow_factory())} if add else set()
    if as_json:
        data = [
            {"name": f.customer.name, "domain": f.customer.domain, "tenant_id": f.customer.tenant_id, "known": f.known}
            for f in found
        ]
        click.echo(json.dumps({"customers": data}, indent=2))
        return
    if not found:
        click.echo("Partner Center lists no customers")
        return
    rows = [
        [f.customer.name, f.customer.domain, f.customer.tenant_id, "known" if f.known else _new(f, add, added)]
        for f in found
    ]
    click.echo(table(["NAME", "DOMAIN", "TENANT ID", "STATUS"], rows))


def _new(f: discovery.Discovered, add: bool, added: set[str]) -> str:
    if not add:
        return "new"
    return f"added as {f.id}" if f.id in added else f"not added: id {f.id or '?'} is taken"
