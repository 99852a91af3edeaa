"""Manage licenses over a 300-product customer, listener by listener: paging and filtering keep the choices made on
every page, the preview and Save use all of them, and changing the selection forgets them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from unittest.mock import Mock

import pytest
from slack_sdk import WebClient

from blocks import ids
from blocks.manage import PRODUCTS_PER_PAGE
from bot.deps import Deps
from bot.manage import forms, listeners, screens, submissions
from bot.manage.product_pages import display_order, page_of
from bot.slack.clicks import modal_click
from licensing import queries
from licensing.directory import import_directory
from licensing.model import Operator
from licensing.queries import authorize
from licensing.types import Desired
from storage.modal_state import ModalState
from tests.bot import settled
from tests.many_products import ANN, BEN, CUSTOMER, HELD, name, northwind, sku
from tests.text import shown

ADMIN = "UADMIN01"
ON_LAST_PAGE = sku(299)  # "Forms 299": seats left, last by name among those (page 4); no selected user holds it


@pytest.fixture
def deps(deps: Deps) -> Deps:
    import_directory(northwind(), uow=deps.uow_factory())
    return deps


def operator(deps: Deps) -> Operator:
    return authorize(ADMIN, uow=deps.uow_factory())


def opened(deps: Deps) -> tuple[ModalState, dict[str, Any]]:
    modal = deps.modals.switch_customer(deps.modals.create(ADMIN, "C1"), CUSTOMER, "Northwind Traders")
    deps.modals.select(modal.token, [ANN, BEN])
    return screens.manage(
        deps, authorize(ADMIN, uow=deps.uow_factory()), deps.modals.get(modal.token) or modal, can_set_location=True
    )


def radios(*picks: tuple[str, str]) -> dict[str, Any]:
    return {
        "values": {
            f"{ids.PRODUCT_BLOCK_PREFIX}{s}": {ids.PRODUCT_CHOICE: {"selected_option": {"value": c}}} for s, c in picks
        }
    }


def click(
    deps: Deps, mutate: Callable[..., ModalState], modal: ModalState, action: dict[str, Any], state: dict[str, Any]
) -> tuple[ModalState, dict[str, Any]]:
    """One click on Manage licenses through its listener; returns the stored modal and the view it drew."""
    client, ack = Mock(spec=WebClient), Mock()
    body = {"view": {"id": "V1", "hash": "h", "state": state}}
    modal_click(listeners.products_action(mutate))(
        ack=ack, body=body, action=action, client=client, deps=deps, operator=operator(deps), modal=modal
    )
    ack.assert_called_once_with()
    stored = deps.modals.get(modal.token)
    assert stored is not None
    return stored, client.views_update.call_args.kwargs["view"]


def skus_on(view: dict[str, Any]) -> list[str]:
    prefix = ids.PRODUCT_BLOCK_PREFIX
    return [b["block_id"].removeprefix(prefix) for b in view["blocks"] if b.get("block_id", "").startswith(prefix)]


def test_products_held_by_the_selection_come_first_then_those_with_seats_then_the_rest(deps: Deps) -> None:
    summary = queries.summary(CUSTOMER, [ANN, BEN], actor=ADMIN, uow=deps.uow_factory())
    order = display_order(summary.products)
    assert order[0].sku == HELD
    sold_out = [i for i, p in enumerate(order) if p.available <= 0]
    assert sold_out == list(range(300 - len(sold_out), 300))  # all at the end
    assert [p.name for p in order[1 : -len(sold_out)]] == sorted(p.name for p in order[1 : -len(sold_out)])


def test_opening_shows_the_first_page_and_every_product_is_on_some_page(deps: Deps) -> None:
    modal, view = opened(deps)
    assert skus_on(view)[0] == HELD and len(skus_on(view)) == PRODUCTS_PER_PAGE
    assert "Products 1–90 of 300" in shown(view)
    summary = queries.summary(CUSTOMER, [ANN, BEN], actor=ADMIN, uow=deps.uow_factory())
    pages = [page_of(summary.products, query="", page=n, page_size=PRODUCTS_PER_PAGE).products for n in range(1, 5)]
    assert sorted(p.sku for page in pages for p in page) == sorted(sku(i) for i in range(300))
    assert (modal.choices, modal.product_page, len(modal.initial or {})) == ({}, 1, 300)


def test_paging_keeps_the_choices_of_the_page_left_and_the_preview_counts_them(deps: Deps) -> None:
    modal, _ = opened(deps)
    modal, view = click(
        deps, listeners.turn_product_page, modal, {"action_id": ids.PRODUCT_PAGE_LAST}, radios((HELD, "revoke"))
    )
    assert modal.choices == {HELD: Desired.REVOKE} and modal.product_page == 4  # clamped from "past the end"
    assert ON_LAST_PAGE in skus_on(view) and HELD not in skus_on(view)
    assert "Products 271–300 of 300 · Save will revoke 1 product" in shown(view)
    modal, view = click(
        deps,
        listeners.turn_product_page,
        modal,
        {"action_id": ids.PRODUCT_PAGE_FIRST},
        radios((ON_LAST_PAGE, "assign")),
    )
    assert modal.choices == {HELD: Desired.REVOKE, ON_LAST_PAGE: Desired.ASSIGN}
    first = next(b for b in view["blocks"] if b.get("block_id") == f"{ids.PRODUCT_BLOCK_PREFIX}{HELD}")
    assert first["element"]["initial_option"]["value"] == "revoke"  # drawn as chosen, from the stored pick
    assert "Save will assign 1 product and revoke 1 product" in shown(view)


def test_a_radio_for_a_product_the_modal_did_not_offer_is_ignored(deps: Deps) -> None:
    modal, _ = opened(deps)
    modal, _ = click(
        deps,
        listeners.choose_product,
        modal,
        {"action_id": ids.PRODUCT_CHOICE},
        radios(("NOT-OWNED", "assign"), (HELD, "nonsense")),
    )
    assert modal.choices == {}


def test_the_filter_finds_by_name_or_sku_and_says_plainly_when_nothing_matches(deps: Deps) -> None:
    modal, _ = opened(deps)
    modal, view = click(
        deps,
        listeners.filter_products,
        modal,
        {"action_id": ids.PRODUCT_FILTER_INPUT, "value": f"  {name(299).upper()} "},
        radios((HELD, "revoke")),
    )
    assert skus_on(view) == [ON_LAST_PAGE] and modal.product_query == name(299).upper()
    assert modal.choices == {HELD: Desired.REVOKE}
    modal, view = click(
        deps, listeners.filter_products, modal, {"action_id": ids.PRODUCT_FILTER_INPUT, "value": "nw00"}, radios()
    )
    assert skus_on(view) == sorted((sku(i) for i in range(1, 10)), key=lambda s: name(int(s[2:]))) + [sku(0)]
    modal, view = click(
        deps, listeners.filter_products, modal, {"action_id": ids.PRODUCT_FILTER_INPUT, "value": "zzz"}, radios()
    )
    assert "No product name or SKU contains “zzz”." in shown(view) and skus_on(view) == []
    modal, view = click(deps, listeners.show_all_products, modal, {"action_id": ids.SHOW_ALL_PRODUCTS}, radios())
    assert modal.product_query == "" and "Products 1–90 of 300" in shown(view)
    assert modal.choices == {HELD: Desired.REVOKE}


def save(deps: Deps, modal: ModalState, state: dict[str, Any], blocks: list[dict[str, Any]]) -> Mock:
    ack = Mock()
    view = {"id": "V1", "hash": "h", "state": state, "blocks": blocks, "private_metadata": modal.token}
    submissions.save(
        ack=ack, body={}, view=view, client=Mock(spec=WebClient), deps=deps, operator=operator(deps), modal=modal
    )
    settled(deps)  # the Save runs on the slow lane
    return ack


def test_save_applies_the_picks_of_every_page_not_only_the_visible_ones(deps: Deps) -> None:
    modal, _ = opened(deps)
    modal, view = click(
        deps, listeners.turn_product_page, modal, {"action_id": ids.PRODUCT_PAGE_LAST}, radios((HELD, "revoke"))
    )
    ack = save(deps, modal, radios((ON_LAST_PAGE, "assign")), view["blocks"])
    assert ack.call_args.kwargs["response_action"] == "update"
    result = shown(ack.call_args.kwargs["view"])
    assert name(299) in result and name(151) in result
    summary = queries.summary(CUSTOMER, [ANN, BEN], actor=ADMIN, uow=deps.uow_factory())
    held = {p.sku: set(p.holders) for p in summary.products if p.holders}
    assert held == {ON_LAST_PAGE: {ANN, BEN}}


def test_nothing_to_save_is_said_under_an_input_on_screen(deps: Deps) -> None:
    modal, _ = opened(deps)
    modal, view = click(deps, listeners.turn_product_page, modal, {"action_id": ids.PRODUCT_PAGE_LAST}, radios())
    ack = save(deps, modal, radios(), view["blocks"])
    assert ack.call_args.kwargs["errors"] == {f"{ids.PRODUCT_BLOCK_PREFIX}{skus_on(view)[0]}": forms.NOTHING_TO_CHANGE}
    modal, view = click(
        deps, listeners.filter_products, modal, {"action_id": ids.PRODUCT_FILTER_INPUT, "value": "zzz"}, radios()
    )
    ack = save(deps, modal, radios(), view["blocks"])
    assert ack.call_args.kwargs["errors"] == {ids.LOCATION_BLOCK: forms.NOTHING_TO_CHANGE}  # no product on screen


@pytest.mark.parametrize(
    "change", [listeners.tick_users, listeners.select_page, listeners.clear_page, listeners.clear_all]
)
def test_changing_the_selection_forgets_the_picks(deps: Deps, change: Callable[..., ModalState]) -> None:
    modal, _ = opened(deps)
    modal = replace(
        modal, choices={HELD: Desired.REVOKE}, product_page=3, product_query="x", page_keys={"k": ANN}, rev=2
    )
    after = change(deps, modal, {"block_id": f"{ids.USERS_BLOCK_PREFIX}2", "selected_options": []})
    assert (after.initial, after.choices, after.product_page, after.product_query) == (None, {}, 1, "")
