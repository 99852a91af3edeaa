"""Block Kit renderer for the playground: the JSON the bot sends to Slack in, an HTML fragment out; stdlib only.
See docs/architecture.md, "The playground renderer" (its public functions and the HTML contract the page's JS reads)."""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from typing import Any

from playground.render.elements import option_html
from playground.render.layout import blocks_html
from playground.render.markup import Ctx, Json, UserLookup, attrs, esc, unknown, unknown_fields
from playground.render.mrkdwn import mrkdwn_html, plain_html, text_html

# Fields a view may carry that change nothing on screen: ids, state and bookkeeping Slack echoes back.
VIEW_BOOKKEEPING = frozenset(
    {
        "type",
        "blocks",
        "callback_id",
        "private_metadata",
        "external_id",
        "id",
        "hash",
        "state",
        "team_id",
        "app_id",
        "bot_id",
        "root_view_id",
        "previous_view_id",
        "app_installed_team_id",
        "clear_on_close",
        "notify_on_close",
        "submit_disabled",
    }
)
MODAL_FIELDS = VIEW_BOOKKEEPING | {"title", "submit", "close"}
MESSAGE_FIELDS = frozenset(
    {
        "text",
        "blocks",
        "response_type",
        "replace_original",
        "delete_original",
        "thread_ts",
        "ts",
        "channel",
        "user",
        "reply_broadcast",
        "unfurl_links",
        "unfurl_media",
        "mrkdwn",
        "metadata",
    }
)


def render_view(view: Json, *, errors: dict[str, str] | None = None, users: UserLookup | None = None) -> str:
    """A modal (title bar, blocks, Close/Submit) or a Home tab, with `errors` under their blocks."""
    ctx = Ctx(users=users, errors=dict(errors or {}))
    kind = view.get("type")
    ids = attrs(data_callback_id=view.get("callback_id"), data_view_id=view.get("id"), data_hash=view.get("hash"))
    if kind == "home":
        body = blocks_html(view.get("blocks", []), ctx)
        extra = unknown_fields(view, VIEW_BOOKKEEPING, "home view")
        form = f'<form class="sk-view-body">{_stray(ctx)}{body}{extra}</form>'
        return f'<div class="sk-home" data-view-type="home"{ids}>{form}</div>'
    if kind != "modal":
        return unknown("unsupported view type", kind)
    body = blocks_html(view.get("blocks", []), ctx)
    extra = unknown_fields(view, MODAL_FIELDS, "modal view")
    close = text_html(view["close"], ctx) if "close" in view else esc("Cancel")
    footer = f'<button type="button" class="sk-button" data-view-action="close">{close}</button>'
    if "submit" in view:
        submit = text_html(view["submit"], ctx)
        footer += f'<button type="button" class="sk-button sk-button-primary" data-view-action="submit">{submit}'
        footer += "</button>"
    return (
        f'<section class="sk-modal" data-view-type="modal"{ids}>'
        f'<header class="sk-modal-header"><h1 class="sk-modal-title">{text_html(view.get("title"), ctx)}</h1>'
        '<button type="button" class="sk-modal-x" data-view-action="close" aria-label="Close">\u00d7</button>'
        f'</header><form class="sk-view-body" novalidate>{_stray(ctx)}{body}{extra}</form>'
        f'<footer class="sk-modal-footer">{footer}</footer></section>'
    )


def render_message(
    message: Json,
    *,
    users: UserLookup | None = None,
    author: str = "licensebot",
    time: str = "",
    ts: str | None = None,
    ephemeral: bool = False,
    reply: bool = False,
) -> str:
    """One message as Slack lays it out: avatar, name with an APP badge, time, then its blocks (or its text).

    Slack shows `text` only when there are no blocks (it is the notification fallback otherwise).
    `ephemeral` (or `response_type: "ephemeral"`) adds the "Only visible to you" line.
    """
    ctx = Ctx(users=users)
    ephemeral = ephemeral or message.get("response_type") == "ephemeral"
    if "blocks" in message:
        body = blocks_html(message["blocks"], ctx)
    elif message.get("mrkdwn") is False:
        body = f'<div class="sk-text">{plain_html(str(message.get("text", "")))}</div>'
    else:
        body = f'<div class="sk-text">{mrkdwn_html(str(message.get("text", "")), ctx)}</div>'
    body += unknown_fields(message, MESSAGE_FIELDS, "message")
    cls = "sk-message" + (" sk-ephemeral" if ephemeral else "") + (" sk-reply" if reply else "")
    box = attrs(class_=cls, data_ts=ts or message.get("ts"), data_thread_ts=message.get("thread_ts"))
    note = '<div class="sk-ephemeral-note">Only visible to you</div>' if ephemeral else ""
    return (
        f'<article{box}><div class="sk-avatar" aria-hidden="true">{esc(author[:1].upper())}</div>'
        f'<div class="sk-message-main">{note}<div class="sk-message-meta"><span class="sk-author">{esc(author)}</span>'
        f'<span class="sk-app-badge">APP</span><time class="sk-time">{esc(time)}</time></div>'
        f'<form class="sk-blocks">{body}</form></div></article>'
    )


def render_thread(parent_html: str, reply_htmls: Sequence[str]) -> str:
    """A rendered parent with its rendered replies (render them with `reply=True`) indented under it."""
    count = len(reply_htmls)
    label = f"{count} repl{'y' if count == 1 else 'ies'}"
    replies = "".join(reply_htmls)
    return (
        f'<div class="sk-thread-group">{parent_html}'
        f'<div class="sk-thread"><div class="sk-thread-count">{esc(label)}</div>{replies}</div></div>'
    )


def render_blocks(blocks: Any, *, errors: dict[str, str] | None = None, users: UserLookup | None = None) -> str:
    """Only the blocks (no frame); errors for absent blocks are shown first."""
    ctx = Ctx(users=users, errors=dict(errors or {}))
    body = blocks_html(blocks, ctx)
    return _stray(ctx) + body


def render_options(response: Json) -> str:
    """The `<option>`s for an external_select from the bot's `ack(options=…)` or `ack(option_groups=…)`."""
    if "options" in response:
        return "".join(option_html(o) for o in response["options"] or [])
    groups = []
    for group in response.get("option_groups") or []:
        label = (group.get("label") or {}).get("text", "")
        options = "".join(option_html(o) for o in group.get("options", []))
        groups.append(f"<optgroup{attrs(label=label)}>{options}</optgroup>")
    return "".join(groups)


def page(body_html: str, *, title: str = "licensebot playground") -> str:
    """A whole HTML document around rendered fragments, with the playground CSS inlined (no network needed)."""
    css = importlib.resources.files("playground").joinpath("static/playground.css").read_text(encoding="utf-8")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{css}</style></head><body>{body_html}</body></html>"
    )


def _stray(ctx: Ctx) -> str:
    """Errors whose block_id is not in the view: Slack would reject them; the playground shows them."""
    stray = "".join(
        unknown("error for a block that is not in this view", f"{block_id}: {message}")
        for block_id, message in ctx.errors.items()
    )
    ctx.errors.clear()
    return stray
