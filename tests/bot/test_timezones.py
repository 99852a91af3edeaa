"""The operator's timezone from users.info: by IANA name, else by offset, else UTC; asked once per cache period."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack.timezones import zone_of
from fakes.slack import FakeSlack


def test_the_zone_is_slacks_named_zone_and_shows_times_in_it(fake_slack: FakeSlack) -> None:
    fake_slack.set_timezone("U1", "Asia/Kolkata", 19800)
    zone = zone_of(fake_slack.client(), "U1")
    assert zone.label == "Asia/Kolkata"
    assert zone.show(datetime(2027, 3, 10, 18, 30, tzinfo=UTC)) == "Thu 11 Mar 2027, 00:00 (Asia/Kolkata)"


def test_an_unknown_name_falls_back_to_the_offset_and_a_failure_to_utc(fake_slack: FakeSlack) -> None:
    fake_slack.set_timezone("U2", "Mars/Olympus_Mons", -12600)
    assert zone_of(fake_slack.client(), "U2").label == "UTC-03:30"
    fake_slack.fail("users.info", "user_not_found")
    assert zone_of(fake_slack.client(), "U3").label == "UTC"


def test_slack_is_asked_once_per_user_within_the_cache_period(fake_slack: FakeSlack) -> None:
    client = fake_slack.client()
    for _ in range(3):
        zone_of(client, "U4")
    zone_of(client, "U5")
    assert [c.args.get("user") for c in fake_slack.calls("users.info")] == ["U4", "U5"]
