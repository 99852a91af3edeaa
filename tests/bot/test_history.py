"""The history pager's listener called directly: every click is read again as the clicking operator, and a damaged
cursor or filter is refused rather than guessed at."""

from __future__ import annotations

from typing import Any
from unittest.mock import Mock

import pytest
from slack_sdk import WebClient

from blocks import ids
from bot.deps import Deps
from bot.history.listeners import turn_history_page
from licensing.errors import Forbidden, InvalidRequest
from licensing.queries import authorize

ADMIN, SCOPED = "UADMIN01", "USCOPED01"


def click(deps: Deps, who: str, metadata: str, value: str, action_id: str = ids.HISTORY_OLDER) -> Mock:
    client = Mock(spec=WebClient)
    client.base_url = "https://stub.invalid/api/"
    client.users_info.return_value = {"ok": True, "user": {"id": who, "tz": "Europe/Paris", "tz_offset": 3600}}
    body: dict[str, Any] = {"view": {"id": "V1", "hash": "h", "private_metadata": metadata}}
    turn_history_page(
        ack=Mock(),
        body=body,
        action={"action_id": action_id, "value": value},
        client=client,
        deps=deps,
        operator=authorize(who, uow=deps.uow_factory()),
    )
    return client


def test_a_click_redraws_the_page_older_than_its_cursor(deps: Deps) -> None:
    client = click(deps, ADMIN, '{"customer":"contoso","user":null}', "2026-03-04T05:00:00+00:00|7")
    view = client.views_update.call_args.kwargs["view"]
    assert view["callback_id"] == ids.HISTORY_VIEW and view["private_metadata"] == '{"customer":"contoso","user":null}'


def test_a_click_is_checked_against_the_clicking_operators_scope(deps: Deps) -> None:
    with pytest.raises(Forbidden, match="not allowed to manage customer contoso"):
        click(deps, SCOPED, '{"customer":"contoso","user":null}', "2026-03-04T05:00:00+00:00|7")


@pytest.mark.parametrize(
    ("metadata", "value"),
    [
        ("not json", "2026-03-04T05:00:00+00:00|7"),
        ("{}", "yesterday|7"),
        ("{}", "2026-03-04T05:00:00+00:00|x"),
        ("[1]", "2026-03-04T05:00:00+00:00|7"),
        ("{}", "2026-03-04T05:00:00|7"),
    ],
)
def test_a_damaged_page_is_refused(deps: Deps, metadata: str, value: str) -> None:
    with pytest.raises(InvalidRequest, match="This history page is damaged"):
        click(deps, ADMIN, metadata, value)
