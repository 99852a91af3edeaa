"""Slack text objects to HTML: plain_text (escaped, optional emoji) and mrkdwn (Slack's own markup, not Markdown).

mrkdwn handled: *bold*, _italic_, ~strike~, `code`, ```pre```, `>` quote lines, newlines, `<url|label>` links,
`<@U1>` users, `<#C1|name>` channels, `<!here>`-style special mentions (shown as inert text), `<!date^…|fallback>`,
the `&amp; &lt; &gt;` entities and `:emoji:` shortcodes.

How: code spans and `<…>` tokens are cut out first and replaced by sentinels, the rest is entity-decoded and
HTML-escaped, inline formatting runs over that escaped text, and the sentinels are swapped back for their HTML.
So a customer name can never close a tag: everything outside the tokens we build is escaped before any markup.
"""

from __future__ import annotations

import re
from typing import Any

from playground.render.markup import Ctx, attrs, esc, safe_url, unknown

# The shortcodes the bot sends, plus a few common ones; any other shortcode is shown as its text.
EMOJI = {
    "white_check_mark": "\u2705",
    "heavy_check_mark": "\u2714\ufe0f",
    "heavy_minus_sign": "\u2796",
    "x": "\u274c",
    "warning": "\u26a0\ufe0f",
    "information_source": "\u2139\ufe0f",
    "memo": "\U0001f4dd",
    "hourglass_flowing_sand": "\u23f3",
    "hourglass": "\u231b",
    "lock": "\U0001f512",
    "key": "\U0001f511",
    "tada": "\U0001f389",
    "wave": "\U0001f44b",
    "+1": "\U0001f44d",
    "thumbsup": "\U0001f44d",
    "no_entry": "\u26d4",
    "red_circle": "\U0001f534",
    "large_green_circle": "\U0001f7e2",
    "bulb": "\U0001f4a1",
    "mag": "\U0001f50d",
    "alarm_clock": "\u23f0",
    "calendar": "\U0001f4c6",
    "grey_question": "\u2754",
    "no_entry_sign": "\U0001f6ab",
    "rotating_light": "\U0001f6a8",
    "shopping_trolley": "\U0001f6d2",
}
# The shortcodes the bot sends, drawn as Slack draws them, with an image: Twemoji (CC BY 4.0) bundled in the
# playground's static/emoji/ (its LICENSE.md), so they show on a machine without an emoji font.
IMAGES = frozenset(
    {
        "alarm_clock",
        "calendar",
        "grey_question",
        "heavy_minus_sign",
        "hourglass_flowing_sand",
        "information_source",
        "lock",
        "memo",
        "no_entry_sign",
        "rotating_light",
        "shopping_trolley",
        "warning",
        "white_check_mark",
        "x",
    }
)
_SHORTCODE = re.compile(r":([a-z0-9_+\-']+):")
# Private-use characters mark where a cut-out token goes back; any in the input are replaced first.
_OPEN, _CLOSE = "\ue000", "\ue001"
_SENTINEL = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_PRE = re.compile(r"```(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_ANGLE = re.compile(r"<([^<>\n]*)>")
# Slack formats a marker pair only at word edges: snake_case_names and 2*3*4 stay as typed.
_INLINE = [
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "del"),
]
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def emojify(escaped: str) -> str:
    """Replaces known `:shortcodes:` in already-escaped text with the emoji; unknown ones stay as typed.

    One with a bundled image is its character in a span that names the image: the page's CSS paints the image
    instead of the character, which stays in the text for reading and copying."""

    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        char = EMOJI.get(code)
        if char is None or code not in IMAGES:
            return char or m.group(0)
        image = f'url("/static/emoji/{code}.svg")'
        return f'<span class="sk-emoji"{attrs(data_emoji=code, style=f"--sk-emoji: {image}")}>{char}</span>'

    return _SHORTCODE.sub(one, escaped)


def plain_html(text: str, emoji: bool = False) -> str:
    """plain_text: shown exactly as written (Slack parses no entities or markup in it), newlines kept."""
    out = esc(text)
    return (emojify(out) if emoji else out).replace("\n", "<br>")


def decode(text: str) -> str:
    """Slack's three entities back to characters; a bare `&` stays as it is."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def text_html(obj: Any, ctx: Ctx) -> str:
    """Any text object (plain_text or mrkdwn) to HTML; something else becomes a placeholder."""
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return unknown("unsupported text object", _describe(obj))
    kind = obj.get("type")
    if kind == "plain_text":
        return plain_html(obj["text"], bool(obj.get("emoji")))
    if kind == "mrkdwn":
        # verbatim only turns off Slack's auto-linking of bare URLs and #names, which this renderer never does.
        return mrkdwn_html(obj["text"], ctx)
    return unknown("unsupported text object", kind)


def mrkdwn_html(text: str, ctx: Ctx) -> str:
    """One mrkdwn string to an HTML fragment."""
    tokens: list[str] = []

    def keep(fragment: str) -> str:
        tokens.append(fragment)
        return f"{_OPEN}{len(tokens) - 1}{_CLOSE}"

    text = text.replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")
    text = _PRE.sub(lambda m: keep(f'<pre class="sk-pre">{esc(decode(m.group(1).strip(chr(10))))}</pre>'), text)
    text = _CODE.sub(lambda m: keep(f'<code class="sk-code">{esc(decode(m.group(1)))}</code>'), text)
    text = _ANGLE.sub(lambda m: keep(_angle(m.group(1), ctx)), text)
    out = _lines(text)
    return _SENTINEL.sub(lambda m: tokens[int(m.group(1))], out)


def _lines(text: str) -> str:
    """Groups `>` lines into blockquotes (Slack quotes on a raw `>` or its entity) and formats each line."""
    parts: list[str] = []
    quote: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"(?:>|&gt;) ?(.*)", line)
        if m:
            quote.append(_inline(m.group(1)))
            continue
        if quote:
            parts.append(f'<blockquote class="sk-quote">{"<br>".join(quote)}</blockquote>')
            quote = []
        parts.append(_inline(line) + ("<br>" if i < len(lines) - 1 else ""))
    if quote:
        parts.append(f'<blockquote class="sk-quote">{"<br>".join(quote)}</blockquote>')
    return "".join(parts)


def _inline(raw: str) -> str:
    out = emojify(esc(decode(raw)))
    for pattern, tag in _INLINE:
        out = pattern.sub(rf"<{tag}>\1</{tag}>", out)
    return out


def _angle(inner: str, ctx: Ctx) -> str:
    """One `<…>` token: a link, a mention, a date, or (if nothing matches) its text shown as typed."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        user_id = target[1:]
        return _mention("user", f"@{ctx.user_name(user_id)}", data_user_id=user_id)
    if target.startswith("#"):
        return _mention("channel", f"#{decode(label) or target[1:]}", data_channel_id=target[1:])
    if target.startswith("!"):
        return _bang(target[1:], decode(label))
    url = safe_url(decode(target))
    if url is None:
        return esc(decode(f"<{inner}>"))
    shown = esc(decode(label) if label else url.removeprefix("mailto:"))
    return f"<a{attrs(class_='sk-link', href=url, target='_blank', rel='noopener noreferrer')}>{shown}</a>"


def _bang(command: str, label: str) -> str:
    """`<!here>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`: shown, never acted on."""
    name = command.split("^", 1)[0]
    if name in _SPECIAL:
        return _mention("special", _SPECIAL[name])
    if name == "subteam":
        return _mention("special", label or "@group")
    if name == "date":
        return esc(label)
    return esc(f"<!{command}>")


def _mention(kind: str, text: str, **data: str) -> str:
    return f"<span{attrs(class_=f'sk-mention sk-mention-{kind}', **data)}>{esc(text)}</span>"


def _describe(obj: Any) -> str:
    return str(obj.get("type")) if isinstance(obj, dict) else type(obj).__name__
