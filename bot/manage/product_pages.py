"""Manage licenses a page of products at a time: which products come first, the name/SKU filter, and the page.

A customer can own more products than one modal holds (100 blocks), so the bot shows one page of them and keeps
what the operator chose on every page in the modal's state (ModalState.choices)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from licensing.queries import ProductSummary


@dataclass(frozen=True)
class ProductPage:
    matching: tuple[ProductSummary, ...]  # every product the filter lets through, in display order
    page: int  # 1-based, clamped to the last page
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.matching) / self.page_size))

    @property
    def start(self) -> int:
        """How many matching products come before this page."""
        return (self.page - 1) * self.page_size

    @property
    def products(self) -> tuple[ProductSummary, ...]:
        return self.matching[self.start : self.start + self.page_size]

    @property
    def sold_out(self) -> tuple[ProductSummary, ...]:
        """The matching products with no license left, this page's first: a Buy more menu holds only 100 options,
        and whatever else it cannot hold is still on some page of its own."""
        here = [p for p in self.products if p.available <= 0]
        shown = {p.sku for p in here}
        return tuple(here + [p for p in self.matching if p.available <= 0 and p.sku not in shown])


def display_order(products: Iterable[ProductSummary]) -> list[ProductSummary]:
    """Products some selected user holds first: those are what an operator comes to revoke or change, and what the
    preview talks about. Then those with licenses left, which can be assigned; last the sold-out ones nobody selected
    holds, where only Buy more helps. By name within each group, so a product is easy to find on its page."""
    return sorted(products, key=lambda p: (not p.holders, p.available <= 0, p.name.casefold(), p.sku))


def matches(product: ProductSummary, query: str) -> bool:
    """The filter: part of the name or of the SKU, ignoring case."""
    wanted = query.strip().casefold()
    return wanted in product.name.casefold() or wanted in product.sku.casefold()


def page_of(products: Iterable[ProductSummary], *, query: str, page: int, page_size: int) -> ProductPage:
    """The page `page` (clamped into 1..last) of the products matching `query`, in display order."""
    matching = tuple(p for p in display_order(products) if matches(p, query))
    last = max(1, math.ceil(len(matching) / page_size))
    return ProductPage(matching, min(max(1, page), last), page_size)
