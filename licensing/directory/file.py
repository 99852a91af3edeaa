"""Reading the documented YAML directory file into a `Snapshot`.

Every problem is reported at once, each with its path in the file (`customers[1].users[4].location: ...`).
Each top-level key (products, customers, operators; any may be left out) and each record is checked on its own,
and the cross-record rules (duplicates, references, seats, exclusions, requirements, locations) run over every
record that is well-formed, so one mistake never hides the next.

A file may hold a whole directory or add to one: references resolve against the file and what is already
`Known` (the database, when importing), so a file of only a few users for an existing customer is complete. A
customer already known may leave out its name.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any

from licensing.countries import is_country
from licensing.directory import Snapshot
from licensing.directory.known import Known, NothingKnown
from licensing.directory.schema import (
    TOP_LEVEL,
    CustomerRecord,
    OperatorRecord,
    ProductRecord,
    SubscriptionRecord,
    UserRecord,
    load_yaml,
    show,
    validate,
    validate_each,
)
from licensing.errors import DirectoryFileError
from licensing.model import Customer, Operator, Product, Role, Subscription, User
from licensing.rules import excluded
from licensing.tenants import Tenant, is_tenant_id

ALL_CUSTOMERS = "*"
_ROLES = tuple(role.value for role in Role)
_SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]+")
_TOP = "a mapping with the keys products, customers and operators"


def load_directory(path: str | os.PathLike[str], known: Known | None = None) -> Snapshot:
    """Reads and parses a directory file; raises DirectoryFileError listing every problem."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except OSError as exc:
        raise DirectoryFileError([f"cannot read {os.fspath(path)}: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise DirectoryFileError([f"cannot read {os.fspath(path)}: not UTF-8 text (byte {exc.start})"]) from exc
    return parse_directory(text, known)


def parse_directory(text: str, known: Known | None = None) -> Snapshot:
    """The snapshot a directory file describes; raises DirectoryFileError listing every problem."""
    data, problems = load_yaml(text)
    reader = _Reader(problems, known or NothingKnown())
    snapshot = reader.read(data)
    if reader.problems:
        raise DirectoryFileError(reader.problems)
    return snapshot


def _raw(item: object, key: str) -> str | None:
    """A record's key field as written, even when the record is otherwise broken (so it is not 'unknown')."""
    value = item.get(key) if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


class _Reader:
    def __init__(self, problems: list[str], known: Known) -> None:
        self.problems = list(problems)
        self.known = known
        self.catalogue: dict[str, Product] = {}  # the file's products, then those only `known` has, as used
        self.file_products: set[str] = set()
        self.file_customers: set[str] = set()

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def read(self, data: object) -> Snapshot:
        if data is None:
            self.problems.append(f"the file is empty: expected {_TOP}")
            return Snapshot()
        if not isinstance(data, dict):
            self.problems.append(f"the top level must be {_TOP}, not {show(data)}")
            return Snapshot()
        lists = self._top_level(data)
        products = self._products(lists.get("products", []))
        items = lists.get("customers", [])
        self.file_customers = {cid for item in items if (cid := _raw(item, "id"))}
        customers: list[Customer] = []
        subscriptions: list[Subscription] = []
        users: list[User] = []
        tenants: list[Tenant] = []
        first: dict[str, str] = {}
        for i, item in enumerate(items):  # record by record, so problems come in file order
            path = f"customers[{i}]"
            if (record := validate(CustomerRecord, item, path, self.problems)) is None:
                continue
            self._unique(first, record.id, path, "id", "customer")
            if (customer := self._customer(path, record)) is not None:
                customers.append(customer)
            if record.tenant_id is not None:
                tenants += self._tenant(path, record)
                continue
            subscriptions += self._subscriptions_and_users(path, record, users)
        operators = self._operators(lists.get("operators", []))
        return Snapshot(
            tuple(products),
            tuple(customers),
            tuple(subscriptions),
            tuple(users),
            tuple(operators),
            customer_paths=dict(first),
            tenants=tuple(tenants),
        )

    def _top_level(self, data: dict[Any, Any]) -> dict[str, list[Any]]:
        """The lists under the known keys; each key wrong on its own is one problem, and the others still count."""
        lists: dict[str, list[Any]] = {}
        for key, value in data.items():
            if key not in TOP_LEVEL:
                self.add(str(key), f"is not a known field (expected one of: {', '.join(TOP_LEVEL)})")
            elif not isinstance(value, list):
                self.add(key, f"must be a list, not {show(value)}" + (" (write [] for none)" if value is None else ""))
            else:
                lists[key] = value
        if not any(key in data for key in TOP_LEVEL):
            self.problems.append(f"nothing to import: expected at least one of {', '.join(TOP_LEVEL)}")
        return lists

    def _customer(self, path: str, record: CustomerRecord) -> Customer | None:
        """The customer as the file names it; one already known may keep its name by leaving it out."""
        if record.name is not None:
            return Customer(record.id, record.name)
        if (stored := self.known.customer(record.id)) is not None:
            return stored
        self.add(f"{path}.name", "is required for a new customer")
        return None

    def _is_product(self, sku: str) -> bool:
        return sku in self.file_products or self._product(sku) is not None

    def _product(self, sku: str) -> Product | None:
        if sku not in self.catalogue and sku not in self.file_products:
            if (stored := self.known.product(sku)) is not None:
                self.catalogue[sku] = stored
        return self.catalogue.get(sku)

    def _is_customer(self, customer_id: str) -> bool:
        return customer_id in self.file_customers or self.known.customer(customer_id) is not None

    def _tenant(self, path: str, customer: CustomerRecord) -> list[Tenant]:
        """A connected customer: its subscriptions and users come from the tenant, so the file must not list any."""
        assert customer.tenant_id is not None
        for field, items in (("subscriptions", customer.subscriptions), ("users", customer.users)):
            if items:
                why = f"{customer.id} is connected to Microsoft 365 (tenant_id), which is where its {field} come from"
                self.add(f"{path}.{field}", f"must be left out: {why}")
        if not is_tenant_id(customer.tenant_id):
            self.add(
                f"{path}.tenant_id",
                f"{customer.tenant_id!r} is not a tenant GUID or a domain (like contoso.onmicrosoft.com)",
            )
            return []
        return [Tenant(customer.id, customer.tenant_id)]

    def _unique(self, first: dict[str, str], key: str, path: str, field: str, kind: str, shown: str = "") -> None:
        if key in first:
            self.add(f"{path}.{field}", f"duplicate {kind} '{shown or key}' (first at {first[key]})")
        else:
            first[key] = path

    def _country(self, path: str, code: str) -> bool:
        if is_country(code):
            return True
        hint = f" (did you mean '{code.upper()}'?)" if is_country(code.upper()) else ""
        self.add(path, f"{code!r} is not an ISO 3166-1 alpha-2 code{hint}")
        return False

    def _products(self, items: list[Any]) -> list[Product]:
        self.file_products = {sku for item in items if (sku := _raw(item, "sku"))}
        products: list[Product] = []
        first: dict[str, str] = {}
        for path, rec in validate_each(ProductRecord, items, "products", self.problems):
            self._unique(first, rec.sku, path, "sku", "product")
            for field, verb, refs in (
                ("requires_one_of", "require", rec.requires_one_of),
                ("excludes", "exclude", rec.excludes),
            ):
                for j, sku in enumerate(refs):
                    if sku == rec.sku:
                        self.add(f"{path}.{field}[{j}]", f"a product cannot {verb} itself")
                    elif not self._is_product(sku):
                        self.add(f"{path}.{field}[{j}]", f"unknown product '{sku}'")
            for j, code in enumerate(rec.unavailable_in):
                self._country(f"{path}.unavailable_in[{j}]", code)
            product = Product(
                rec.sku,
                rec.name,
                frozenset(rec.requires_one_of),
                frozenset(rec.excludes),
                frozenset(rec.unavailable_in),
            )
            self.catalogue.setdefault(rec.sku, product)
            products.append(product)
        return products

    def _subscriptions_and_users(self, path: str, customer: CustomerRecord, users: list[User]) -> list[Subscription]:
        subscribed = {sku for item in customer.subscriptions if (sku := _raw(item, "sku"))}
        subscribed |= self.known.subscribed(customer.id)
        owned: list[tuple[str, SubscriptionRecord]] = []
        first: dict[str, str] = {}
        for sub_path, sub in validate_each(
            SubscriptionRecord, customer.subscriptions, f"{path}.subscriptions", self.problems
        ):
            self._unique(first, sub.sku, sub_path, "sku", "subscription of")
            if not self._is_product(sub.sku):
                self.add(f"{sub_path}.sku", f"unknown product '{sub.sku}'")
            owned.append((sub_path, sub))
        holders: Counter[str] = Counter()
        first = {}
        for user_path, rec in validate_each(UserRecord, customer.users, f"{path}.users", self.problems):
            self._unique(first, rec.id.casefold(), user_path, "id", "user", shown=rec.id)
            self._check_user(user_path, rec, customer.id, subscribed)
            holders.update(set(rec.licenses))
            users.append(User(customer.id, rec.id, rec.name, rec.location, frozenset(rec.licenses)))
        subscriptions: list[Subscription] = []
        for sub_path, sub in owned:
            held = holders[sub.sku]
            if held > sub.quantity:
                hold = "user holds" if held == 1 else "users hold"
                are = "is" if sub.quantity == 1 else "are"
                self.add(f"{sub_path}.quantity", f"{held} {hold} {sub.sku} but only {sub.quantity} {are} owned")
            subscriptions.append(Subscription(customer.id, sub.sku, sub.quantity, held, sub.alert_below))
        return subscriptions

    def _check_user(self, path: str, user: UserRecord, customer_id: str, subscribed: set[str]) -> None:
        located = user.location is not None and self._country(f"{path}.location", user.location)
        if user.licenses and user.location is None:
            self.add(f"{path}.location", "is required for a user who holds licenses")
        licenses = set(user.licenses)
        earlier: list[str] = []
        for j, sku in enumerate(user.licenses):
            where = f"{path}.licenses[{j}]"
            if not self._is_product(sku):
                self.add(where, f"unknown product '{sku}'")
            elif sku not in subscribed:
                self.add(where, f"{customer_id} has no subscription of {sku}")
            product = self._product(sku)
            if product is None:
                continue
            if product.requires_one_of and not product.requires_one_of & licenses:
                needed = ", ".join(sorted(product.requires_one_of))
                self.add(where, f"{sku} requires one of {needed}, and the user holds none")
            if located and user.location in product.unavailable_in:
                self.add(where, f"{sku} is not available in {user.location}, the user's location")
            for other in earlier:
                if excluded(sku, other, self.catalogue):
                    self.add(where, f"{other} and {sku} exclude each other")
            earlier.append(sku)

    def _operators(self, items: list[Any]) -> list[Operator]:
        operators: list[Operator] = []
        first: dict[str, str] = {}
        for path, rec in validate_each(OperatorRecord, items, "operators", self.problems):
            self._unique(first, rec.slack_user_id, path, "slack_user_id", "operator")
            if not _SLACK_USER_ID.fullmatch(rec.slack_user_id):
                self.add(f"{path}.slack_user_id", f"{rec.slack_user_id!r} is not a Slack user id (like U0123ABCD)")
            scope = self._scope(path, rec.customers)
            if rec.role not in _ROLES:
                self.add(f"{path}.role", f"{rec.role!r} is not a role; use one of {', '.join(_ROLES)}")
            else:
                operators.append(Operator(rec.slack_user_id, Role(rec.role), rec.name, scope))
        return operators

    def _scope(self, path: str, ids: list[str] | None) -> frozenset[str] | None:
        """None (every customer) when left out or ["*"]; otherwise the named customers, each of which must exist."""
        if ids is None or ids == [ALL_CUSTOMERS]:
            return None
        if not ids:
            self.add(f"{path}.customers", 'must name at least one customer id, or be ["*"] for every customer')
        elif ALL_CUSTOMERS in ids:
            self.add(f"{path}.customers", "'*' (every customer) cannot be combined with customer ids")
        for j, cid in enumerate(ids):
            if cid != ALL_CUSTOMERS and not self._is_customer(cid):
                self.add(f"{path}.customers[{j}]", f"unknown customer '{cid}'")
        return frozenset(ids)
