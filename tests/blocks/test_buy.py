from __future__ import annotations

from blocks import ids
from blocks.buy import buy_more_done_view, buy_more_view
from blocks.viewmodels import BuyMoreVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, LONG, TOKEN, assert_escaped, elements
from tests.text import shown


def test_buy_more_view_asks_for_a_quantity_and_says_nothing_is_bought() -> None:
    view = buy_more_view(BuyMoreVM("Contoso Ltd", "VISIO", "Visio Plan 2", quantity=25, available=0), TOKEN)
    assert validate_view(view) == []
    assert view["callback_id"] == ids.BUY_VIEW and view["private_metadata"] == TOKEN
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Buy more licenses",
        "Send request",
        "Back",
    )
    text = shown(view)
    assert "*Visio Plan 2* for *Contoso Ltd*" in text
    assert "Owned: 25 licenses · available: 0" in text
    assert "sales people to approve" in text and "nothing is bought now" in text
    (block,) = [b for b in view["blocks"] if b.get("block_id") == ids.BUY_QUANTITY_BLOCK]
    assert block["label"]["text"] == "How many more licenses?"
    (number,) = elements(view, ids.BUY_QUANTITY_INPUT)
    assert number["type"] == "number_input" and number["is_decimal_allowed"] is False
    assert (number["min_value"], number["max_value"], number["initial_value"]) == ("1", "10000", "1")
    (note_block,) = [b for b in view["blocks"] if b.get("block_id") == ids.BUY_NOTE_BLOCK]
    (note,) = elements(view, ids.BUY_NOTE_INPUT)
    assert note_block["optional"] is True and (note["multiline"], note["max_length"]) == (True, 500)


def test_buy_more_for_an_overused_product_says_how_far_over() -> None:
    view = buy_more_view(BuyMoreVM("Contoso", "VISIOCLIENT", "Visio Plan 2", quantity=5, available=-1), TOKEN)
    assert validate_view(view) == []
    assert "Owned: 5 licenses · assigned: 6 · *overused by 1*" in shown(view)
    assert "available" not in shown(view)


def test_buy_more_view_escapes_names() -> None:
    view = buy_more_view(BuyMoreVM(f"{EVIL} {LONG}", "X", f"{EVIL} {LONG}", quantity=1, available=0), TOKEN)
    assert validate_view(view) == []
    assert_escaped(view)


def test_buy_more_done_view() -> None:
    view = buy_more_done_view(f"{EVIL} Contoso", "Visio Plan 2", 12, "REQ-7", TOKEN)
    assert validate_view(view) == []
    assert view["callback_id"] == ids.BUY_DONE_VIEW and view["private_metadata"] == TOKEN
    assert view["title"]["text"] == "Request sent" and "submit" not in view
    text = shown(view)
    assert "12 more *Visio Plan 2*" in text and "REQ-7" in text and "Nothing was bought yet" in text
    # The decision is told in the request's thread (tests/app/test_buy_more.py), not by direct message.
    assert "in the request's thread" in text and "direct message" not in text
    assert_escaped(view)
