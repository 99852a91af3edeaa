from __future__ import annotations

from bot.deps import Deps


def settled(deps: Deps) -> None:
    """Returns once the work handed to the slow lane so far is done (the `deps` fixture's lane has one thread, and
    takes work in order)."""
    deps.slow.submit(lambda: None).result(timeout=30)
