"""Every view and message the bot's builders make, from realistic view-models, for the renderer tests and the demo."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from blocks.buy import buy_more_done_view, buy_more_view
from blocks.home import home_view
from blocks.manage import manage_view
from blocks.messages import (
    confirmation_parent,
    confirmation_replies,
    help_message,
)
from blocks.picker import picker_view
from blocks.result import notice_view, result_view, saving_view
from blocks.users import users_view
from blocks.viewmodels import BuyMoreVM, HomeVM, ManageVM, OutcomeVM, PickerVM, ResultVM
from tests.blocks.helpers import TOKEN, outcome, product, user_row, users_vm

NAMES = ("Alice Adams", "Bob Brown", "Carol Chen", "Dan Diaz", "Eve Evans")


def users_sample() -> dict[str, Any]:
    rows = tuple(user_row(i, name=name, selected=i < 2) for i, name in enumerate(NAMES))
    return users_view(
        users_vm(rows, page=2, page_count=4, total=37, selected_count=2, query="contoso", notice="Search updated."),
        TOKEN,
    )


def manage_sample() -> dict[str, Any]:
    vm = ManageVM(
        customer_name="Contoso Ltd",
        selected_names=NAMES,
        products=(
            product("E3", "Office 365 E3", holders=NAMES[:2]),
            product("VISIO", "Visio Plan 2", holders=NAMES, available=0),
            product("PROJ", "Project Plan 3", available=-1),  # a connected tenant with 11 assigned of 10
        ),
        can_set_location=True,
        locations=(("US", 3), ("DE", 2)),
        preview=("Carol Chen can't get Visio Plan 2: no licenses left",),
    )
    return manage_view(vm, TOKEN)


def result_sample() -> ResultVM:
    outcomes = (
        OutcomeVM("Alice Adams", "alice", "updated", assigned=("Office 365 E3",), revoked=("Office 365 E1",)),
        OutcomeVM("Bob Brown", "bob", "unchanged"),
        outcome(3, "failed", name="Carol Chen"),
        OutcomeVM("Dan Diaz", "dan", "updated", location="DE"),
    )
    return ResultVM("Contoso Ltd", "U0OPERATOR", outcomes)


def all_views() -> dict[str, dict[str, Any]]:
    """Each view builder once (the Home tab twice: operator and stranger), keyed by a short name."""
    buy = BuyMoreVM("Contoso Ltd", "VISIO", "Visio Plan 2", quantity=25, available=0)
    return {
        "picker": picker_view(PickerVM(notice="No customer matches “zzz”."), TOKEN),
        "users": users_sample(),
        "users_empty": users_view(users_vm((), query="nobody"), TOKEN),
        "manage": manage_sample(),
        "manage_one_sold_out": manage_view(
            ManageVM("Contoso Ltd", NAMES[:1], (product("V", "Visio", available=0),), False, ()), TOKEN
        ),
        "buy": buy_more_view(buy, TOKEN),
        "buy_overused": buy_more_view(replace(buy, available=-1), TOKEN),
        "buy_done": buy_more_done_view("Contoso Ltd", "Visio Plan 2", 12, "REQ-7", TOKEN),
        "saving": saving_view("Contoso Ltd", 1200, TOKEN),
        "result": result_view(result_sample(), TOKEN),
        "notice": notice_view("Not allowed", "You can't manage Fabrikam.", TOKEN),
        "home_operator": home_view(HomeVM("Pat Partner", "admin", "Contoso Ltd, Fabrikam")),
        "home_stranger": home_view(HomeVM(None, None, "")),
    }


def all_messages() -> dict[str, dict[str, Any]]:
    """Each message builder once, plus the text-only ephemeral the error handler posts."""
    (reply,) = confirmation_replies(result_sample())
    return {
        "confirmation_parent": confirmation_parent(result_sample()),
        "confirmation_reply": reply,
        "help": help_message(),
        "error_ephemeral": {"text": "Something went wrong: try again. (ref `a1b2c3`)"},
    }
