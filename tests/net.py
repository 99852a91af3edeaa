"""Loopback helpers shared by the tests that start real servers and processes."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on right now (for a server to take, or to find closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
