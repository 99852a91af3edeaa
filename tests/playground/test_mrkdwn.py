from __future__ import annotations

import re
from pathlib import Path

import pytest

from playground.render.markup import Ctx
from playground.render.mrkdwn import EMOJI, mrkdwn_html, plain_html, text_html

BLOCKS = Path(__file__).resolve().parents[2] / "blocks"  # the builders: every message and view the bot sends

CTX = Ctx(users={"U1": "Alice <Admin>"}.get)


def link(href: str, text: str) -> str:
    return f'<a class="sk-link" href="{href}" target="_blank" rel="noopener noreferrer">{text}</a>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*bold* _italic_ ~strike~", "<strong>bold</strong> <em>italic</em> <del>strike</del>"),
        ("*Customer:* Contoso", "<strong>Customer:</strong> Contoso"),
        ("snake_case_name 2*3*4 a~b~c", "snake_case_name 2*3*4 a~b~c"),  # markers only at word edges
        ("* not bold *", "* not bold *"),
        ("`/licenses NAME`: go", '<code class="sk-code">/licenses NAME</code>: go'),
        ("`*no* &lt;b&gt;`", '<code class="sk-code">*no* &lt;b&gt;</code>'),
        ("*`/licenses`*: start", '<strong><code class="sk-code">/licenses</code></strong>: start'),
        ("```\nline *1*\n<@U1>\n```", '<pre class="sk-pre">line *1*\n&lt;@U1&gt;</pre>'),
        ("one\ntwo", "one<br>two"),
        ("> quoted\n&gt; also\nafter", '<blockquote class="sk-quote">quoted<br>also</blockquote>after'),
        ("<https://example.com/a?b=1&amp;c=2|the *docs*>", link("https://example.com/a?b=1&amp;c=2", "the *docs*")),
        ("<https://example.com>", link("https://example.com", "https://example.com")),
        ("<mailto:a@b.co|mail>", link("mailto:a@b.co", "mail")),
        ("<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;"),
        ("by <@U1>", 'by <span class="sk-mention sk-mention-user" data-user-id="U1">@Alice &lt;Admin&gt;</span>'),
        ("<@U9>", '<span class="sk-mention sk-mention-user" data-user-id="U9">@U9</span>'),
        (
            "<#C1|general> <#C2>",
            '<span class="sk-mention sk-mention-channel" data-channel-id="C1">#general</span> '
            '<span class="sk-mention sk-mention-channel" data-channel-id="C2">#C2</span>',
        ),
        (
            "<!here> <!channel> <!everyone>",
            '<span class="sk-mention sk-mention-special">@here</span> '
            '<span class="sk-mention sk-mention-special">@channel</span> '
            '<span class="sk-mention sk-mention-special">@everyone</span>',
        ),
        ("<!subteam^S1|@ops>", '<span class="sk-mention sk-mention-special">@ops</span>'),
        ("<!date^1700000000^{date}|Nov 14>", "Nov 14"),
        ("&lt;!channel&gt; &amp; &lt;b&gt; a & b", "&lt;!channel&gt; &amp; &lt;b&gt; a &amp; b"),
        ("&amp;lt;", "&amp;lt;"),  # decoded once: the text shows "&lt;"
        (
            ":white_check_mark: :tada:",  # with a bundled image (what the bot sends), and with a character only
            '<span class="sk-emoji" data-emoji="white_check_mark" '
            'style="--sk-emoji: url(&quot;/static/emoji/white_check_mark.svg&quot;)">\u2705</span> \U0001f389',
        ),
        (":no_such_emoji: 10:30:00", ":no_such_emoji: 10:30:00"),
        ("\"quotes\" 'too'", "&quot;quotes&quot; &#x27;too&#x27;"),
        ("\ue0000\ue001", "\ufffd0\ufffd"),  # the renderer's own sentinels cannot be smuggled in
    ],
)
def test_mrkdwn(text: str, html: str) -> None:
    assert mrkdwn_html(text, CTX) == html


def test_plain_text_is_shown_exactly_and_emoji_only_when_asked() -> None:
    assert plain_html("*a* &amp; <b> :x:\nnext") == "*a* &amp;amp; &lt;b&gt; :x:<br>next"
    assert plain_html(":x: <!here>", emoji=True) == (
        '<span class="sk-emoji" data-emoji="x" style="--sk-emoji: url(&quot;/static/emoji/x.svg&quot;)">\u274c</span>'
        " &lt;!here&gt;"
    )


def test_text_objects_pick_their_renderer() -> None:
    assert text_html({"type": "plain_text", "text": "*x*", "emoji": True}, CTX) == "*x*"
    assert text_html({"type": "mrkdwn", "text": "*x*", "verbatim": True}, CTX) == "<strong>x</strong>"
    assert "unsupported text object: markdown" in text_html({"type": "markdown", "text": "x"}, CTX)
    assert "unsupported text object" in text_html(None, CTX)


def test_every_shortcode_the_bot_sends_is_shown_as_its_emoji() -> None:
    sent = {m for f in BLOCKS.glob("*.py") for m in re.findall(r":([a-z_]+):", f.read_text(encoding="utf-8"))}
    assert sent and sent <= EMOJI.keys(), sorted(sent - EMOJI.keys())
