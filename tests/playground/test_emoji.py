"""Emoji without an emoji font: every shortcode the bot sends has a bundled image (Twemoji, with its licence), the
page's CSS paints it, and the server serves it."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from playground.render.markup import Ctx
from playground.render.mrkdwn import IMAGES, mrkdwn_html
from tests.playground.live import Live

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "playground" / "static"


def sent() -> set[str]:
    """Every :shortcode: in the code that builds what the bot sends (blocks/ and bot/)."""
    files = [*ROOT.joinpath("blocks").rglob("*.py"), *ROOT.joinpath("bot").rglob("*.py")]
    return {m for f in files for m in re.findall(r":([a-z_]+):", f.read_text(encoding="utf-8"))}


def test_every_emoji_the_bot_sends_is_drawn_with_a_bundled_image() -> None:
    codes = sent()
    assert {"white_check_mark", "x", "warning", "no_entry_sign"} <= codes
    assert codes <= IMAGES and IMAGES == {f.stem for f in (STATIC / "emoji").glob("*.svg")}
    for code in codes:
        assert (STATIC / "emoji" / f"{code}.svg").read_text(encoding="utf-8").startswith("<svg xmlns="), code
        html = mrkdwn_html(f":{code}:", Ctx())
        assert f'data-emoji="{code}"' in html and f"url(&quot;/static/emoji/{code}.svg&quot;)" in html, html
    css = (STATIC / "playground.css").read_text(encoding="utf-8")
    assert "background: var(--sk-emoji) center / contain no-repeat;" in css
    licence = (STATIC / "emoji" / "LICENSE.md").read_text(encoding="utf-8")
    assert "Twemoji" in licence and "CC BY 4.0" in licence and "Twitter, Inc and other contributors" in licence


def test_the_images_are_served(live: Live) -> None:
    with urllib.request.urlopen(live.url + "/static/emoji/white_check_mark.svg") as response:
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
        assert response.read().startswith(b"<svg")
