"""A directory file that adds to or changes part of a stored directory: its references resolve against the file
and what is stored, and the import stays all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from licensing.directory import Snapshot
from licensing.directory.file import parse_directory
from licensing.directory.importer import StoredDirectory, import_file
from licensing.errors import DirectoryFileError
from licensing.model import Customer, Operator, Role, User
from tests.world import AUDIO, E1, E3, E5, PBI, world


def parse(text: str) -> Snapshot:
    uow = world()
    with uow:
        return parse_directory(text, StoredDirectory(uow))


def problems(text: str) -> list[str]:
    with pytest.raises(DirectoryFileError) as caught:
        parse(text)
    return caught.value.problems


def test_users_alone_for_a_stored_customer_resolve_against_its_products_and_subscriptions() -> None:
    snapshot = parse(
        "customers:\n"
        "  - id: contoso\n"
        "    users:\n"
        f"      - {{id: gina@contoso.com, name: Gina Gray, location: US, licenses: [{E3}, {AUDIO}]}}\n"
    )
    assert snapshot.customers == (Customer("contoso", "Contoso Ltd"),)  # the stored name is kept
    assert snapshot.users == (User("contoso", "gina@contoso.com", "Gina Gray", "US", frozenset({E3, AUDIO})),)


def test_stored_rules_still_apply_to_a_partial_file() -> None:
    found = problems(
        "customers:\n"
        "  - id: contoso\n"
        "    users:\n"
        f"      - {{id: gina@contoso.com, name: Gina Gray, location: CN, licenses: [{E1}, {E3}, {AUDIO}, {PBI}]}}\n"
    )
    assert found == [
        f"customers[0].users[0].licenses[1]: {E3} is not available in CN, the user's location",
        f"customers[0].users[0].licenses[1]: {E1} and {E3} exclude each other",
        f"customers[0].users[0].licenses[3]: contoso has no subscription of {PBI}",
    ]


def test_a_new_customer_needs_a_name_and_unknown_references_are_named() -> None:
    assert problems(
        "customers:\n"
        "  - id: initech\n"
        "    subscriptions: [{sku: NOPE, quantity: 1}]\n"
        "operators:\n"
        "  - {slack_user_id: U0NEW01, role: helpdesk_agent, customers: [contoso, initech, globex]}\n"
    ) == [
        "customers[0].name: is required for a new customer",
        "customers[0].subscriptions[0].sku: unknown product 'NOPE'",
        "operators[0].customers[2]: unknown customer 'globex'",
    ]


def test_an_operator_for_stored_customers_and_a_product_requiring_a_stored_one() -> None:
    snapshot = parse(
        "products:\n"
        f"  - {{sku: TEAMS_PHONE, name: Teams Phone, requires_one_of: [{E3}, {E5}]}}\n"
        "operators:\n"
        "  - {slack_user_id: U0NEW01, role: helpdesk_agent, customers: [contoso, fabrikam]}\n"
    )
    assert snapshot.operators == (Operator("U0NEW01", Role.HELPDESK_AGENT, None, frozenset({"contoso", "fabrikam"})),)


def test_import_file_adds_a_user_to_the_stored_directory(tmp_path: Path) -> None:
    uow = world()
    path = tmp_path / "gina.yaml"
    path.write_text(
        f"customers:\n  - id: contoso\n    users:\n      - {{id: gina, name: Gina, location: US, licenses: [{E3}]}}\n"
    )
    report = import_file(path, uow=uow)
    assert report.counts["users"] == 1 and uow.commits == 1
    assert uow.state.subscriptions[("contoso", E3)].assigned == 3
    assert len([u for (c, _), u in uow.state.users.items() if c == "contoso"]) == 7  # the others are untouched


def test_import_file_that_would_oversell_with_the_stored_users_keeps_nothing(tmp_path: Path) -> None:
    uow = world()  # contoso owns 3 E3 and 2 are held
    path = tmp_path / "two.yaml"
    users = "".join(f"      - {{id: u{i}, name: U {i}, location: US, licenses: [{E3}]}}\n" for i in range(2))
    path.write_text(f"customers:\n  - id: contoso\n    users:\n{users}")
    with pytest.raises(DirectoryFileError) as caught:
        import_file(path, uow=uow)
    # Found once the stored users are counted too, pointed at the customer's entry in the file, and said once (the
    # counter, capped at what is owned, is not reported as a second problem).
    assert caught.value.problems == [f"customers[0]: contoso: 4 users hold {E3} but only 3 are owned"]
    assert uow.commits == 0 and ("contoso", "u0") not in uow.state.users
