"""The alert settings: LICENSEBOT_ALERT_BELOW, _EXCLUDE and _TIME into the alert policy, and a bad value refused
at start-up in one line."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from bot.settings import Settings
from cli import main


def test_the_policy_comes_from_the_three_settings_and_the_time_is_utc_hh_mm() -> None:
    policy = Settings(
        licensebot_alert_below=2,
        licensebot_alert_exclude=" FLOW_FREE, ,TEAMS_EXPLORATORY ",
        licensebot_alert_time="7:05",
    ).alert_policy()  # type: ignore[call-arg]
    assert (policy.default_below, policy.exclude, policy.remind_at) == (
        2,
        frozenset({"FLOW_FREE", "TEAMS_EXPLORATORY"}),
        time(7, 5),
    )
    assert Settings().alert_policy().remind_at == time(9, 0) and Settings().alert_policy().default_below is None


@pytest.mark.parametrize("value", ["9am", "24:00", "09:60", "0900", "09:5", "-1:00", ""])
def test_a_bad_alert_time_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="must be a time of day as HH:MM in UTC"):
        Settings(licensebot_alert_time=value)  # type: ignore[call-arg]


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(ValidationError, match="must be 0 or more"):
        Settings(licensebot_alert_below=-1)  # type: ignore[call-arg]


def test_a_bad_setting_stops_a_command_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("LICENSEBOT_ALERT_TIME", "9am")
    result = CliRunner().invoke(main, ["customers"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: LICENSEBOT_ALERT_TIME: Value error, must be a time of day as HH:MM in UTC, e.g. 09:00, not '9am'\n"
    )
