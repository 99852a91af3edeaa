"""Slack applies a submission's answer when the HTTP reply reaches it, which can be after a views.update the app made
later. Whatever the order, the person ends on the result of their Save."""

from __future__ import annotations

from typing import Any

import pytest

from blocks import ids
from licensing.types import Desired
from tests.app.driver import E5, Bot, manage, open_contoso


def test_a_quick_save_answers_with_its_result_so_a_late_reply_cannot_hide_it(bot: Bot) -> None:
    user = manage(open_contoso(bot), "Bob Brown")
    user.choose(E5, Desired.ASSIGN)
    manage_id = user.top
    answer = user.submit(reply_delay_s=0.3)  # the reply reaches Slack 300 ms late
    assert answer is not None and answer["view"]["callback_id"] == ids.RESULT_VIEW
    assert user.view["callback_id"] == ids.RESULT_VIEW
    assert not [c for c in bot.fake.calls("views.update") if c.args.get("view_id") == manage_id]  # nothing to race


class TestASlowSave:
    @pytest.fixture
    def bot_settings(self) -> dict[str, Any]:
        return {"ack_budget_s": 0.0, "ack_settle_s": 0.5}  # every save counts as slow here

    def test_shows_saving_then_its_result_even_when_the_reply_arrives_late(self, bot: Bot) -> None:
        user = manage(open_contoso(bot), "Bob Brown")
        user.choose(E5, Desired.ASSIGN)
        manage_id = user.top
        before = len(bot.fake.calls("views.update"))
        answer = user.submit(reply_delay_s=0.3)  # the reply lands after the work is done, before the settle ends
        assert answer is not None and answer["view"]["callback_id"] == ids.SAVING_VIEW
        calls = bot.fake.wait_for("views.update", before + 2)[before:]  # the result, then the users page redrawn
        [update] = [c for c in calls if c.args["view_id"] == manage_id]
        assert update.args["view"]["callback_id"] == ids.RESULT_VIEW
        assert user.view["callback_id"] == ids.RESULT_VIEW  # the result, applied after "Saving…"
        assert "Bob Brown* — assigned Office 365 E5" in user.text()
