"""A minimal Socket Mode WebSocket endpoint on loopback: enough for slack_sdk's built-in client to connect, stay
connected (it answers pings) and see it close.

Point the fake Web API's `apps.connections.open` at it: `fake.stub("apps.connections.open", {"url": server.url})`.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
from types import TracebackType

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's fixed key suffix
_CLOSE, _PING, _PONG = 0x8, 0x9, 0xA


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="socket-mode-server", daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"

    def __enter__(self) -> SocketModeServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._listener.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        try:
            self._talk(conn)
        except OSError:  # reset by the client rather than closed
            pass
        finally:
            conn.close()
            self.disconnected.set()

    def _talk(self, conn: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(1024)
            if not chunk:
                return
            request += chunk
        headers = dict(line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line)
        key = headers["Sec-WebSocket-Key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        self.connected.set()
        while (frame := _read_frame(conn)) is not None:
            opcode, payload = frame
            if opcode == _PING:
                conn.sendall(_frame(_PONG, payload))
            elif opcode == _CLOSE:
                return


def _read_exactly(conn: socket.socket, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _read_frame(conn: socket.socket) -> tuple[int, bytes] | None:
    head = _read_exactly(conn, 2)
    if head is None:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length in (126, 127):
        size = 2 if length == 126 else 8
        raw = _read_exactly(conn, size)
        if raw is None:
            return None
        length = int.from_bytes(raw, "big")
    mask = _read_exactly(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"  # a client's frames are always masked
    payload = _read_exactly(conn, length)
    if mask is None or payload is None:
        return None
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _frame(opcode: int, payload: bytes) -> bytes:
    assert len(payload) < 126
    return struct.pack("!BB", 0x80 | opcode, len(payload)) + payload
