"""Manage licenses for a customer owning 300 products, end to end: page, pick on several pages, filter, save."""

from __future__ import annotations

from typing import Any

from blocks import ids
from licensing import queries
from licensing.directory import import_directory
from tests.app.driver import Bot, SlackUser, manage, save
from tests.many_products import ANN, BEN, CUSTOMER, HELD, name, northwind, sku
from tests.text import shown

ON_LAST_PAGE = sku(299)  # "Forms 299": licenses left, and last by name among those, so on the last page


def products_on(user: SlackUser) -> list[str]:
    view = user.view  # the fake Slack refused it otherwise: it validates every view against the Block Kit schema
    assert len(view["blocks"]) <= 100
    prefix = ids.PRODUCT_BLOCK_PREFIX
    return [b["block_id"].removeprefix(prefix) for b in view["blocks"] if b.get("block_id", "").startswith(prefix)]


def radio(user: SlackUser, sku: str) -> dict[str, Any]:
    block = next(b for b in user.view["blocks"] if b.get("block_id") == f"{ids.PRODUCT_BLOCK_PREFIX}{sku}")
    return dict(block["element"])


def holders(bot: Bot) -> dict[str, set[str]]:
    summary = queries.summary(CUSTOMER, [ANN, BEN], actor=None, uow=bot.deps.uow_factory())
    return {p.sku: set(p.holders) for p in summary.products if p.holders}


def test_300_products_paged_filtered_and_saved_with_the_choices_of_every_page(bot: Bot) -> None:
    import_directory(northwind(), uow=bot.deps.uow_factory())
    user = bot.user()
    assert user.open("northwind")["callback_id"] == ids.USERS_VIEW
    manage(user, "Ann Archer", "Ben Baker")
    assert products_on(user)[0] == HELD  # held by a selected user: first, although named in the middle
    assert "Products 1–90 of 300" in user.text()

    # Page 1: revoke what Ann holds; the radio dispatches, and the redraw counts it.
    user.choose(HELD, "revoke")
    user.act_and_wait(
        ids.PRODUCT_CHOICE, block_id=f"{ids.PRODUCT_BLOCK_PREFIX}{HELD}", selected_option={"value": "revoke"}
    )
    assert "Products 1–90 of 300 · Save will revoke 1 product" in user.text()

    # The last page: assign a product there (not dispatched: the next click carries it, as Slack's state does).
    user.act_and_wait(ids.PRODUCT_PAGE_LAST)
    assert "Products 271–300 of 300" in user.text() and ON_LAST_PAGE in products_on(user)
    assert HELD not in products_on(user)
    user.choose(ON_LAST_PAGE, "assign")

    # Filter by name: the product picked on the last page shows with its pick; the page-1 pick is still counted.
    user.act_and_wait(ids.PRODUCT_FILTER_INPUT, value=name(299))
    assert products_on(user) == [ON_LAST_PAGE] and radio(user, ON_LAST_PAGE)["initial_option"]["value"] == "assign"
    assert f"Products 1–1 of 1 matching “{name(299)}” (300 in all)" in user.text()
    assert "Save will assign 1 product and revoke 1 product" in user.text()

    # A filter matching nothing says so, and Save still applies what was chosen on pages no longer shown.
    user.act_and_wait(ids.PRODUCT_FILTER_INPUT, value="zzz")
    assert "No product name or SKU contains “zzz”." in user.text() and products_on(user) == []
    parent = save(bot, user)

    assert holders(bot) == {ON_LAST_PAGE: {ANN, BEN}}
    assert parent["text"] == "Northwind Traders: licenses updated for 2 of 2 users"
    thread = bot.fake.thread("C0LICENSE", parent["ts"])
    replies = "\n".join(shown(m["blocks"]) + m["text"] for m in thread[1:])
    assert name(299) in replies and name(151) in replies  # assigned to both, revoked from Ann


def test_show_all_products_clears_the_filter_and_keeps_the_picks(bot: Bot) -> None:
    import_directory(northwind(), uow=bot.deps.uow_factory())
    user = bot.user()
    user.open("northwind")
    manage(user, "Ann Archer")
    user.choose(HELD, "revoke")
    user.act_and_wait(ids.PRODUCT_FILTER_INPUT, value="Dynamics")
    assert "Products 1–50 of 50 matching “Dynamics” (300 in all)" in user.text()
    assert "Save will revoke 1 product" in user.text()
    user.act_and_wait(ids.SHOW_ALL_PRODUCTS)
    filter_block = user.block_with(ids.PRODUCT_FILTER_INPUT)
    assert "initial_value" not in filter_block["element"] and "Products 1–90 of 300" in user.text()
    assert radio(user, HELD)["initial_option"]["value"] == "revoke"
