"""Block elements to real HTML form controls, tagged with the data attributes the page's JS turns into payloads.

See `playground.render` for the contract. Each element renders one node carrying `data-type`, `data-block-id`
and `data-action-id`; `data-state` names its key in `view.state.values`, `data-dispatch` says when it sends a
`block_actions` payload, and each option carries its exact Slack option object in `data-option`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playground.render.markup import Ctx, Json, attrs, esc, safe_url, to_json, unknown, unknown_fields
from playground.render.mrkdwn import text_html

COMMON = frozenset({"type", "action_id", "confirm", "focus_on_load"})
KNOWN: dict[str, frozenset[str]] = {
    "button": COMMON | {"text", "value", "url", "style", "accessibility_label"},
    "checkboxes": COMMON | {"options", "initial_options"},
    "radio_buttons": COMMON | {"options", "initial_option"},
    "static_select": COMMON | {"placeholder", "options", "option_groups", "initial_option"},
    "multi_static_select": COMMON
    | {"placeholder", "options", "option_groups", "initial_options", "max_selected_items"},
    "external_select": COMMON | {"placeholder", "initial_option", "min_query_length"},
    "plain_text_input": COMMON
    | {"placeholder", "initial_value", "multiline", "min_length", "max_length", "dispatch_action_config"},
    "number_input": COMMON
    | {"placeholder", "initial_value", "is_decimal_allowed", "min_value", "max_value", "dispatch_action_config"},
    "datepicker": COMMON | {"placeholder", "initial_date"},
    "overflow": COMMON | {"options"},
    "image": frozenset({"type", "image_url", "alt_text"}),
}
OPTION_FIELDS = frozenset({"text", "value", "description", "url"})
# The key each element's value takes in view.state.values and in a block_actions action.
STATE_KEY = {
    "checkboxes": "selected_options",
    "radio_buttons": "selected_option",
    "static_select": "selected_option",
    "multi_static_select": "selected_options",
    "external_select": "selected_option",
    "plain_text_input": "value",
    "number_input": "value",
    "datepicker": "selected_date",
}


def element_html(el: Any, block_id: str, ctx: Ctx, *, dispatch: bool) -> str:
    """One element; `dispatch` is True in actions blocks and accessories, and in inputs with dispatch_action."""
    kind = el.get("type") if isinstance(el, dict) else None
    render = _RENDERERS.get(kind) if isinstance(kind, str) else None
    if render is None:
        return unknown("unsupported element", kind or type(el).__name__)
    extra = unknown_fields(el, KNOWN[kind], kind) if kind else ""
    return render(el, _data(el, block_id, dispatch), ctx) + extra


def _data(el: Json, block_id: str, dispatch: bool) -> dict[str, Any]:
    kind = el["type"]
    when: str | None = None
    if dispatch and kind in ("plain_text_input", "number_input"):
        # Slack's default for a dispatching text input is Enter; the config can add on_character_entered.
        config = el.get("dispatch_action_config") or {}
        when = " ".join(config.get("trigger_actions_on") or ["on_enter_pressed"])
    elif dispatch and kind != "image":
        when = "click" if kind == "button" else "change"
    return {
        "data_type": kind,
        "data_block_id": block_id,
        "data_action_id": el.get("action_id"),
        "data_state": STATE_KEY.get(kind),
        "data_dispatch": when,
        "autofocus": bool(el.get("focus_on_load")),
    }


def _button(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    style = el.get("style")
    cls = "sk-button" + (f" sk-button-{style}" if style in ("primary", "danger") else "")
    label = text_html(el.get("text"), ctx)
    common = {"class_": cls, **data, "data_value": el.get("value"), "aria_label": el.get("accessibility_label")}
    url = safe_url(el.get("url"))
    if url:  # Slack opens the link and still sends block_actions
        node = f"<a{attrs(**common, href=url, target='_blank', rel='noopener noreferrer')}>{label}</a>"
    else:
        node = f"<button{attrs(type='button', **common, data_confirm=bool(el.get('confirm')))}>{label}</button>"
    if el.get("confirm"):
        return f'<span class="sk-confirmable">{node}{confirm_html(el["confirm"], ctx)}</span>'
    return node


def confirm_html(confirm: Any, ctx: Ctx) -> str:
    """A confirm object as a closed <dialog>; the JS opens it and sends the action only on Confirm."""
    if not isinstance(confirm, dict):
        return unknown("unsupported confirm object", type(confirm).__name__)
    known = frozenset({"title", "text", "confirm", "deny", "style"})
    danger = confirm.get("style") == "danger"

    def label(key: str, default: str) -> str:
        return text_html(confirm[key], ctx) if key in confirm else esc(default)

    return (
        f'<dialog class="sk-confirm">'
        f'<h3 class="sk-confirm-title">{label("title", "Are you sure?")}</h3>'
        f'<div class="sk-confirm-text">{label("text", "")}</div>'
        f'<div class="sk-confirm-buttons">'
        f'<button type="button" class="sk-button" data-confirm-choice="deny">{label("deny", "Cancel")}</button>'
        f"<button{attrs(type='button', class_='sk-button sk-button-' + ('danger' if danger else 'primary'))}"
        f' data-confirm-choice="confirm">{label("confirm", "Yes")}</button>'
        f"</div>{unknown_fields(confirm, known, 'confirm')}</dialog>"
    )


def _choices(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    """checkboxes and radio_buttons: a fieldset of labelled inputs; the checked ones are the state."""
    many = el["type"] == "checkboxes"
    initial = _initial(el, "initial_options" if many else "initial_option")
    name = f"{data['data_block_id']}/{data['data_action_id']}"  # each view or message is its own <form>
    items = []
    for opt in _list(el.get("options")):
        box = attrs(
            type="checkbox" if many else "radio",
            name=name,
            value=opt.get("value"),
            checked=_matches(opt, initial),
            data_option=to_json(opt),
        )
        desc = opt.get("description")
        note = f'<span class="sk-choice-desc">{text_html(desc, ctx)}</span>' if desc else ""
        items.append(
            f'<label class="sk-choice"><input{box}><span class="sk-choice-text">{text_html(opt.get("text"), ctx)}'
            f"{note}</span></label>{unknown_fields(opt, OPTION_FIELDS, 'option')}"
        )
    return (
        f"<fieldset{attrs(class_='sk-' + el['type'].replace('_', '-'), **data)}>{''.join(items)}"
        f"{_unmatched(el, initial)}{_confirm(el, ctx)}</fieldset>"
    )


def _select(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    """static/multi/external selects: a <select>; option groups become <optgroup>s."""
    many = el["type"] == "multi_static_select"
    initial = _initial(el, "initial_options" if many else "initial_option")
    parts = []
    if not many:  # a single select shows its placeholder until something is chosen
        placeholder = el.get("placeholder", {}).get("text", "Select an item")
        parts.append(f"<option{attrs(value='', disabled=True, selected=not initial)}>{esc(placeholder)}</option>")
    if el["type"] == "external_select":
        # Options come from the bot's block_suggestion answer (see render_options); until then, only the initial one.
        parts += [option_html(o, True) for o in initial]
        data = {**data, "data_min_query_length": str(el.get("min_query_length", 3))}
    else:
        parts += [option_html(o, _matches(o, initial)) for o in _list(el.get("options"))]
        for group in _list(el.get("option_groups")):
            label = (group.get("label") or {}).get("text", "")
            inner = "".join(option_html(o, _matches(o, initial)) for o in _list(group.get("options")))
            parts.append(f"<optgroup{attrs(label=label)}>{inner}</optgroup>")
    cls = "sk-select" + (" sk-select-multi" if many else "")
    return (
        f"<select{attrs(class_=cls, multiple=many, **data)}>{''.join(parts)}</select>"
        f"{_unmatched(el, initial)}{_confirm(el, ctx)}"
    )


def option_html(opt: Any, selected: bool = False) -> str:
    """One <option> carrying its Slack option object; select options are plain text only in Slack."""
    if not isinstance(opt, dict):
        return ""
    text = (opt.get("text") or {}).get("text", "")
    box = attrs(value=opt.get("value", ""), selected=selected, data_option=to_json(opt))
    return f"<option{box}>{esc(text)}</option>"


def _overflow(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    options = "".join(option_html(o) for o in _list(el.get("options")))
    return (
        f"<select{attrs(class_='sk-overflow', aria_label='More actions', **data)}>"
        f'<option value="" selected disabled>\u22ef</option>{options}</select>{_confirm(el, ctx)}'
    )


def _text_input(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    common = {
        "class_": "sk-text-input",
        "placeholder": (el.get("placeholder") or {}).get("text"),
        "minlength": el.get("min_length"),
        "maxlength": el.get("max_length"),
        **data,
    }
    if el.get("multiline"):
        return f"<textarea{attrs(rows='4', **common)}>{esc(el.get('initial_value', ''))}</textarea>"
    return f"<input{attrs(type='text', value=el.get('initial_value'), **common)}>"


def _number_input(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    decimal = bool(el.get("is_decimal_allowed"))
    box = attrs(
        type="number",
        class_="sk-text-input sk-number-input",
        value=el.get("initial_value"),
        min=el.get("min_value"),
        max=el.get("max_value"),
        step="any" if decimal else "1",
        placeholder=(el.get("placeholder") or {}).get("text"),
        data_decimal="true" if decimal else "false",
        **data,
    )
    return f"<input{box}>"


def _datepicker(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    return f"<input{attrs(type='date', class_='sk-text-input sk-date', value=el.get('initial_date'), **data)}>"


def _image(el: Json, data: dict[str, Any], ctx: Ctx) -> str:
    url = safe_url(el.get("image_url"))
    if url is None:
        return unknown("image without an http(s) image_url")
    return f"<img{attrs(class_='sk-image-element', src=url, alt=el.get('alt_text', ''))}>"


def _initial(el: Json, key: str) -> list[Json]:
    value = el.get(key)
    return [o for o in (value if isinstance(value, list) else [value]) if isinstance(o, dict)]


def _matches(opt: Json, initial: list[Json]) -> bool:
    return any(o.get("value") == opt.get("value") for o in initial)


def _unmatched(el: Json, initial: list[Json]) -> str:
    """Slack silently refuses a view whose initial option differs from its option in any field: show it here."""
    if el["type"] == "external_select":
        return ""
    options = _list(el.get("options")) + [o for g in _list(el.get("option_groups")) for o in _list(g.get("options"))]
    return "".join(
        unknown("initial option does not exactly match an option", o.get("value")) for o in initial if o not in options
    )


def _confirm(el: Json, ctx: Ctx) -> str:
    return confirm_html(el["confirm"], ctx) if el.get("confirm") else ""


def _list(value: Any) -> list[Json]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


_RENDERERS: dict[str, Callable[[Json, dict[str, Any], Ctx], str]] = {
    "button": _button,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "static_select": _select,
    "multi_static_select": _select,
    "external_select": _select,
    "plain_text_input": _text_input,
    "number_input": _number_input,
    "datepicker": _datepicker,
    "overflow": _overflow,
    "image": _image,
}
