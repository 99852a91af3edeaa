from __future__ import annotations

import json
from typing import Any

from blocks import ids
from blocks.result import notice_view, result_view, saving_view
from blocks.viewmodels import OutcomeVM, ResultVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, TOKEN, assert_escaped, big_result, outcome
from tests.text import shown, texts


def checked(view: dict[str, Any]) -> dict[str, Any]:
    assert validate_view(view) == []
    assert view["private_metadata"] == TOKEN
    return view


def small() -> ResultVM:
    outcomes = (
        OutcomeVM("Alice Adams", "alice", "updated", assigned=("Office 365 E3",), revoked=("Office 365 E1",)),
        OutcomeVM("Bob", "bob", "unchanged"),
        outcome(3, "failed", name="Carol"),
        outcome(4),
        outcome(5),
        outcome(6),
    )
    return ResultVM("Contoso Ltd", "U1", outcomes)


def test_saving_view() -> None:
    view = checked(saving_view("Contoso Ltd", 1200, TOKEN))
    assert view["callback_id"] == ids.SAVING_VIEW and view["title"]["text"] == "Saving…"
    assert "submit" not in view
    assert "Applying changes for 1,200 users of *Contoso Ltd*…" in shown(view)


def test_result_view_summary_and_lines() -> None:
    view = checked(result_view(small(), TOKEN))
    assert view["callback_id"] == ids.RESULT_VIEW
    assert (view["title"]["text"], view["close"]["text"]) == ("Licenses updated", "Done")
    assert "submit" not in view
    text = shown(view)
    assert "Updated 4 of 6 users · 1 unchanged · 1 error" in text
    assert ":white_check_mark: *Alice Adams* — assigned Office 365 E3; revoked Office 365 E1" in text
    assert ":heavy_minus_sign: *Bob* — no change" in text
    assert ":x: *Carol* — Office 365 E3 is not available in CN" in text
    assert "already" not in text
    # everything fits: the users keep their order
    assert text.index("Alice Adams") < text.index("Bob") < text.index("Carol")


def test_replayed_submission_says_it_was_already_applied() -> None:
    vm = ResultVM("Contoso Ltd", "U1", (outcome(1),), replayed=True)
    assert "already been applied" in shown(checked(result_view(vm, TOKEN)))


def test_two_thousand_users_fit_with_failures_first_and_a_pointer_to_the_thread() -> None:
    vm = big_result(2000)
    view = checked(result_view(vm, TOKEN))
    assert len(view["blocks"]) <= 100
    assert len(json.dumps(view)) < 200_000  # Slack refuses views over ~250 kB
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    lines = "\n".join(sections[1:-1]).split("\n")
    failed = sum(o.status == "failed" for o in vm.outcomes)
    assert all(line.startswith(":x:") for line in lines[:failed])
    assert sections[-1].startswith(f"…and {len(vm.outcomes) - len(lines):,} more (")
    assert sections[-1].endswith("see the thread for every user.")
    assert_escaped(view)


def test_non_latin_names_cannot_push_the_view_over_the_size_limit() -> None:
    view = checked(result_view(big_result(2000, name="山田太郎" * 20), TOKEN))
    assert len(json.dumps(view)) < 250_000


def test_notice_view_is_plain_text() -> None:
    view = checked(notice_view("Not allowed", f"You can't manage {EVIL}.", TOKEN))
    assert view["callback_id"] == ids.NOTICE_VIEW and view["title"]["text"] == "Not allowed"
    assert f"You can't manage {EVIL}." in texts(view, "plain_text")
    assert texts(view, "mrkdwn") == []


def test_notice_view_shortens_a_long_title() -> None:
    view = checked(notice_view("A title much longer than Slack allows", "x", TOKEN))
    assert len(view["title"]["text"]) <= 24
