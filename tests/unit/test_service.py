from __future__ import annotations

import pytest

from licensing.errors import IdempotencyKeyReused, InvalidRequest, UnknownCustomer
from licensing.model import Change
from licensing.results import ErrorCode, Status, UserOutcome
from licensing.service import apply, make_change, plan
from tests.world import ADMIN, AUDIO, E1, E3, E5, PBI, SALES, SCOPED, STRANGER, VISIO, uid, world


def change(*names: str, assign: tuple[str, ...] = (), revoke: tuple[str, ...] = ()) -> Change:
    return make_change("contoso", [uid(n) for n in names], assign=assign, revoke=revoke)


def outcome(result_outcomes: tuple[UserOutcome, ...], name: str) -> UserOutcome:
    return next(o for o in result_outcomes if o.user_id == uid(name))


def codes(o: UserOutcome) -> list[str]:
    return [e.code.value for e in o.errors]


def test_assign_updates_users_and_takes_seats() -> None:
    uow = world()
    result = apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow)
    assert [(o.user_id, o.status, o.assigned) for o in result.results] == [(uid("bob"), Status.UPDATED, (E5,))]
    assert E5 in uow.state.users[("contoso", uid("bob"))].licenses
    assert uow.state.subscriptions[("contoso", E5)].assigned == 1
    assert uow.commits == 1


def test_swap_revoke_e1_assign_e3_in_one_change_passes_the_exclusion() -> None:
    uow = world()
    result = apply(change("frank", assign=(E3,), revoke=(E1,)), actor=ADMIN, uow=uow)
    o = outcome(result.results, "frank")
    assert (o.status, o.assigned, o.revoked) == (Status.UPDATED, (E3,), (E1,))
    assert uow.state.users[("contoso", uid("frank"))].licenses == {E3}
    assert uow.state.subscriptions[("contoso", E1)].assigned == 0


def test_add_on_with_its_base_in_one_change_passes() -> None:
    result = apply(change("bob", assign=(E5, AUDIO)), actor=ADMIN, uow=world())
    assert outcome(result.results, "bob").assigned == (E5, AUDIO)


def test_add_on_without_base_fails_with_dependency_missing() -> None:
    o = outcome(apply(change("bob", assign=(AUDIO,)), actor=ADMIN, uow=world()).results, "bob")
    assert codes(o) == ["dependency_missing"]
    assert o.errors[0].message == "Audio Conferencing requires one of: Office 365 E3, Office 365 E5."


def test_revoking_a_base_another_held_product_needs_fails_with_dependency_in_use() -> None:
    uow = world()
    o = outcome(apply(change("erin", revoke=(E3,)), actor=ADMIN, uow=uow).results, "erin")
    assert codes(o) == ["dependency_in_use"]
    assert o.errors[0].sku == E3
    assert "Audio Conferencing still requires it" in o.errors[0].message
    assert uow.state.users[("contoso", uid("erin"))].licenses == {E3, AUDIO}


def test_revoking_base_and_add_on_together_passes() -> None:
    o = outcome(apply(change("erin", revoke=(E3, AUDIO)), actor=ADMIN, uow=world()).results, "erin")
    assert (o.status, o.revoked) == (Status.UPDATED, (E3, AUDIO))


def test_exclusion_is_symmetric() -> None:
    # E1 declares it excludes E3; assigning E3 to an E1 holder must fail just the same.
    result = apply(change("frank", assign=(E3,)), actor=ADMIN, uow=world())
    o = outcome(result.results, "frank")
    assert codes(o) == ["mutually_exclusive"]
    assert o.errors[0].message == "Office 365 E3 and Office 365 E1 cannot be held together."
    o = outcome(apply(change("alice", assign=(E1,)), actor=ADMIN, uow=world()).results, "alice")
    assert codes(o) == ["mutually_exclusive"]


def test_product_unavailable_in_users_location_fails() -> None:
    o = outcome(apply(change("carol", assign=(E3,)), actor=ADMIN, uow=world()).results, "carol")
    assert codes(o) == ["location_not_allowed"]
    assert o.errors[0].message == "Office 365 E3 is not available in CN, Carol Chen's usage location."


def test_user_without_location_gets_no_license_but_can_lose_one() -> None:
    uow = world()
    o = outcome(apply(change("dave", assign=(E5,)), actor=ADMIN, uow=uow).results, "dave")
    assert codes(o) == ["usage_location_missing"]
    o = outcome(apply(change("dave", revoke=(VISIO,)), actor=ADMIN, uow=uow).results, "dave")
    assert (o.status, o.revoked) == (Status.UPDATED, (VISIO,))


def test_product_the_customer_does_not_own_is_not_entitled() -> None:
    o = outcome(apply(change("bob", assign=(PBI,)), actor=ADMIN, uow=world()).results, "bob")
    assert codes(o) == ["not_entitled"]
    assert o.errors[0].message == "Contoso Ltd owns no Power BI Pro subscription."


def test_unknown_user_and_unknown_product() -> None:
    result = apply(make_change("contoso", [uid("zed")], assign=[E5]), actor=ADMIN, uow=world())
    assert codes(result.results[0]) == ["unknown_user"]
    o = outcome(apply(change("bob", assign=("NOPE",)), actor=ADMIN, uow=world()).results, "bob")
    assert codes(o) == ["unknown_product"]
    assert o.errors[0].message == "No product with SKU 'NOPE'."


@pytest.mark.parametrize(("actor", "needle"), [(STRANGER, "not a licensebot operator"), (SCOPED, "contoso")])
def test_operator_outside_directory_or_scope_is_forbidden_for_every_user(actor: str, needle: str) -> None:
    uow = world()
    result = apply(change("bob", "carol", assign=(E5,)), actor=actor, uow=uow)
    assert [codes(o) for o in result.results] == [["forbidden"], ["forbidden"]]
    assert needle in result.results[0].errors[0].message
    assert uow.state.subscriptions[("contoso", E5)].assigned == 0
    assert {e.outcome for e in uow.state.audit} == {"failed"}  # refusals are audited too


def test_sales_agent_may_assign() -> None:
    result = apply(change("bob", assign=(E5,)), actor=SALES, uow=world())
    assert result.results[0].status is Status.UPDATED


def test_earlier_users_by_name_get_the_last_seats() -> None:
    uow = world()
    # E5 has 2 seats; four users want it. Order is by display name, whatever order they were given in.
    result = apply(change("frank", "bob", "erin", "alice", assign=(E5,)), actor=ADMIN, uow=uow)
    assert [(o.user_id, o.status.value) for o in result.results] == [
        (uid("alice"), "updated"),
        (uid("bob"), "updated"),
        (uid("erin"), "failed"),
        (uid("frank"), "failed"),
    ]
    assert codes(outcome(result.results, "erin")) == ["insufficient_licenses"]
    assert uow.state.subscriptions[("contoso", E5)].assigned == 2


def test_a_user_change_is_all_or_nothing() -> None:
    uow = world()
    # Bob could get E5 but Visio has no seat left: he gets neither, and E5's seat stays free for the next user.
    result = apply(change("bob", "carol", assign=(E5, VISIO)), actor=ADMIN, uow=uow)
    assert codes(outcome(result.results, "bob")) == ["insufficient_licenses"]
    assert uow.state.users[("contoso", uid("bob"))].licenses == frozenset()
    assert uow.state.subscriptions[("contoso", E5)].assigned == 0


def test_a_failed_user_reports_every_reason() -> None:
    o = outcome(apply(change("carol", assign=(E3, AUDIO, E1, VISIO)), actor=ADMIN, uow=world()).results, "carol")
    assert sorted(set(codes(o))) == ["insufficient_licenses", "location_not_allowed", "mutually_exclusive"]


def test_already_held_is_unchanged_and_not_audited() -> None:
    uow = world()
    result = apply(change("alice", assign=(E3,)), actor=ADMIN, uow=uow)
    assert result.results[0].status is Status.UNCHANGED
    assert uow.state.audit == []


def test_plan_writes_nothing_and_predicts_apply() -> None:
    uow = world()
    c = change("frank", "bob", "erin", "alice", assign=(E5,))
    predicted = plan(c, actor=ADMIN, uow=uow)
    assert predicted.dry_run and predicted.batch_id is None
    assert uow.commits == 0 and uow.state.subscriptions[("contoso", E5)].assigned == 0
    assert apply(c, actor=ADMIN, uow=uow).results == predicted.results


def test_audit_records_applied_and_failed_user_changes() -> None:
    uow = world()
    result = apply(change("bob", "carol", assign=(E3,)), actor=ADMIN, uow=uow)
    rows = {(e.user_id, e.sku, e.action, e.outcome) for e in uow.state.audit}
    assert rows == {(uid("bob"), E3, "assign", "applied"), (uid("carol"), E3, "assign", "failed")}
    assert {e.batch_id for e in uow.state.audit} == {result.batch_id}
    failed = next(e for e in uow.state.audit if e.outcome == "failed")
    assert failed.reason is not None and failed.reason.startswith("location_not_allowed:")


def test_same_idempotency_key_returns_first_result_and_changes_nothing() -> None:
    uow = world()
    first = apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k1")
    again = apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k1")
    assert again.replayed and again.batch_id == first.batch_id and again.results == first.results
    assert uow.state.subscriptions[("contoso", E5)].assigned == 1
    assert len(uow.state.audit) == 1


def test_idempotency_key_reused_for_another_change_is_refused() -> None:
    uow = world()
    apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k1")
    with pytest.raises(IdempotencyKeyReused):
        apply(change("carol", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k1")


def test_unknown_customer_is_refused_before_anything() -> None:
    with pytest.raises(UnknownCustomer, match="No customer with id 'initech'"):
        apply(make_change("initech", ["x"], assign=[E5]), actor=ADMIN, uow=world())


@pytest.mark.parametrize(
    ("users", "assign", "revoke", "message"),
    [
        ([], [E5], [], "Select at least one user."),
        (["a"], [], [], "Nothing to change"),
        (["a"], [E5], [E5], "cannot be assigned and revoked at once: ENTERPRISEPREMIUM"),
    ],
)
def test_malformed_changes_are_refused(users: list[str], assign: list[str], revoke: list[str], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        make_change("contoso", users, assign=assign, revoke=revoke)


def move(*names: str, to: str, assign: tuple[str, ...] = (), revoke: tuple[str, ...] = ()) -> Change:
    return make_change("contoso", [uid(n) for n in names], assign=assign, revoke=revoke, location=to)


def test_a_location_save_sets_the_country_but_refuses_where_a_held_product_is_unavailable() -> None:
    uow = world()
    result = apply(move("alice", "bob", "zed", to="cn"), actor=ADMIN, uow=uow)
    by_user = {o.user_id: o for o in result.results}
    assert codes(by_user[uid("alice")]) == ["location_not_allowed"]
    assert (by_user[uid("bob")].status, by_user[uid("bob")].location) == (Status.UPDATED, "CN")
    assert codes(by_user[uid("zed")]) == ["unknown_user"]
    assert uow.state.users[("contoso", uid("bob"))].location == "CN"
    assert uow.state.users[("contoso", uid("alice"))].location == "US"


def test_a_location_save_to_the_same_country_is_unchanged() -> None:
    result = apply(move("bob", to="DE"), actor=ADMIN, uow=world())
    assert (result.results[0].status, result.results[0].location) == (Status.UNCHANGED, None)


def test_sales_agent_cannot_change_locations_nor_anything_saved_with_one() -> None:
    uow = world()
    result = apply(move("bob", to="FR", assign=(E5,)), actor=SALES, uow=uow)
    assert codes(result.results[0]) == ["forbidden"]
    assert "Sales agent" in result.results[0].errors[0].message
    assert uow.state.users[("contoso", uid("bob"))] == world().state.users[("contoso", uid("bob"))]


def test_a_location_that_is_not_iso_alpha_2_is_refused_before_anything_runs() -> None:
    with pytest.raises(InvalidRequest, match="'USA' is not an ISO 3166-1 alpha-2 country code"):
        move("bob", to="USA")


def test_location_and_licenses_are_one_save_one_batch_one_audit_one_confirmation() -> None:
    uow = world()
    queued = []
    result = apply(move("bob", to="fr", assign=(E5,)), actor=ADMIN, uow=uow, notify=lambda r: queued.append(r))
    o = result.results[0]
    assert (o.status, o.location, o.assigned) == (Status.UPDATED, "FR", (E5,))
    bob = uow.state.users[("contoso", uid("bob"))]
    assert (bob.location, bob.licenses) == ("FR", {E5})
    assert {(a.batch_id, a.action) for a in uow.state.audit} == {
        (result.batch_id, "set_location:FR"),
        (result.batch_id, "assign"),
    }
    assert queued == [result] and uow.commits == 1


def test_each_user_is_all_or_nothing_a_failed_license_keeps_the_old_location() -> None:
    uow = world()
    result = apply(move("alice", "bob", "erin", to="GB", assign=(E5,)), actor=ADMIN, uow=uow)  # E5: 2 seats
    assert [o.status for o in result.results] == [Status.UPDATED, Status.UPDATED, Status.FAILED]
    assert codes(outcome(result.results, "erin")) == ["insufficient_licenses"]
    erin = uow.state.users[("contoso", uid("erin"))]
    assert (erin.location, E5 in erin.licenses) == ("US", False)
    assert [(a.user_id, a.action, a.outcome) for a in uow.state.audit if a.user_id == uid("erin")] == [
        (uid("erin"), "set_location:GB", "failed"),
        (uid("erin"), "assign", "failed"),
    ]


def test_licenses_assigned_with_a_move_are_judged_in_the_new_country() -> None:
    o = apply(move("bob", to="CN", assign=(E3,)), actor=ADMIN, uow=world()).results[0]
    assert codes(o) == ["location_not_allowed"]
    assert o.errors[0].message == "Office 365 E3 is not available in CN, Bob Brown's usage location."


def test_a_user_without_a_location_gets_one_and_a_license_in_one_save() -> None:
    uow = world()
    o = apply(move("dave", to="US", assign=(E5,)), actor=ADMIN, uow=uow).results[0]
    assert (o.status, o.location, o.assigned) == (Status.UPDATED, "US", (E5,))


def test_revoking_the_product_that_blocks_a_country_lets_the_move_pass() -> None:
    uow = world()
    o = apply(move("alice", to="CN", revoke=(E3,)), actor=ADMIN, uow=uow).results[0]
    assert (o.status, o.location, o.revoked) == (Status.UPDATED, "CN", (E3,))


def test_a_reused_key_with_a_move_changes_nothing_at_all() -> None:
    uow = world()
    apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k")
    before = dict(uow.state.users)
    with pytest.raises(IdempotencyKeyReused):
        apply(move("carol", to="US", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k")
    assert uow.state.users == before  # the location is not committed apart from the licenses


def test_a_move_is_part_of_the_idempotency_fingerprint() -> None:
    assert move("bob", to="FR", assign=(E5,)).fingerprint() != change("bob", assign=(E5,)).fingerprint()


def test_the_confirmation_is_queued_in_the_same_transaction_as_the_change() -> None:
    from licensing.notifications import OutgoingThread

    uow = world()

    def notify(result: object) -> OutgoingThread:
        return OutgoingThread("C1", ADMIN, {"text": "done"}, batch_id=getattr(result, "batch_id", None))

    result = apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k", notify=notify)
    assert [t.batch_id for t in uow.state.outbox] == [result.batch_id]
    apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, idempotency_key="k", notify=notify)
    assert len(uow.state.outbox) == 1  # a replay queues nothing


def test_a_change_that_fails_to_commit_queues_no_message() -> None:
    from licensing.notifications import OutgoingThread

    uow = world()

    def broken(result: object) -> OutgoingThread:
        raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow, notify=broken)
    assert uow.state.outbox == [] and uow.state.subscriptions[("contoso", E5)].assigned == 0


def test_a_license_a_tenant_gives_through_a_group_cannot_be_revoked_from_the_user() -> None:
    from dataclasses import replace as with_

    uow = world()
    with uow:
        alice = uow.users.get_many("contoso", [uid("alice")])[uid("alice")]
        uow.users.upsert([with_(alice, group_licenses=frozenset({E3}))])
        uow.commit()
    result = apply(change("alice", revoke=(E3,)), actor=ADMIN, uow=uow)
    assert codes(outcome(result.results, "alice")) == ["group_assigned"]
    assert uow.state.users[("contoso", uid("alice"))].licenses == {E3}


def test_a_connected_customer_is_saved_through_its_tenant_which_decides() -> None:
    from licensing.tenants import OperationResult, OperationStatus
    from tests.tenants.scripted import ScriptedProvider, connect

    def answer(op):  # type: ignore[no-untyped-def]
        if op.user_id == uid("bob"):
            return OperationResult(op.user_id, OperationStatus.FAILED, code=ErrorCode.PROVIDER_ERROR, message="No.")
        return OperationResult(op.user_id, OperationStatus.APPLIED)

    uow = connect(world())
    provider = ScriptedProvider.mirroring(uow, answer)
    result = apply(change("bob", "frank", assign=(E5,)), actor=ADMIN, uow=uow, provider=provider)
    assert {o.user_id: codes(o) for o in result.results} == {uid("bob"): ["provider_error"], uid("frank"): []}
    assert [op.user_id for op in provider.applied] == [uid("bob"), uid("frank")]
    assert uow.state.remote == {} and result.batch_id in uow.state.batches


def test_a_connected_customer_needs_graph_credentials() -> None:
    from licensing.service import NotConnected
    from tests.tenants.scripted import connect

    uow = connect(world())
    with pytest.raises(NotConnected):
        apply(change("bob", assign=(E5,)), actor=ADMIN, uow=uow)
    assert uow.state.remote == {} and not uow.state.batches


def test_an_unanswered_user_is_read_back_before_being_sent_again() -> None:
    from licensing.tenants import OperationResult, OperationStatus
    from tests.tenants.scripted import ScriptedProvider, connect

    def lost(op):  # type: ignore[no-untyped-def]
        return OperationResult(op.user_id, OperationStatus.UNKNOWN)

    uow = connect(world())
    provider = ScriptedProvider.mirroring(uow, lost, lands=[uid("frank")])
    result = apply(change("bob", "frank", assign=(E5,)), actor=ADMIN, uow=uow, provider=provider)
    # Frank's change had landed: not sent again. Bob's had not: sent once more, lost again, read back: not applied.
    assert [op.user_id for op in provider.applied] == [uid("bob"), uid("frank"), uid("bob")]
    assert {o.user_id: codes(o) for o in result.results} == {uid("bob"): ["provider_unavailable"], uid("frank"): []}


def test_a_whole_call_that_failed_after_sending_is_read_back_once() -> None:
    from licensing.tenants import Operation, OperationResult, ProviderError
    from tests.tenants.scripted import ScriptedProvider, connect

    def dropped(op: Operation) -> OperationResult:
        raise ProviderError("connection lost mid-batch", unavailable=True)

    uow = connect(world())
    provider = ScriptedProvider.mirroring(uow, dropped)
    result = apply(change("bob", "frank", assign=(E5,)), actor=ADMIN, uow=uow, provider=provider)
    assert {o.user_id: codes(o) for o in result.results} == {
        uid("bob"): ["provider_unavailable"],
        uid("frank"): ["provider_unavailable"],
    }
    # One read before the save, one after the failed call: what the second read said is not asked again.
    assert len(provider.reads) == 2 and sorted(provider.reads[1]) == [uid("bob"), uid("frank")]
