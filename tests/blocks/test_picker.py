from __future__ import annotations

from blocks import ids
from blocks.picker import picker_view
from blocks.viewmodels import PickerVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, TOKEN, elements
from tests.text import shown, texts


def test_picker_is_a_cancelable_modal_with_a_customer_typeahead() -> None:
    view = picker_view(PickerVM(), TOKEN)
    assert validate_view(view) == []
    assert view["callback_id"] == ids.PICK_VIEW
    assert view["title"]["text"] == "Licenses"
    assert view["close"]["text"] == "Cancel"
    assert "submit" not in view
    assert view["private_metadata"] == TOKEN
    (select,) = elements(view, ids.CUSTOMER_SELECT)
    assert select["type"] == "external_select"
    assert select["min_query_length"] == 0  # list customers before anything is typed
    assert select["placeholder"]["text"] == "Search customers"
    holder = next(b for b in view["blocks"] if select in b.get("elements", []) or b.get("accessory") is select)
    assert holder["block_id"] == ids.CUSTOMER_BLOCK


def test_picker_shows_the_notice_as_plain_text() -> None:
    view = picker_view(PickerVM(notice=f"No customer matches “{EVIL}”."), TOKEN)
    assert validate_view(view) == []
    assert f"No customer matches “{EVIL}”." in texts(view, "plain_text")
    assert all(EVIL not in t for t in texts(view, "mrkdwn"))


def test_picker_without_a_notice_shows_none() -> None:
    assert "matches" not in shown(picker_view(PickerVM(), TOKEN))
