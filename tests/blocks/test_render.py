"""blocks/render.py: the dicts Slack takes, as slack_sdk renders them (every test compares the two: tests/conftest.py);
here, what that comparison cannot show by itself."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    Option,
    PlainTextObject,
    RadioButtonsElement,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
)

from blocks.render import as_dict


def test_an_invalid_object_is_refused_as_slack_sdk_refuses_it() -> None:
    too_long = ButtonElement(text="x" * 76, action_id="a")  # Slack's limit for a button's text is 75
    with pytest.raises(SlackObjectFormationError) as ours:
        as_dict(ActionsBlock(elements=[too_long]))
    with pytest.raises(SlackObjectFormationError) as theirs:
        ActionsBlock(elements=[too_long]).to_dict()
    assert str(ours.value) == str(theirs.value)


def test_empty_and_missing_attributes_are_left_out_except_where_slack_allows_them() -> None:
    assert as_dict(SectionBlock(text=PlainTextObject(text="hi"), fields=[])) == {
        "type": "section",
        "text": {"type": "plain_text", "text": "hi"},
    }
    # A rich text section may be empty (an empty line), so its empty elements are kept.
    assert as_dict(RichTextBlock(elements=[RichTextSectionElement(elements=[])])) == {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": []}],
    }


def test_objects_with_a_shape_of_their_own_are_rendered_by_slack_sdk() -> None:
    options = [Option(value=v, label=v.title(), description="d") for v in ("assign", "keep")]
    confirm = ConfirmObject(title="Sure?", text="It buys seats.", confirm="Buy", deny="Back", style="danger")
    radios = RadioButtonsElement(action_id="r", options=options, initial_option=options[1])
    block = ActionsBlock(elements=[radios, ButtonElement(text="Buy", action_id="b", confirm=confirm)])
    rendered = as_dict(block)
    assert rendered == block.to_dict()
    assert rendered["elements"][0]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Keep", "emoji": True},
        "value": "keep",
        "description": {"type": "plain_text", "text": "d", "emoji": True},
    }
    assert rendered["elements"][1]["confirm"]["style"] == "danger"
