from __future__ import annotations

import json
from typing import Any

import pytest

from blocks import ids
from blocks.home import home_view
from blocks.manage import manage_view
from blocks.messages import confirmation_parent, confirmation_replies
from blocks.picker import picker_view
from blocks.result import notice_view, result_view
from blocks.text import escape
from blocks.users import users_view
from blocks.viewmodels import HomeVM, ManageVM, OutcomeVM, PickerVM, ResultVM
from licensing.types import Desired
from playground.render import page, render_blocks, render_message, render_options, render_thread, render_view
from playground.render.state import state_value, view_state
from tests.blocks.helpers import TOKEN, product, user_row, users_vm, walk
from tests.playground.dom import Node, has_class, parse
from tests.playground.samples import all_messages, all_views

VIEWS = all_views()
MESSAGES = all_messages()
USERS = {"U0OPERATOR": "Pat Partner"}.get


def rendered(html: str) -> Node:
    """Parses, and checks what must hold for any output: balanced tags and no placeholder."""
    root = parse(html)
    assert root.all(has_class("sk-unknown")) == [], [n.text() for n in root.all(has_class("sk-unknown"))]
    return root


def ids_in(payload: Any, key: str) -> set[str]:
    return {d[key] for d in walk(payload) if isinstance(d.get(key), str)}


# ---- every builder renders completely -------------------------------------------------------------------------

KEY_TEXTS = {
    "picker": ["Licenses", "Whose users and licenses", "Search customers", "No customer matches “zzz”."],
    "users": ["Users and licenses", "Customer: Contoso Ltd", "37 users match the search", "Alice Adams", "Next ›"],
    "users_empty": ["No users match “nobody”."],
    "manage": [
        "Manage licenses",
        "⚠️ If you save now:",
        "Visio Plan 2 — none available of 10",
        "Now: 2 of 5 have it",
        "Project Plan 3 — overused by 1: 11 assigned of 10",
        "No licenses left: Visio Plan 2, Project Plan 3 (overused by 1)",
    ],
    "manage_one_sold_out": ["No licenses left: Visio", "Buy more"],
    "buy": ["Buy more licenses", "ℹ️ Sending this posts a request", "How many more licenses?", "Send request"],
    "buy_overused": ["Visio Plan 2 for Contoso Ltd", "Owned: 25 licenses · assigned: 26 · overused by 1"],
    "buy_done": ["📝 Request sent: 12 more Visio Plan 2 for Contoso Ltd.", "REQ-7", "Done"],
    "saving": ["Saving…", "⏳ Applying changes for 1,200 users of Contoso Ltd…"],
    "result": ["Updated 2 of 4 users", "✅ Alice Adams — assigned Office 365 E3", "❌ Carol Chen", "➖ Bob Brown"],
    "notice": ["Not allowed", "You can't manage Fabrikam.", "Close"],
    "home_operator": ["Licenses", "Type /licenses in any channel", "You: Pat Partner · role admin"],
    "home_stranger": ["🔒 You are not an operator yet."],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_renders_every_block_and_control(name: str) -> None:
    view = VIEWS[name]
    root = rendered(render_view(view))
    text = " ".join(root.text().split())
    for expected in KEY_TEXTS[name]:
        assert expected in text
    blocks = root.all(has_class("sk-block"))
    assert [b.attrs["data-block-type"] for b in blocks] == [b["type"] for b in view["blocks"]]
    assert ids_in(view["blocks"], "block_id") <= {b.attrs["data-block-id"] for b in blocks}
    controls = root.all(lambda n: "data-action-id" in n.attrs)
    assert ids_in(view, "action_id") == {n.attrs["data-action-id"] for n in controls}
    assert root.one(lambda n: "data-view-type" in n.attrs).attrs["data-view-type"] == view["type"]


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_renders(name: str) -> None:
    message = MESSAGES[name]
    root = rendered(render_message(message, users=USERS, time="10:42 AM"))
    assert root.one(has_class("sk-author")).text() == "licensebot"
    assert len(root.all(has_class("sk-block"))) == len(message.get("blocks", []))
    if "blocks" not in message:  # a text-only message shows its text, as mrkdwn
        assert root.one(has_class("sk-text")).one(tag_is("code")).text() == "a1b2c3"


def tag_is(tag: str) -> Any:
    return lambda n: n.tag == tag


def test_confirmation_mentions_the_operator_by_name_or_by_id() -> None:
    message = MESSAGES["confirmation_parent"]
    assert "by @Pat Partner" in rendered(render_message(message, users=USERS)).text()
    mention = rendered(render_message(message)).one(has_class("sk-mention"))
    assert (mention.text(), mention.attrs["data-user-id"]) == ("@U0OPERATOR", "U0OPERATOR")


def test_ephemeral_and_thread_replies() -> None:
    help_html = render_message(MESSAGES["help"], ephemeral=True)
    assert "Only visible to you" in rendered(help_html).one(has_class("sk-ephemeral")).text()
    assert "Only visible to you" not in rendered(render_message(MESSAGES["confirmation_parent"])).text()
    by_type = rendered(render_message({**MESSAGES["help"], "response_type": "ephemeral"}))
    assert by_type.all(has_class("sk-ephemeral"))
    reply = render_message(MESSAGES["confirmation_reply"], reply=True, ts="2.0")
    thread = rendered(render_thread(render_message(MESSAGES["confirmation_parent"], ts="1.0"), [reply]))
    inner = thread.one(has_class("sk-thread"))
    assert inner.one(has_class("sk-thread-count")).text() == "1 reply"
    assert inner.one(has_class("sk-reply")).attrs["data-ts"] == "2.0"


# ---- the data-attribute contract ------------------------------------------------------------------------------


def test_users_view_controls_carry_state_and_dispatch() -> None:
    root = rendered(render_view(VIEWS["users"]))
    search = root.one(data_action_id=ids.SEARCH_INPUT)
    assert (search.tag, search.attrs["value"], search.attrs["data-block-id"]) == ("input", "contoso", ids.SEARCH_BLOCK)
    assert (search.attrs["data-state"], search.attrs["data-dispatch"]) == ("value", "on_enter_pressed")
    ticks = root.one(data_action_id=ids.SELECT_USERS)
    assert (ticks.tag, ticks.attrs["data-type"]) == ("fieldset", "checkboxes")
    assert ticks.attrs["data-state"] == "selected_options"
    assert ticks.attrs["data-block-id"] == "users:3" and ticks.attrs["data-dispatch"] == "change"
    boxes = ticks.all(tag_is("input"))
    assert [("checked" in b.attrs) for b in boxes] == [True, True, False, False, False]
    element = next(d for d in walk(VIEWS["users"]) if d.get("action_id") == ids.SELECT_USERS)
    assert [json.loads(b.attrs["data-option"] or "") for b in boxes] == element["options"]  # exactly Slack's objects
    nxt = root.one(data_action_id=ids.PAGE_NEXT)
    assert (nxt.tag, nxt.attrs["data-value"], nxt.attrs["data-dispatch"], nxt.attrs["data-type"]) == (
        "button",
        "3",
        "click",
        "button",
    )
    assert "data-state" not in nxt.attrs


def test_confirm_object_becomes_a_closed_dialog_next_to_its_button() -> None:
    root = rendered(render_view(VIEWS["users"]))
    holder = root.one(has_class("sk-confirmable"))
    button, dialog = [c for c in holder.children if isinstance(c, Node)]
    assert button.attrs["data-action-id"] == ids.CLEAR_ALL and "data-confirm" in button.attrs
    assert dialog.tag == "dialog" and "open" not in dialog.attrs
    choices = {n.attrs["data-confirm-choice"]: n for n in dialog.all(lambda n: "data-confirm-choice" in n.attrs)}
    assert choices["confirm"].text() == "Clear selection" and "sk-button-danger" in choices["confirm"].classes()
    assert choices["deny"].text() == "Keep them"


def test_manage_view_radios_location_and_buy_more_menu() -> None:
    root = rendered(render_view(VIEWS["manage"]))
    e3 = root.one(data_block_id="product:E3", data_type="radio_buttons")
    assert (e3.attrs["data-state"], e3.attrs["data-dispatch"]) == ("selected_option", "change")  # dispatch_action
    checked = [n.attrs["value"] for n in e3.all(tag_is("input")) if "checked" in n.attrs]
    assert checked == [Desired.KEEP]
    block = root.one(has_class("sk-block"), data_block_id="product:E3")
    assert block.one(has_class("sk-label")).attrs["data-optional"] == "false"
    location = root.one(data_action_id=ids.LOCATION_INPUT)
    assert location.attrs["maxlength"] == "2" and location.attrs["placeholder"] == "e.g. US"
    assert "data-dispatch" not in location.attrs  # an input block without dispatch_action only fills the state
    assert "(optional)" in root.one(has_class("sk-block"), data_block_id=ids.LOCATION_BLOCK).text()
    menu = root.one(data_action_id=ids.BUY_MORE)
    assert (menu.tag, menu.attrs["data-type"], menu.attrs["data-dispatch"]) == ("select", "static_select", "change")
    options = menu.all(tag_is("option"))
    assert options[0].text() == "Buy more…" and options[0].attrs["value"] == "" and "selected" in options[0].attrs
    assert [json.loads(o.attrs["data-option"] or "")["value"] for o in options[1:]] == ["VISIO", "PROJ"]


def test_picker_external_select_and_buy_number_input() -> None:
    select = rendered(render_view(VIEWS["picker"])).one(data_action_id=ids.CUSTOMER_SELECT)
    assert (select.attrs["data-type"], select.attrs["data-min-query-length"]) == ("external_select", "0")
    assert select.attrs["data-block-id"] == ids.CUSTOMER_BLOCK
    number = rendered(render_view(VIEWS["buy"])).one(data_action_id=ids.BUY_QUANTITY_INPUT)
    got = {k: number.attrs[k] for k in ("type", "min", "max", "step", "value", "data-decimal", "data-state")}
    assert got == {
        "type": "number",
        "min": "1",
        "max": "10000",
        "step": "1",
        "value": "1",
        "data-decimal": "false",
        "data-state": "value",
    }


def test_modal_frame_and_home_frame() -> None:
    root = rendered(render_view({**VIEWS["users"], "id": "V1", "hash": "h1"}))
    modal = root.one(has_class("sk-modal"))
    assert (modal.attrs["data-callback-id"], modal.attrs["data-view-id"], modal.attrs["data-hash"]) == (
        ids.USERS_VIEW,
        "V1",
        "h1",
    )
    actions = {
        n.text(): n.attrs["data-view-action"]
        for n in root.all(has_class("sk-modal-footer"))[0].walk()
        if "data-view-action" in n.attrs
    }
    assert actions == {"Cancel": "close", "Manage licenses": "submit"}
    saving = rendered(render_view(VIEWS["saving"]))
    assert [n.text() for n in saving.all(lambda n: n.attrs.get("data-view-action") == "submit")] == []
    home = rendered(render_view(VIEWS["home_operator"]))
    assert home.one(has_class("sk-home")).attrs["data-view-type"] == "home"
    assert home.one(tag_is("h2")).text() == "Licenses"


def test_blocks_without_block_id_get_a_stable_auto_id() -> None:
    root = rendered(render_blocks([{"type": "divider"}, {"type": "actions", "elements": [_button("b")]}]))
    assert [b.attrs["data-block-id"] for b in root.all(has_class("sk-block"))] == ["auto-0", "auto-1"]
    assert root.one(data_action_id="b").attrs["data-block-id"] == "auto-1"


def _button(action_id: str, **kw: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": "Go"}, **kw}


def test_button_styles_and_urls() -> None:
    root = rendered(
        render_blocks(
            [
                {
                    "type": "actions",
                    "elements": [
                        _button("p", style="primary"),
                        _button("d", style="danger"),
                        _button("u", url="https://example.com/x?a=1&b=2"),
                        _button("j", url="javascript:alert(1)"),
                    ],
                }
            ]
        )
    )
    assert "sk-button-primary" in root.one(data_action_id="p").classes()
    assert "sk-button-danger" in root.one(data_action_id="d").classes()
    link = root.one(data_action_id="u")
    assert (link.tag, link.attrs["href"]) == ("a", "https://example.com/x?a=1&b=2")
    assert root.one(data_action_id="j").tag == "button" and "href" not in root.one(data_action_id="j").attrs


def test_option_groups_initial_options_and_overflow() -> None:
    def opt(v: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": v.upper()}, "value": v}

    groups = [{"label": {"type": "plain_text", "text": "G1"}, "options": [opt("a"), opt("b")]}]
    elements = [
        {"type": "static_select", "action_id": "s", "option_groups": groups, "initial_option": opt("b")},
        {"type": "overflow", "action_id": "o", "options": [opt("x"), opt("y")]},
        {"type": "datepicker", "action_id": "d", "initial_date": "2026-01-31"},
    ]
    root = rendered(render_blocks([{"type": "actions", "block_id": "a1", "elements": elements}]))
    select = root.one(data_action_id="s")
    assert select.one(tag_is("optgroup")).attrs["label"] == "G1"
    assert [o.attrs["value"] for o in select.all(tag_is("option")) if "selected" in o.attrs] == ["b"]
    overflow = root.one(data_action_id="o")
    assert "data-state" not in overflow.attrs and overflow.attrs["data-dispatch"] == "change"
    date = root.one(data_action_id="d")
    assert (date.attrs["type"], date.attrs["value"]) == ("date", "2026-01-31")
    assert date.attrs["data-state"] == "selected_date"


def test_render_options_for_an_external_select() -> None:
    html = render_options({"options": [{"text": {"type": "plain_text", "text": "Contoso (c1)"}, "value": "c1"}]})
    (option,) = parse(html).all(tag_is("option"))
    assert option.text() == "Contoso (c1)" and json.loads(option.attrs["data-option"] or "")["value"] == "c1"
    grouped = render_options({"option_groups": [{"label": {"type": "plain_text", "text": "A"}, "options": []}]})
    assert parse(grouped).one(tag_is("optgroup")).attrs["label"] == "A"


def test_view_state_has_slacks_shape() -> None:
    option = {"text": {"type": "plain_text", "text": "Assign"}, "value": "assign"}
    entries = [
        {"block_id": "product:E3", "action_id": "product_choice", "type": "radio_buttons", "value": option},
        {"block_id": "location", "action_id": "location_input", "type": "plain_text_input", "value": ""},
        {"block_id": "users:3", "action_id": "select_users", "type": "checkboxes", "value": [option]},
        {"block_id": "buy", "action_id": "n", "type": "number_input", "value": "12"},
        {"block_id": "product:V", "action_id": "product_choice", "type": "radio_buttons", "value": None},
    ]
    assert view_state(entries) == {
        "product:E3": {"product_choice": {"type": "radio_buttons", "selected_option": option}},
        "location": {"location_input": {"type": "plain_text_input", "value": None}},
        "users:3": {"select_users": {"type": "checkboxes", "selected_options": [option]}},
        "buy": {"n": {"type": "number_input", "value": "12"}},
        "product:V": {"product_choice": {"type": "radio_buttons", "selected_option": None}},
    }
    assert state_value("checkboxes", None) == {"type": "checkboxes", "selected_options": []}
    with pytest.raises(ValueError):
        state_value("button", "x")


def test_page_is_a_whole_document_with_the_css_inlined() -> None:
    html = page(render_view(VIEWS["notice"]), title="<t>")
    assert html.startswith("<!doctype html>") and "<title>&lt;t&gt;</title>" in html
    assert ".sk-modal {" in html and ".sk-unknown {" in html
    rendered(html)


# ---- validation errors ----------------------------------------------------------------------------------------


def test_errors_show_under_their_block_and_stray_ones_at_the_top() -> None:
    errors = {ids.LOCATION_BLOCK: "Enter a two-letter code.", "product:VISIO": "No seats.", "gone": "Lost <b>"}
    root = parse(render_view(VIEWS["manage"], errors=errors))
    location = root.one(has_class("sk-block"), data_block_id=ids.LOCATION_BLOCK)
    assert "sk-has-error" in location.classes()
    assert location.one(has_class("sk-error")).text() == "Enter a two-letter code."
    kids = [c for c in location.children if isinstance(c, Node)]
    assert [k.attrs.get("class") for k in kids][-2:] == ["sk-error", "sk-hint"]  # under the input, above the hint
    visio = root.one(has_class("sk-block"), data_block_id="product:VISIO")
    assert visio.one(has_class("sk-error")).text() == "No seats."
    assert len(root.all(has_class("sk-error"))) == 2
    (stray,) = root.all(has_class("sk-unknown"))
    assert stray.text() == "error for a block that is not in this view: gone: Lost <b>"
    assert rendered(render_view(VIEWS["manage"])).all(has_class("sk-error")) == []


# ---- anything unknown is shown, not dropped -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "rich_text", "elements": []}], "unsupported block: rich_text"),
        ([{"type": "actions", "elements": [{"type": "users_select"}]}], "unsupported element: users_select"),
        ([{"type": "section", "text": {"type": "markdown", "text": "x"}}], "unsupported text object: markdown"),
        ([{"type": "divider", "colour": "red"}], "unsupported field in divider: colour"),
        ([{"type": "actions", "elements": [_button("b", extra=1)]}], "unsupported field in button: extra"),
        ([{"type": "header"}], "unsupported text object: NoneType"),
        (["not a block"], "unsupported block: str"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "checkboxes",
                            "action_id": "c",
                            "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}],
                            "initial_options": [{"text": {"type": "plain_text", "text": "A "}, "value": "a"}],
                        }
                    ],
                }
            ],
            "initial option does not exactly match an option: a",
        ),
    ],
)
def test_unknown_things_render_as_visible_placeholders(blocks: list[Any], expected: str) -> None:
    placeholders = [n.text() for n in parse(render_blocks(blocks)).all(has_class("sk-unknown"))]
    assert expected in placeholders


def test_unknown_view_and_message_fields_are_shown() -> None:
    assert "unsupported view type: workflow_step" in parse(render_view({"type": "workflow_step"})).text()
    assert "unsupported field in modal view: colour" in parse(render_view({**VIEWS["notice"], "colour": 1})).text()
    text = parse(render_message({"text": "x", "attachments": []})).text()
    assert "unsupported field in message: attachments" in text


# ---- hostile names render inert -------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<!channel>", "<!here>", "<@U1>", "A & B"]


def hostile_payloads(name: str) -> list[tuple[str, dict[str, Any]]]:
    """Every builder that shows a customer-supplied string, fed `name` as the customer, user and product."""
    rows = (user_row(1, name=name, user_id=name, selected=True), user_row(2))
    result = ResultVM(name, "U0OPERATOR", (OutcomeVM(name, name, "failed", assigned=(name,)),))
    manage = ManageVM(name, (name,), (product("E3", name, selected=1, holders=(name,)),), True, ((name, 1),), (name,))
    return [
        ("view", users_view(users_vm(rows, customer_name=name, query=name, notice=name), TOKEN)),
        ("view", users_view(users_vm((), query=name), TOKEN)),
        ("view", manage_view(manage, TOKEN)),
        ("view", manage_view(ManageVM(name, (name,), (product("X", name, available=0),), False, ()), TOKEN)),
        ("view", result_view(result, TOKEN)),
        ("view", notice_view(name, name, TOKEN)),
        ("view", picker_view(PickerVM(notice=name), TOKEN)),
        ("view", home_view(HomeVM(name, name, name))),
        ("message", confirmation_parent(result)),
        ("message", confirmation_replies(result)[0]),
        ("message", {"text": escape(name)}),  # the error handler's plain ephemeral, escaped as bot/slack/errors.py does
    ]


def assert_inert(root: Node) -> None:
    for node in root.walk():
        assert node.tag not in ("script", "img", "iframe", "object", "embed", "style"), node.tag
        assert not [a for a in node.attrs if a.startswith("on")], node.attrs
        assert not (node.attrs.get("href") or "").lower().startswith("javascript")
    # a name never becomes a mention: the only one is the operator's, which the bot writes itself
    assert [m.attrs.get("data-user-id") for m in root.all(has_class("sk-mention"))] in ([], ["U0OPERATOR"])


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_render_as_text(name: str) -> None:
    for kind, payload in hostile_payloads(name):
        html = render_view(payload) if kind == "view" else render_message(payload)
        root = rendered(html)
        assert_inert(root)
        assert name in root.text(), (kind, payload.get("callback_id"))  # shown as typed, not swallowed
        for node in root.all(lambda n: "data-option" in n.attrs):  # attribute values survive intact
            json.loads(node.attrs["data-option"] or "")


@pytest.mark.parametrize("raw", [*HOSTILE, "<javascript:alert(1)|click>", "<https://x.com|<img src=x>>"])
def test_hostile_mrkdwn_sent_unescaped_still_renders_inert(raw: str) -> None:
    section = {"type": "section", "block_id": raw, "text": {"type": "mrkdwn", "text": f"*{raw}* _{raw}_ `{raw}`"}}
    button = _button(raw, value=raw, url=raw, text={"type": "plain_text", "text": raw})
    actions = {"type": "actions", "block_id": raw, "elements": [button]}
    root = parse(render_blocks([section, actions], errors={raw: raw}))
    for node in root.walk():
        assert node.tag not in ("script", "img", "iframe"), node.tag
        assert not [a for a in node.attrs if a.startswith("on")]
        assert not (node.attrs.get("href") or "").lower().startswith("javascript")
    assert root.one(data_action_id=raw).attrs["data-value"] == raw
    assert root.one(has_class("sk-error")).text() == raw


def test_demo_pages_render_cleanly(tmp_path: Any) -> None:
    from tests.playground.demo_page import main

    main(str(tmp_path))
    for name in ("channel", "manage", "home"):
        rendered((tmp_path / f"{name}.html").read_text(encoding="utf-8"))  # balanced, nothing unknown
