"""A running playground for tests: the real `playground.server` under uvicorn on 127.0.0.1, on a free port, in a
thread of the test process, over a migrated SQLite database loaded with a directory file."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.runtime.bootstrap import bootstrap
from bot.settings import Settings
from licensing.directory import import_directory
from licensing.directory.file import load_directory
from playground import server
from storage.migrate import upgrade


@dataclass
class Live:
    pg: server.Playground
    url: str  # http://127.0.0.1:PORT


@contextmanager
def running(tmp: Path, directory: Path) -> Iterator[Live]:
    url = f"sqlite:///{tmp / 'playground.db'}"
    upgrade(url)
    deps = bootstrap(Settings(database_url=url))
    import_directory(load_directory(directory), uow=deps.uow_factory())
    deps.close()
    sock = server.listen("127.0.0.1", 0)
    pg = server.Playground(database_url=url, base_url=server.base_url(sock))
    uv = server.server(pg)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, name="playground", daemon=True)
    thread.start()
    assert pg.ready.wait(15), "the playground's bot did not start"
    assert pg.failed is None, pg.failed
    try:
        yield Live(pg, pg.base_url)
    finally:
        uv.handle_exit(signal.SIGTERM, None)  # as a signal would: the open pages' long polls answer at once
        thread.join(15)
        sock.close()
