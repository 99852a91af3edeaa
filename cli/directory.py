"""`licensebot import`, `check`, `customers` and `users`: the directory as a whole, and what it holds."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import click

from cli import import_changes
from cli.common import deps, fail, friendly_errors
from cli.discover import discover
from cli.tables import table
from licensing import directory, queries
from licensing.directory.importer import import_file

USERS_PER_PAGE = 25


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would change, writing nothing.")
@click.pass_context
@friendly_errors
def import_(ctx: click.Context, file: Path, dry_run: bool) -> None:
    """Load a directory file (YAML), whole or a part: upsert by id, all or nothing.

    Users and subscriptions it names end as it says: what was changed in Slack since is undone, audited and listed.
    """
    report = import_file(file, uow=deps(ctx).uow_factory(), dry_run=dry_run)
    if report.changed == 0:
        click.echo(f"{file}: already up to date, nothing changed")
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts.items() if n)
    done = (
        f"dry run, nothing written; would import ({counts} created or changed)"
        if dry_run
        else f"imported ({counts} created or changed)"
    )
    click.echo(f"{file}: {done}")
    for line in import_changes.describe(report.changes):
        click.echo(line)


@click.command()
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


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def customers(ctx: click.Context, as_json: bool) -> None:
    """Every customer in the directory, by name, with its number of users and of products owned."""
    if ctx.invoked_subcommand is not None:
        return
    rows = queries.overview(actor=None, uow=deps(ctx).uow_factory())
    if as_json:
        data = [{"id": o.customer.id, "name": o.customer.name, "users": o.users, "products": o.products} for o in rows]
        click.echo(json.dumps({"customers": data}, indent=2))
        return
    if not rows:
        click.echo("no customers yet: load a directory file with `licensebot import FILE.yaml`")
        return
    click.echo(
        table(
            ["ID", "NAME", "USERS", "PRODUCTS"], [[o.customer.id, o.customer.name, o.users, o.products] for o in rows]
        )
    )


@click.command()
@click.argument("customer")
@click.option("--search", default="", help="Only users whose name or id contains TEXT (any case).")
@click.option("--page", default=1, show_default=True, help=f"Page to show, {USERS_PER_PAGE} users a page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@friendly_errors
def users(ctx: click.Context, customer: str, search: str, page: int, as_json: bool) -> None:
    """CUSTOMER's users, by name: id, name, usage location and the products each holds."""
    p = queries.page_users(
        customer, actor=None, query=search, page=page, page_size=USERS_PER_PAGE, uow=deps(ctx).uow_factory()
    )
    if as_json:
        data = [
            {
                "id": u.id,
                "name": u.name,
                "location": u.location,
                "licenses": sorted(u.licenses),
                "disabled_plans": {sku: sorted(plans) for sku, plans in sorted(u.disabled_plans.items())},
            }
            for u in p.users
        ]
        meta = {"customer": p.customer.id, "search": p.query, "page": p.page, "page_count": p.page_count}
        click.echo(json.dumps({**meta, "total": p.total, "users": data}, indent=2))
        return
    found = f"{p.total} user{'s' if p.total != 1 else ''}" + (f" matching {p.query!r}" if p.query else "")
    click.echo(f"{p.customer.name} ({p.customer.id}): {found}, page {p.page} of {p.page_count}\n")
    rows = [
        [u.id, u.name, u.location or "-", " ".join(_held(sku, u.disabled_plans) for sku in sorted(u.licenses))]
        for u in p.users
    ]
    click.echo(table(["ID", "NAME", "LOCATION", "LICENSES"], rows))


def _held(sku: str, disabled: Mapping[str, frozenset[str]]) -> str:
    """A product, and the service plans a connected tenant turned off in it: "ENTERPRISEPACK(off:TEAMS1)"."""
    off = disabled.get(sku)
    return f"{sku}(off:{','.join(sorted(off))})" if off else sku


customers.add_command(discover)
