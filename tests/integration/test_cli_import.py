"""`licensebot import` over changes made since the file was written: undone, but never silently. What it changes in
stored users and subscriptions is printed per customer, audited "by directory import" with the file, and a dry run
prints the same and writes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.integration.conftest import DIRECTORY

ADMIN = "UADMIN01"
UNDONE = [
    "contoso: 1 user, 1 quantity changed",
    "  bob@contoso.com: revoked ENTERPRISEPREMIUM; usage location FR → DE",
    "  ENTERPRISEPREMIUM: 4 → 2 owned",
]


def changed_since_the_file(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What a day in Slack does: Bob moved to FR and given E5, two more E5 bought."""
    more = tmp_path / "more.yaml"
    more.write_text("customers:\n  - id: contoso\n    subscriptions: [{sku: ENTERPRISEPREMIUM, quantity: 4}]\n")
    assert loaded("import", str(more)).exit_code == 0
    bob = ("--users", "bob@contoso.com", "--assign", "ENTERPRISEPREMIUM", "--location", "FR", "--as", ADMIN)
    assert loaded("licenses", "apply", "contoso", *bob).exit_code == 0


def bob(loaded) -> dict:  # type: ignore[no-untyped-def, type-arg]
    users = json.loads(loaded("users", "contoso", "--search", "bob", "--json").output)["users"]
    return {"location": users[0]["location"], "licenses": users[0]["licenses"]}


def import_lines(loaded) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = loaded("audit", "export", "--customer", "contoso").output
    rows = csv.DictReader(io.StringIO(out))
    return [r for r in rows if r["operator"] == "directory import" and r["reason"].endswith(f" from {DIRECTORY}")]


def test_an_import_undoing_changes_made_since_says_each_and_audits_it(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    changed_since_the_file(loaded, tmp_path)
    result = loaded("import", str(DIRECTORY))
    assert result.exit_code == 0
    assert (
        result.output.splitlines() == [f"{DIRECTORY}: imported (1 subscriptions, 1 users created or changed)"] + UNDONE
    )
    assert bob(loaded) == {"location": "DE", "licenses": []}
    why = f"by directory import from {DIRECTORY}"
    lines = [(r["user_id"], r["sku"], r["action"], r["outcome"], r["reason"]) for r in import_lines(loaded)]
    assert lines == [
        ("bob@contoso.com", "", "set_location:DE", "applied", why),
        ("bob@contoso.com", "ENTERPRISEPREMIUM", "revoke", "applied", why),
        ("", "ENTERPRISEPREMIUM", "quantity", "applied", f"4 → 2 owned, {why}"),
    ]
    assert len({r["batch_id"] for r in import_lines(loaded)}) == 1
    assert loaded("import", str(DIRECTORY)).output.strip() == f"{DIRECTORY}: already up to date, nothing changed"


def test_a_dry_run_says_the_same_and_writes_nothing(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    changed_since_the_file(loaded, tmp_path)
    dry = loaded("import", str(DIRECTORY), "--dry-run")
    assert dry.exit_code == 0
    head = f"{DIRECTORY}: dry run, nothing written; would import (1 subscriptions, 1 users created or changed)"
    assert dry.output.splitlines() == [head] + UNDONE
    assert bob(loaded) == {"location": "FR", "licenses": ["ENTERPRISEPREMIUM"]}
    assert import_lines(loaded) == []
    assert loaded("import", str(DIRECTORY)).output.splitlines()[1:] == UNDONE


def test_new_users_are_counted_not_listed_as_changes(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    part = tmp_path / "gina.yaml"
    part.write_text("customers:\n  - id: fabrikam\n    users:\n      - {id: gina@fabrikam.com, name: Gina Gray}\n")
    assert loaded("import", str(part)).output.splitlines() == [f"{part}: imported (1 users created or changed)"]
    out = loaded("audit", "export", "--customer", "fabrikam").output
    assert "directory import" not in out


def test_an_import_keeps_the_services_turned_off_since(loaded) -> None:  # type: ignore[no-untyped-def]
    # A directory file cannot say which services are off (licensing/directory/schema.py): it leaves them as they are.
    alice = ("--users", "alice@contoso.com", "--disable", "ENTERPRISEPACK:TEAMS1", "--as", ADMIN)
    assert loaded("licenses", "apply", "contoso", *alice).exit_code == 0
    assert loaded("import", str(DIRECTORY)).output.strip() == f"{DIRECTORY}: already up to date, nothing changed"
    shown = json.loads(loaded("licenses", "show", "contoso", "--users", "alice@contoso.com", "--json").output)
    [e3] = [p for p in shown["products"] if p["sku"] == "ENTERPRISEPACK"]
    assert {s["plan"]: s["state"] for s in e3["services"]}["TEAMS1"] == "none"
    assert import_lines(loaded) == []
