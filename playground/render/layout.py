"""Layout blocks to HTML: section, actions, context, divider, header, input and image.

Each block is a `<div class="sk-block sk-{type}" data-block-id=… data-block-type=…>`. A block without a block_id
gets `auto-{index}`, as Slack fills in its own ids, so every action still names the block it came from.
A validation error for the block (`ctx.errors[block_id]`) is shown at the bottom of that block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playground.render.elements import element_html
from playground.render.markup import Ctx, Json, attrs, esc, safe_url, unknown, unknown_fields
from playground.render.mrkdwn import text_html

KNOWN: dict[str, frozenset[str]] = {
    "section": frozenset({"type", "block_id", "text", "fields", "accessory", "expand"}),
    "actions": frozenset({"type", "block_id", "elements"}),
    "context": frozenset({"type", "block_id", "elements"}),
    "divider": frozenset({"type", "block_id"}),
    "header": frozenset({"type", "block_id", "text"}),
    "input": frozenset({"type", "block_id", "label", "element", "hint", "optional", "dispatch_action"}),
    "image": frozenset({"type", "block_id", "image_url", "alt_text", "title"}),
}


def blocks_html(blocks: Any, ctx: Ctx) -> str:
    """A list of blocks, in order; anything that is not a list of blocks becomes a placeholder."""
    if not isinstance(blocks, list):
        return unknown("blocks is not a list", type(blocks).__name__)
    return "".join(block_html(block, i, ctx) for i, block in enumerate(blocks))


def block_html(block: Any, index: int, ctx: Ctx) -> str:
    kind = block.get("type") if isinstance(block, dict) else None
    render = _RENDERERS.get(kind) if isinstance(kind, str) else None
    if render is None or not isinstance(block, dict) or not isinstance(kind, str):
        return unknown("unsupported block", kind or type(block).__name__)
    block_id = str(block.get("block_id") or f"auto-{index}")
    error = ctx.errors.pop(block_id, None)
    if kind == "input":  # Slack puts the error right under the input, above its hint
        inner = _input(block, block_id, ctx, error)
    else:
        inner = render(block, block_id, ctx) + (error_html(error) if error is not None else "")
    inner += unknown_fields(block, KNOWN[kind], kind)
    box = attrs(class_=f"sk-block sk-{kind}" + (" sk-has-error" if error is not None else ""), data_block_id=block_id)
    return f'<div{box} data-block-type="{esc(kind)}">{inner}</div>'


def error_html(message: object) -> str:
    """Slack shows a view_submission error as red text under the block; the message is plain text."""
    return f'<div class="sk-error" role="alert">{esc(message)}</div>'


def _section(block: Json, block_id: str, ctx: Ctx) -> str:
    body = ""
    if "text" in block:
        body += f'<div class="sk-text">{text_html(block["text"], ctx)}</div>'
    if "fields" in block:
        fields = block["fields"] if isinstance(block["fields"], list) else [block["fields"]]
        body += '<div class="sk-fields">' + "".join(f"<div>{text_html(f, ctx)}</div>" for f in fields) + "</div>"
    accessory = ""
    if "accessory" in block:
        accessory = f'<div class="sk-accessory">{element_html(block["accessory"], block_id, ctx, dispatch=True)}</div>'
    return f'<div class="sk-section-body">{body}</div>{accessory}'


def _actions(block: Json, block_id: str, ctx: Ctx) -> str:
    elements = block.get("elements")
    if not isinstance(elements, list):
        return unknown("actions without elements")
    return "".join(element_html(el, block_id, ctx, dispatch=True) for el in elements)


def _context(block: Json, block_id: str, ctx: Ctx) -> str:
    out = []
    for el in block.get("elements") or []:
        if isinstance(el, dict) and el.get("type") in ("plain_text", "mrkdwn"):
            out.append(f'<span class="sk-context-text">{text_html(el, ctx)}</span>')
        else:  # images, or something unknown (which element_html turns into a placeholder)
            out.append(element_html(el, block_id, ctx, dispatch=False))
    return "".join(out)


def _divider(block: Json, block_id: str, ctx: Ctx) -> str:
    return '<hr class="sk-hr">'


def _header(block: Json, block_id: str, ctx: Ctx) -> str:
    return f'<h2 class="sk-header-text">{text_html(block.get("text"), ctx)}</h2>'


def _input(block: Json, block_id: str, ctx: Ctx, error: str | None = None) -> str:
    """Label (with "(optional)"), the element, its error, then the hint; it dispatches only with dispatch_action."""
    optional = bool(block.get("optional"))
    label = text_html(block.get("label"), ctx)
    if optional:
        label += ' <span class="sk-optional">(optional)</span>'
    element = element_html(block.get("element"), block_id, ctx, dispatch=bool(block.get("dispatch_action")))
    hint = f'<div class="sk-hint">{text_html(block["hint"], ctx)}</div>' if "hint" in block else ""
    return (
        f"<label{attrs(class_='sk-label', data_optional='true' if optional else 'false')}>{label}</label>"
        f"{element}{error_html(error) if error is not None else ''}{hint}"
    )


def _image(block: Json, block_id: str, ctx: Ctx) -> str:
    url = safe_url(block.get("image_url"))
    if url is None:
        return unknown("image without an http(s) image_url")
    title = f'<div class="sk-image-title">{text_html(block["title"], ctx)}</div>' if "title" in block else ""
    return f"{title}<img{attrs(class_='sk-image', src=url, alt=block.get('alt_text', ''))}>"


_RENDERERS: dict[str, Callable[[Json, str, Ctx], str]] = {
    "section": _section,
    "actions": _actions,
    "context": _context,
    "divider": _divider,
    "header": _header,
    "input": _input,
    "image": _image,
}
