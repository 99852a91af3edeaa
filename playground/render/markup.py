"""HTML building helpers shared by the renderer modules: escaping, attributes, placeholders and render context.

Every string that reaches the HTML goes through `esc` (text) or `attrs` (attribute values), so Slack JSON can carry
anything, a customer's `<script>` included, and the page shows it as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
UserLookup = Callable[[str], str | None]


def esc(text: object) -> str:
    """Escapes text for an HTML text node or a quoted attribute (`& < > " '`)."""
    return html.escape(str(text), quote=True)


def attrs(**values: object) -> str:
    """` name="value"` pairs, escaped; `None` and `False` drop the attribute, `True` writes it bare.

    Python names map to HTML names: a trailing underscore goes (`class_`), other underscores become dashes
    (`data_block_id` → `data-block-id`).
    """
    out = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        out.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(out)


def to_json(value: object) -> str:
    """Compact JSON for a data attribute (escaped later by `attrs`)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def unknown(what: str, detail: object = "") -> str:
    """A visible placeholder for anything the renderer does not understand, so nothing is silently dropped."""
    suffix = f": {detail}" if detail != "" else ""
    return f'<div class="sk-unknown">{esc(what)}{esc(suffix)}</div>'


def unknown_fields(obj: Mapping[str, Any], known: frozenset[str], where: str) -> str:
    """Placeholders for the keys of `obj` that the renderer does not handle (one per key, in order)."""
    return "".join(unknown(f"unsupported field in {where}", key) for key in obj if key not in known)


def safe_url(url: object) -> str | None:
    """The URL if it is http(s) or mailto, else None: a `javascript:` link must not survive into an href."""
    if not isinstance(url, str):
        return None
    scheme = url.split(":", 1)[0].strip().lower() if ":" in url else ""
    return url if scheme in ("http", "https", "mailto") else None


@dataclass
class Ctx:
    """What one render call needs besides the JSON: the user-name lookup and the view's validation errors.

    `errors` is consumed as blocks render, so whatever is left belongs to no block and is shown on its own.
    """

    users: UserLookup | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def user_name(self, user_id: str) -> str:
        name = self.users(user_id) if self.users else None
        return name or user_id
