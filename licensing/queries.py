"""Read-only use cases behind the bot's screens and the CLI's `customers`, `users` and `licenses show`.

`actor` None is the trusted local caller (the CLI, which holds the database credentials anyway): it sees every
customer. A Slack user id is checked against the directory's operators. Where an `Operator` is accepted, it is one
this request read from the directory already (bot/slack/roles.py): its scope is checked, the directory not read
again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from licensing.errors import Forbidden, InvalidRequest, UnknownCustomer
from licensing.model import Customer, Operator, User
from licensing.planning import forbidden_reason
from licensing.ports import UnitOfWork
from licensing.services import ServiceState, plan_table, summarize
from licensing.tenants import Tenant
from licensing.types import HoldState

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class UserPage:
    customer: Customer
    users: tuple[User, ...]
    total: int
    page: int  # 1-based, clamped to the last page
    page_size: int
    query: str
    product_names: dict[str, str]  # sku -> name, for the products the page's users hold
    tenant: Tenant | None  # the customer's Microsoft 365 tenant; None for a local customer

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class CustomerOverview:
    customer: Customer
    users: int
    products: int  # products owned (subscriptions), whether or not anyone holds them


@dataclass(frozen=True)
class ProductSummary:
    sku: str
    name: str
    quantity: int
    assigned: int  # a connected tenant's may exceed quantity (overuse), as Microsoft 365 reports it
    available: int  # quantity − assigned: negative when overused
    holders: tuple[str, ...]  # the selected users who hold it, in display order
    state: HoldState
    alert_below: int | None = None
    # The selected users who hold it, and the tenant's list of its service plans (None: Microsoft's table): what
    # `services` is worked out from, only when asked (most screens that show products never ask).
    holding: tuple[User, ...] = field(default=(), repr=False, compare=False)
    plans: tuple[str, ...] | None = None

    @property
    def has_services(self) -> bool:
        """Whether it has services to turn on and off (without counting who has each)."""
        return bool(self.plans) if self.plans is not None else bool(plan_table().plans(self.sku))

    @cached_property
    def services(self) -> tuple[ServiceState, ...]:
        """Microsoft's service plans of it, across the holders."""
        return summarize(self.sku, self.holding, plan_table(), self.plans)

    @property
    def overused(self) -> int:
        """How many more are assigned than owned; 0 when not overused."""
        return max(0, self.assigned - self.quantity)


@dataclass(frozen=True)
class Summary:
    customer: Customer
    selected: tuple[User, ...]  # sorted by name then id
    missing: tuple[str, ...]  # selected ids the customer does not have
    products: tuple[ProductSummary, ...]  # every product the customer owns, by name
    tenant: Tenant | None = None  # a connected customer's tenant, as the mirror last saw it


def operator_for(actor: str, uow: UnitOfWork, customer_id: str | None = None) -> Operator:
    """The operator behind a Slack user, refused unless in the directory (and scoped to the customer, if given)."""
    operator = uow.operators.get(actor)
    reason = forbidden_reason(operator, customer_id)
    if reason is not None or operator is None:
        raise Forbidden(reason)
    return operator


def find_operator(slack_user_id: str, *, uow: UnitOfWork) -> Operator | None:
    """The operator with this Slack user id, if the directory has one."""
    with uow:
        return uow.operators.get(slack_user_id)


def authorize(actor: str, *, uow: UnitOfWork, customer_id: str | None = None) -> Operator:
    """The operator behind a Slack user, or Forbidden saying what is missing."""
    with uow:
        return operator_for(actor, uow, customer_id)


def customer(customer_id: str, *, actor: str, uow: UnitOfWork) -> Customer:
    """The customer, if it exists and the operator may manage it (UnknownCustomer or Forbidden otherwise)."""
    with uow:
        return _customer(customer_id, actor, uow)


def list_customers(*, actor: str | None, query: str = "", limit: int = 100, uow: UnitOfWork) -> list[Customer]:
    """Customers the operator may manage whose id or name contains `query`, by name."""
    with uow:
        only = None if actor is None else operator_for(actor, uow).customers
        return uow.customers.search(query.strip(), only=only, limit=limit)


def overview(*, actor: str | None, uow: UnitOfWork) -> list[CustomerOverview]:
    """Every customer the operator may manage, by name, with how many users and products it has."""
    with uow:
        only = None if actor is None else operator_for(actor, uow).customers
        # The search's limit is there for a type-ahead; here every customer is wanted, and there are no more than ids.
        customers = uow.customers.search("", only=only, limit=max(1, len(uow.customers.all_ids())))
        return [
            CustomerOverview(
                c,
                users=uow.users.page(c.id, query="", offset=0, limit=1)[1],
                products=len(uow.subscriptions.for_customer(c.id)),
            )
            for c in customers
        ]


def page_users(
    customer_id: str,
    *,
    actor: str | Operator | None,
    query: str = "",
    page: int = 1,
    page_size: int = 10,
    uow: UnitOfWork,
) -> UserPage:
    """One page of a customer's users, searched by name or id; a page past the end shows the last one."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"Page size must be between 1 and {MAX_PAGE_SIZE}.")
    with uow:
        customer = _customer(customer_id, actor, uow)
        query = query.strip()
        page = max(1, page)
        users, total = uow.users.page(customer_id, query=query, offset=(page - 1) * page_size, limit=page_size)
        last = max(1, math.ceil(total / page_size))
        if page > last:
            page = last
            users, total = uow.users.page(customer_id, query=query, offset=(page - 1) * page_size, limit=page_size)
        names, tenant = _names(users, uow), uow.mirror.get(customer_id)
        return UserPage(customer, tuple(users), total, page, page_size, query, names, tenant)


def selected_page(
    customer_id: str,
    user_ids: Iterable[str],
    *,
    actor: str | Operator,
    page: int = 1,
    page_size: int = 10,
    uow: UnitOfWork,
) -> UserPage:
    """A page of the given users only (the operator's selection), sorted like every other list."""
    with uow:
        customer = _customer(customer_id, actor, uow)
        users = sorted(uow.users.get_many(customer_id, user_ids).values(), key=lambda u: u.sort_key)
        last = max(1, math.ceil(len(users) / page_size))
        page = min(max(1, page), last)
        start = (page - 1) * page_size
        shown = users[start : start + page_size]
        names, tenant = _names(shown, uow), uow.mirror.get(customer_id)
        return UserPage(customer, tuple(shown), len(users), page, page_size, "", names, tenant)


def owned(customer_id: str, sku: str, *, actor: str, uow: UnitOfWork) -> tuple[Customer, ProductSummary]:
    """One product the customer owns, for Buy more: InvalidRequest naming it when the customer owns none by that SKU."""
    s = summary(customer_id, [], actor=actor, uow=uow)
    product = next((p for p in s.products if p.sku == sku), None)
    if product is None:
        raise InvalidRequest(f"{s.customer.name} owns no product '{sku}'.")
    return s.customer, product


def summary(customer_id: str, user_ids: Iterable[str], *, actor: str | Operator | None, uow: UnitOfWork) -> Summary:
    """Per owned product: seats, and whether all, some or none of the selected users hold it.

    `actor` None is the trusted local caller (the CLI, which holds the database credentials anyway).
    """
    ids = tuple(dict.fromkeys(user_ids))
    with uow:
        customer = _customer(customer_id, actor, uow)
        owned = uow.subscriptions.for_customer(customer_id)
        catalogue = uow.products.get_many(owned)
        found = uow.users.get_many(customer_id, ids)
        tenant = uow.mirror.get(customer_id)
    selected = tuple(sorted(found.values(), key=lambda u: u.sort_key))
    products = []
    for sku, sub in owned.items():
        holding = tuple(u for u in selected if sku in u.licenses)
        state = HoldState.of(len(holding), len(selected))
        name = catalogue[sku].name if sku in catalogue else sku
        holders = tuple(u.id for u in holding)
        products.append(
            ProductSummary(
                sku,
                name,
                sub.quantity,
                sub.assigned,
                sub.available,
                holders,
                state,
                sub.alert_below,
                holding,
                sub.plans,
            )
        )
    products.sort(key=lambda p: (p.name.casefold(), p.sku))
    missing = tuple(u for u in ids if u not in found)
    return Summary(customer, selected, missing, tuple(products), tenant)


def _names(users: Iterable[User], uow: UnitOfWork) -> dict[str, str]:
    """Names of just the products these users hold: a page needs a few, not the whole catalogue."""
    held = {sku for u in users for sku in u.licenses}
    return {sku: p.name for sku, p in uow.products.get_many(held).items()} if held else {}


def _customer(customer_id: str, actor: str | Operator | None, uow: UnitOfWork) -> Customer:
    if isinstance(actor, Operator):
        if (reason := forbidden_reason(actor, customer_id)) is not None:
            raise Forbidden(reason)
    elif actor is not None:
        operator_for(actor, uow, customer_id)
    customer = uow.customers.get(customer_id)
    if customer is None:
        raise UnknownCustomer(customer_id)
    return customer
