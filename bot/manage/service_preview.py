"""What Manage licenses says of services: which products' services can be opened, and the preview's lines
("Microsoft Teams off for 3 users"). Apart from services.py so screens.py can use them without importing it back."""

from __future__ import annotations

from collections import Counter

from licensing.queries import Summary
from licensing.results import BatchResult
from licensing.types import Desired


def service_products(summary: Summary, chosen: dict[str, Desired]) -> tuple[tuple[str, str], ...]:
    """(sku, name) of the products whose services the selection can change: held by some of them, or set to Assign,
    and with services in Microsoft's table; those held first, as Manage licenses lists them."""
    return tuple(
        (p.sku, p.name)
        for p in summary.products
        if p.has_services
        and (p.holders or chosen.get(p.sku) is Desired.ASSIGN)
        and chosen.get(p.sku) is not Desired.REVOKE
    )


def service_lines(planned: BatchResult, names: dict[str, str]) -> list[str]:
    """ "Microsoft Teams off for 3 users (Office 365 E3)": what Save would change, counted over the users updated."""
    counts: Counter[tuple[str, str, bool]] = Counter(
        (c.sku, c.title, c.on) for o in planned.updated for c in o.services
    )
    return [
        f"{title} {'on' if on else 'off'} for {n:,} user{'s' if n != 1 else ''} ({names.get(sku, sku)})"
        for (sku, title, on), n in sorted(counts.items(), key=lambda kv: (names.get(kv[0][0], ""), kv[0][1]))
    ]
