"""Every error code, produced by the real licensing service, reads in the confirmation thread and the result modal.

Parametrized over ErrorCode itself: a new code fails here until it has a scenario below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.result import result_view
from blocks.text import escape
from bot.confirmation import result_vm
from fakes.slack.blockkit import validate_message, validate_view
from licensing.results import BatchResult, ErrorCode
from licensing.service import apply, make_change, plan
from licensing.tenants import Operation, OperationResult, OperationStatus
from tests.memory import FakeUnitOfWork
from tests.tenants.scripted import ScriptedProvider, connect
from tests.text import shown
from tests.world import ADMIN, AUDIO, E1, E3, E5, PBI, PRODUCTS, SALES, STRANGER, uid, world

NAMES = {p.sku: p.name for p in PRODUCTS}


Scenario = Callable[[FakeUnitOfWork], BatchResult]


def assigning(*users: str, sku: str, actor: str = ADMIN) -> Scenario:
    return lambda uow: apply(make_change("contoso", [uid(u) for u in users], assign=[sku]), actor=actor, uow=uow)


def planning(*users: str, sku: str) -> Scenario:
    return lambda uow: plan(make_change("contoso", [uid(u) for u in users], assign=[sku]), actor=ADMIN, uow=uow)


def revoking(user: str, sku: str) -> Scenario:
    return lambda uow: apply(make_change("contoso", [uid(user)], revoke=[sku]), actor=ADMIN, uow=uow)


def revoking_a_group_license(user: str, sku: str) -> Scenario:
    """A connected tenant's mirror shows the license as given by a group."""

    def run(uow: FakeUnitOfWork) -> BatchResult:
        with uow:
            [held] = uow.users.get_many("contoso", [uid(user)]).values()
            uow.users.upsert([replace(held, group_licenses=frozenset({sku}))])
            uow.commit()
        return revoking(user, sku)(uow)

    return run


def refused_by_the_tenant(user: str, sku: str, code: ErrorCode, graph_says: str) -> Scenario:
    """A connected customer whose tenant refuses the change."""

    def answer(op: Operation) -> OperationResult:
        return OperationResult(op.user_id, OperationStatus.FAILED, code=code, message=graph_says)

    def run(uow: FakeUnitOfWork) -> BatchResult:
        change = make_change("contoso", [uid(user)], assign=[sku])
        return apply(change, actor=ADMIN, uow=connect(uow), provider=ScriptedProvider.mirroring(uow, answer))

    return run


def locating(user: str, country: str, actor: str = ADMIN) -> Scenario:
    return lambda uow: apply(make_change("contoso", [uid(user)], location=country), actor=actor, uow=uow)


# What makes the service refuse with each code, and the message it gives.
SCENARIOS: dict[ErrorCode, tuple[Scenario, str]] = {
    ErrorCode.INSUFFICIENT_LICENSES: (
        assigning("alice", "bob", "erin", sku=E5),  # two seats, three users
        "No Office 365 E5 license left: all 2 are assigned.",
    ),
    ErrorCode.USAGE_LOCATION_MISSING: (
        assigning("dave", sku=E5),
        "Dave Doe has no usage location; set one before assigning licenses.",
    ),
    ErrorCode.LOCATION_NOT_ALLOWED: (
        locating("alice", "CN"),
        "Alice Adams holds Office 365 E3, which is not available in CN.",
    ),
    ErrorCode.DEPENDENCY_MISSING: (
        planning("bob", sku=AUDIO),
        "Audio Conferencing requires one of: Office 365 E3, Office 365 E5.",
    ),
    ErrorCode.DEPENDENCY_IN_USE: (
        revoking("erin", E3),
        "Office 365 E3 cannot be revoked: Audio Conferencing still requires it.",
    ),
    ErrorCode.MUTUALLY_EXCLUSIVE: (
        assigning("frank", sku=E3),
        "Office 365 E3 and Office 365 E1 cannot be held together.",
    ),
    ErrorCode.NOT_ENTITLED: (
        assigning("bob", sku=PBI),
        "Contoso Ltd owns no Power BI Pro subscription.",
    ),
    ErrorCode.UNKNOWN_USER: (
        planning("zed", sku=E1),
        "No user 'zed@contoso.com' in customer contoso.",
    ),
    ErrorCode.UNKNOWN_PRODUCT: (
        assigning("bob", sku="NOPE"),
        "No product with SKU 'NOPE'.",
    ),
    ErrorCode.GROUP_ASSIGNED: (
        revoking_a_group_license("alice", E3),
        "Alice Adams gets Office 365 E3 through a group in Microsoft 365; remove them from the group instead.",
    ),
    ErrorCode.PROVIDER_ERROR: (
        refused_by_the_tenant("bob", E1, ErrorCode.PROVIDER_ERROR, "Something <odd> happened."),
        "Microsoft 365 refused the change: Something <odd> happened.",
    ),
    ErrorCode.PROVIDER_UNAVAILABLE: (
        refused_by_the_tenant("bob", E1, ErrorCode.PROVIDER_UNAVAILABLE, "Too many requests."),
        "Microsoft 365 was busy or unavailable; nothing changed for this user. Try again in a few minutes.",
    ),
    ErrorCode.UNKNOWN_SERVICE: (
        refused_by_the_tenant(
            "bob", E1, ErrorCode.UNKNOWN_SERVICE, "The tenant's STANDARDPACK has no service plan SWAY."
        ),
        "The tenant's STANDARDPACK has no service plan SWAY.",
    ),
    ErrorCode.SERVICE_DEPENDENCY: (
        refused_by_the_tenant(
            "bob",
            E1,
            ErrorCode.SERVICE_DEPENDENCY,
            "Exchange Online Archiving depends on Exchange Online (Plan 2): Microsoft 365 refused this user's "
            "services change.",
        ),
        "Exchange Online Archiving depends on Exchange Online (Plan 2): Microsoft 365 refused this user's services "
        "change.",
    ),
    ErrorCode.FORBIDDEN: (
        locating("bob", "FR", actor=SALES),
        "Your role (Sales agent) cannot change usage locations.",
    ),
}


@pytest.mark.parametrize("code", list(ErrorCode))
def test_each_error_code_reads_in_the_thread_and_the_result_modal(code: ErrorCode) -> None:
    assert code in SCENARIOS, f"no scenario makes the service refuse with {code.value}: add one to SCENARIOS"
    run, message = SCENARIOS[code]
    result = run(world())
    refused = [(e.code, e.message) for o in result.failed for e in o.errors]
    assert refused == [(code, message)]
    vm = result_vm("Contoso Ltd", result, NAMES)
    messages = [confirmation_parent(vm), *confirmation_replies(vm)]
    view = result_view(vm, "token")
    assert [p for m in messages for p in validate_message(m)] == [] and validate_view(view) == []
    assert escape(message) in "\n".join(shown(m["blocks"]) for m in messages[1:])  # a reply in the thread
    assert escape(message) in shown(view["blocks"])


def test_a_stranger_is_refused_for_every_user_with_forbidden() -> None:
    result = apply(make_change("contoso", [uid("bob"), uid("zed")], assign=[E1]), actor=STRANGER, uow=world())
    assert {e.code for o in result.results for e in o.errors} == {ErrorCode.FORBIDDEN}
    assert len(result.failed) == 2
