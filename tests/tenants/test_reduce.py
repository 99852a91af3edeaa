"""Right-size and Reduce: a connected customer's unused licenses are shown reducible while Partner Center's window is
open, and an approved Reduce lowers the subscription once, never below what is assigned; Partner Center's refusal
(its window closed) is shown as it words it, and the request can be decided again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from fakes.m365 import FakeM365
from licensing.connected import orders, rightsize
from licensing.connected.sync import sync_tenant
from licensing.errors import InvalidRequest
from licensing.model import PurchaseStatus
from licensing.partner import OrderState
from licensing.purchases import AlreadyDecided
from licensing.types import utcnow
from providers.graph.tenant import GraphTenants
from providers.partner_center import PartnerCenterClient
from tests.m365.helpers import TENANT
from tests.partner_center.helpers import Shop
from tests.tenants.helpers import ADMIN, UowFactory
from tests.tenants.test_purchases import SUB, VISIO, buy, owned, status


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def synced(m365: FakeM365, uows: UowFactory, graph: GraphTenants, shop: Shop) -> None:
    """Contoso owns 25 Visio, 2 of them assigned, bought 2 days ago: Partner Center takes some back for 5 days."""
    for n in range(2):
        m365.add_user(TENANT, f"visio{n}@{TENANT}", licenses=(shop.visio.sku_id,))
    shop.visio.cancellable_until = today() + timedelta(days=5)
    sync_tenant("contoso", provider=graph, uow=uows())


def reduce(uows: UowFactory, quantity: int) -> int:
    return rightsize.request_reduction("contoso", VISIO, quantity, actor=ADMIN, uow=uows()).id


def test_unused_licenses_are_reducible_while_the_window_is_open(
    uows: UowFactory, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    found = rightsize.reducible("contoso", uow=uows(), partner=partner, today=today())
    assert found == {VISIO: rightsize.Reducible(VISIO, 23, today() + timedelta(days=5), "Visio Plan 2")}
    assert rightsize.reducible("contoso", uow=uows(), partner=partner, today=today() + timedelta(days=6)) == {}
    assert rightsize.reducible("local", uow=uows(), partner=partner, today=today()) == {}


def test_an_approved_reduction_is_placed_once_and_closed_by_the_sync(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    asked = reduce(uows, 4)
    decision = buy(asked, shop, uows, partner, graph)
    assert decision.order is not None and decision.order.state is OrderState.PLACED
    assert (decision.order.quantity, decision.new_quantity) == (21, 21)
    with pytest.raises(AlreadyDecided):
        buy(asked, shop, uows, partner, graph)
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 21)]
    assert owned(uows) == 21 and status(uows, asked) is PurchaseStatus.FULFILLED
    with uows() as uow:
        said = [e.reason for e in uow.audit.for_batch(f"purchase-{asked}")]
    assert said[:3] == [
        "4 fewer requested",
        "4 fewer approved (to 21 in Partner Center)",
        ("4 fewer reduced in Partner Center (Visio Plan 2: now 21)"),
    ]


def test_a_reduction_whose_answer_was_lost_is_not_sent_again(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    m365.fail_after_running(1, status=504, method="PATCH", path=SUB, inner=False)
    decision = buy(reduce(uows, 5), shop, uows, partner, graph)
    assert decision.order is not None and decision.order.state is OrderState.PLACED
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 20)]


def test_after_the_window_partner_centers_refusal_is_shown_and_the_request_stays_open(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    asked = reduce(uows, 4)
    shop.visio.cancellable_until = today() - timedelta(days=1)
    decision = buy(asked, shop, uows, partner, graph)
    assert decision.order is not None and decision.order.state is OrderState.REFUSED
    assert decision.order.detail == (
        "The quantity cannot be reduced: the cancellation window of this subscription has ended."
    )
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.REQUESTED
    assert owned(uows) == 25


def test_a_reduction_never_gives_back_an_assigned_license(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    with pytest.raises(InvalidRequest, match="has 23 unused VISIOCLIENT: reduce by that many at most"):
        reduce(uows, 24)
    with pytest.raises(InvalidRequest, match="not connected to Microsoft 365"):
        rightsize.request_reduction("local", "STANDARDPACK", 1, actor=ADMIN, uow=uows())
    asked = reduce(uows, 3)
    for n in range(2, 23):  # meanwhile the tenant assigns 21 more: 23 of 25, and 22 would be too few
        m365.add_user(TENANT, f"visio{n}@{TENANT}", licenses=(shop.visio.sku_id,))
    sync_tenant("contoso", provider=graph, uow=uows())
    with pytest.raises(InvalidRequest, match="23 are assigned now: reduce by 2 at most"):
        orders.approve_and_buy(
            asked, shop.visio.id, actor=ADMIN, uow=uows(), partner=partner, provider=graph, holder="test"
        )
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.REQUESTED


def test_licenses_show_says_what_is_reducible_until_when_and_reduce_asks_for_it(  # type: ignore[no-untyped-def]
    partner_cli, m365: FakeM365, uows: UowFactory, shop: Shop, synced: None
) -> None:
    until = today() + timedelta(days=5)
    shown = partner_cli("licenses", "show", "contoso")
    assert shown.exit_code == 0, shown.output
    assert f"23 unused, reducible until {until.day} {until:%b}" in shown.output and "RIGHT-SIZE" in shown.output
    products = {
        p["sku"]: p for p in json.loads(partner_cli("licenses", "show", "contoso", "--json").output)["products"]
    }
    assert products[VISIO]["reducible"] == {"unused": 23, "until": until.isoformat(), "subscription": "Visio Plan 2"}
    assert products["ENTERPRISEPACK"]["reducible"] is None  # its subscription has no window open
    refused = partner_cli("licenses", "reduce", "contoso", VISIO, "24", "--as", ADMIN)
    assert refused.exit_code == 2 and "reduce by that many at most" in refused.output
    asked = partner_cli("licenses", "reduce", "contoso", VISIO, "4", "--as", ADMIN, "--note", "spring <clean>")
    assert asked.exit_code == 0, asked.output
    assert "fewer Visio Plan 2 for Contoso" in asked.output
    with uows() as uow:
        request = uow.purchases.get(int(asked.output.split()[2]))  # "Reduce request N sent: …"
        assert request is not None and (request.quantity, request.note) == (-4, "spring <clean>")
        assert request.thread is not None  # posted for the deciders
    shop.visio.cancellable_until = today() - timedelta(days=1)
    assert "RIGHT-SIZE" not in partner_cli("licenses", "show", "contoso").output  # the window has closed
    assert m365.partner.patches == []


def test_a_reduction_left_without_an_answer_is_resumed_and_sent_once(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, synced: None
) -> None:
    asked = reduce(uows, 4)
    m365.fail_next(5, status=503, retry_after=None, method="PATCH", path=SUB)  # every try: no change, no answer
    pending = buy(asked, shop, uows, partner, graph)
    assert pending.order is not None and pending.order.state is OrderState.PENDING
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.APPROVED
    later = lambda: utcnow() + orders.LEASE + timedelta(seconds=1)  # noqa: E731
    [resumed] = orders.resume(uow=uows(), partner=partner, provider=graph, holder="later", clock=later)
    assert resumed.order is not None and resumed.order.state is OrderState.PLACED
    assert orders.resume(uow=uows(), partner=partner, provider=graph, holder="again", clock=later) == []
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 21)]
    assert status(uows, asked) is PurchaseStatus.FULFILLED
