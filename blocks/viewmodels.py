"""What the builders render. Plain frozen data: the bot maps domain results onto these; builders never see the DB.

Every string here may come from a customer's directory: builders escape it for mrkdwn or put it in plain_text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from licensing.types import Desired, HoldState, Switch

OutcomeStatus = Literal["updated", "unchanged", "failed"]


@dataclass(frozen=True)
class PickerVM:
    """The first screen: choose a customer (type-ahead over the customers the operator may manage)."""

    notice: str | None = None  # e.g. "No customer matches 'zzz'."


@dataclass(frozen=True)
class UserRowVM:
    key: str  # short, stable token used as the option value (never the raw user id: values are capped at 75)
    name: str
    user_id: str
    location: str | None
    licenses: tuple[str, ...]  # product names the user holds
    selected: bool


@dataclass(frozen=True)
class UsersVM:
    customer_id: str
    customer_name: str
    rows: tuple[UserRowVM, ...]  # at most 10 (checkboxes hold 10 options)
    page: int  # 1-based
    page_count: int
    total: int  # users matching the search, or selected users when showing_selected
    query: str
    selected_count: int
    showing_selected: bool
    rev: int  # render revision: goes into the users block id
    notice: str | None = None  # one line shown above the list (plain text)


@dataclass(frozen=True)
class ProductRowVM:
    sku: str
    name: str
    quantity: int
    available: int  # owned − assigned: negative when a connected tenant is overused
    holders: tuple[str, ...]  # display names of the selected users who hold it, in display order
    selected: int  # how many users are selected
    state: HoldState
    choice: Desired  # the option to show as chosen (the current state's, unless the operator changed it)

    @property
    def held_by(self) -> int:
        return len(self.holders)


@dataclass(frozen=True)
class ProductPagingVM:
    """Where the shown products sit among the customer's: "Products 94–186 of 300"."""

    owned: int  # products the customer owns
    matching: int  # of those, the ones the filter lets through
    first: int  # position of the page's first product among the matching ones, 1-based
    page: int = 1
    page_count: int = 1
    query: str = ""  # the name/SKU filter
    to_assign: int = 0  # products the operator set to Assign or Revoke, on any page
    to_revoke: int = 0


@dataclass(frozen=True)
class SoldOutVM:
    sku: str
    name: str
    overused: int = 0  # how many more are assigned than owned (a connected tenant can be)


@dataclass(frozen=True)
class ManageVM:
    customer_name: str
    selected_names: tuple[str, ...]  # sorted; the builder shows the first ones and "and k more"
    products: tuple[ProductRowVM, ...]  # one page of them (blocks.manage.PRODUCTS_PER_PAGE at most)
    can_set_location: bool
    locations: tuple[tuple[str, int], ...]  # ("US", 3), ("not set", 1): the selection's usage locations
    preview: tuple[str, ...] = ()  # what would fail if saved now, one line each
    location_value: str | None = None  # keep what the operator typed across re-renders
    paging: ProductPagingVM | None = None  # None: every product is shown, and there is no filter
    sold_out: tuple[SoldOutVM, ...] | None = None  # for Buy more: the page's first, then the other matching ones
    # (None: the sold-out ones among `products`)
    service_products: tuple[tuple[str, str], ...] = ()  # (sku, name): what Services can open, held or being given


@dataclass(frozen=True)
class ServiceRowVM:  # one service of the product across its holders among the selected users, and the choice
    plan: str  # servicePlanName
    title: str  # Microsoft's friendly name
    state: HoldState  # how many holders have it on: all, some or none
    on: int
    holders: int
    choice: Switch


@dataclass(frozen=True)
class ServicesVM:
    product_name: str
    holders: int  # selected users who hold the product
    giving: int  # selected users this save gives it to
    rows: tuple[ServiceRowVM, ...]  # one page of them
    page: int
    page_count: int
    total: int  # services of the product


@dataclass(frozen=True)
class ProblemVM:
    code: str
    message: str


@dataclass(frozen=True)
class OutcomeVM:
    name: str
    user_id: str
    status: OutcomeStatus
    assigned: tuple[str, ...] = ()  # product names
    revoked: tuple[str, ...] = ()
    errors: tuple[ProblemVM, ...] = ()
    location: str | None = None  # set when the usage location changed
    services: tuple[str, ...] = ()  # "Microsoft Teams off in Office 365 E3", one per service changed
    not_held: tuple[str, ...] = ()  # product names whose services were chosen but this user does not hold


@dataclass(frozen=True)
class ResultVM:
    customer_name: str
    operator_id: str  # Slack user id, rendered as a mention <@U…>
    outcomes: tuple[OutcomeVM, ...]
    replayed: bool = False  # a repeated submission: shown, not applied again
    note: str | None = None  # e.g. that the save was reconciled from Microsoft 365 after a crash
    batch_id: str | None = None  # shown on the confirmation, as /licenses history shows it

    @property
    def updated(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "updated")

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.status == "failed")

    @property
    def errors(self) -> int:
        return sum(len(o.errors) for o in self.outcomes)


@dataclass(frozen=True)
class BuyMoreVM:
    customer_name: str
    sku: str
    product_name: str
    quantity: int
    available: int  # negative when overused


@dataclass(frozen=True)
class HomeVM:
    operator_name: str | None  # None: the Slack user is not an operator
    role: str | None
    customers: str  # "all customers" or a list
    dashboard: DashboardVM | None = None


@dataclass(frozen=True)
class SeatLineVM:
    name: str
    assigned: int  # may exceed owned: a connected tenant's overuse, shown as it is
    owned: int
    low: bool  # fewer available than its threshold, or overused
    unused: int = 0  # with `reducible_until`: how many Partner Center still takes back (a focused connected customer)
    reducible_until: date | None = None
    sku: str = ""  # for the Reduce button


@dataclass(frozen=True)
class CustomerSeatsVM:
    customer_id: str
    name: str
    lines: tuple[SeatLineVM, ...]  # the low ones first
    low: int


@dataclass(frozen=True)
class PendingPurchaseVM:
    customer_name: str
    product_name: str
    quantity: int  # how many more, waiting for a decision
    requester: str  # Slack user id


@dataclass(frozen=True)
class RecentChangeVM:
    at_epoch: int
    at_fallback: str
    customer_name: str
    user_id: str
    product_name: str | None
    action: str
    outcome: str
    service: str | None = None  # a service line's words, e.g. "Microsoft Teams off"


@dataclass(frozen=True)
class DashboardVM:
    """The operator's customers by urgency (already ordered), open purchase requests and their recent changes."""

    customers: tuple[CustomerSeatsVM, ...]
    pending: tuple[PendingPurchaseVM, ...] = ()
    recent: tuple[RecentChangeVM, ...] = ()
    focus: str | None = None  # the customer id drilled into, or None for all of them
    scheduled: tuple[ScheduledLineVM, ...] = ()  # pending scheduled changes, soonest first (a few)
    scheduled_total: int = 0


@dataclass(frozen=True)
class ScheduledLineVM:
    """A pending scheduled change on the Home: when (shown in the viewer's timezone by Slack), what, where."""

    at_epoch: int
    at_fallback: str
    verb: str
    customer_name: str
    users: int
    operator_id: str


@dataclass(frozen=True)
class PurchaseVM:
    """A Buy more request as the deciders and the requester read it, before or after its one decision."""

    request_id: int
    customer_name: str
    product_name: str
    quantity: int
    requester: str  # Slack user id
    note: str | None = None
    status: str = "requested"  # approved | declined | fulfilled
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    connected: bool = False  # the customer's tenant is the truth: the order is placed in Partner Center
    new_quantity: int | None = None
    order: str | None = None  # connected: placed | refused | pending | by_hand (licensing.partner)
    order_detail: str = ""  # Partner Center's description (refused), or why (pending, by hand)
    order_quantity: int | None = None  # placed: the subscription's quantity in Partner Center now
    order_subscription: str = ""  # placed: the subscription's offer name


@dataclass(frozen=True)
class SubscriptionChoiceVM:
    """One of the Partner Center subscriptions that feed a product, for the approver to buy on."""

    id: str
    name: str
    quantity: int
    term: str  # P1M, P1Y…
    billing_cycle: str
    commitment_end: date | None


@dataclass(frozen=True)
class AlertVM:
    """One subscription's low-license alert (licensing/alerts.py): its figures now."""

    customer_id: str
    customer_name: str
    sku: str
    product_name: str
    owned: int
    assigned: int
    threshold: int | None  # alert when fewer are available; None: only overuse alerts
    overused: bool = False

    @property
    def available(self) -> int:
        return self.owned - self.assigned
