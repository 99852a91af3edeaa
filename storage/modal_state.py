"""What an open /licenses modal remembers between clicks, and the port that keeps it.

Slack gives a view only 3,000 characters of `private_metadata`, far too few for 500 selected users, and a modal
cannot read its earlier views; so the view carries just a random token and the state lives in a store, keyed by it.
This is UI state, not licensing data: each store call is its own short transaction. The SQL adapter is
storage/modal_store.py. The state lives here, below the bot, so that adapter needs nothing from the bot; it stays plain
data (no Slack, no database) so the bot's screens and handlers can use it without either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Protocol

from licensing.errors import InvalidRequest
from licensing.types import Desired, Switch


@dataclass(frozen=True)
class ModalState:
    token: str
    slack_user_id: str
    channel_id: str | None
    customer_id: str | None = None
    customer_name: str | None = None
    query: str = ""
    page: int = 1
    showing_selected: bool = False
    rev: int = 0
    page_keys: dict[str, str] = field(default_factory=dict)  # option value -> user id, for the rendered page
    initial: dict[str, Desired] | None = None  # sku -> the choice pre-selected when Manage licenses opened
    # Manage licenses shows a page of products at a time and Slack only reports the radios of that page: what the
    # operator chose on any page is merged in here on every click, and Save applies all of it.
    choices: dict[str, Desired] = field(default_factory=dict)  # sku -> the choice the operator last left it at
    product_page: int = 1
    product_query: str = ""  # the products' name/SKU filter
    # Services (a view pushed over Manage licenses): sku -> service plan name -> what the operator chose, on any page
    # of the services, kept across Back; a choice of Leave as is is kept too (it undoes an earlier one).
    service_choices: dict[str, dict[str, Switch]] = field(default_factory=dict)

    def chosen_customer_id(self) -> str:
        """The customer the modal is on; a click that needs one before it was chosen is refused, not guessed."""
        if self.customer_id is None:
            raise InvalidRequest("Choose a customer first.")
        return self.customer_id


def without_choices(modal: ModalState) -> ModalState:
    """Forget Manage licenses' choices (services' too), product page and filter: they only mean something for the
    selection (and the customer) they were made for."""
    return replace(modal, initial=None, choices={}, product_page=1, product_query="", service_choices={})


class ModalStore(Protocol):
    def create(self, slack_user_id: str, channel_id: str | None) -> ModalState: ...

    def get(self, token: str) -> ModalState | None: ...

    def save(self, modal: ModalState) -> None:
        """Stores the modal; its service choices only when empty (forgotten): merge_services writes them."""
        ...

    def merge_services(self, token: str, sku: str, choices: dict[str, Switch]) -> ModalState | None:
        """Adds choices for services of `sku` atomically; returns the modal as stored after it (None: gone)."""
        ...

    def switch_customer(self, modal: ModalState, customer_id: str | None, customer_name: str | None) -> ModalState:
        """A new customer starts from a clean slate: first page, no search, nothing selected, no product picked."""
        ...

    def selected(self, token: str) -> list[str]: ...

    def count(self, token: str) -> int: ...

    def save_page(self, modal: ModalState, among: Sequence[str]) -> tuple[int, frozenset[str]]:
        """Stores the modal as a users page shows it (as `save`), and reads how many users are selected and which
        of `among` (the page's) are, in one transaction: a page's ticks, without reading a selection of thousands."""
        ...

    def select(self, token: str, user_ids: Iterable[str]) -> None: ...

    def deselect(self, token: str, user_ids: Iterable[str]) -> None: ...

    def clear(self, token: str) -> None: ...

    def purge(self, older_than: timedelta) -> int:
        """Forget modals untouched for `older_than`; returns how many."""
        ...
