from __future__ import annotations

from typing import Any

from blocks.messages import (
    confirmation_parent,
    confirmation_replies,
    help_message,
)
from blocks.outcomes import outcome_line
from blocks.viewmodels import ResultVM
from fakes.slack.blockkit import validate_message
from tests.blocks.helpers import EVIL_ESCAPED, assert_escaped, big_result, outcome
from tests.text import shown, texts


def checked(message: dict[str, Any]) -> dict[str, Any]:
    assert validate_message(message) == []
    assert message["text"]  # mobile notifications show only this
    return message


def five() -> ResultVM:
    outcomes = (outcome(1), outcome(2), outcome(3), outcome(4), outcome(5, "failed"))
    return ResultVM("Contoso Ltd", "U0OPERATOR", outcomes)


def test_confirmation_parent() -> None:
    message = checked(confirmation_parent(five()))
    assert message["text"] == "Contoso Ltd: licenses updated for 4 of 5 users, 1 error"
    assert "*Contoso Ltd*: licenses updated for 4 of 5 users, 1 error" in shown(message)
    assert "by <@U0OPERATOR>" in shown(message)


def test_confirmation_parent_escapes_the_customer() -> None:
    message = checked(confirmation_parent(big_result(3)))
    assert message["text"].startswith(f"{EVIL_ESCAPED} Contoso:")
    assert_escaped(message)


def test_replies_for_a_few_users_are_one_message() -> None:
    (reply,) = confirmation_replies(five())
    checked(reply)
    assert ":x: *User 5* — Office 365 E3 is not available in CN" in shown(reply)
    assert "users 1–5 of 5" in reply["text"]


def test_no_outcomes_no_replies() -> None:
    assert confirmation_replies(ResultVM("C", "U1", ())) == []


def test_two_thousand_users_split_into_messages_slack_accepts() -> None:
    vm = big_result(2000)
    replies = confirmation_replies(vm)
    assert len(replies) > 1
    lines: list[str] = []
    for reply in replies:
        checked(reply)
        assert len(reply["blocks"]) <= 50
        sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
        assert all(len(s) <= 3000 for s in sections)
        assert sum(len(t) for t in texts(reply)) <= 12_000
        assert_escaped(reply)
        lines += "\n".join(sections).split("\n")
    assert lines == [outcome_line(o) for o in vm.outcomes]  # every user, once, in order
    assert replies[0]["text"].startswith(f"{EVIL_ESCAPED} Contoso: results for users 1–")
    assert replies[-1]["text"].endswith("–2,000 of 2,000")


def test_help_message_explains_every_form() -> None:
    message = checked(help_message())
    text = shown(message)
    for usage in ("/licenses`", "/licenses NAME", "/licenses history [CUSTOMER] [USER]", "/licenses help"):
        assert usage in text
