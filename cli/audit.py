"""`licensebot audit export`: the audit as CSV, streamed a chunk at a time, so a million lines take no more memory than
a thousand."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

import click

from cli.common import deps, fail, friendly_errors
from licensing import history
from licensing.audit import service_text
from licensing.results import AuditRecord

# `detail` (last, so scripts reading the earlier columns by position keep working): a service line's words.
HEADER = ("id", "at", "batch_id", "operator", "customer_id", "user_id", "sku", "action", "outcome", "reason", "detail")
FORMULA_STARTS = ("=", "+", "-", "@")  # also tab and carriage return, which some spreadsheets skip before a formula


@click.group()
def audit() -> None:
    """Read the audit: every license change applied or refused."""


@audit.command("export")
@click.option("--customer", help="Only this customer's lines (its id).")
@click.option("--since", metavar="YYYY-MM-DD", help="From the start of this day (UTC).")
@click.option("--until", metavar="YYYY-MM-DD", help="To the end of this day (UTC), inclusive.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to FILE, not stdout.")
@click.pass_context
@friendly_errors
def export(ctx: click.Context, customer: str | None, since: str | None, until: str | None, output: str | None) -> None:
    """Write the audit as CSV, oldest line first, times in UTC."""
    start = _day(since, "--since")
    end = _day(until, "--until")
    if start and end and end < start:
        fail(f"--until {until} is before --since {since}")
    records = history.export(
        actor=None,
        uow=deps(ctx).uow_factory(),
        customer_id=customer,
        since=start,
        until=end + timedelta(days=1) if end else None,
    )  # raises UnknownCustomer here, before any output
    if output is None:
        write_csv(records, sys.stdout)
        return
    with open(output, "w", newline="", encoding="utf-8") as f:
        count = write_csv(records, f)
    click.echo(f"{output}: {count:,} lines", err=True)


def write_csv(records: Iterable[AuditRecord], out: IO[str]) -> int:
    """Writes the header and one row a record as it comes; returns how many records."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for count, record in enumerate(records, start=1):  # noqa: B007  # the count is the point
        writer.writerow(row(record))
    return count


def row(record: AuditRecord) -> list[str]:
    e = record.entry
    at = e.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    values: Iterator[str | None] = iter(
        (
            *(str(record.id), at, e.batch_id, e.operator, e.customer_id, e.user_id, e.sku, e.action, e.outcome),
            *(e.reason, service_text(e.action, e.sku)),
        )
    )
    return [safe(v or "") for v in values]


def safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice): a leading quote."""
    return "'" + cell if cell.startswith(FORMULA_STARTS + ("\t", "\r")) else cell


def _day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
    except ValueError:
        fail(f"{option} {value!r} is not a date like 2026-03-31")
