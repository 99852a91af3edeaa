"""`licensebot import`: a directory file read against what the database already holds, imported all or nothing."""

from __future__ import annotations

import os

from licensing import alerts
from licensing.directory import ImportReport, upsert_checked
from licensing.directory.file import load_directory
from licensing.model import Customer, Product
from licensing.ports import UnitOfWork


class StoredDirectory:
    """The database as a directory file's references see it (the `Known` of directory.known), read as needed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._products: dict[str, Product] | None = None
        self._customers: dict[str, Customer | None] = {}
        self._subscribed: dict[str, frozenset[str]] = {}

    def product(self, sku: str) -> Product | None:
        if self._products is None:  # the catalogue is small: one query for every product a file may name
            self._products = self._uow.products.all()
        return self._products.get(sku)

    def customer(self, customer_id: str) -> Customer | None:
        if customer_id not in self._customers:
            self._customers[customer_id] = self._uow.customers.get(customer_id)
        return self._customers[customer_id]

    def subscribed(self, customer_id: str) -> frozenset[str]:
        if customer_id not in self._subscribed:
            self._subscribed[customer_id] = frozenset(self._uow.subscriptions.for_customer(customer_id))
        return self._subscribed[customer_id]


def import_file(path: str | os.PathLike[str], *, uow: UnitOfWork, dry_run: bool = False) -> ImportReport:
    """Reads a directory file (a whole directory, or additions and changes to the one stored) and upserts it.

    The file is read inside the import's write transaction, so what it is checked against cannot change before it
    is applied; every problem of the file, or of the directory it would leave, raises DirectoryFileError and
    nothing is kept. `dry_run` does all of it, reports the same, and rolls back.
    """
    with uow:
        uow.customers.lock_all()
        snapshot = load_directory(path, StoredDirectory(uow))
        report = upsert_checked(snapshot, uow, source=os.fspath(path))
        alerts.check_each(sorted({s.customer_id for s in snapshot.subscriptions}), uow)  # quantities may have moved
        if not dry_run:
            uow.commit()
    return report
