"""Manage licenses with more products than a modal holds: pages, the name/SKU filter, Buy more, at 300 products."""

from __future__ import annotations

import json
from typing import Any

import pytest

from blocks import ids
from blocks.manage import FILTER_FROM, FRAME_BLOCKS_MAX, PRODUCTS_PER_PAGE, filter_block_id, manage_view
from blocks.viewmodels import ManageVM, ProductPagingVM, ProductRowVM, SoldOutVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, LONG, TOKEN, assert_escaped, block_ids, elements, product
from tests.text import shown

VIEW_BYTES_MAX = 250_000  # views.open and views.update answer view_too_large past it
SELECTED = tuple(f"{EVIL} {LONG} {i}" for i in range(500))


def catalogue(count: int, *, sold_out_every: int = 3) -> tuple[ProductRowVM, ...]:
    """`count` products with long, evil names and long holder lists; every `sold_out_every`-th sold out."""
    return tuple(
        product(
            f"SKU-{i:03d}",
            f"{EVIL} {LONG} {i}",
            selected=500,
            holders=SELECTED[: i % 40],
            available=0 if i % sold_out_every == 0 else 3,
        )
        for i in range(count)
    )


def page_vm(products: tuple[ProductRowVM, ...], page: int, *, query: str = "", owned: int | None = None) -> ManageVM:
    """Page `page` of `products` as the bot renders it, with every block of the frame: preview, location, filter,
    status, pager and Buy more (sold-out products of the page first, as the bot orders them)."""
    page_count = max(1, -(-len(products) // PRODUCTS_PER_PAGE))
    start = (page - 1) * PRODUCTS_PER_PAGE
    rows = products[start : start + PRODUCTS_PER_PAGE]
    here = [p for p in rows if p.available <= 0]
    others = [p for p in products if p.available <= 0 and p not in here]
    paging = ProductPagingVM(
        owned=owned if owned is not None else len(products),
        matching=len(products),
        first=start + 1,
        page=page,
        page_count=page_count,
        query=query,
        to_assign=2,
        to_revoke=1,
    )
    return ManageVM(
        customer_name=f"{EVIL} Northwind",
        selected_names=SELECTED,
        products=rows,
        can_set_location=True,
        locations=(("US", 500),),
        preview=tuple(f"{n} can't get Visio Plan 2" for n in SELECTED),
        location_value="US",
        paging=paging,
        sold_out=tuple(SoldOutVM(p.sku, p.name) for p in here + others),
    )


def build(model: ManageVM) -> dict[str, Any]:
    view = manage_view(model, TOKEN)
    assert validate_view(view) == []  # the offline Block Kit schema, block counts, unique ids, initial options
    return view


def product_skus(view: dict[str, Any]) -> list[str]:
    return [i.removeprefix(ids.PRODUCT_BLOCK_PREFIX) for i in block_ids(view) if i.startswith(ids.PRODUCT_BLOCK_PREFIX)]


def test_the_page_size_is_what_the_frame_leaves_of_100_blocks() -> None:
    assert PRODUCTS_PER_PAGE == 100 - FRAME_BLOCKS_MAX == 90
    view = build(page_vm(catalogue(300), 1))
    assert len(view["blocks"]) == 100  # every frame block there, and a full page: not one block to spare
    assert len(product_skus(view)) == PRODUCTS_PER_PAGE


def test_300_products_every_one_on_exactly_one_page_and_no_page_past_100_blocks() -> None:
    products = catalogue(300)
    seen: list[str] = []
    for page in range(1, 5):
        view = build(page_vm(products, page))
        assert len(view["blocks"]) <= 100
        assert len(json.dumps(view, ensure_ascii=False).encode()) < VIEW_BYTES_MAX
        seen += product_skus(view)
    assert seen == [p.sku for p in products]


def test_status_line_says_which_products_are_shown_and_what_save_will_do() -> None:
    products = catalogue(300)
    assert "Products 1–90 of 300 · Save will assign 2 products and revoke 1 product" in shown(
        build(page_vm(products, 1))
    )
    assert "Products 91–180 of 300" in shown(build(page_vm(products, 2)))
    assert "Products 271–300 of 300" in shown(build(page_vm(products, 4)))
    filtered = build(page_vm(products[:12], 1, query="Dyn", owned=300))
    assert "Products 1–12 of 12 matching “Dyn” (300 in all)" in shown(filtered)


@pytest.mark.parametrize(
    ("page", "buttons"),
    [
        (1, [ids.PRODUCT_PAGE_NEXT, ids.PRODUCT_PAGE_LAST]),
        (2, [ids.PRODUCT_PAGE_FIRST, ids.PRODUCT_PAGE_PREV, ids.PRODUCT_PAGE_NEXT, ids.PRODUCT_PAGE_LAST]),
        (4, [ids.PRODUCT_PAGE_FIRST, ids.PRODUCT_PAGE_PREV]),
    ],
)
def test_the_pager_offers_only_moves_that_lead_somewhere(page: int, buttons: list[str]) -> None:
    view = build(page_vm(catalogue(300), page))
    pager = [b for b in view["blocks"] if b["type"] == "actions"]
    assert [[e["action_id"] for e in b["elements"]] for b in pager] == [buttons]
    values = {e["action_id"]: e["value"] for e in pager[0]["elements"]}
    assert values.get(ids.PRODUCT_PAGE_LAST, "4") == "4" and values.get(ids.PRODUCT_PAGE_FIRST, "1") == "1"


def test_the_filter_dispatches_on_enter_and_its_block_follows_the_query() -> None:
    view = build(page_vm(catalogue(300)[:5], 1, query="Dyn", owned=300))
    (block,) = [b for b in view["blocks"] if b.get("block_id") == filter_block_id("Dyn")]
    assert block["type"] == "input" and block["optional"] is True and block["dispatch_action"] is True
    element = block["element"]
    assert element["action_id"] == ids.PRODUCT_FILTER_INPUT and element["initial_value"] == "Dyn"
    assert element["dispatch_action_config"] == {"trigger_actions_on": ["on_enter_pressed"]}
    # a new id once cleared: Slack would otherwise keep the typed text whatever the initial value says
    assert filter_block_id("") != filter_block_id("Dyn")
    assert (elements(view, ids.SHOW_ALL_PRODUCTS)[0]["text"]["text"]) == "Show all products"


def test_a_filter_matching_nothing_says_so_and_offers_every_product_again() -> None:
    model = page_vm((), 1, query="zzz", owned=300)
    view = build(model)
    text = shown(view)
    assert "No product name or SKU contains “zzz”. Try another, or show all products." in text
    assert "No product of 300 matches “zzz”" in text
    assert len(elements(view, ids.SHOW_ALL_PRODUCTS)) == 1 and elements(view, ids.BUY_MORE) == []
    assert product_skus(view) == []


def test_few_products_need_no_filter_nor_pager() -> None:
    view = build(page_vm(catalogue(FILTER_FROM), 1))
    assert (
        elements(view, ids.PRODUCT_FILTER_INPUT) == [] and [b for b in view["blocks"] if b["type"] == "actions"] == []
    )
    assert len(elements(build(page_vm(catalogue(FILTER_FROM + 1), 1)), ids.PRODUCT_FILTER_INPUT)) == 1


def test_more_sold_out_products_than_a_menu_holds_list_this_pages_first() -> None:
    products = catalogue(300, sold_out_every=2)  # 150 sold out
    reachable: set[str] = set()
    for page in range(1, 5):
        view = build(page_vm(products, page))
        (menu,) = elements(view, ids.BUY_MORE)
        options = [o["value"] for o in menu["options"]]
        assert len(options) == 100
        assert {s for s in product_skus(view) if int(s[-3:]) % 2 == 0} <= set(options)  # this page's, all of them
        reachable |= set(options)
        assert "The menu lists 100, this page's first: page or filter to reach the others." in shown(view)
    assert reachable == {p.sku for p in products if p.available <= 0}


def test_a_view_model_with_more_rows_than_a_page_is_cut_to_a_page() -> None:
    model = page_vm(catalogue(300), 1)
    view = build(ManageVM(**{**model.__dict__, "products": catalogue(300)}))
    assert len(view["blocks"]) == 100 and len(product_skus(view)) == PRODUCTS_PER_PAGE


def test_every_page_escapes_every_name() -> None:
    view = build(page_vm(catalogue(300), 2))
    assert_escaped(view)
    assert len(view["private_metadata"]) <= 3000
