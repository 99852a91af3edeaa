"""`licensebot` as a script would use it, on SQLite and PostgreSQL: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine

DIRECTORY = Path(__file__).resolve().parents[1] / "app" / "directory.yaml"
ADMIN = "UADMIN01"


def test_import_twice_changes_nothing_the_second_time(loaded) -> None:  # type: ignore[no-untyped-def]
    again = loaded("import", str(DIRECTORY))
    assert (again.exit_code, again.output.strip()) == (0, f"{DIRECTORY}: already up to date, nothing changed")


def test_a_bad_directory_file_lists_every_problem_and_imports_nothing(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "products: [{sku: X, name: X Product}]\n"
        "customers:\n"
        "  - id: initech\n    name: Initech\n    subscriptions: [{sku: X, quantity: 1}]\n"
        "    users:\n"
        "      - {id: a, name: A, location: USA, licenses: [X]}\n"
        "      - {id: b, name: B, location: US, licenses: [X]}\n"
        "operators: []\n"
    )
    result = loaded("import", str(bad))
    assert result.exit_code == 2
    assert "customers[0].users[0].location: 'USA' is not an ISO 3166-1 alpha-2 code" in result.stderr
    assert "customers[0].subscriptions[0].quantity: 2 users hold X but only 1 is owned" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    shown = loaded("licenses", "show", "initech")
    assert shown.exit_code == 2 and "No customer with id 'initech'" in shown.stderr


def test_a_file_with_only_users_adds_them_to_a_stored_customer(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    part = tmp_path / "gina.yaml"
    part.write_text(
        "customers:\n  - id: fabrikam\n    users:\n"
        "      - {id: gina@fabrikam.com, name: Gina Gray, location: US, licenses: [ENTERPRISEPREMIUM]}\n"
    )
    result = loaded("import", str(part))
    assert (result.exit_code, result.output.strip()) == (0, f"{part}: imported (1 users created or changed)")
    users = json.loads(loaded("users", "fabrikam", "--json").output)["users"]
    assert [(u["id"], u["licenses"]) for u in users] == [
        ("fay@fabrikam.com", []),
        ("gina@fabrikam.com", ["ENTERPRISEPREMIUM"]),
    ]


def test_a_partial_file_with_problems_lists_each_with_its_path_and_imports_nothing(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    part = tmp_path / "bad.yaml"
    part.write_text(
        "customers:\n  - id: fabrikam\n    users:\n"
        "      - {id: gina@fabrikam.com, name: Gina Gray, location: US, licenses: [VISIOCLIENT]}\n"
        "  - id: initech\n"
        "operator: []\n"
    )
    result = loaded("import", str(part))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "operator: is not a known field (expected one of: products, customers, operators)",
        "customers[0].users[0].licenses[0]: fabrikam has no subscription of VISIOCLIENT",
        "customers[1].name: is required for a new customer",
        "error: The directory file has 3 problems. Nothing was imported.",
    ]
    assert json.loads(loaded("users", "fabrikam", "--json").output)["total"] == 1


def test_show_as_json(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("licenses", "show", "contoso", "--users", "alice@contoso.com,bob@contoso.com", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["customer"] == "contoso"
    e3 = next(p for p in data["products"] if p["sku"] == "ENTERPRISEPACK")
    services = e3.pop("services")  # tests/integration/test_services_cli.py tells their states
    assert len(services) == 37 and {"plan": "TEAMS1", "name": "Microsoft Teams", "state": "all"} in services
    assert e3 == {
        "sku": "ENTERPRISEPACK",
        "name": "Office 365 E3",
        "quantity": 3,
        "assigned": 2,
        "available": 1,
        "overused": 0,
        "holders": ["alice@contoso.com"],
        "state": "some",
        "reducible": None,  # no Partner Center set up (tests/tenants/test_reduce.py shows one)
    }


def test_show_as_a_table(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("licenses", "show", "contoso")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Contoso Ltd (contoso), 0 user(s) selected"
    assert any(
        line.split()[:2] == ["ENTERPRISEPACK", "Office"] and line.split()[-2:] == ["1", "none"] for line in lines
    )


def test_customers_lists_every_customer_with_its_users_and_products(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("customers")
    assert result.exit_code == 0
    rows = [line.split() for line in result.output.splitlines()]
    assert rows[0] == ["ID", "NAME", "USERS", "PRODUCTS"]
    assert rows[2:] == [["contoso", "Contoso", "Ltd", "25", "5"], ["fabrikam", "Fabrikam,", "Inc.", "1", "1"]]
    data = json.loads(loaded("customers", "--json").output)
    assert data["customers"][1] == {"id": "fabrikam", "name": "Fabrikam, Inc.", "users": 1, "products": 1}


def test_customers_on_an_empty_directory_says_how_to_load_one(run) -> None:  # type: ignore[no-untyped-def]
    assert run("db", "upgrade").exit_code == 0
    result = run("customers")
    assert (result.exit_code, result.output.strip()) == (
        0,
        "no customers yet: load a directory file with `licensebot import FILE.yaml`",
    )


def test_users_searches_and_pages_a_customers_users(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("users", "contoso", "--search", "ERIN")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Contoso Ltd (contoso): 1 user matching 'ERIN', page 1 of 1"
    assert lines[-1].split() == ["erin@contoso.com", "Erin", "Evans", "US", "ENTERPRISEPACK", "MCOMEETADV"]
    data = json.loads(loaded("users", "contoso", "--search", "zed user", "--page", "1", "--json").output)
    assert (data["total"], data["page"], data["page_count"], len(data["users"])) == (17, 1, 1, 17)
    assert data["users"][0] == {
        "id": "user01@contoso.com",
        "name": "Zed User 01",
        "location": "US",
        "licenses": [],
        "disabled_plans": {},
    }
    nolo = json.loads(loaded("users", "contoso", "--search", "nolo", "--json").output)["users"]
    assert nolo == [
        {"id": "nolo@contoso.com", "name": "Nolo Nowhere", "location": None, "licenses": [], "disabled_plans": {}}
    ]


def test_users_of_an_unknown_customer_exits_2(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("users", "initech")
    assert (result.exit_code, result.stderr) == (2, "error: No customer with id 'initech'.\n")


def test_apply_assigns_and_reports_json_then_the_key_replays(loaded) -> None:  # type: ignore[no-untyped-def]
    args = (
        "licenses",
        "apply",
        "contoso",
        "--users",
        "bob@contoso.com",
        "--assign",
        "ENTERPRISEPREMIUM",
        "--as",
        ADMIN,
        "--key",
        "k-1",
        "--json",
    )
    first = loaded(*args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["dry_run"] is False and data["batch_id"]
    assert [(r["user"], r["status"], r["assigned"], r["errors"]) for r in data["results"]] == [
        ("bob@contoso.com", "updated", ["ENTERPRISEPREMIUM"], [])
    ]
    again = loaded(*args)
    assert json.loads(again.output)["batch_id"] == data["batch_id"]
    show = json.loads(loaded("licenses", "show", "contoso", "--json").output)
    assert next(p for p in show["products"] if p["sku"] == "ENTERPRISEPREMIUM")["assigned"] == 1


def test_apply_with_a_failed_user_exits_1_and_says_why(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "carol@contoso.com,bob@contoso.com",
        "--assign",
        "ENTERPRISEPACK",
        "--as",
        ADMIN,
    )
    assert result.exit_code == 1
    assert "location_not_allowed: Office 365 E3 is not available in CN" in result.output
    assert "1 updated, 0 unchanged, 1 failed" in result.output


def test_apply_moves_users_and_assigns_in_one_batch(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "carol@contoso.com",
        "--location",
        "us",
        "--assign",
        "ENTERPRISEPACK",
        "--as",
        ADMIN,
    )
    assert result.exit_code == 0, result.output
    row = next(line.split() for line in result.output.splitlines() if line.startswith("carol@contoso.com"))
    assert row == ["carol@contoso.com", "updated", "ENTERPRISEPACK", "US"]
    bad = loaded("licenses", "apply", "contoso", "--users", "carol@contoso.com", "--location", "USA", "--as", ADMIN)
    assert bad.exit_code == 2 and "'USA' is not an ISO 3166-1 alpha-2 country code" in bad.stderr


def test_dry_run_changes_nothing(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "bob@contoso.com",
        "--assign",
        "ENTERPRISEPREMIUM",
        "--as",
        ADMIN,
        "--dry-run",
        "--json",
    )
    assert result.exit_code == 0 and json.loads(result.output)["dry_run"] is True
    show = json.loads(loaded("licenses", "show", "contoso", "--json").output)
    assert next(p for p in show["products"] if p["sku"] == "ENTERPRISEPREMIUM")["assigned"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("licenses", "apply", "initech", "--users", "a", "--assign", "X", "--as", ADMIN),
            "error: No customer with id 'initech'.",
        ),
        (
            ("licenses", "apply", "contoso", "--users", "a", "--assign", "X", "--revoke", "X", "--as", ADMIN),
            "error: A product cannot be assigned and revoked at once: X.",
        ),
        (
            ("licenses", "apply", "contoso", "--users", "a", "--as", ADMIN),
            "error: Nothing to change: choose a product to assign or revoke, a service to turn on or off, or a usage "
            "location.",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(loaded, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = loaded(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_apply_as_someone_who_is_no_operator_is_bad_input(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "bob@contoso.com",
        "--assign",
        "ENTERPRISEPREMIUM",
        "--as",
        "U0NOBODY",
    )
    assert (result.exit_code, result.output) == (
        2,
        "error: --as U0NOBODY: no operator has that Slack user id; use one from the directory file's operators\n",
    )
    show = json.loads(loaded("licenses", "show", "contoso", "--json").output)
    assert next(p for p in show["products"] if p["sku"] == "ENTERPRISEPREMIUM")["assigned"] == 0


def test_a_key_reused_for_another_change_is_bad_input(loaded) -> None:  # type: ignore[no-untyped-def]
    base = ("licenses", "apply", "contoso", "--assign", "ENTERPRISEPREMIUM", "--as", ADMIN, "--key", "k-2")
    assert loaded(*base, "--users", "bob@contoso.com").exit_code == 0
    result = loaded(*base, "--users", "bob@contoso.com,dave@contoso.com")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: The idempotency key 'k-2' was already used for a different change."


def test_check_passes_then_reports_a_violation_with_exit_1(loaded, db_url: str) -> None:  # type: ignore[no-untyped-def]
    ok = loaded("check")
    assert (ok.exit_code, ok.output.strip()) == (0, "ok: every invariant holds")
    engine = make_engine(db_url)
    with engine.begin() as conn:  # a license written behind the service's back: counter and exclusion broken
        conn.execute(
            text(
                "INSERT INTO user_licenses (customer_id, user_id, sku) VALUES "
                "('contoso', 'frank@contoso.com', 'ENTERPRISEPACK')"
            )
        )
    engine.dispose()
    bad = loaded("check")
    assert bad.exit_code == 1
    assert "contoso: ENTERPRISEPACK counts 2 assigned but 3 users hold it" in bad.output
    assert "contoso/frank@contoso.com: holds Office 365 E3 and Office 365 E1, which exclude each other" in bad.output
    assert "error: 2 violations found" in bad.stderr


def test_an_unmigrated_database_gets_a_clear_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("licenses", "show", "contoso")
    assert result.exit_code == 2
    assert "licensebot db upgrade` first" in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_first_sync_with_no_app_and_no_connected_customer_says_so_and_exits_0(loaded, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_ID", raising=False)  # no Microsoft 365 app; the directory is local
    said = loaded("sync")
    assert (said.exit_code, said.output.strip()) == (0, "no customer is connected to Microsoft 365")
    as_json = loaded("sync", "--json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == {
        "tenants": [],
        "reconciled": [],
        "note": "no customer is connected to Microsoft 365",
    }
    named = loaded("sync", "contoso")  # naming a customer asks for a sync that needs the app
    assert named.exit_code == 2 and "no Microsoft 365 app is configured" in named.stderr


def test_sync_on_an_unmigrated_database_gets_a_clear_error(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_ID", raising=False)
    result = run("sync")
    assert result.exit_code == 2
    assert "licensebot db upgrade` first" in result.stderr and result.stderr.count("\n") == 1
