"""What a directory file's references resolve against: what already exists, or nothing (a file read on its own).
The database's answer is `StoredDirectory` in directory.importer."""

from __future__ import annotations

from typing import Protocol

from licensing.model import Customer, Product


class Known(Protocol):
    """What already exists (the database, when importing), for a file's references to resolve against."""

    def product(self, sku: str) -> Product | None: ...
    def customer(self, customer_id: str) -> Customer | None: ...
    def subscribed(self, customer_id: str) -> frozenset[str]: ...


class NothingKnown:
    """A file read on its own: it must hold everything it refers to."""

    def product(self, sku: str) -> Product | None:
        return None

    def customer(self, customer_id: str) -> Customer | None:
        return None

    def subscribed(self, customer_id: str) -> frozenset[str]:
        return frozenset()
