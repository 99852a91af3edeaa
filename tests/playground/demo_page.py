"""Writes demo pages of real views and messages, to look at the renderer in a browser or a headless screenshot.

.venv/bin/python -m tests.playground.demo_page /tmp/pg    # writes /tmp/pg/{channel,manage,home}.html
"""

from __future__ import annotations

import sys
from pathlib import Path

from playground.render import page, render_message, render_thread, render_view
from tests.playground.samples import all_messages, all_views

USERS = {"U0OPERATOR": "Pat Partner"}


def scenes() -> dict[str, str]:
    views, messages = all_views(), all_messages()
    lookup = USERS.get

    def message(name: str, time: str, **kw: bool) -> str:
        return render_message(messages[name], users=lookup, time=time, **kw)

    parent = message("confirmation_parent", "10:42 AM")
    channel = (
        '<div class="sk-channel"><div class="sk-channel-name"># licenses</div>'
        + message("help", "10:40 AM", ephemeral=True)
        + render_thread(parent, [message("confirmation_reply", "10:42 AM", reply=True)])
        + message("error_ephemeral", "10:46 AM", ephemeral=True)
        + message("error_ephemeral", "10:47 AM", ephemeral=True)
        + "</div>"
    )
    errors = {"location": "Enter a two-letter country code, such as US.", "product:VISIO": "No licenses left."}
    return {
        "channel": f'<div class="sk-workspace">{channel}'
        + f'<div class="sk-overlay">{render_view(views["users"])}</div></div>',
        "manage": '<div class="sk-workspace">'
        + f'<div class="sk-overlay">{render_view(views["manage"], errors=errors)}</div>'
        + f'<div class="sk-overlay">{render_view(views["result"])}</div></div>',
        "home": '<div class="sk-workspace">'
        + f"<div>{render_view(views['home_operator'])}</div>"
        + f'<div class="sk-overlay">{render_view(views["picker"])}</div>'
        + f'<div class="sk-overlay">{render_view(views["buy"], errors={"buy_quantity": "Enter a whole number."})}</div>'
        + "</div>",
    }


def main(out: str) -> None:
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in scenes().items():
        (folder / f"{name}.html").write_text(page(body, title=name), encoding="utf-8")
        print(folder / f"{name}.html")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/playground-demo")
