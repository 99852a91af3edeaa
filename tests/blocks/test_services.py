"""The Services view and the words services leave in the history: within Slack's limits, escaped, paged."""

from __future__ import annotations

from dataclasses import replace

from blocks import ids
from blocks.history import HistoryRowVM, row_text
from blocks.services import SERVICES_PER_PAGE, services_view
from blocks.viewmodels import ServiceRowVM, ServicesVM
from fakes.slack.blockkit import validate_view
from licensing.services import plan_table
from licensing.types import HoldState, Switch
from tests.blocks.helpers import EVIL, EVIL_ESCAPED
from tests.text import shown

E5 = plan_table().plans("SPE_E5")


def page(n: int) -> ServicesVM:
    rows = tuple(ServiceRowVM(p.name, p.title, HoldState.SOME, 1, 3, Switch.KEEP) for p in E5)
    pages = -(-len(rows) // SERVICES_PER_PAGE)
    shown_rows = rows[(n - 1) * SERVICES_PER_PAGE : n * SERVICES_PER_PAGE]
    return ServicesVM("Microsoft 365 E5", 3, 0, shown_rows, n, pages, len(rows))


def test_e5s_services_come_in_pages_each_a_valid_modal_under_100_blocks() -> None:
    assert len(E5) > 50
    for n in range(1, page(1).page_count + 1):
        view = services_view(page(n), "token:SPE_E5")
        assert validate_view(view) == [] and len(view["blocks"]) <= 100
        assert view["notify_on_close"] is True and view["close"]["text"] == "Back"
    first, last = services_view(page(1), "t"), services_view(page(page(1).page_count), "t")
    actions = [
        e["action_id"] for b in first["blocks"] + last["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == [ids.SERVICE_PAGE_NEXT, ids.SERVICE_PAGE_PREV]


def test_each_service_names_where_its_holders_stand_and_the_choice() -> None:
    row = ServiceRowVM("TEAMS1", "Microsoft Teams", HoldState.SOME, 2, 3, Switch.OFF)
    view = services_view(ServicesVM("Office 365 E3", 3, 0, (row,), 1, 1, 1), "t:E3")
    [radio] = [b["element"] for b in view["blocks"] if b.get("block_id") == f"{ids.SERVICE_BLOCK_PREFIX}TEAMS1"]
    assert radio["initial_option"]["value"] == "off"
    assert [o["text"]["text"] for o in radio["options"]] == ["Turn on for all", "Leave as is", "Turn off for all"]
    assert radio["options"][1]["description"]["text"] == "Now: on for 2 of 3"


def test_a_hostile_product_name_is_escaped() -> None:
    view = services_view(ServicesVM(EVIL, 1, 2, (), 1, 1, 0), "t:X")
    assert EVIL_ESCAPED in str(view) and "<!channel>" not in str(view["blocks"][0])
    assert "2 users will get it with the services chosen here" in shown(view["blocks"])


def test_a_service_line_in_the_history_says_which_service_went_off_where() -> None:
    row = HistoryRowVM(
        1772600767,
        "2026-03-04 05:06 UTC",
        "U1",
        "Contoso",
        "ann",
        "service_off:TEAMS1",
        "Office 365 E3",
        "applied",
        None,
        "b1",
        service="Microsoft Teams off",
    )
    assert "*Microsoft Teams off in Office 365 E3*" in row_text(row)
    assert EVIL_ESCAPED in row_text(replace(row, service=EVIL))
