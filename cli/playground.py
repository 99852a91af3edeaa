"""`licensebot playground`: the real bot in a browser, with a stand-in for Slack, on this machine only."""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING

import click

from bot.settings import Settings, safe_url

if TYPE_CHECKING:
    from playground.server import Server


@click.command("playground")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to listen on.")
@click.option("--port", default=3000, show_default=True, help="Port to listen on (0: any free one).")
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Import examples/demo.yaml first if the database has no customers.",
)
def playground(host: str, port: int, demo: bool) -> None:
    """Try the bot in your browser with no Slack workspace: a local stand-in for Slack (channel, modals, App
    Home) in front of the real bot, on loopback only. Stores nothing outside the database."""
    # Until the server takes them over, SIGTERM and Ctrl-C are noted and the start-up stops at its next step. Not
    # by raising KeyboardInterrupt: raised inside whatever was running (a garbage collector's callback, a pool
    # closing a connection), it printed a traceback, or was swallowed there and the stop lost.
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    started = _start(host, port, demo, stop)
    if started is not None:
        sock, srv = started
        # uvicorn handles SIGTERM and Ctrl-C itself, then raises the signal again for the handler it found: the
        # server's own, so a stop before uvicorn listens for signals is not lost, and a stop is a clean exit 0, not
        # death by the signal or a KeyboardInterrupt traceback.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, srv.handle_exit)
        if not stop.is_set():
            srv.run(sockets=[sock])
    click.echo("licensebot playground: stopped")


def _start(host: str, port: int, demo: bool, stop: threading.Event) -> tuple[socket.socket, Server] | None:
    """Listens, migrates, imports the demo into an empty database: the playground's server, ready to run; None once
    `stop` is set."""
    from playground import server  # uvicorn, the fake Slack and the bot load only for this command
    from storage.migrate import upgrade

    if not server.is_loopback(host):
        click.echo(f"error: the playground listens on loopback only (127.0.0.1 or localhost), not {host!r}", err=True)
        sys.exit(2)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    url = Settings().database_url
    try:
        sock = server.listen(host, port)
    except OSError as e:
        click.echo(f"error: cannot listen on {host}:{port} ({e.strerror}); try --port", err=True)
        sys.exit(2)
    base = server.base_url(sock)
    click.echo(f"licensebot playground: {base}/  (a local stand-in for Slack, not connected to Slack; Ctrl-C stops)")
    if stop.is_set():
        return None
    upgrade(url)
    if stop.is_set():
        return None
    if demo and (users := server.import_demo(url)) is not None:
        click.echo(f"imported the demo directory ({users} users) into {safe_url(url)}")
    return None if stop.is_set() else (sock, server.server(server.Playground(database_url=url, base_url=base)))
