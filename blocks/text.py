"""Text helpers shared by the builders: mrkdwn escaping, length limits and short English phrases.

Customer directories supply names, ids and product names. Slack treats `&`, `<` and `>` as control characters in
mrkdwn (`<!channel>` would notify a whole channel), so every such string is escaped here or sent as plain_text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

ELLIPSIS = "…"


def escape(s: str) -> str:
    """Escapes `&`, `<` and `>` for mrkdwn, and nothing else (Slack asks us not to entity-encode the rest)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(s: str, n: int) -> str:
    """Shortens `s` to at most `n` characters, ending with "…" when something was cut."""
    if len(s) <= n:
        return s
    if n <= 0:
        return ""
    return s[: n - 1] + ELLIPSIS


def fit_escaped(s: str, n: int) -> str:
    """Escapes `s` and shortens it so the escaped text, "…" included, is at most `n` characters.

    Cutting the raw text keeps entities whole: `&amp;` is never cut into `&am…`.
    """
    out = escape(s)
    if len(out) <= n:
        return out
    kept: list[str] = []
    size = 0
    for char in s:
        piece = escape(char)
        if size + len(piece) > n - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + ELLIPSIS if n > 0 else ""


def plural(n: int, word: str, many: str | None = None) -> str:
    """`plural(1, "user")` is "1 user", `plural(1200, "user")` is "1,200 users"."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def names_line(names: Sequence[str], limit: int) -> str:
    """ "Alice", "Alice and Bob", "Alice, Bob and Carol", or "Alice, Bob and 3 more" past `limit` names."""
    shown = list(names[:limit])
    rest = len(names) - len(shown)
    if rest > 0:
        return f"{', '.join(shown)} and {rest:,} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def or_default(s: str, default: str) -> str:
    """Slack rejects empty text objects; show `default` for a blank directory value."""
    return s if s.strip() else default


def json_size(s: str) -> int:
    """Bytes `s` takes in the request body: the Slack client JSON-encodes with ASCII escapes (é is 6 bytes)."""
    return len(json.dumps(s))


def take_lines(
    lines: Iterable[str],
    max_chars: int,
    *,
    max_chunks: int | None = None,
    budget: int | None = None,
    cost: Callable[[str], int] = len,
) -> tuple[list[str], int]:
    """Joins lines with newlines into chunks of at most `max_chars`, stopping before `max_chunks` or `budget` is passed.

    Returns the chunks and how many lines they hold. Each line must already fit in `max_chars`; the first line is
    always taken so callers make progress.
    """
    chunks: list[str] = []
    current = ""
    spent = taken = 0
    for line in lines:
        spent += cost(line)
        if budget is not None and spent > budget and taken:
            break
        if current and len(current) + 1 + len(line) > max_chars:
            if max_chunks is not None and len(chunks) + 1 >= max_chunks:
                break
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
        taken += 1
    if current:
        chunks.append(current)
    return chunks, taken


def one_line(s: str) -> str:
    """Collapses newlines so one data value stays on one rendered line."""
    return " ".join(s.split())
