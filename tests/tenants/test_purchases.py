"""Approve = buy, exactly once: an approved Buy more request of a connected customer raises its subscription in the
fake Partner Center, through double clicks, racing replicas, refusals, throttling and lost answers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from fakes.m365 import FakeM365
from licensing import purchases
from licensing.connected import orders
from licensing.connected.sync import sync_tenant
from licensing.errors import LicensingError
from licensing.model import PurchaseStatus
from licensing.partner import OrderState
from licensing.purchases import AlreadyDecided
from licensing.types import utcnow
from providers.graph.tenant import GraphTenants
from providers.partner_center import PartnerCenterClient
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.m365.helpers import config_for
from tests.partner_center.helpers import PARTNER, Shop
from tests.tenants.helpers import ADMIN, UowFactory

VISIO = "VISIOCLIENT"
SUB = r"/subscriptions/[^/]+$"


@pytest.fixture
def asked(uows: UowFactory, graph: GraphTenants, shop: Shop) -> int:
    """Contoso synced (25 Visio), and a request for 3 more."""
    sync_tenant("contoso", provider=graph, uow=uows())
    return purchases.request_more("contoso", VISIO, 3, actor=ADMIN, uow=uows()).id


def buy(request_id: int, shop: Shop, uows: UowFactory, partner: PartnerCenterClient, graph: GraphTenants | None):
    return orders.approve_and_buy(
        request_id,
        shop.visio.id,
        actor=ADMIN,
        uow=uows(),
        partner=partner,
        provider=graph,
        holder="test",
        notify=lambda d: {"text": f"{d.order.state if d.order else None}: {d.order.detail if d.order else ''}"},
    )


def owned(uows: UowFactory, sku: str = VISIO) -> int:
    with uows() as uow:
        return uow.subscriptions.for_customer("contoso")[sku].quantity


def status(uows: UowFactory, request_id: int) -> PurchaseStatus:
    with uows() as uow:
        found = uow.purchases.get(request_id)
        assert found is not None
        return found.status


def test_approving_buys_once_syncs_the_customer_and_closes_the_request(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    decision = buy(asked, shop, uows, partner, graph)
    assert decision.order is not None and decision.order.state is OrderState.PLACED
    assert (decision.order.quantity, decision.order.subscription) == (28, "Visio Plan 2")
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 28)]
    assert owned(uows) == 28  # synced at once
    assert status(uows, asked) is PurchaseStatus.FULFILLED
    with uows() as uow:
        order = uow.orders.get(asked)
        assert order is not None and order.placed and order.quantity == 28


def test_a_double_click_buys_once(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    buy(asked, shop, uows, partner, graph)
    with pytest.raises(AlreadyDecided):
        buy(asked, shop, uows, partner, graph)
    assert len(m365.partner.patches) == 1 and m365.partner.quantity(shop.tenant_id, shop.visio.id) == 28


def test_two_replicas_approving_at_once_buy_once(
    m365: FakeM365, migrated_url: str, uows: UowFactory, graph: GraphTenants, shop: Shop, asked: int
) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def replica() -> None:
        # Each replica its own database engine and Partner Center client, as two processes have.
        engine = make_engine(migrated_url)
        sessions = make_session_factory(engine)
        client = PartnerCenterClient(config_for(m365), PARTNER, url=m365.partner_center_url)
        start.wait(timeout=10)
        try:
            decision = buy(asked, shop, lambda: SqlUnitOfWork(sessions), client, None)
            outcomes.append(str(decision.order.state if decision.order else None))
        except LicensingError as e:
            outcomes.append(type(e).__name__)
        finally:
            client.close()
            engine.dispose()

    racers = [threading.Thread(target=replica) for _ in range(2)]
    for r in racers:
        r.start()
    for r in racers:
        r.join(timeout=60)
    assert sorted(outcomes) == ["AlreadyDecided", "placed"]
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 28)]


def test_a_refusal_buys_nothing_says_why_and_the_request_can_be_decided_again(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    shop.visio.max_quantity = 27
    decision = buy(asked, shop, uows, partner, graph)
    assert decision.order is not None and decision.order.state is OrderState.REFUSED
    assert decision.order.detail == "Quantity 28 is not within the allowed range of 1 to 27 for this offer."
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.REQUESTED
    with uows() as uow:
        assert uow.orders.get(asked) is None
    shop.visio.max_quantity = 300
    again = buy(asked, shop, uows, partner, graph)
    assert again.order is not None and again.order.state is OrderState.PLACED
    assert len(m365.partner.patches) == 1


def test_throttling_is_waited_out_and_one_purchase_made(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    m365.fail_next(1, status=429, retry_after=0.2, method="PATCH", path=SUB)
    assert buy(asked, shop, uows, partner, graph).order.state is OrderState.PLACED  # type: ignore[union-attr]
    assert [p.after for p in m365.partner.patches] == [28]


def test_an_etag_changed_underneath_is_read_again_and_bought_once(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    m365.fail_next(1, status=412, retry_after=None, method="PATCH", path=SUB)
    assert buy(asked, shop, uows, partner, graph).order.state is OrderState.PLACED  # type: ignore[union-attr]
    assert [p.after for p in m365.partner.patches] == [28]


def test_an_answer_lost_after_the_purchase_is_not_bought_again(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    m365.fail_after_running(1, status=504, method="PATCH", path=SUB, inner=False)
    assert buy(asked, shop, uows, partner, graph).order.state is OrderState.PLACED  # type: ignore[union-attr]
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 28)]


def test_no_answer_leaves_the_order_to_resume_which_reads_before_sending(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    m365.fail_next(5, status=503, retry_after=None, method="PATCH", path=SUB)  # every try: no change, no answer
    pending = buy(asked, shop, uows, partner, graph)
    assert pending.order is not None and pending.order.state is OrderState.PENDING
    assert "got no answer" in pending.order.detail
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.APPROVED
    assert orders.resume(uow=uows(), partner=partner, provider=graph, holder="later") == []  # its lease holds
    later = lambda: utcnow() + orders.LEASE + timedelta(seconds=1)  # noqa: E731
    [resumed] = orders.resume(uow=uows(), partner=partner, provider=graph, holder="later", clock=later)
    assert resumed.order is not None and resumed.order.state is OrderState.PLACED
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 28)]
    assert status(uows, asked) is PurchaseStatus.FULFILLED


def test_an_intent_whose_process_died_before_sending_is_sent_once_on_resume(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    class Dead(Exception):
        pass

    def dies(*args: object, **kwargs: object) -> None:
        raise Dead  # the process is gone between the committed intent and its first call to Partner Center

    original = orders.place
    orders.place = dies  # type: ignore[assignment]
    try:
        with pytest.raises(Dead):
            buy(asked, shop, uows, partner, graph)
    finally:
        orders.place = original  # type: ignore[assignment]
    assert m365.partner.patches == [] and status(uows, asked) is PurchaseStatus.APPROVED
    later = lambda: utcnow() + orders.LEASE + timedelta(seconds=1)  # noqa: E731
    [resumed] = orders.resume(uow=uows(), partner=partner, provider=graph, holder="later", clock=later)
    assert resumed.order is not None and resumed.order.state is OrderState.PLACED
    assert [(p.before, p.after) for p in m365.partner.patches] == [(25, 28)]
    assert orders.resume(uow=uows(), partner=partner, provider=graph, holder="again", clock=later) == []
    assert len(m365.partner.patches) == 1


def test_several_subscriptions_of_a_product_are_offered_to_choose_from(
    m365: FakeM365, uows: UowFactory, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    annual = m365.partner.add_subscription(
        shop.tenant_id, shop.visio.sku_id, "Visio Plan 2 (annual)", 5, billing_cycle="annual", term="P1Y"
    )
    request, found = orders.feeding(asked, actor=ADMIN, uow=uows(), partner=partner)
    assert (request.customer_name, request.product_name, request.quantity) == ("Contoso", "Visio Plan 2", 3)
    assert {(s.id, s.billing_cycle, s.term) for s in found} == {
        (shop.visio.id, "monthly", "P1M"),
        (annual.id, "annual", "P1Y"),
    }


def test_a_purchase_the_tenant_shows_later_is_closed_by_the_sync_that_shows_it(
    m365: FakeM365, uows: UowFactory, graph: GraphTenants, partner: PartnerCenterClient, shop: Shop, asked: int
) -> None:
    m365.partner.delayed = True  # Partner Center has it; the tenant's subscribedSkus, not yet
    assert buy(asked, shop, uows, partner, graph).order.state is OrderState.PLACED  # type: ignore[union-attr]
    assert owned(uows) == 25 and status(uows, asked) is PurchaseStatus.APPROVED  # the sync at once saw 25
    m365.partner.release()
    sync_tenant("contoso", provider=graph, uow=uows())
    assert owned(uows) == 28 and status(uows, asked) is PurchaseStatus.FULFILLED
    assert len(m365.partner.patches) == 1
