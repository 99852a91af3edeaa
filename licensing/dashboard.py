"""The App Home dashboard: within the operator's customers, each subscription's seats (the low ones first), the
purchase requests still open and the operator's own recent changes. A fixed number of reads, however many customers.

And the scheduled changes still pending in scope, soonest first (a few, with how many in all).
"""

from __future__ import annotations

from dataclasses import dataclass

from licensing import history
from licensing.alert_types import AlertPolicy
from licensing.model import Customer, Purchase, ScheduledChange
from licensing.ports import UnitOfWork
from licensing.queries import operator_for
from licensing.results import AuditRecord

PENDING_LIMIT = 20
RECENT_LIMIT = 5
RECENT_SCAN = 100  # the newest lines in scope read to find the operator's own
SCHEDULED_LIMIT = 5


@dataclass(frozen=True)
class SeatLine:
    sku: str
    name: str
    assigned: int
    owned: int
    alert_below: int | None = None  # the threshold the alerts use: the subscription's own, else the default
    excluded: bool = False  # LICENSEBOT_ALERT_EXCLUDE: never alerted on, so never low here either
    alerted: bool = False  # an alert stands (low or overused): shown low until the alerts see it recover

    @property
    def available(self) -> int:
        """Owned − assigned: negative when a connected tenant is overused."""
        return self.owned - self.assigned

    @property
    def low(self) -> bool:
        """Fewer left than the alert threshold, or more assigned than owned: what licensing/alerts.py alerts on."""
        if self.excluded:
            return False
        below = self.alert_below is not None and self.available < self.alert_below
        return self.alerted or self.available < 0 or below


@dataclass(frozen=True)
class CustomerSeats:
    customer: Customer
    subscriptions: tuple[SeatLine, ...]  # the low ones first, then by name

    @property
    def low(self) -> int:
        return sum(1 for s in self.subscriptions if s.low)


@dataclass(frozen=True)
class Dashboard:
    customers: tuple[CustomerSeats, ...]  # by urgency: most low subscriptions first, then by name
    pending: tuple[Purchase, ...]  # waiting for a decision, oldest first
    recent: tuple[AuditRecord, ...]  # the operator's own changes, newest first
    customer_names: dict[str, str]  # id -> name, for every customer in scope
    product_names: dict[str, str]  # sku -> name, for the products shown
    scheduled: tuple[ScheduledChange, ...] = ()  # pending, soonest first
    scheduled_total: int = 0

    @property
    def low(self) -> int:
        return sum(c.low for c in self.customers)


def dashboard(*, actor: str, uow: UnitOfWork, customer_id: str | None = None) -> Dashboard:
    """The dashboard of the customers the operator may manage (only `customer_id`, when given and in scope)."""
    with uow:
        operator = operator_for(actor, uow, customer_id)
        only = operator.customers if customer_id is None else frozenset({customer_id})
        customers = uow.customers.search("", only=only, limit=max(1, len(uow.customers.all_ids())))
        scope = frozenset(c.id for c in customers)
        subs = uow.subscriptions.for_customers(scope)
        pending = uow.purchases.pending(scope, limit=PENDING_LIMIT)
        scheduled, scheduled_total = uow.scheduled.pending(scope, offset=0, limit=SCHEDULED_LIMIT)
        skus = {s.sku for s in subs} | {p.sku for p in pending} | {sku for c in scheduled for sku in c.desired}
        names = {sku: p.name for sku, p in uow.products.get_many(skus).items()} if skus else {}
        policy = uow.alerts.watch.policy if uow.alerts.watch else AlertPolicy()
        alerted = {(a.customer_id, a.sku) for a in uow.alerts.for_customers(scope)}
    by_customer: dict[str, list[SeatLine]] = {c.id: [] for c in customers}
    for s in subs:
        if s.customer_id in by_customer:
            by_customer[s.customer_id].append(
                SeatLine(
                    s.sku,
                    names.get(s.sku, s.sku),
                    s.assigned,
                    s.quantity,
                    policy.threshold(s),
                    s.sku in policy.exclude,
                    (s.customer_id, s.sku) in alerted,
                )
            )
    seats = [
        CustomerSeats(c, tuple(sorted(by_customer[c.id], key=lambda s: (not s.low, s.name.casefold(), s.sku))))
        for c in customers
    ]
    seats.sort(key=lambda c: (-c.low, c.customer.name.casefold(), c.customer.id))
    page = history.recent(actor=actor, uow=uow, customer_id=customer_id, page_size=RECENT_SCAN)
    mine = tuple(r for r in page.records if r.entry.operator == actor)[:RECENT_LIMIT]
    for r in mine:
        if r.entry.sku and r.entry.sku not in names:
            names[r.entry.sku] = page.product_names.get(r.entry.sku, r.entry.sku)
    return Dashboard(
        tuple(seats), tuple(pending), mine, {c.id: c.name for c in customers}, names, tuple(scheduled), scheduled_total
    )
