"""Services from the command line, on SQLite and PostgreSQL: `licenses apply --disable/--enable SKU:PLAN` and the
`services` of `licenses show --json`, for a local customer (the database holds each user's disabled plans)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import Result

ADMIN = "UADMIN01"
ALICE, ERIN, BOB = "alice@contoso.com", "erin@contoso.com", "bob@contoso.com"  # E3, E3 (+ Audio), nothing


def services(loaded: Any, users: list[str], sku: str = "ENTERPRISEPACK") -> dict[str, str]:
    shown = loaded("licenses", "show", "contoso", "--users", ",".join(users), "--json")
    assert shown.exit_code == 0, shown.output
    [product] = [p for p in json.loads(shown.output)["products"] if p["sku"] == sku]
    return {s["plan"]: s["state"] for s in product["services"]}


def apply(loaded: Any, users: list[str], *options: str) -> Result:
    return loaded("licenses", "apply", "contoso", "--users", ",".join(users), *options, "--as", ADMIN, "--json")


def test_a_service_turned_off_then_on_for_the_holders_only(loaded: Any) -> None:
    assert services(loaded, [ALICE, ERIN])["TEAMS1"] == "all"
    off = apply(loaded, [ALICE, ERIN, BOB], "--disable", "ENTERPRISEPACK:TEAMS1,enterprisepack:sway")
    assert off.exit_code == 0, off.output
    by_user = {o["user"]: o for o in json.loads(off.output)["results"]}
    assert [(s["name"], s["state"]) for s in by_user[ALICE]["services"]] == [
        ("Microsoft Teams", "off"),
        ("Sway", "off"),
    ]
    assert (by_user[BOB]["status"], by_user[BOB]["not_held"]) == ("unchanged", ["ENTERPRISEPACK"])
    states = services(loaded, [ALICE, ERIN, BOB])
    assert (states["TEAMS1"], states["SWAY"], states["EXCHANGE_S_ENTERPRISE"]) == ("none", "none", "all")
    # On again for Alice only: "some" of the two holders, and Sway stays off (nothing else of hers changes).
    on = apply(loaded, [ALICE], "--enable", "ENTERPRISEPACK:TEAMS1")
    assert on.exit_code == 0, on.output
    states = services(loaded, [ALICE, ERIN])
    assert (states["TEAMS1"], states["SWAY"]) == ("some", "none")
    assert services(loaded, [ALICE])["SWAY"] == "none"


def test_a_product_given_with_a_service_off_and_the_table_output(loaded: Any) -> None:
    result = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        BOB,
        "--assign",
        "ENTERPRISEPACK",
        "--disable",
        "ENTERPRISEPACK:TEAMS1",
        "--as",
        ADMIN,
    )
    assert result.exit_code == 0, result.output
    assert "ENTERPRISEPACK: Microsoft Teams off" in result.output
    assert services(loaded, [BOB])["TEAMS1"] == "none" and services(loaded, [BOB])["SWAY"] == "all"


@pytest.mark.parametrize(
    ("option", "named"),
    [
        ("ENTERPRISEPACK:NO_SUCH_PLAN", "Product ENTERPRISEPACK has no service 'NO_SUCH_PLAN'"),
        ("NO_SUCH_SKU:TEAMS1", "No services are known for product 'NO_SUCH_SKU'"),
        ("TEAMS1", "'TEAMS1' is not SKU:PLAN"),
    ],
)
def test_an_unknown_product_or_service_exits_2_naming_it_and_changes_nothing(
    loaded: Any, option: str, named: str
) -> None:
    result = apply(loaded, [ALICE], "--disable", "ENTERPRISEPACK:TEAMS1", "--disable", option)
    assert result.exit_code == 2 and named in result.stderr
    assert services(loaded, [ALICE])["TEAMS1"] == "all"
    assert loaded("audit", "export").output.count("\n") == 1  # the header only: nothing was saved


def test_a_service_both_on_and_off_or_in_a_product_revoked_is_bad_input(loaded: Any) -> None:
    both = apply(loaded, [ALICE], "--disable", "ENTERPRISEPACK:TEAMS1", "--enable", "ENTERPRISEPACK:teams1")
    assert both.exit_code == 2 and "cannot be turned on and off at once" in both.stderr
    revoked = apply(loaded, [ALICE], "--revoke", "ENTERPRISEPACK", "--disable", "ENTERPRISEPACK:TEAMS1")
    assert revoked.exit_code == 2 and "being revoked" in revoked.stderr


def test_the_audit_export_says_which_service_went_off(loaded: Any) -> None:
    assert apply(loaded, [ALICE], "--disable", "ENTERPRISEPACK:TEAMS1").exit_code == 0
    rows = list(csv.DictReader(io.StringIO(loaded("audit", "export").output)))
    assert [(r["user_id"], r["sku"], r["action"], r["outcome"], r["detail"]) for r in rows] == [
        (ALICE, "ENTERPRISEPACK", "service_off:TEAMS1", "applied", "Microsoft Teams off")
    ]
