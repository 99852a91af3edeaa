"""What one person sees right now, as HTML fragments from `playground.render`: the channel (messages, threads
and the ephemeral messages only they see), their modal (the top of its stack, with its submission errors), their
Home tab and their DM with the app. The page swaps in a fragment only when it changed, so typing survives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fakes.slack import FakeSlack
from fakes.slack.records import ts_key
from playground.gestures import CHANNEL
from playground.render import render_message, render_thread, render_view

Json = dict[str, Any]


# What the renderer draws of a stored message; the rest (type, user, bot_id, team, ...) is Slack's bookkeeping.
SHOWN = ("text", "blocks", "ts", "thread_ts", "mrkdwn")


def _shown(message: Json) -> Json:
    return {k: message[k] for k in SHOWN if k in message}


def _clock(ts: str) -> str:
    return datetime.fromtimestamp(float(ts)).strftime("%-I:%M %p")


def _conversation(messages: list[Json], ephemeral: list[Json], names: Callable[[str], str | None]) -> str:
    """Top-level messages and the person's ephemeral ones in time order; each thread's replies under its parent."""
    replies: dict[str, list[Json]] = {}
    top: list[tuple[Json, bool]] = []
    for m in messages:
        parent = m.get("thread_ts")
        if parent and parent != m["ts"]:
            replies.setdefault(parent, []).append(m)
        else:
            top.append((m, False))
    top += [(m, True) for m in ephemeral]
    top.sort(key=lambda pair: ts_key(pair[0]["ts"]))
    out = []
    for m, private in top:
        html = render_message(_shown(m), users=names, time=_clock(m["ts"]), ephemeral=private)
        thread = replies.get(m["ts"])
        if thread:
            html = render_thread(
                html, [render_message(_shown(r), users=names, time=_clock(r["ts"]), reply=True) for r in thread]
            )
        out.append(html)
    return "".join(out)


def _modal(fake: FakeSlack, user: str, names: Callable[[str], str | None]) -> Json | None:
    stack = fake.modal_stack(user)
    if not stack:
        return None
    # Slack echoes a modal's missing submit/close as null; the renderer wants them absent.
    top = {k: v for k, v in stack[-1].items() if v is not None}
    errors = fake.view_errors.get(top["id"], {})
    return {
        "view_id": top["id"],
        "hash": top["hash"],
        "depth": len(stack),
        # Errors change without a new hash; the page redraws when this key differs.
        "key": f"{top['id']}|{top['hash']}|{sorted(errors.items())}",
        "html": render_view(top, errors=errors, users=names),
    }


def _home(fake: FakeSlack, user: str, names: Callable[[str], str | None]) -> Json | None:
    if user not in fake.home_views:
        return None
    view = fake.home_view(user)
    return {"view_id": view["id"], "key": f"{view['id']}|{view['hash']}", "html": render_view(view, users=names)}


def screen(fake: FakeSlack, user: str, names: Callable[[str], str | None]) -> Json:
    channel = _conversation(fake.messages(CHANNEL), fake.ephemeral(CHANNEL, user), names)
    dm = _conversation(fake.messages(fake.dm_channel(user)), fake.ephemeral(fake.dm_channel(user), user), names)
    return {"channel": channel, "dm": dm, "modal": _modal(fake, user, names), "home": _home(fake, user, names)}
