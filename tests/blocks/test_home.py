from __future__ import annotations

import re
from dataclasses import replace

from blocks import ids
from blocks.home import home_view
from blocks.viewmodels import CustomerSeatsVM, DashboardVM, HomeVM, PendingPurchaseVM, RecentChangeVM, SeatLineVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, EVIL_ESCAPED, assert_escaped, mrkdwn_texts
from tests.text import shown


def test_home_for_an_operator_shows_role_and_scope() -> None:
    view = home_view(HomeVM(operator_name="Pat Partner", role="admin", customers="all customers"))
    assert validate_view(view) == []
    assert view["type"] == "home"
    text = shown(view)
    assert "Type `/licenses` in any channel" in text
    assert "*You:* Pat Partner · role *admin*" in text
    assert "Customers you can manage: all customers" in text
    assert "not an operator" not in text


def test_home_for_someone_else_says_who_can_add_them() -> None:
    view = home_view(HomeVM(operator_name=None, role=None, customers=""))
    assert validate_view(view) == []
    text = shown(view)
    assert "Type `/licenses` in any channel" in text
    assert "You are not an operator yet. Ask a partner admin to add you" in text


def test_home_escapes_names_and_scopes() -> None:
    view = home_view(HomeVM(operator_name=EVIL, role=EVIL, customers=f"{EVIL}, Fabrikam"))
    assert validate_view(view) == []
    assert_escaped(view)


def seats(n: int, products: int = 5) -> tuple[CustomerSeatsVM, ...]:
    """n customers, the first third with one low subscription each, ordered as the query orders them."""
    customers = []
    for i in range(n):
        low = i < n // 3
        lines = tuple(
            SeatLineVM(f"Product {p}", assigned=10 if low and p == 0 else p, owned=10, low=low and p == 0)
            for p in range(products)
        )
        customers.append(CustomerSeatsVM(f"c{i:03d}", f"Customer {i:03d}", lines, low=1 if low else 0))
    return tuple(customers)


def operator_home(dashboard: DashboardVM) -> dict:  # type: ignore[type-arg]
    return home_view(HomeVM(operator_name="Pat", role="admin", customers="all customers", dashboard=dashboard))


def test_300_customers_are_summarised_within_the_block_limit() -> None:
    pending = tuple(PendingPurchaseVM("Customer 001", "Product 0", 3, "UPAT") for _ in range(30))
    recent = tuple(
        RecentChangeVM(
            1772600000, "2026-03-04 05:06 UTC", "Customer 001", "bob@x.com", "Product 0", "assign", "applied"
        )
        for _ in range(30)
    )
    view = operator_home(DashboardVM(seats(300), pending, recent))
    assert validate_view(view) == []
    assert len(view["blocks"]) <= 100
    text = shown(view)
    assert "*300 customers* · *100 subscriptions low on seats*" in text
    assert "The 12 most urgent are below" in text
    assert "Customer 011" in text and "Customer 012" not in text
    assert "…and 20 more" in text
    assert "Nothing scheduled." in text
    opens = [
        b["accessory"]["value"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == ids.HOME_OPEN
    ]
    assert opens == [f"c{i:03d}" for i in range(12)]
    assert any(b.get("accessory", {}).get("action_id") == ids.HOME_CUSTOMER for b in view["blocks"])


def test_a_bar_per_subscription_the_low_first() -> None:
    lines = (SeatLineVM("Visio", 1, 1, True), SeatLineVM("E3", 6, 10, False), SeatLineVM("Over", 3, 0, True))
    view = operator_home(DashboardVM((CustomerSeatsVM("contoso", "Contoso", lines, 2),)))
    assert validate_view(view) == []
    text = shown(view)
    assert "*Contoso* · :warning: 2 subscriptions low" in text
    visio = text.index("`▰▰▰▰▰▰▰▰▰▰ 1/1` Visio")
    e3 = text.index("`▰▰▰▰▰▰▱▱▱▱ 6/10` E3")
    assert ":warning: `▰▰▰▰▰▰▰▰▰▰ 1/1` Visio" in text and visio < e3
    assert ":warning: `▰▰▰▰▰▰▰▰▰▰ 3/0` Over — overused by 3" in text
    assert "1/1` Visio —" not in text and "6/10` E3 —" not in text  # only more assigned than owned is overuse
    assert "The 12 most urgent" not in text
    assert "None waiting." in text and "None yet." in text


def test_a_drilled_customer_has_a_way_back() -> None:
    view = operator_home(DashboardVM(seats(1), focus="c000"))
    assert validate_view(view) == []
    assert [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]] == [ids.HOME_ALL]


def test_the_dashboard_escapes_customer_product_and_user_names() -> None:
    lines = (SeatLineVM(EVIL, 1, 2, False),)
    view = operator_home(
        DashboardVM(
            (CustomerSeatsVM("contoso", EVIL, lines, 0),),
            (PendingPurchaseVM(EVIL, EVIL, 1, "UPAT"),),
            (RecentChangeVM(1772600000, "2026-03-04 05:06 UTC", EVIL, EVIL, EVIL, "assign", "applied"),),
        )
    )
    assert validate_view(view) == []
    texts = [re.sub(r"<!date\^[^>]*>", "", t) for t in mrkdwn_texts(view)]
    assert all("<!" not in t and "<b>" not in t for t in texts)
    assert sum(t.count(EVIL_ESCAPED) for t in texts) == 7


def test_seat_bars_are_one_per_line_in_order_never_side_by_side() -> None:
    view = operator_home(DashboardVM(seats(1, products=12), (), ()))
    seat_blocks = [b for b in view["blocks"] if "`▰" in str(b) or "`▱" in str(b)]
    assert [b["type"] for b in seat_blocks] == ["section"]  # a context's elements would sit two to a line
    lines = seat_blocks[0]["text"]["text"].split("\n")
    assert [line.split("` ")[1].split(" —")[0] for line in lines] == [f"Product {p}" for p in range(12)]


def test_a_customer_with_hundreds_of_subscriptions_stays_within_slacks_limits() -> None:
    view = operator_home(DashboardVM(seats(12, products=400), (), ()))
    assert validate_view(view) == [] and len(view["blocks"]) <= 100
    assert "…and " in shown(view) and "more subscriptions: Manage users shows them all" in shown(view)


def test_a_recent_service_change_is_said_in_words_as_history_says_it() -> None:
    change = RecentChangeVM(
        1772600000, "2026-03-04 05:06 UTC", "Contoso", "bob@x.com", "Office 365 E3", "service_off:TEAMS1", "applied"
    )
    said = shown(operator_home(DashboardVM((), (), (replace(change, service="Microsoft Teams off"),)))["blocks"])
    assert "Microsoft Teams off in Office 365 E3 · bob@x.com at Contoso — applied" in said
    assert "service off" not in said and "TEAMS1" not in said
