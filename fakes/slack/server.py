"""The fake's own HTTP server: a stdlib ThreadingHTTPServer on 127.0.0.1, with real connection resets and delays
for failure injection. (The playground mounts the same fake in its Starlette app instead: fakes.slack.asgi.)"""

from __future__ import annotations

import json
import queue
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from fakes.slack.records import Json, Reply
from fakes.slack.wire import parse_args, take_token


class Answerer(Protocol):
    stopping: threading.Event
    idle_timeout_s: float  # how long a kept-alive connection may wait for its next request

    def handle(self, method: str, args: Json, token: str | None) -> Reply: ...


class Server(ThreadingHTTPServer):
    """Each connection is served on a thread of a pool that grows to the busiest moment's concurrency.

    socketserver's thread per connection made the accept loop wait for every new thread to start, and the Web API
    clients open a connection per call: under a few concurrent callers that wait, not Slack's work, set the pace.
    """

    # socketserver's default backlog is 5: with more clients connecting at once than the accept loop keeps up
    # with, the kernel drops their SYNs and each waits out a 1 s retransmit, a stall real Slack never causes.
    request_queue_size = 128
    fake: Answerer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._work: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._pool_lock = threading.Lock()
        self._idle = 0  # pool threads done with a connection and waiting (or about to wait) for the next
        self._pool: list[threading.Thread] = []
        self._open: set[socket.socket] = set()  # connections being served, kept alive between requests
        self.accepted = 0  # connections accepted so far: a client that keeps its connection opens one

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._pool_lock:
            self._open.add(request)
            self.accepted += 1
            if self._idle:
                self._idle -= 1
                self._work.put((request, client_address))
                return
            thread = threading.Thread(target=self._serve, args=(request, client_address), name="fake-slack-conn")
            self._pool.append(thread)
        thread.start()

    def _serve(self, request: Any, client_address: Any) -> None:
        item: tuple[Any, Any] | None = (request, client_address)
        while item is not None:
            self.process_request_thread(*item)  # finish_request, handle_error, shutdown_request
            with self._pool_lock:
                self._idle += 1
            item = self._work.get()

    def shutdown_request(self, request: Any) -> None:
        with self._pool_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close the socket and the connections kept alive (their threads wait for a next request), then join every
        pool thread once it is done with its connection."""
        super().server_close()
        with self._pool_lock:
            kept, self._open = list(self._open), set()
        for connection in kept:
            try:
                connection.shutdown(socket.SHUT_RD)  # a request being answered still gets its answer
            except OSError:
                pass
        with self._pool_lock:
            pool, self._pool = self._pool, []
        for _ in pool:
            self._work.put(None)
        for thread in pool:
            thread.join()


def start(fake: Answerer) -> tuple[Server, threading.Thread]:
    server = Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
    )
    thread.start()
    return server, thread


class _Handler(BaseHTTPRequestHandler):
    server: Server
    # HTTP/1.1, as Slack speaks it: a client may keep its connection for the next call (every answer has a length).
    protocol_version = "HTTP/1.1"

    server_version = "FakeSlack/1.0"
    wbufsize = 1 << 16  # the head and the body leave in one write (unbuffered, the head went in a segment of its own)

    def setup(self) -> None:
        # An idle connection is closed after this, as Slack's servers close idle ones; it never pins a thread for long.
        super().setup()
        self.connection.settimeout(self.server.fake.idle_timeout_s)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/api/"):
            self._send(Reply(status=404, body={"ok": False, "error": "not_found"}))
            return
        method = parts.path.removeprefix("/api/").strip("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            args = parse_args(parts.query, self.headers.get("Content-Type", ""), body)
        except ValueError:
            self._send(Reply(body={"ok": False, "error": "invalid_json"}))
            return
        token = take_token({k: v for k, v in self.headers.items()}, args)
        self._send(self.server.fake.handle(method, args, token))

    def _send(self, reply: Reply) -> None:
        if reply.delay:
            self.server.fake.stopping.wait(reply.delay)
        if reply.reset:
            # RST instead of FIN: the client sees "connection reset by peer" with no response at all.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()  # the fd really closes once finish() closes rfile/wfile
            self.close_connection = True
            return
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()
