from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from blocks import ids
from blocks.history import HistoryRowVM, HistoryVM, history_view
from blocks.messages import confirmation_parent
from blocks.viewmodels import ResultVM
from fakes.slack.blockkit import validate_message, validate_view
from tests.blocks.helpers import EVIL, EVIL_ESCAPED, LONG, mrkdwn_texts, outcome
from tests.text import shown

ROW = HistoryRowVM(
    at_epoch=1772600767,
    at_fallback="2026-03-04 05:06 UTC",
    operator_id="U0ADMIN01",
    customer_name="Contoso Ltd",
    user_id="carol@contoso.com",
    action="assign",
    product="Office 365 E3",
    outcome="failed",
    reason="location_not_allowed: Office 365 E3 is not available in CN",
    batch_id="b1",
)


def vm(rows: int = 3, **changes: Any) -> HistoryVM:
    return replace(HistoryVM("Contoso Ltd", (ROW,) * rows, "t-new", "t-old", '{"customer":"contoso"}'), **changes)


def buttons(view: dict[str, Any]) -> dict[str, str]:
    return {e["action_id"]: e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def test_each_line_says_what_to_whom_where_the_outcome_and_when_who_and_which_batch() -> None:
    view = history_view(vm(1))
    assert validate_view(view) == [] and view["callback_id"] == ids.HISTORY_VIEW
    text = shown(view)
    assert "*Recent changes* · Contoso Ltd" in text
    assert (
        ":x: *Assign Office 365 E3* · carol@contoso.com at Contoso Ltd — failed: location_not_allowed: Office 365 E3 "
        "is not available in CN\n<!date^1772600767^{date_short_pretty} {time}|2026-03-04 05:06 UTC> · by <@U0ADMIN01>"
        " · batch `b1`"
    ) in text
    assert view["private_metadata"] == '{"customer":"contoso"}'


def test_paging_buttons_carry_their_cursors_and_only_where_there_is_more() -> None:
    assert buttons(history_view(vm())) == {ids.HISTORY_NEWER: "t-new", ids.HISTORY_OLDER: "t-old"}
    assert buttons(history_view(vm(newer=None))) == {ids.HISTORY_OLDER: "t-old"}
    assert buttons(history_view(vm(newer=None, older=None))) == {}


def test_no_changes_says_so() -> None:
    view = history_view(vm(0, newer=None, older=None))
    assert validate_view(view) == [] and "No changes recorded here yet." in shown(view)


def test_other_actions_read_as_english() -> None:
    moved = replace(ROW, action="set_location:US", product=None, outcome="applied", reason=None)
    bought = replace(ROW, action="buy_more", user_id="", outcome="requested", reason=None)
    text = shown(history_view(replace(vm(0), rows=(moved, bought))))
    assert ":white_check_mark: *Set usage location US* · carol@contoso.com at Contoso Ltd — applied" in text
    assert ":shopping_trolley: *Buy more Office 365 E3* · Contoso Ltd — requested" in text


def test_a_full_page_of_evil_long_data_stays_escaped_and_inside_slacks_limits() -> None:
    evil = replace(
        ROW,
        customer_name=EVIL + LONG,
        user_id=EVIL,
        product=EVIL,
        reason=EVIL + LONG * 20,
        operator_id="U<!here>",
        batch_id="<!channel>",
    )
    view = history_view(replace(vm(scope=EVIL), rows=(evil,) * 25))
    assert validate_view(view) == []
    assert len(view["blocks"]) <= 100 and len(json.dumps(view)) < 150_000
    for text in mrkdwn_texts(view):
        assert len(text) <= 3000
        assert not re.search(r"<(?!!date\^\d+\^|@U0ADMIN01>|@U&lt;)", text), text  # only our own date and mention
    assert EVIL_ESCAPED in shown(view)


def test_the_confirmation_names_its_batch_and_where_to_find_it() -> None:
    message = confirmation_parent(ResultVM("Contoso Ltd", "U0OPERATOR", (outcome(1),), batch_id="abc123"))
    assert validate_message(message) == []
    assert "batch `abc123`: `/licenses history` shows it" in shown(message)


def test_a_purchase_line_says_its_outcome_once_with_an_icon_of_its_own() -> None:
    declined = replace(ROW, action="buy_more", user_id="", outcome="declined", reason="3 more declined: Budget frozen")
    approved = replace(declined, outcome="approved", reason="3 more approved (quantity 5)")
    text = shown(history_view(replace(vm(0), rows=(declined, approved))))
    assert ":no_entry_sign: *Buy more Office 365 E3* · Contoso Ltd — 3 more declined: Budget frozen\n" in text
    assert ":white_check_mark: *Buy more Office 365 E3* · Contoso Ltd — 3 more approved (quantity 5)\n" in text
    assert ":grey_question:" not in text


def test_a_line_no_person_wrote_names_who_did_it_in_words() -> None:
    row = replace(ROW, operator_id="", by="directory import", action="set_location:", outcome="applied", reason=None)
    text = shown(history_view(replace(vm(0), rows=(row,))))
    assert "*Clear usage location* · carol@contoso.com at Contoso Ltd — applied\n" in text
    assert "· by directory import · batch `b1`" in text
