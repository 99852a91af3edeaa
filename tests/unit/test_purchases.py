"""Buy more with approval, on the in-memory fakes: request, one decision, and a sync closing a connected order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from licensing.errors import Forbidden, InvalidRequest
from licensing.model import Operator, PurchaseStatus, Role, Subscription
from licensing.notifications import OutgoingThread
from licensing.purchases import AlreadyDecided, Decision, PurchaseRequest, approve, decline, fulfil_synced, request_more
from licensing.tenants import Tenant
from tests.memory import FakeUnitOfWork
from tests.world import ADMIN, SALES, SCOPED, STRANGER, VISIO, world

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
GLOBAL, USERS_ADMIN = "UGLOBAL", "UUSERADMIN"


def asked(uow: FakeUnitOfWork, quantity: int = 5, note: str | None = None) -> int:
    return request_more("contoso", VISIO, quantity, actor=ADMIN, uow=uow, note=note).id


def visio(uow: FakeUnitOfWork) -> Subscription:
    with uow:
        return uow.subscriptions.for_customer("contoso")[VISIO]


def test_a_request_is_queued_for_the_deciders_with_its_note_in_the_same_transaction() -> None:
    uow = world()

    def notify(r: PurchaseRequest) -> OutgoingThread:
        return OutgoingThread("CSALES", r.operator, {"text": f"{r.quantity} {r.product_name}: {r.note}"})

    request_more("contoso", VISIO, 5, actor=ADMIN, uow=uow, note="  for the new hires ", notify=notify)
    assert [t.parent["text"] for t in uow.state.outbox] == ["5 Visio Plan 2: for the new hires"]
    assert uow.state.purchases[0].note == "for the new hires"


def test_the_decision_is_told_in_the_thread_the_request_was_posted_in() -> None:
    uow = world()
    request = request_more(
        "contoso",
        VISIO,
        5,
        actor=ADMIN,
        uow=uow,
        notify=lambda r: OutgoingThread("CSALES", r.operator, {"text": "asked"}),
    )
    assert uow.state.purchases[0].thread == 1
    decline(request.id, "No budget", actor=SALES, uow=uow, notify=lambda d: {"text": f"declined: {d.reason}"})
    [thread] = uow.state.outbox
    assert (thread.parent, thread.replies) == ({"text": "asked"}, ({"text": "declined: No budget"},))


def test_a_note_longer_than_500_characters_is_refused() -> None:
    uow = world()
    with pytest.raises(InvalidRequest, match="500"):
        asked(uow, note="x" * 501)
    assert uow.state.purchases == []


def test_approving_a_local_customer_raises_the_quantity_once_and_audits_who() -> None:
    uow = world()
    request_id = asked(uow)
    told: list[Decision] = []

    def notify(d: Decision) -> dict[str, str]:
        told.append(d)
        return {"text": "approved"}

    decision = approve(request_id, actor=SALES, uow=uow, message=("CSALES", "1.2"), notify=notify, clock=lambda: AT)
    assert (decision.status, decision.connected, decision.new_quantity) == (PurchaseStatus.APPROVED, False, 6)
    assert visio(uow).quantity == 6 and visio(uow).alert_below == 1
    stored = uow.state.purchases[0]
    assert (stored.status, stored.decided_by, stored.decided_at, stored.message_ts) == ("approved", SALES, AT, "1.2")
    assert [(e.operator, e.outcome) for e in uow.state.audit][-1] == (SALES, "approved")
    # Never posted (no thread recorded): the requester hears it by direct message.
    assert len(told) == 1 and uow.state.outbox[-1] == OutgoingThread(
        None, ADMIN, {"text": "approved"}, kind="purchase_outcome"
    )
    with pytest.raises(AlreadyDecided, match="already approved by Sam Sales"):
        approve(request_id, actor=ADMIN, uow=uow)
    with pytest.raises(AlreadyDecided):
        decline(request_id, "too late", actor=ADMIN, uow=uow)
    assert visio(uow).quantity == 6


def test_declining_records_the_reason_and_changes_no_quantity() -> None:
    uow = world()
    request_id = asked(uow)
    with pytest.raises(InvalidRequest, match="why"):
        decline(request_id, "  ", actor=ADMIN, uow=uow)
    decision = decline(request_id, "Budget is frozen", actor=ADMIN, uow=uow)
    assert (decision.status, decision.reason) == (PurchaseStatus.DECLINED, "Budget is frozen")
    assert uow.state.purchases[0].reason == "Budget is frozen" and visio(uow).quantity == 1


@pytest.mark.parametrize(
    ("actor", "role"),
    [(STRANGER, None), (SCOPED, None), (USERS_ADMIN, Role.USER_MANAGEMENT_ADMIN), ("UHELP", Role.HELPDESK_AGENT)],
)
def test_only_sales_admin_and_global_admins_may_decide(actor: str, role: Role | None) -> None:
    uow = world()
    if role is not None:
        with uow:
            uow.operators.upsert([Operator(actor, role)])
            uow.commit()
    request_id = asked(uow)
    with pytest.raises(Forbidden) as refused:
        approve(request_id, actor=actor, uow=uow)
    if role is Role.HELPDESK_AGENT:
        assert refused.value.user_message == (
            "Your role (Helpdesk agent) cannot approve or decline purchases; "
            "ask an admin agent, a global admin or a sales agent."
        )
    with pytest.raises(Forbidden):
        decline(request_id, "no", actor=actor, uow=uow)
    assert uow.state.purchases[0].status is PurchaseStatus.REQUESTED and visio(uow).quantity == 1


def test_a_global_admin_may_decide() -> None:
    uow = world()
    with uow:
        uow.operators.upsert([Operator(GLOBAL, Role.GLOBAL_ADMIN)])
        uow.commit()
    assert approve(asked(uow), actor=GLOBAL, uow=uow).status is PurchaseStatus.APPROVED


def test_a_connected_customer_is_approved_for_partner_center_and_closed_by_the_sync_that_sees_it() -> None:
    uow = world()
    with uow:
        uow.mirror.upsert([Tenant("contoso", "contoso.onmicrosoft.com")])
        uow.commit()
    request_id = asked(uow, quantity=4)
    decision = approve(request_id, actor=SALES, uow=uow)
    assert (decision.connected, decision.new_quantity) == (True, 5)
    assert visio(uow).quantity == 1  # the tenant is the truth: nothing changes here until it shows the seats
    with uow:
        assert fulfil_synced("contoso", uow, AT) == []  # the order is not placed yet
        uow.mirror.set_seats("contoso", [Subscription("contoso", VISIO, 5, 1)])
        assert fulfil_synced("contoso", uow, AT) == [request_id]
        uow.commit()
    assert uow.state.purchases[0].status is PurchaseStatus.FULFILLED
    assert uow.state.audit[-1].outcome == "fulfilled"
