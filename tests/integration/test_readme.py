"""The README's commands, run as written against the demo directory, so the README cannot drift from the CLI.

Every `licensebot ...` line of the README's code blocks runs, in order, in-process, on a fresh SQLite database in an
empty working directory (where `examples/` is the project's); the README's own `db upgrade` and `import
examples/demo.yaml` come first. `serve` and `worker` run until stopped and need Slack: their arguments are parsed
and checked by click without starting them (tests/app/test_serve.py starts them for real).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from licensing.directory.file import parse_directory

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Commands that need an outside service (Slack): only parsed here; tests/app runs them against the fakes. `sync`
# runs: the demo directory connects no customer, so it says there is nothing to sync (tests/tenants syncs a tenant).
NEEDS_A_SERVICE = {"serve", "worker"}


def code_blocks(language: str | None = None) -> list[str]:
    found = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
    return [body for lang, body in found if language is None or lang == language]


def commands() -> list[list[str]]:
    """Each `licensebot` (or `.venv/bin/licensebot`) command's arguments, continuation lines joined, comments cut."""
    found = []
    for block in code_blocks():
        for line in block.replace("\\\n", " ").splitlines():
            if not line.lstrip().startswith(("licensebot ", ".venv/bin/licensebot ")):
                continue  # a code block of prose (the layout tree) is no command
            words = shlex.split(line, comments=True)
            found.append(words[1:])
    return found


def parse_only(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse a command and convert its values exactly as when it runs, with a callback that then does nothing."""
    monkeypatch.setattr(main.commands[args[0]], "callback", lambda **_: None)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"licensebot {shlex.join(args)}\n{result.output}"


def test_the_readme_says_where_the_command_is() -> None:
    assert ".venv/bin/licensebot" in README and "source .venv/bin/activate" in README


def test_every_readme_command_runs_as_written_against_the_demo_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read, and examples/ is found as in a checkout
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.delenv("LICENSEBOT_GRAPH_CLIENT_ID", raising=False)  # a first run: no Microsoft 365 app set up
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'licensebot.db'}"}
    ran = []
    for args in commands():
        if args[0] in NEEDS_A_SERVICE:
            parse_only(args, monkeypatch)
            continue
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, f"licensebot {shlex.join(args)}\n{result.output}"
        ran.append(args[:2])
    # The README shows each of these at least once (and the loop above ran it).
    for shown in (
        ["db", "upgrade"],
        ["import", "examples/demo.yaml"],
        ["check"],
        ["customers"],
        ["users", "contoso"],
        ["licenses", "show"],
        ["licenses", "apply"],
        ["outbox"],
        ["sync"],
    ):
        assert any(a[: len(shown)] == shown for a in ran), shown

    applied = CliRunner().invoke(main, ["users", "contoso", "--search", "alice@", "--json"], env=env)
    assert '"ENTERPRISEPREMIUM"' in applied.output  # the apply example changed something, not only exited 0

    # The partial directory file the README shows imports into the demo directory.
    partial = next(b for b in code_blocks("yaml") if not b.startswith("products:"))
    (tmp_path / "partial.yaml").write_text(partial, encoding="utf-8")
    imported = CliRunner().invoke(main, ["import", "partial.yaml"], env=env, catch_exceptions=False)
    assert imported.exit_code == 0, imported.output


def test_the_readmes_whole_directory_file_example_is_valid_on_its_own() -> None:
    whole = next(b for b in code_blocks("yaml") if b.startswith("products:"))
    snapshot = parse_directory(whole)
    assert yaml.safe_load(whole)["customers"][0]["id"] == snapshot.customers[0].id


@pytest.mark.parametrize("args", [["serve", "--port", "many"], ["worker", "--bogus"]])
def test_parse_only_catches_what_would_fail(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(AssertionError, match="exit_code"):
        parse_only(args, monkeypatch)
