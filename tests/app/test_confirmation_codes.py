"""Every error code, produced by the real licensing service, shows in the thread and in the modal, readably."""

from __future__ import annotations

from blocks.messages import confirmation_parent, confirmation_replies
from blocks.result import result_view
from blocks.text import escape
from blocks.viewmodels import ResultVM
from bot.confirm import result_vm
from fakes.slack.blockkit import validate_message, validate_view
from licensing.results import ErrorCode
from licensing.service import apply, make_change
from tests.app.driver import _texts
from tests.unit.world import ADMIN, AUDIO, E1, E3, E5, PBI, STRANGER, uid, world

CASES = [  # (users, assign, revoke, actor) that make the service refuse with each code
    (["alice", "bob", "erin"], [E5], [], ADMIN),  # insufficient_licenses: two seats, three users
    (["dave"], [E5], [], ADMIN),  # usage_location_missing
    (["carol"], [E3], [], ADMIN),  # location_not_allowed
    (["bob"], [AUDIO], [], ADMIN),  # dependency_missing
    (["erin"], [], [E3], ADMIN),  # dependency_in_use
    (["frank"], [E3], [], ADMIN),  # mutually_exclusive
    (["bob"], [PBI], [], ADMIN),  # not_entitled
    (["zed"], [E1], [], ADMIN),  # unknown_user
    (["bob"], ["NOPE"], [], ADMIN),  # unknown_product
    (["bob"], [E1], [], STRANGER),  # forbidden
]


def test_every_error_code_appears_in_the_confirmation_thread_and_the_result_view() -> None:
    names = {E1: "Office 365 E1", E3: "Office 365 E3", E5: "Office 365 E5"}
    outcomes, seen = [], set()
    for users, assign, revoke, actor in CASES:
        result = apply(make_change("contoso", [uid(u) for u in users], assign=assign, revoke=revoke),
                       actor=actor, uow=world())  # fmt: skip
        seen |= {e.code for o in result.results for e in o.errors}
        outcomes += result_vm("Contoso Ltd", result, names).outcomes
    assert seen == set(ErrorCode)
    vm = ResultVM("Contoso Ltd", ADMIN, tuple(outcomes))
    messages = [confirmation_parent(vm), *confirmation_replies(vm)]
    view = result_view(vm, "token")
    assert [p for m in messages for p in validate_message(m)] == [] and validate_view(view) == []
    thread = "\n".join(t for m in messages[1:] for t in _texts(m["blocks"]))
    modal = "\n".join(_texts(view["blocks"]))
    for o in outcomes:
        for e in o.errors:
            assert escape(e.message) in thread, e.code
            assert escape(e.message) in modal, e.code
