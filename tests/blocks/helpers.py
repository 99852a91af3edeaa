"""Shared helpers and checks for the builder tests: worst-case view-models and the escaping audit."""

from __future__ import annotations

import re
from typing import Any

from blocks.viewmodels import (
    ManageVM,
    OutcomeVM,
    ProblemVM,
    ProductRowVM,
    ResultVM,
    UserRowVM,
    UsersVM,
)
from licensing.types import Desired, HoldState
from tests.text import texts, walk

EVIL = "<!channel> & <b>"  # a directory name that would ping a channel if pasted into mrkdwn
EVIL_ESCAPED = "&lt;!channel&gt; &amp; &lt;b&gt;"
LONG = "Wolfeschlegelsteinhausenbergerdorff " * 8  # ~290 characters
TOKEN = "session-token-123"
_RAW_AMP = re.compile(r"&(?!amp;|lt;|gt;)")


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """mrkdwn text objects plus a message's fallback `text` (also parsed as mrkdwn)."""
    found = texts(payload, "mrkdwn")
    if isinstance(payload.get("text"), str):
        found.append(payload["text"])
    return found


def assert_escaped(payload: dict[str, Any]) -> None:
    """No mrkdwn carries the evil string raw, and it does show up escaped somewhere."""
    found = mrkdwn_texts(payload)
    for text in found:
        assert "<!" not in text and "<b>" not in text, text
        assert not _RAW_AMP.search(text), text
    assert any("&lt;!channel&gt;" in text for text in found)


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def elements(payload: Any, action_id: str) -> list[dict[str, Any]]:
    return [d for d in walk(payload) if d.get("action_id") == action_id]


def user_row(i: int, *, name: str | None = None, selected: bool = False, **kw: Any) -> UserRowVM:
    values: dict[str, Any] = {
        "key": f"r{i}",
        "name": name if name is not None else f"User {i}",
        "user_id": f"user{i}@contoso.com",
        "location": "US",
        "licenses": ("Office 365 E3",),
        "selected": selected,
    }
    values.update(kw)
    return UserRowVM(**values)


def users_vm(rows: tuple[UserRowVM, ...] = (), **kw: Any) -> UsersVM:
    values: dict[str, Any] = {
        "customer_id": "contoso",
        "customer_name": "Contoso Ltd",
        "rows": rows,
        "page": 1,
        "page_count": 1,
        "total": len(rows),
        "query": "",
        "selected_count": sum(r.selected for r in rows),
        "showing_selected": False,
        "rev": 3,
    }
    values.update(kw)
    return UsersVM(**values)


def product(sku: str, name: str, *, selected: int = 5, holders: tuple[str, ...] = (), **kw: Any) -> ProductRowVM:
    state = HoldState.of(len(holders), selected)
    values: dict[str, Any] = {
        "sku": sku,
        "name": name,
        "quantity": 10,
        "available": 4,
        "holders": holders,
        "selected": selected,
        "state": state,
        "choice": Desired.matching(state),
    }
    values.update(kw)
    values["choice"] = Desired(values["choice"])
    return ProductRowVM(**values)


def worst_manage_vm() -> ManageVM:
    """500 selected users with evil, long names; 60 products with long names, several sold out; every block kind."""
    names = tuple(f"{EVIL} {LONG} {i}" for i in range(500))
    products = tuple(
        product(
            f"SKU-{i:02d}",
            f"{EVIL} Microsoft 365 {LONG} {i}",
            selected=500,
            holders=names[: i * 8],
            available=0 if i % 4 == 0 else 3,
        )
        for i in range(60)
    )
    return ManageVM(
        customer_name=f"{EVIL} {LONG}",
        selected_names=names,
        products=products,
        can_set_location=True,
        locations=(("US", 300), ("DE", 199), ("not set", 1)),
        preview=tuple(f"{n} can't get Visio Plan 2: no licenses left" for n in names),
        location_value="US",
    )


def outcome(i: int, status: str = "updated", *, name: str | None = None, **kw: Any) -> OutcomeVM:
    values: dict[str, Any] = {"name": name or f"User {i}", "user_id": f"user{i}@contoso.com", "status": status}
    if status == "updated":
        values["assigned"] = ("Office 365 E3",)
    if status == "failed":
        values["errors"] = (ProblemVM("location", "Office 365 E3 is not available in CN"),)
    values.update(kw)
    return OutcomeVM(**values)


def big_result(n: int = 2000, *, name: str = LONG) -> ResultVM:
    """n users with long names and long product lists; every 7th failed, every 5th unchanged."""
    outcomes = []
    for i in range(n):
        status = "failed" if i % 7 == 3 else "unchanged" if i % 5 == 0 else "updated"
        extra = {"revoked": ("Office 365 E1", "Visio Plan 1")} if status == "updated" else {}
        outcomes.append(outcome(i, status, name=f"{EVIL} {name} {i}", **extra))
    return ResultVM(customer_name=f"{EVIL} Contoso", operator_id="U0OPERATOR", outcomes=tuple(outcomes))
