"""Listener-level behaviour with a stub ack (a Mock: Ack's own signature would get in the way of matching) and a
stub WebClient (see conftest.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.deps import Deps
from bot.home import screens as home
from bot.manage import listeners, options, submissions
from bot.purchases import listeners as purchases
from bot.slack.errors import ViewExpired
from bot.slack.roles import load_modal, require_operator
from licensing.errors import Forbidden
from licensing.queries import authorize
from licensing.types import Desired
from storage.modal_state import ModalState
from tests.bot import settled

ADMIN, SCOPED, STRANGER = "UADMIN01", "USCOPED01", "USTRANGER"
E5 = "ENTERPRISEPREMIUM"


def contoso(deps: Deps, *selected: str) -> ModalState:
    modal = deps.modals.switch_customer(deps.modals.create(ADMIN, "C1"), "contoso", "Contoso Ltd")
    deps.modals.select(modal.token, [f"{u}@contoso.com" for u in selected])
    return modal


def state(**values: dict[str, Any]) -> dict[str, Any]:
    return {"values": values}


def save(deps: Deps, modal: ModalState, view_state: dict[str, Any]) -> Mock:
    ack = Mock()
    blocks = [{"type": "input", "block_id": block_id} for block_id in view_state["values"]]  # what is on screen
    view = {"id": "V1", "hash": "h", "state": view_state, "blocks": blocks, "private_metadata": modal.token}
    submissions.save(
        ack=ack,
        body={},
        view=view,
        client=Mock(spec=WebClient),
        deps=deps,
        operator=authorize(ADMIN, uow=deps.uow_factory()),
        modal=modal,
    )
    settled(deps)  # the Save runs on the slow lane
    return ack


def test_manage_licenses_with_nobody_selected_points_at_the_search(deps: Deps) -> None:
    ack = Mock()
    submissions.open_manage(ack=ack, deps=deps, operator=authorize(ADMIN, uow=deps.uow_factory()), modal=contoso(deps))
    ack.assert_called_once_with(
        response_action="errors", errors={ids.SEARCH_BLOCK: "Select at least one user first: tick the boxes."}
    )


def test_a_save_that_changes_nothing_is_refused_under_the_first_product(deps: Deps) -> None:
    modal = replace(contoso(deps, "bob"), initial={E5: Desired.REVOKE, "ENTERPRISEPACK": Desired.REVOKE})
    radios = {f"{ids.PRODUCT_BLOCK_PREFIX}{E5}": {ids.PRODUCT_CHOICE: {"selected_option": {"value": "revoke"}}}}
    ack = save(deps, modal, state(**radios))
    ack.assert_called_once_with(
        response_action="errors",
        errors={
            f"{ids.PRODUCT_BLOCK_PREFIX}{E5}": "Nothing to change: choose Assign or Revoke for a product, or "
            "set a usage location."
        },
    )


def test_a_usage_location_that_is_no_country_is_refused_under_its_input(deps: Deps) -> None:
    location = {ids.LOCATION_BLOCK: {ids.LOCATION_INPUT: {"value": "USA"}}}
    ack = save(deps, contoso(deps, "bob"), state(**location))
    [call] = ack.call_args_list
    assert call.kwargs["response_action"] == "errors"
    assert "'USA' is not an ISO 3166-1 alpha-2 country code" in call.kwargs["errors"][ids.LOCATION_BLOCK]


def test_a_radio_value_that_is_not_ours_is_no_choice(deps: Deps) -> None:
    modal = replace(contoso(deps, "bob"), initial={E5: Desired.REVOKE})
    radios = {f"{ids.PRODUCT_BLOCK_PREFIX}{E5}": {ids.PRODUCT_CHOICE: {"selected_option": {"value": "assign!"}}}}
    ack = save(deps, modal, state(**radios))
    assert ack.call_args.kwargs["response_action"] == "errors"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter a whole number of licenses."),
        ("0", "Ask for between 1 and 10,000 licenses."),
        ("-3", "Ask for between 1 and 10,000 licenses."),  # never a reduction without Reduce's checks
    ],
)
def test_buy_more_refuses_a_quantity_that_is_not_a_count(deps: Deps, typed: str, message: str) -> None:
    modal = contoso(deps)
    quantity = {ids.BUY_QUANTITY_BLOCK: {ids.BUY_QUANTITY_INPUT: {"value": typed}}}
    ack = Mock()
    view = {"state": state(**quantity), "private_metadata": f"{modal.token}:VISIOCLIENT"}
    purchases.request_more(
        ack=ack,
        view=view,
        client=Mock(spec=WebClient),
        deps=deps,
        operator=authorize(ADMIN, uow=deps.uow_factory()),
        modal=modal,
    )
    ack.assert_called_once_with(response_action="errors", errors={ids.BUY_QUANTITY_BLOCK: message})


def test_the_customer_type_ahead_offers_only_the_operators_customers(deps: Deps) -> None:
    ack = Mock()
    options.customer_options(
        ack=ack, payload={"value": ""}, deps=deps, operator=authorize(SCOPED, uow=deps.uow_factory())
    )
    assert [o["value"] for o in ack.call_args.kwargs["options"]] == ["fabrikam"]


def test_a_tick_on_a_page_redrawn_since_changes_no_selection(deps: Deps) -> None:
    modal = replace(contoso(deps), rev=3, page_keys={"k1": "bob@contoso.com"})
    stale = {"block_id": f"{ids.USERS_BLOCK_PREFIX}2", "selected_options": [{"value": "k1"}]}
    listeners.tick_users(deps, modal, stale)
    assert deps.modals.selected(modal.token) == []
    listeners.tick_users(deps, modal, stale | {"block_id": f"{ids.USERS_BLOCK_PREFIX}3"})
    assert deps.modals.selected(modal.token) == ["bob@contoso.com"]


def test_paging_past_the_end_asks_for_the_last_page_and_never_below_one(deps: Deps) -> None:
    modal = replace(contoso(deps), page=1)
    assert listeners.turn_page(deps, modal, {"action_id": "page_prev"}).page == 1
    assert listeners.turn_page(deps, modal, {"action_id": "page_last"}).page > 1_000


def context(deps: Deps, user: str) -> BoltContext:
    return BoltContext({"deps": deps, "user_id": user})


def test_the_modal_middleware_refuses_someone_elses_modal(deps: Deps) -> None:
    modal = contoso(deps)
    nxt = Mock()
    with pytest.raises(ViewExpired):
        load_modal(context(deps, SCOPED), {"view": {"private_metadata": modal.token}}, nxt)
    with pytest.raises(ViewExpired):
        load_modal(context(deps, ADMIN), {"view": {"private_metadata": "gone"}}, nxt)
    nxt.assert_not_called()
    ctx = context(deps, ADMIN)
    load_modal(ctx, {"view": {"private_metadata": f"{modal.token}:SKU"}}, nxt)
    assert ctx["modal"] == modal and nxt.call_count == 1


def test_the_operator_middleware_refuses_a_stranger_and_names_the_operator(deps: Deps) -> None:
    nxt = Mock()
    with pytest.raises(Forbidden, match="You are not a licensebot operator"):
        require_operator(context(deps, STRANGER), nxt)
    nxt.assert_not_called()
    ctx = context(deps, ADMIN)
    require_operator(ctx, nxt)
    assert ctx["operator"].slack_user_id == ADMIN and nxt.call_count == 1


def test_a_save_stands_when_refreshing_home_fails(deps: Deps) -> None:
    modal = replace(contoso(deps, "bob"), initial={E5: Desired.KEEP})  # as Manage licenses offered it
    radios = {f"{ids.PRODUCT_BLOCK_PREFIX}{E5}": {ids.PRODUCT_CHOICE: {"selected_option": {"value": "assign"}}}}
    client = Mock(spec=WebClient)
    client.views_publish.side_effect = SlackApiError("boom", {"ok": False, "error": "not_enabled"})
    client.base_url, client.users_info.return_value = "https://stub.invalid/api/", {"ok": True, "user": {"tz": "UTC"}}
    ack = Mock()
    view = {
        "id": "V1",
        "hash": "h",
        "state": state(**radios),
        "private_metadata": modal.token,
        "blocks": [{"type": "input", "block_id": f"{ids.PRODUCT_BLOCK_PREFIX}{E5}"}],
    }
    submissions.save(
        ack=ack,
        body={},
        view=view,
        client=client,
        deps=replace(deps, after_change=(home.refresh,)),  # as bot/app.py hands it to the listeners
        operator=authorize(ADMIN, uow=deps.uow_factory()),
        modal=modal,
    )
    settled(deps)
    assert client.views_publish.call_count == 1
    assert ack.call_args.kwargs["response_action"] == "update"
    with deps.uow_factory() as uow:
        assert E5 in uow.users.get_many("contoso", ["bob@contoso.com"])["bob@contoso.com"].licenses


def test_refreshing_home_never_raises(deps: Deps) -> None:
    client = Mock(spec=WebClient)
    client.views_publish.side_effect = RuntimeError("down")
    client.base_url, client.users_info.return_value = "https://stub.invalid/api/", {"ok": True, "user": {"tz": "UTC"}}
    home.refresh(deps, client, ADMIN)
    assert client.views_publish.call_count == 1
