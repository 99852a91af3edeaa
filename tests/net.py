"""Loopback helpers shared by the tests that start real servers and processes."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx2 as httpx


def free_port() -> int:
    """A loopback port nothing listens on right now (for a server to take, or to find closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serving(args: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    """Start `args` + `--port N` (a `licensebot serve`), its output piped as text; returns it and its base URL once
    /healthz answers."""
    port = free_port()
    proc = subprocess.Popen(
        [*args, "--port", str(port)], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).json() == {"ok": True}:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"serve did not come up: {proc.communicate()[0]}")
        time.sleep(0.2)
