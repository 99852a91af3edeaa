"""App Home's presenter: who the viewer is to the app and, for an operator, the dashboard of their customers' seats.

It is published when the tab is opened and, best effort, after every Save (`refresh`).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.home import home_view
from blocks.scheduled import verb
from blocks.viewmodels import (
    CustomerSeatsVM,
    DashboardVM,
    HomeVM,
    PendingPurchaseVM,
    RecentChangeVM,
    ScheduledLineVM,
    SeatLineVM,
)
from bot.deps import Deps
from bot.slack.timezones import OperatorZone, zone_of
from licensing import queries
from licensing.audit import service_text
from licensing.connected import rightsize
from licensing.dashboard import Dashboard, SeatLine, dashboard
from licensing.errors import Forbidden
from licensing.tenants import ProviderError
from licensing.types import utcnow

log = logging.getLogger(__name__)


def publish(deps: Deps, client: WebClient, user: str, customer_id: str | None = None) -> None:
    """Publish the user's Home: the dashboard for an operator (of one customer, if given), a hello otherwise."""
    zone = zone_of(client, user)
    client.views_publish(user_id=user, view=home_view(home_vm(deps, user, zone, customer_id)))


def _seats(s: SeatLine, reducible: dict[str, rightsize.Reducible]) -> SeatLineVM:
    r = reducible.get(s.sku)
    return SeatLineVM(s.name, s.assigned, s.owned, s.low, r.unused if r else 0, r.until if r else None, s.sku)


def refresh(deps: Deps, client: WebClient, user: str) -> None:
    """Republish the operator's Home after a change; best effort: a failure is logged, never raised."""
    try:
        publish(deps, client, user)
    except SlackApiError as e:
        log.warning("home refresh for %s failed: %s", user, e.response.get("error", ""))
    except Exception:  # the save it follows is done and answered: nothing here may turn it into an error
        log.exception("home refresh for %s failed", user)


def home_vm(deps: Deps, user: str, zone: OperatorZone, customer_id: str | None = None) -> HomeVM:
    try:
        op = queries.authorize(user, uow=deps.uow_factory())
    except Forbidden:
        return HomeVM(operator_name=None, role=None, customers="")
    scope = "all customers" if op.customers is None else ", ".join(sorted(op.customers))
    board = dashboard(actor=user, uow=deps.uow_factory(), customer_id=customer_id)
    return HomeVM(
        operator_name=op.name or user,
        role=op.role.label,
        customers=scope,
        dashboard=dashboard_vm(board, zone, customer_id, reducible(deps, customer_id)),
    )


def reducible(deps: Deps, customer_id: str | None) -> dict[str, rightsize.Reducible]:
    """Right-size, for one customer drilled into only: it asks Partner Center, too slow for every customer at once.
    Partner Center not answering leaves it out (the Home is still shown)."""
    if customer_id is None or deps.partner is None:
        return {}
    try:
        return rightsize.reducible(customer_id, uow=deps.uow_factory(), partner=deps.partner, today=utcnow().date())
    except ProviderError as e:
        log.warning("home: Partner Center did not say what %s can reduce: %s", customer_id, e.message)
        return {}


def dashboard_vm(
    board: Dashboard, zone: OperatorZone, focus: str | None, reducible: dict[str, rightsize.Reducible] | None = None
) -> DashboardVM:
    """`reducible`: the focused customer's Right-size, by SKU."""
    names, products, reducible = board.customer_names, board.product_names, reducible or {}

    return DashboardVM(
        customers=tuple(
            CustomerSeatsVM(
                c.customer.id,
                c.customer.name,
                tuple(_seats(s, reducible if c.customer.id == focus else {}) for s in c.subscriptions),
                c.low,
            )
            for c in board.customers
        ),
        pending=tuple(
            PendingPurchaseVM(
                names.get(p.customer_id, p.customer_id),
                products.get(p.sku, p.sku),
                p.quantity,
                p.operator,
            )
            for p in board.pending
        ),
        recent=tuple(
            RecentChangeVM(
                int(r.entry.at.timestamp()),
                zone.stamp(r.entry.at),
                names.get(r.entry.customer_id, r.entry.customer_id),
                r.entry.user_id,
                products.get(r.entry.sku, r.entry.sku) if r.entry.sku else None,
                r.entry.action,
                r.entry.outcome,
                service_text(r.entry.action, r.entry.sku),
            )
            for r in board.recent
        ),
        focus=focus,
        scheduled=tuple(
            ScheduledLineVM(
                int(c.run_at.timestamp()),
                zone.stamp(c.run_at),
                verb(c.desired, products, c.location),
                names.get(c.customer_id, c.customer_id),
                len(c.user_ids),
                c.operator,
            )
            for c in board.scheduled
        ),
        scheduled_total=board.scheduled_total,
    )
