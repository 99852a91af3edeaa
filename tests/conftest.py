"""Fixtures every folder under tests/ may ask for, loaded as plugins rather than imported into test modules."""

from typing import Any

import pytest
from slack_sdk.models.basic_objects import JsonObject

from blocks import render

pytest_plugins = ["tests.databases", "tests.slack.fixtures", "tests.m365.fixtures", "tests.partner_center.fixtures"]


@pytest.fixture(autouse=True)
def render_like_slack_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every view and message a test builds is rendered twice, by blocks/render.py and by slack_sdk's own
    `to_dict()`, and the two must be the same dict (render.py is a faster walk of the same objects)."""
    walk = render._walk

    def checked(obj: JsonObject) -> dict[str, Any]:
        ours = walk(obj)
        theirs = obj.to_dict()
        assert ours == theirs, f"blocks/render.py renders {type(obj).__name__} unlike slack_sdk:\n{ours}\n{theirs}"
        return ours

    monkeypatch.setattr(render, "_render", checked)
