from __future__ import annotations

from typing import Any

from blocks import ids
from blocks.manage import manage_view
from blocks.viewmodels import ManageVM, ProductPagingVM, ProductRowVM
from fakes.slack.blockkit import validate_view
from licensing.types import Desired
from tests.blocks.helpers import EVIL, TOKEN, assert_escaped, block_ids, elements, product, worst_manage_vm
from tests.text import shown

NAMES = ("Alice", "Bob", "Carol", "Dan", "Eve")


def vm(*products: ProductRowVM, **kw: Any) -> ManageVM:
    values: dict[str, Any] = {
        "customer_name": "Contoso Ltd",
        "selected_names": NAMES,
        "products": products or (product("E3", "Office 365 E3", holders=("Alice", "Bob")),),
        "can_set_location": False,
        "locations": (("US", 3), ("DE", 1), ("not set", 1)),
    }
    values.update(kw)
    return ManageVM(**values)


def build(model: ManageVM) -> dict[str, Any]:
    view = manage_view(model, TOKEN)
    assert validate_view(view) == []
    return view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [b for b in view["blocks"] if b.get("block_id") == block_id]
    assert len(found) == 1
    return found[0]


def test_manage_view_frame_and_who() -> None:
    view = build(vm())
    assert view["callback_id"] == ids.MANAGE_VIEW
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == ("Manage licenses", "Save", "Back")
    assert view["private_metadata"] == TOKEN
    top = view["blocks"][0]["text"]["text"]
    assert "*Customer:* Contoso Ltd" in top
    assert "*5 users selected:* Alice, Bob, Carol, Dan and Eve" in top


def test_many_selected_users_show_ten_names_and_a_count() -> None:
    names = tuple(f"User {i:03d}" for i in range(500))
    top = build(vm(selected_names=names))["blocks"][0]["text"]["text"]
    assert "*500 users selected:*" in top
    assert "User 009 and 490 more" in top and "User 010" not in top


def test_product_block_is_a_dispatching_radio_input_with_three_choices() -> None:
    view = build(vm(product("E3", "Office 365 E3", holders=("Alice", "Bob"), available=7, quantity=25)))
    e3 = block(view, "product:E3")
    assert e3["type"] == "input" and e3["optional"] is False and e3["dispatch_action"] is True
    assert e3["label"]["text"] == "Office 365 E3 — 7 available of 25"
    assert e3["hint"]["text"] == "Assigned 2 of 5 selected: Alice and Bob"
    radio = e3["element"]
    assert radio["type"] == "radio_buttons" and radio["action_id"] == ids.PRODUCT_CHOICE
    # Each option says the end state it leads to, and what it would do from here.
    assert [(o["value"], o["text"]["text"], o["description"]["text"]) for o in radio["options"]] == [
        (Desired.ASSIGN, "Everyone selected has it", "Assigns it to 3 users"),
        (Desired.KEEP, "As is", "Now: 2 of 5 have it · no change"),
        (Desired.REVOKE, "No one selected has it", "Revokes it from 2 users"),
    ]
    assert radio["initial_option"] == radio["options"][1]


def test_state_descriptions_and_initial_choice_follow_the_view_model() -> None:
    everyone = product("A", "All of them", holders=NAMES)
    nobody = product("N", "Nobody", available=0)
    chosen = product("C", "Operator chose", holders=("Alice",), choice="revoke")
    view = build(vm(everyone, nobody, chosen))
    radios = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("block_id", "").startswith("product:")}
    assert radios["product:A"]["options"][0]["description"]["text"] == "Now: all 5 have it · no change"
    assert radios["product:A"]["initial_option"]["value"] == Desired.ASSIGN
    # A product nobody selected holds starts on its end state, which reads as no change, never as a revoke.
    assert radios["product:N"]["initial_option"]["text"]["text"] == "No one selected has it"
    assert radios["product:N"]["initial_option"]["description"]["text"] == "Now: none has it · no change"
    assert radios["product:N"]["options"][0]["description"]["text"] == "Assigns it to 5 users"
    assert block(view, "product:N")["hint"]["text"] == "None of the 5 selected users has it"
    assert block(view, "product:N")["label"]["text"] == "Nobody — none available of 10"
    assert radios["product:C"]["initial_option"] == radios["product:C"]["options"][2]


def test_a_single_selected_user_reads_naturally() -> None:
    view = build(vm(product("E3", "E3", selected=1, holders=("Alice",)), selected_names=("Alice",)))
    radio = block(view, "product:E3")["element"]
    assert [o["text"]["text"] for o in radio["options"]] == ["Has it", "As is", "Doesn't have it"]
    assert radio["options"][0]["description"]["text"] == "Now: has it · no change"
    assert radio["options"][2]["description"]["text"] == "Revokes it from 1 user"
    assert "*1 user selected:* Alice" in view["blocks"][0]["text"]["text"]


def test_preview_appears_only_with_lines() -> None:
    assert ids.PREVIEW_BLOCK not in block_ids(build(vm()))
    view = build(vm(preview=("Carol: Visio Plan 2 has no licenses left", "Dan: needs a usage location")))
    text = block(view, ids.PREVIEW_BLOCK)["text"]["text"]
    assert text.startswith(":warning: *If you save now:*")
    assert "• Carol: Visio Plan 2 has no licenses left\n• Dan: needs a usage location" in text
    assert block_ids(view).index(ids.PREVIEW_BLOCK) < block_ids(view).index("product:E3")


def test_the_summary_is_repeated_next_to_save() -> None:
    assert ids.SAVE_SUMMARY_BLOCK not in block_ids(build(vm()))  # nothing chosen, nothing to warn of
    paging = ProductPagingVM(owned=1, matching=1, first=1, to_assign=2, to_revoke=1)
    view = build(vm(paging=paging, preview=("1 of the 5 users will not get Visio Plan 2: only 0 available.",)))
    assert block_ids(view)[-1] == ids.SAVE_SUMMARY_BLOCK  # the last block, just above Save
    text = block(view, ids.SAVE_SUMMARY_BLOCK)["text"]["text"]
    assert text.startswith("*Save will assign 2 products and revoke 1 product.*\n:warning: *If you save now:*")
    assert "• 1 of the 5 users will not get Visio Plan 2: only 0 available." in text
    quiet = build(vm(paging=paging))
    assert block(quiet, ids.SAVE_SUMMARY_BLOCK)["text"]["text"] == "*Save will assign 2 products and revoke 1 product.*"


def test_location_input_only_when_allowed() -> None:
    assert ids.LOCATION_BLOCK not in block_ids(build(vm()))
    view = build(vm(can_set_location=True, location_value="DE"))
    location = block(view, ids.LOCATION_BLOCK)
    assert location["optional"] is True
    assert location["label"]["text"] == "Set usage location for the selected users"
    assert location["hint"]["text"] == "Now: US ×3, DE ×1, not set ×1"
    element = location["element"]
    assert element["action_id"] == ids.LOCATION_INPUT and element["max_length"] == 2
    assert element["placeholder"]["text"] == "e.g. US" and element["initial_value"] == "DE"
    assert "initial_value" not in block(build(vm(can_set_location=True)), ids.LOCATION_BLOCK)["element"]


def test_one_sold_out_product_gets_a_buy_more_button() -> None:
    view = build(vm(product("E3", "Office 365 E3"), product("VISIO", "Visio Plan 2", available=0)))
    (buy,) = elements(view, ids.BUY_MORE)
    assert buy["type"] == "button" and buy["value"] == "VISIO" and buy["text"]["text"] == "Buy more"
    assert view["blocks"][-1]["text"]["text"] == "No licenses left: *Visio Plan 2*"


def test_several_sold_out_products_get_a_buy_more_menu() -> None:
    view = build(vm(product("A", "Alpha", available=0), product("B", "Beta"), product("C", "Gamma", available=0)))
    (buy,) = elements(view, ids.BUY_MORE)
    assert buy["type"] == "static_select" and buy["placeholder"]["text"] == "Buy more…"
    assert [(o["value"], o["text"]["text"]) for o in buy["options"]] == [("A", "Alpha"), ("C", "Gamma")]
    assert view["blocks"][-1]["text"]["text"] == "No licenses left: *Alpha*, *Gamma*"


def test_an_overused_product_says_so_in_its_label_and_offers_buy_more() -> None:
    over = product("VISIO", "Visio Plan 2", quantity=5, available=-1)  # a connected tenant: 6 assigned of 5
    view = build(vm(product("E3", "Office 365 E3", quantity=5, available=0), over))
    labels = [b["label"]["text"] for b in view["blocks"] if b.get("block_id", "").startswith(ids.PRODUCT_BLOCK_PREFIX)]
    assert labels == ["Office 365 E3 — none available of 5", "Visio Plan 2 — overused by 1: 6 assigned of 5"]
    (buy,) = elements(view, ids.BUY_MORE)
    assert [o["value"] for o in buy["options"]] == ["E3", "VISIO"]
    assert view["blocks"][-1]["text"]["text"] == "No licenses left: *Office 365 E3*, *Visio Plan 2* (overused by 1)"
    assert "-1" not in shown(view)


def test_no_buy_more_when_every_product_has_licenses() -> None:
    assert elements(build(vm()), ids.BUY_MORE) == []


def test_customer_without_products_says_so() -> None:
    view = build(vm(products=()))
    assert "This customer owns no products yet." in shown(view)


def test_worst_case_fits_in_one_modal_and_escapes_every_name() -> None:
    model = worst_manage_vm()
    view = build(model)
    ids_ = block_ids(view)
    assert ids.PREVIEW_BLOCK in ids_ and ids.LOCATION_BLOCK in ids_ and len(elements(view, ids.BUY_MORE)) == 1
    assert sum(i.startswith(ids.PRODUCT_BLOCK_PREFIX) for i in ids_) == 60
    assert len(view["blocks"]) <= 100
    for b in view["blocks"]:
        if b["type"] == "input":
            assert len(b["label"]["text"]) <= 2000 and len(b.get("hint", {}).get("text", "")) <= 2000
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
    (menu,) = elements(view, ids.BUY_MORE)
    assert len(menu["options"]) == 15 and all(len(o["text"]["text"]) <= 75 for o in menu["options"])
    assert "more" in block(view, ids.PREVIEW_BLOCK)["text"]["text"].splitlines()[-1]
    assert_escaped(view)
    assert EVIL in block(view, "product:SKU-01")["label"]["text"]  # plain text shows the name as typed
