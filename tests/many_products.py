"""Northwind: a customer owning far more products than one modal holds, for the product pages of Manage licenses.

Added to a directory through the real importer, next to whatever it already holds (the operators come from it)."""

from __future__ import annotations

from licensing.directory import Snapshot
from licensing.model import Customer, Product, Subscription, User

CUSTOMER = "northwind"
FAMILIES = ("Analytics", "Backup", "Calendar", "Dynamics", "Exchange", "Forms")
ANN, BEN = "ann@northwind.com", "ben@northwind.com"
HELD = "NW151"  # "Backup 151", the one product a selected user (Ann) holds: first on page 1


def sku(i: int) -> str:
    return f"NW{i:03d}"


def name(i: int) -> str:
    """ "Dynamics 003": six families of 50, so a filter by family name matches many, and by number matches one."""
    return f"{FAMILIES[i % len(FAMILIES)]} {i:03d}"


def northwind(count: int = 300, *, sold_out_every: int = 50) -> Snapshot:
    """`count` products, every `sold_out_every`-th with no license left (quantity 1, held by Zed, who is never
    selected), the others with 5. Ann holds HELD; Ben holds nothing."""
    sold_out = {i for i in range(count) if i % sold_out_every == 0}
    products = tuple(Product(sku(i), name(i)) for i in range(count))
    subscriptions = tuple(Subscription(CUSTOMER, sku(i), 1 if i in sold_out else 5) for i in range(count))
    users = (
        User(CUSTOMER, ANN, "Ann Archer", "US", frozenset({HELD})),
        User(CUSTOMER, BEN, "Ben Baker", "US"),
        User(CUSTOMER, "zed@northwind.com", "Zed Zimmer", "US", frozenset(sku(i) for i in sold_out)),
    )
    return Snapshot(products, (Customer(CUSTOMER, "Northwind Traders"),), subscriptions, users)
