"""Slack's Socket Mode endpoint on loopback: the app connects over a WebSocket, the fake hands it envelopes (slash
commands, interactivity, events) as Slack would, and collects the app's acknowledgements with their payloads.

The protocol (https://docs.slack.dev/apis/events-api/using-socket-mode): after `apps.connections.open` gives the app
a `wss://` URL (here `ws://127.0.0.1:<port>`), the server says `hello`; each envelope carries an `envelope_id`, a
`type` (`slash_commands`, `interactive`, `events_api`) and a `payload`; the app answers with the same `envelope_id`
and, where Slack accepts one (`accepts_response_payload`), a `payload` (e.g. a view submission's response_action).
Slack may ask the app to reconnect (`disconnect`) or just drop the socket; the app must come back by itself.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

Json = dict[str, Any]


@dataclass
class Ack:
    envelope_id: str
    payload: Json | None
    raw: Json


@dataclass
class _State:
    hellos: int = 0  # connections that got their hello
    closed: int = 0  # connections that ended, whoever ended them and however
    acks: dict[str, Ack] = field(default_factory=dict)
    unknown: list[Json] = field(default_factory=list)  # messages that were no ack of ours (a test failure)


class FakeSocketMode:
    def __init__(self) -> None:
        self._state = _State()
        self._changed = threading.Condition()
        self._current: ServerConnection | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def __enter__(self) -> FakeSocketMode:
        self._server = serve(self._connection, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={uuid.uuid4().hex}"

    # --- what a test does ---------------------------------------------------------------------------------------

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Until `count` connections in all have been greeted (a reconnect makes it 2)."""
        self._wait(lambda: self._state.hellos >= count, timeout, f"{count} connection(s)")

    def send(self, kind: str, payload: Json, *, timeout: float = 5.0, accepts_response_payload: bool = True) -> Ack:
        """Hand the app one envelope and wait for its acknowledgement, as Slack does (3 s there)."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        with self._changed:
            connection = self._current
        if connection is None:
            raise AssertionError("no app is connected")
        connection.send(json.dumps(envelope))
        self._wait(lambda: envelope_id in self._state.acks, timeout, f"the ack of envelope {envelope_id}")
        return self._state.acks[envelope_id]

    def drop(self) -> None:
        """Close the socket under the app without a word, as a network failure would."""
        with self._changed:
            connection, self._current = self._current, None
        if connection is not None:
            connection.socket.close()  # no close frame: the app only notices the connection is gone

    def ask_to_reconnect(self) -> None:
        """Slack's `disconnect` message: the app should open a new connection and close this one."""
        with self._changed:
            connection = self._current
        if connection is not None:
            connection.send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    def wait_closed(self, count: int = 1, timeout: float = 10.0) -> None:
        """Until `count` connections in all have ended."""
        self._wait(lambda: self._state.closed >= count, timeout, f"{count} connection(s) to end")

    @property
    def unknown(self) -> list[Json]:
        return list(self._state.unknown)

    # --- the server side ----------------------------------------------------------------------------------------

    def _connection(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "connection_info": {"app_id": "A0FAKE"},
                    "debug_info": {"host": "fake-socket-mode"},
                }
            )
        )
        with self._changed:
            self._current = connection
            self._state.hellos += 1
            self._changed.notify_all()
        try:
            for message in connection:
                self._received(json.loads(message))
        except ConnectionClosed:
            pass  # slack_sdk's built-in client closes its socket without a close frame
        finally:
            with self._changed:
                self._state.closed += 1
                if self._current is connection:
                    self._current = None
                self._changed.notify_all()

    def _received(self, message: Json) -> None:
        with self._changed:
            envelope_id = message.get("envelope_id")
            if isinstance(envelope_id, str):
                self._state.acks[envelope_id] = Ack(envelope_id, message.get("payload"), message)
            else:
                self._state.unknown.append(message)
            self._changed.notify_all()

    def _wait(self, done: Any, timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(done, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
