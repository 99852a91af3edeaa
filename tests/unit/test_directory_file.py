"""The directory file: its shape, every cross-record rule with its path, and the generated demo directory."""

from __future__ import annotations

import dataclasses
import runpy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from licensing.directory import Snapshot
from licensing.directory.file import load_directory, parse_directory
from licensing.errors import DirectoryFileError
from licensing.invariants import violations
from licensing.model import Customer, Operator, Product, Role, Subscription, User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO = EXAMPLES / "demo.yaml"


def base() -> dict[str, Any]:
    """A small valid directory; each test breaks one thing in it."""
    return {
        "products": [
            {"sku": "STANDARDPACK", "name": "Office 365 E1", "excludes": ["ENTERPRISEPACK"]},
            {"sku": "ENTERPRISEPACK", "name": "Office 365 E3"},
            {
                "sku": "MCOMEETADV",
                "name": "Microsoft 365 Audio Conferencing",
                "requires_one_of": ["ENTERPRISEPACK"],
                "unavailable_in": ["CN"],
            },
        ],
        "customers": [
            {
                "id": "contoso",
                "name": "Contoso Ltd",
                "subscriptions": [
                    {"sku": "STANDARDPACK", "quantity": 5},
                    {"sku": "ENTERPRISEPACK", "quantity": 2, "alert_below": 1},
                    {"sku": "MCOMEETADV", "quantity": 1},
                ],
                "users": [
                    {
                        "id": "alice@contoso.com",
                        "name": "Alice Adams",
                        "location": "US",
                        "licenses": ["ENTERPRISEPACK", "MCOMEETADV"],
                    },
                    {"id": "bob@contoso.com", "name": "Bob Brown", "location": "DE", "licenses": ["STANDARDPACK"]},
                    {"id": "carol@contoso.com", "name": "Carol Chen"},
                ],
            },
            {"id": "fabrikam", "name": "Fabrikam, Inc."},
        ],
        "operators": [
            {"slack_user_id": "U0ADMIN01", "role": "admin_agent"},
            {"slack_user_id": "U0HELP01", "name": "Harper", "role": "helpdesk_agent", "customers": ["contoso"]},
        ],
    }


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def problems(text: str) -> list[str]:
    with pytest.raises(DirectoryFileError) as caught:
        parse_directory(text)
    return caught.value.problems


def problems_of(doc: dict[str, Any]) -> list[str]:
    return problems(dump(doc))


def contoso(doc: dict[str, Any]) -> dict[str, Any]:
    customer: dict[str, Any] = doc["customers"][0]
    return customer


# --- a valid file -------------------------------------------------------------------------------------------------


def test_a_valid_file_becomes_the_expected_snapshot() -> None:
    assert parse_directory(dump(base())) == Snapshot(
        products=(
            Product("STANDARDPACK", "Office 365 E1", excludes=frozenset({"ENTERPRISEPACK"})),
            Product("ENTERPRISEPACK", "Office 365 E3"),
            Product(
                "MCOMEETADV",
                "Microsoft 365 Audio Conferencing",
                requires_one_of=frozenset({"ENTERPRISEPACK"}),
                unavailable_in=frozenset({"CN"}),
            ),
        ),
        customers=(Customer("contoso", "Contoso Ltd"), Customer("fabrikam", "Fabrikam, Inc.")),
        subscriptions=(
            Subscription("contoso", "STANDARDPACK", 5, assigned=1),
            Subscription("contoso", "ENTERPRISEPACK", 2, assigned=1, alert_below=1),
            Subscription("contoso", "MCOMEETADV", 1, assigned=1),
        ),
        users=(
            User("contoso", "alice@contoso.com", "Alice Adams", "US", frozenset({"ENTERPRISEPACK", "MCOMEETADV"})),
            User("contoso", "bob@contoso.com", "Bob Brown", "DE", frozenset({"STANDARDPACK"})),
            User("contoso", "carol@contoso.com", "Carol Chen"),
        ),
        operators=(
            Operator("U0ADMIN01", Role.ADMIN_AGENT),
            Operator("U0HELP01", Role.HELPDESK_AGENT, "Harper", frozenset({"contoso"})),
        ),
    )


def test_strings_are_trimmed() -> None:
    doc = base()
    contoso(doc)["users"][0].update(id=" alice@contoso.com\t", name="Alice Adams\u00a0", location=" US")
    user = parse_directory(dump(doc)).users[0]
    assert (user.id, user.name, user.location) == ("alice@contoso.com", "Alice Adams", "US")


@pytest.mark.parametrize("customers", [None, ["*"]])
def test_an_operator_without_customers_or_with_star_manages_every_customer(customers: list[str] | None) -> None:
    doc = base()
    if customers is not None:
        doc["operators"][0]["customers"] = customers
    assert parse_directory(dump(doc)).operators[0].customers is None


def test_load_directory_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(dump(base()), encoding="utf-8")
    assert load_directory(path) == parse_directory(dump(base()))


# --- the file as a whole ------------------------------------------------------------------------------------------


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(DirectoryFileError) as caught:
        load_directory(tmp_path / "nope.yaml")
    assert caught.value.problems == [f"cannot read {tmp_path / 'nope.yaml'}: No such file or directory"]


def test_a_file_that_is_not_utf8_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zoë".encode("latin-1"))
    with pytest.raises(DirectoryFileError) as caught:
        load_directory(path)
    assert caught.value.problems == [f"cannot read {path}: not UTF-8 text (byte 8)"]


def test_invalid_yaml_is_one_problem_with_line_and_column() -> None:
    assert problems("products:\n  - sku: [A\n") == [
        "invalid YAML at line 3, column 1: while parsing a flow sequence, did not find expected ',' or ']'"
    ]


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_an_empty_file_is_a_clear_problem(text: str) -> None:
    assert problems(text) == ["the file is empty: expected a mapping with the keys products, customers and operators"]


def test_a_top_level_that_is_not_a_mapping_is_a_clear_problem() -> None:
    assert problems("- a\n- b\n") == [
        "the top level must be a mapping with the keys products, customers and operators, not a list"
    ]


def test_each_top_level_key_is_optional_and_a_wrong_one_hides_none_of_the_others() -> None:
    doc = base()
    del doc["operators"]
    doc["operator"] = []
    doc["products"] = None
    contoso(doc)["users"][0]["location"] = "USA"
    found = problems_of(doc)
    assert found[:2] == [
        "products: must be a list, not null (write [] for none)",
        "operator: is not a known field (expected one of: products, customers, operators)",
    ]
    # The records are still read: the users' own mistakes, and references to the products that were not given.
    assert "customers[0].users[0].location: 'USA' is not an ISO 3166-1 alpha-2 code" in found
    assert "customers[0].users[1].licenses[0]: unknown product 'STANDARDPACK'" in found


@pytest.mark.parametrize("text", ["{}\n", "operator: []\n"])
def test_a_file_naming_none_of_the_top_level_keys_has_nothing_to_import(text: str) -> None:
    assert problems(text)[-1] == "nothing to import: expected at least one of products, customers, operators"


def test_a_duplicate_yaml_key_is_reported_not_silently_dropped() -> None:
    text = dump(base()).replace("  location: US\n", "  location: US\n    location: DE\n", 1)
    line = text.splitlines().index("    location: DE") + 1
    assert problems(text) == [f"line {line}, column 5: duplicate key 'location' (YAML would keep only the last one)"]


# --- the shape of records -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25", "must be a whole number, not '25'"),
        (2.5, "must be a whole number, not 2.5"),
        (True, "must be a whole number, not true"),
        (-1, "must be 0 or more, not -1"),
    ],
)
def test_a_quantity_is_a_non_negative_yaml_integer(value: object, message: str) -> None:
    doc = base()
    contoso(doc)["subscriptions"][0]["quantity"] = value
    assert problems_of(doc) == [f"customers[0].subscriptions[0].quantity: {message}"]


def test_alert_below_cannot_be_negative() -> None:
    doc = base()
    contoso(doc)["subscriptions"][1]["alert_below"] = -3
    assert problems_of(doc) == ["customers[0].subscriptions[1].alert_below: must be 0 or more, not -3"]


@pytest.mark.parametrize("blank", ["", "   "])
def test_skus_and_ids_cannot_be_empty(blank: str) -> None:
    doc = base()
    doc["products"].append({"sku": blank, "name": "Nothing"})
    doc["customers"].append({"id": blank, "name": "Nobody"})
    contoso(doc)["users"][2]["id"] = blank
    assert problems_of(doc) == [
        "products[3].sku: must not be empty",
        "customers[0].users[2].id: must not be empty",
        "customers[2].id: must not be empty",
    ]


def test_a_missing_field_and_an_unknown_field() -> None:
    doc = base()
    del contoso(doc)["users"][1]["name"]
    contoso(doc)["users"][1]["licences"] = []
    assert problems_of(doc) == [
        "customers[0].users[1].name: is required",
        "customers[0].users[1].licences: is not a known field (expected one of: id, name, location, licenses)",
    ]


def test_an_unquoted_no_is_explained() -> None:
    text = dump(base()).replace("location: DE", "location: NO")
    assert problems(text) == [
        "customers[0].users[1].location: must be text, not false (YAML reads unquoted yes/no/on/off/true/false"
        " as booleans: put the value in quotes, for example 'NO')"
    ]


def test_a_number_where_text_is_expected() -> None:
    doc = base()
    contoso(doc)["name"] = 1999
    assert problems_of(doc) == ["customers[0].name: must be text, not 1999 (put it in quotes)"]


def test_a_list_where_a_list_is_expected_but_left_empty() -> None:
    doc = base()
    contoso(doc)["users"] = None
    assert problems_of(doc) == ["customers[0].users: must be a list, not null (write [] for none)"]


def test_a_record_that_is_not_a_mapping() -> None:
    doc = base()
    contoso(doc)["users"][2] = "carol@contoso.com"
    assert problems_of(doc) == ["customers[0].users[2]: must be a mapping of fields, not 'carol@contoso.com'"]


# --- products -----------------------------------------------------------------------------------------------------


def test_duplicate_product_sku() -> None:
    doc = base()
    doc["products"].append({"sku": "ENTERPRISEPACK", "name": "Office 365 E3 again"})
    assert problems_of(doc) == ["products[3].sku: duplicate product 'ENTERPRISEPACK' (first at products[1])"]


@pytest.mark.parametrize("field", ["requires_one_of", "excludes"])
def test_a_product_rule_naming_an_unknown_product(field: str) -> None:
    doc = base()
    doc["products"][1][field] = ["STANDARDPACK", "FOO"]
    if field == "requires_one_of":  # Bob's E1 alone no longer meets nothing: keep the file otherwise valid
        doc["products"][1][field] = ["MCOMEETADV", "FOO"]
        contoso(doc)["users"][0]["licenses"] = ["MCOMEETADV", "ENTERPRISEPACK"]
    assert problems_of(doc) == [f"products[1].{field}[1]: unknown product 'FOO'"]


@pytest.mark.parametrize(("field", "verb"), [("requires_one_of", "require"), ("excludes", "exclude")])
def test_a_product_cannot_require_or_exclude_itself(field: str, verb: str) -> None:
    doc = base()
    doc["products"][0][field] = ["STANDARDPACK"]
    found = problems_of(doc)
    assert found[0] == f"products[0].{field}[0]: a product cannot {verb} itself"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("USA", "'USA' is not an ISO 3166-1 alpha-2 code"),
        ("XX", "'XX' is not an ISO 3166-1 alpha-2 code"),
        ("cn", "'cn' is not an ISO 3166-1 alpha-2 code (did you mean 'CN'?)"),
    ],
)
def test_unavailable_in_must_name_countries(code: str, message: str) -> None:
    doc = base()
    doc["products"][2]["unavailable_in"] = ["CN", code]
    assert problems_of(doc) == [f"products[2].unavailable_in[1]: {message}"]


def test_a_broken_product_does_not_make_its_sku_unknown_everywhere() -> None:
    doc = base()
    del doc["products"][1]["name"]
    assert problems_of(doc) == ["products[1].name: is required"]


# --- customers, subscriptions and users ---------------------------------------------------------------------------


def test_duplicate_customer_id() -> None:
    doc = base()
    doc["customers"].append({"id": "contoso", "name": "Contoso again"})
    assert problems_of(doc) == ["customers[2].id: duplicate customer 'contoso' (first at customers[0])"]


def test_duplicate_subscription_within_a_customer() -> None:
    doc = base()
    contoso(doc)["subscriptions"].append({"sku": "STANDARDPACK", "quantity": 1})
    assert problems_of(doc) == [
        "customers[0].subscriptions[3].sku: duplicate subscription of 'STANDARDPACK' (first at"
        " customers[0].subscriptions[0])"
    ]


def test_duplicate_user_id_within_a_customer_ignoring_case() -> None:
    doc = base()
    contoso(doc)["users"].append({"id": "Alice@Contoso.com", "name": "Alice Again"})
    assert problems_of(doc) == [
        "customers[0].users[3].id: duplicate user 'Alice@Contoso.com' (first at customers[0].users[0])"
    ]


def test_the_same_user_id_in_two_customers_is_fine() -> None:
    doc = base()
    doc["customers"][1]["users"] = [{"id": "alice@contoso.com", "name": "Alice Adams"}]
    assert len(parse_directory(dump(doc)).users) == 4


def test_a_subscription_of_an_unknown_product() -> None:
    doc = base()
    contoso(doc)["subscriptions"].append({"sku": "FOO", "quantity": 3})
    assert problems_of(doc) == ["customers[0].subscriptions[3].sku: unknown product 'FOO'"]


def test_a_license_of_an_unknown_product() -> None:
    doc = base()
    contoso(doc)["users"][1]["licenses"] = ["STANDARDPACK", "FOO"]
    assert problems_of(doc) == ["customers[0].users[1].licenses[1]: unknown product 'FOO'"]


def test_a_license_the_customer_has_no_subscription_of() -> None:
    doc = base()
    del contoso(doc)["subscriptions"][0]
    assert problems_of(doc) == ["customers[0].users[1].licenses[0]: contoso has no subscription of STANDARDPACK"]


def test_more_holders_than_seats() -> None:
    doc = base()
    users = contoso(doc)["users"]
    users += [
        {"id": f"u{i}@contoso.com", "name": f"User {i}", "location": "US", "licenses": ["ENTERPRISEPACK"]}
        for i in range(25)
    ]
    contoso(doc)["subscriptions"][1]["quantity"] = 25
    assert problems_of(doc) == [
        "customers[0].subscriptions[1].quantity: 26 users hold ENTERPRISEPACK but only 25 are owned"
    ]


def test_more_holders_than_seats_in_the_singular() -> None:
    doc = base()
    contoso(doc)["subscriptions"][0]["quantity"] = 0
    contoso(doc)["subscriptions"][1]["quantity"] = 1
    contoso(doc)["users"][2].update(location="GB", licenses=["ENTERPRISEPACK"])
    assert problems_of(doc) == [
        "customers[0].subscriptions[0].quantity: 1 user holds STANDARDPACK but only 0 are owned",
        "customers[0].subscriptions[1].quantity: 2 users hold ENTERPRISEPACK but only 1 is owned",
    ]


@pytest.mark.parametrize("declared_on", ["STANDARDPACK", "ENTERPRISEPACK"])
@pytest.mark.parametrize("held", [["STANDARDPACK", "ENTERPRISEPACK"], ["ENTERPRISEPACK", "STANDARDPACK"]])
def test_holding_two_products_that_exclude_each_other(declared_on: str, held: list[str]) -> None:
    doc = base()
    del doc["products"][0]["excludes"]
    other = "ENTERPRISEPACK" if declared_on == "STANDARDPACK" else "STANDARDPACK"
    next(p for p in doc["products"] if p["sku"] == declared_on)["excludes"] = [other]
    contoso(doc)["users"][1]["licenses"] = held
    assert problems_of(doc) == [f"customers[0].users[1].licenses[1]: {held[0]} and {held[1]} exclude each other"]


def test_holding_a_product_whose_requirement_is_not_met() -> None:
    doc = base()
    contoso(doc)["users"][1]["licenses"] = ["STANDARDPACK", "MCOMEETADV"]
    contoso(doc)["users"][0]["licenses"] = ["ENTERPRISEPACK"]
    assert problems_of(doc) == [
        "customers[0].users[1].licenses[1]: MCOMEETADV requires one of ENTERPRISEPACK, and the user holds none"
    ]


def test_holding_a_product_unavailable_in_the_users_location() -> None:
    doc = base()
    contoso(doc)["users"][0]["location"] = "CN"
    assert problems_of(doc) == [
        "customers[0].users[0].licenses[1]: MCOMEETADV is not available in CN, the user's location"
    ]


def test_holding_licenses_without_a_location() -> None:
    doc = base()
    del contoso(doc)["users"][1]["location"]
    assert problems_of(doc) == ["customers[0].users[1].location: is required for a user who holds licenses"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("USA", "'USA' is not an ISO 3166-1 alpha-2 code"),
        ("us", "'us' is not an ISO 3166-1 alpha-2 code (did you mean 'US'?)"),
        ("UK", "'UK' is not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_a_user_location_must_be_an_uppercase_alpha2_code(code: str, message: str) -> None:
    doc = base()
    contoso(doc)["users"][2]["location"] = code
    assert problems_of(doc) == [f"customers[0].users[2].location: {message}"]


# --- operators ----------------------------------------------------------------------------------------------------


def test_duplicate_operator() -> None:
    doc = base()
    doc["operators"].append({"slack_user_id": "U0ADMIN01", "role": "sales_agent"})
    assert problems_of(doc) == ["operators[2].slack_user_id: duplicate operator 'U0ADMIN01' (first at operators[0])"]


def test_an_operator_id_that_is_not_a_slack_user_id() -> None:
    doc = base()
    doc["operators"][0]["slack_user_id"] = "@pat"
    assert problems_of(doc) == ["operators[0].slack_user_id: '@pat' is not a Slack user id (like U0123ABCD)"]


def test_an_unknown_role_lists_the_allowed_ones() -> None:
    doc = base()
    doc["operators"][1]["role"] = "admin"
    assert problems_of(doc) == [
        "operators[1].role: 'admin' is not a role; use one of admin_agent, global_admin, helpdesk_agent,"
        " sales_agent, user_management_admin"
    ]


def test_an_operator_scoped_to_an_unknown_customer() -> None:
    doc = base()
    doc["operators"][1]["customers"] = ["contoso", "northwind"]
    assert problems_of(doc) == ["operators[1].customers[1]: unknown customer 'northwind'"]


def test_star_cannot_be_mixed_with_customer_ids() -> None:
    doc = base()
    doc["operators"][1]["customers"] = ["*", "contoso"]
    assert problems_of(doc) == ["operators[1].customers: '*' (every customer) cannot be combined with customer ids"]


def test_an_empty_customer_list_is_refused_as_ambiguous() -> None:
    doc = base()
    doc["operators"][1]["customers"] = []
    assert problems_of(doc) == [
        'operators[1].customers: must name at least one customer id, or be ["*"] for every customer'
    ]


# --- every problem at once ----------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    doc = base()
    doc["products"][0]["excludes"] = ["ENTERPRISEPACK", "FOO"]
    contoso(doc)["subscriptions"][2]["quantity"] = "1"
    contoso(doc)["users"][0]["location"] = "USA"
    contoso(doc)["users"][1]["licenses"] = ["STANDARDPACK", "ENTERPRISEPACK"]
    contoso(doc)["users"].append({"id": "bob@contoso.com", "name": "Bob Again"})
    doc["operators"][1]["role"] = "boss"
    assert problems_of(doc) == [
        "products[0].excludes[1]: unknown product 'FOO'",
        "customers[0].subscriptions[2].quantity: must be a whole number, not '1'",
        "customers[0].users[0].location: 'USA' is not an ISO 3166-1 alpha-2 code",
        "customers[0].users[1].licenses[1]: STANDARDPACK and ENTERPRISEPACK exclude each other",
        "customers[0].users[3].id: duplicate user 'bob@contoso.com' (first at customers[0].users[1])",
        "operators[1].role: 'boss' is not a role; use one of admin_agent, global_admin, helpdesk_agent,"
        " sales_agent, user_management_admin",
    ]


# --- the demo directory -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return load_directory(DEMO)


def test_the_demo_is_what_the_generator_writes() -> None:
    generator = runpy.run_path(str(EXAMPLES / "make_demo.py"), run_name="make_demo")
    assert generator["render"]() == DEMO.read_text(encoding="utf-8"), "run: python examples/make_demo.py"


def test_the_demo_has_a_large_customer_every_role_and_every_kind_of_data(demo: Snapshot) -> None:
    per_customer = Counter(u.customer_id for u in demo.users)
    assert max(per_customer.values()) > 2000
    assert {o.role for o in demo.operators} == set(Role)
    assert any(o.customers is not None for o in demo.operators)
    assert any(u.location is None for u in demo.users)
    assert any(s.available == 0 for s in demo.subscriptions)
    assert any(s.alert_below is not None and s.available < s.alert_below for s in demo.subscriptions)
    assert any("&" in c.name and "<" in c.name for c in demo.customers)
    assert any(u.name.startswith("<!channel>") for u in demo.users)


def test_the_demo_uses_every_kind_of_rule(demo: Snapshot) -> None:
    catalogue = {p.sku: p for p in demo.products}
    assert catalogue["O365_BUSINESS_PREMIUM"].name == "Microsoft 365 Business Standard"
    assert catalogue["SPB"].name == "Microsoft 365 Business Premium"
    assert any(p.excludes for p in demo.products)
    required = {sku for sku, p in catalogue.items() if p.requires_one_of}
    assert any(u.licenses & required for u in demo.users)
    # someone is located where a product they do not hold is unavailable
    restricted = {c for p in demo.products for c in p.unavailable_in}
    assert any(u.licenses and u.location in restricted for u in demo.users)


def test_the_demo_keeps_every_invariant(demo: Snapshot) -> None:
    catalogue = {p.sku: p for p in demo.products}
    for customer in demo.customers:
        users = [u for u in demo.users if u.customer_id == customer.id]
        holders = Counter(sku for u in users for sku in u.licenses)
        subscriptions = {
            s.sku: dataclasses.replace(s, assigned=holders[s.sku])
            for s in demo.subscriptions
            if s.customer_id == customer.id
        }
        assert [s.assigned for s in subscriptions.values()] == [
            s.assigned for s in demo.subscriptions if s.customer_id == customer.id
        ]
        assert violations(customer, subscriptions, users, catalogue) == []


def test_a_connected_customer_takes_its_subscriptions_and_users_from_the_tenant() -> None:
    from licensing.tenants import Tenant

    text = """
products: [{sku: E1, name: Office 365 E1}]
customers:
  - {id: contoso, name: Contoso, tenant_id: contoso.onmicrosoft.com}
  - {id: fab, name: Fabrikam, tenant_id: 3f2504e0-4f89-41d3-9a0c-0305e82c3301}
operators: []
"""
    snapshot = parse_directory(text)
    assert snapshot.tenants == (
        Tenant("contoso", "contoso.onmicrosoft.com"),
        Tenant("fab", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
    )
    assert [c.id for c in snapshot.customers] == ["contoso", "fab"]


def test_listing_subscriptions_or_users_for_a_connected_customer_is_an_error_with_its_path() -> None:
    text = """
products: [{sku: E1, name: Office 365 E1}]
customers:
  - id: contoso
    name: Contoso
    tenant_id: contoso.onmicrosoft.com
    subscriptions: [{sku: E1, quantity: 1}]
    users: [{id: ann, name: Ann}]
  - {id: fab, name: Fabrikam, tenant_id: "not a tenant"}
operators: []
"""
    with pytest.raises(DirectoryFileError) as e:
        parse_directory(text)
    assert [p.split(":")[0] for p in e.value.problems] == [
        "customers[0].subscriptions",
        "customers[0].users",
        "customers[1].tenant_id",
    ]
    assert "connected to Microsoft 365" in e.value.problems[0]
