from __future__ import annotations

from typing import Any

import pytest

from blocks import ids
from blocks.users import users_view
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, LONG, TOKEN, assert_escaped, elements, user_row, users_vm
from tests.text import shown, texts


def build(**kw: Any) -> dict[str, Any]:
    view = users_view(users_vm(**kw), TOKEN)
    assert validate_view(view) == []
    return view


def checkboxes(view: dict[str, Any]) -> dict[str, Any]:
    (element,) = elements(view, ids.SELECT_USERS)
    return element


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def button(view: dict[str, Any], action_id: str) -> dict[str, Any]:
    (element,) = elements(view, action_id)
    return element


def test_users_view_frame() -> None:
    view = build(rows=(user_row(1),))
    assert view["callback_id"] == ids.USERS_VIEW
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Users and licenses",
        "Manage licenses",
        "Cancel",
    )
    assert view["private_metadata"] == TOKEN
    customer = view["blocks"][0]
    assert customer["text"]["text"] == "*Customer:* Contoso Ltd"
    assert customer["accessory"]["action_id"] == ids.CHANGE_CUSTOMER
    assert customer["accessory"]["text"]["text"] == "Change"


def test_search_box_dispatches_on_enter_and_keeps_the_query() -> None:
    view = build(rows=(user_row(1),), query="ali")
    (search,) = [b for b in view["blocks"] if b.get("block_id") == ids.SEARCH_BLOCK]
    assert search["type"] == "input" and search["optional"] is True and search["dispatch_action"] is True
    assert search["label"]["text"] == "Search by name or user id"
    element = search["element"]
    assert element["action_id"] == ids.SEARCH_INPUT and element["type"] == "plain_text_input"
    assert element["dispatch_action_config"] == {"trigger_actions_on": ["on_enter_pressed"]}
    assert element["initial_value"] == "ali"


def test_empty_query_sends_no_initial_value() -> None:
    view = build(rows=(user_row(1),))
    (element,) = elements(view, ids.SEARCH_INPUT)
    assert "initial_value" not in element


def test_one_checkbox_group_per_page_with_name_id_and_licenses() -> None:
    rows = (
        user_row(1, name="Alice Adams", selected=True, licenses=("Office 365 E3", "Visio Plan 2")),
        user_row(2, name="Bob", location=None, licenses=()),
    )
    view = build(rows=rows, rev=7)
    (block,) = [b for b in view["blocks"] if b.get("block_id", "").startswith(ids.USERS_BLOCK_PREFIX)]
    assert block["block_id"] == "users:7" and block["type"] == "actions"
    options = checkboxes(view)["options"]
    assert [o["value"] for o in options] == ["r1", "r2"]
    assert options[0]["text"] == {"type": "mrkdwn", "text": "*Alice Adams*  user1@contoso.com", "verbatim": True}
    assert options[0]["description"]["text"] == "US · Office 365 E3, Visio Plan 2"
    assert options[1]["description"]["text"] == "no usage location · no licenses"


def test_initial_options_are_exactly_the_selected_rows() -> None:
    rows = tuple(user_row(i, selected=i in (0, 4, 9)) for i in range(10))
    element = checkboxes(build(rows=rows, selected_count=25))
    assert [o["value"] for o in element["initial_options"]] == ["r0", "r4", "r9"]
    assert all(o in element["options"] for o in element["initial_options"])


def test_no_initial_options_key_when_nothing_on_the_page_is_selected() -> None:
    element = checkboxes(build(rows=(user_row(1), user_row(2)), selected_count=4))
    assert "initial_options" not in element  # Slack rejects an empty list


def test_status_line_counts_selection_pages_and_matches() -> None:
    view = build(rows=(user_row(1),), page=2, page_count=7, total=64, selected_count=3)
    assert "3 selected · page 2 of 7 · 64 users" in texts(view, "plain_text")


def test_status_line_in_selected_mode() -> None:
    view = build(rows=(user_row(1, selected=True),), showing_selected=True, selected_count=1, total=1)
    assert "Showing the 1 selected user" in texts(view, "plain_text")


def test_no_match_says_so_and_quotes_the_query_as_plain_text() -> None:
    view = build(query=EVIL, total=0)
    assert f"No users match “{EVIL}”." in texts(view, "plain_text")
    assert elements(view, ids.SELECT_USERS) == []
    assert ids.SELECT_PAGE not in action_ids(view) and ids.CLEAR_PAGE not in action_ids(view)


def test_empty_selected_mode_offers_the_way_back() -> None:
    view = build(showing_selected=True, selected_count=0, total=0)
    assert "No users are selected yet." in shown(view)
    assert ids.SHOW_ALL in action_ids(view)


@pytest.mark.parametrize(
    ("page", "page_count", "expected"),
    [
        (1, 1, []),
        (1, 2, [ids.PAGE_NEXT, ids.PAGE_LAST]),
        (1, 5, [ids.PAGE_NEXT, ids.PAGE_LAST]),
        (2, 5, [ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST]),
        (3, 5, [ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST]),
        (4, 5, [ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST]),
        (5, 5, [ids.PAGE_FIRST, ids.PAGE_PREV]),
    ],
)
def test_paging_shows_only_the_moves_that_go_somewhere(page: int, page_count: int, expected: list[str]) -> None:
    view = build(rows=(user_row(1),), page=page, page_count=page_count, total=page_count * 10)
    paging = {ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST}
    assert [a for a in action_ids(view) if a in paging] == expected


def test_paging_buttons_carry_the_target_page() -> None:
    view = build(rows=(user_row(1),), page=3, page_count=5, total=50)
    targets = {a: button(view, a)["value"] for a in (ids.PAGE_FIRST, ids.PAGE_PREV, ids.PAGE_NEXT, ids.PAGE_LAST)}
    assert targets == {ids.PAGE_FIRST: "1", ids.PAGE_PREV: "2", ids.PAGE_NEXT: "4", ids.PAGE_LAST: "5"}


def test_selection_actions_for_a_partly_ticked_page() -> None:
    view = build(rows=(user_row(1, selected=True), user_row(2)), selected_count=12)
    found = action_ids(view)
    for action in (ids.SELECT_PAGE, ids.CLEAR_PAGE, ids.SHOW_SELECTED, ids.CLEAR_ALL):
        assert action in found
    assert button(view, ids.SELECT_PAGE)["text"]["text"] == "Select all on this page"
    assert button(view, ids.CLEAR_PAGE)["text"]["text"] == "Clear this page"
    assert button(view, ids.SHOW_SELECTED)["text"]["text"] == "Selected users (12)"
    clear_all = button(view, ids.CLEAR_ALL)
    assert clear_all["text"]["text"] == "Clear selection"
    assert "12 selected users" in clear_all["confirm"]["text"]["text"]


def test_fully_ticked_page_offers_no_select_all_and_empty_selection_no_clear() -> None:
    ticked = action_ids(build(rows=(user_row(1, selected=True),), selected_count=1))
    assert ids.SELECT_PAGE not in ticked and ids.CLEAR_PAGE in ticked
    empty = action_ids(build(rows=(user_row(1),), selected_count=0))
    assert ids.CLEAR_PAGE not in empty and ids.CLEAR_ALL not in empty and ids.SHOW_SELECTED not in empty
    assert ids.SELECT_PAGE in empty


def test_selected_mode_swaps_the_toggle() -> None:
    view = build(rows=(user_row(1, selected=True),), showing_selected=True, selected_count=1)
    assert ids.SHOW_ALL in action_ids(view) and ids.SHOW_SELECTED not in action_ids(view)
    assert button(view, ids.SHOW_ALL)["text"]["text"] == "All users"


def test_notice_shows_above_the_list() -> None:
    view = build(rows=(user_row(1),), notice="Selection cleared.")
    assert "Selection cleared." in texts(view, "plain_text")


def test_worst_case_page_stays_within_every_limit_and_escapes_data() -> None:
    rows = tuple(
        user_row(
            i,
            name=f"{EVIL} {LONG}",
            user_id=f"{EVIL}{'x' * 200}@contoso.com",
            location="US",
            licenses=tuple(f"{EVIL} Product {j} {LONG}" for j in range(20)),
            selected=i % 2 == 0,
        )
        for i in range(10)
    )
    view = build(
        rows=rows,
        customer_name=f"{EVIL} {LONG * 20}",
        query=EVIL,
        page=5,
        page_count=50,
        total=500,
        selected_count=500,
        notice=EVIL,
    )
    element = checkboxes(view)
    assert len(element["options"]) == 10
    for option in element["options"]:
        assert len(option["text"]["text"]) <= 75 and len(option["description"]["text"]) <= 75
        assert option["text"]["text"].startswith("*&lt;!channel&gt; &amp; &lt;b&gt;")
    assert len(view["blocks"]) < 10
    assert_escaped(view)


def test_a_nameless_user_shows_the_id_once() -> None:
    (option,) = checkboxes(build(rows=(user_row(1, name="  "),)))["options"]
    assert option["text"]["text"] == "*user1@contoso.com*"


def test_never_more_than_ten_checkboxes() -> None:
    rows = tuple(user_row(i, selected=True) for i in range(12))
    element = checkboxes(build(rows=rows))
    assert len(element["options"]) == 10 and len(element["initial_options"]) == 10
