"""`licensebot playground` as a real process with pages connected (their long polls open): SIGTERM or Ctrl-C stops
it cleanly, exit 0 and no traceback, and the open polls are answered rather than cut (or waited out)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.scrape import eventually

pytestmark = pytest.mark.slow  # starts a process

CLI = [sys.executable, "-c", "from cli import main; main()"]


def sockets(pid: int) -> int:
    """How many sockets the process holds open (its listener, and one per accepted connection)."""
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir() if os.readlink(fd).startswith("socket:"))


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_with_pages_connected_is_clean(tmp_path: Path, sig: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'playground.db'}"
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    proc = subprocess.Popen([*CLI, "playground", "--port", "0"], env=env, cwd=tmp_path, **pipes)  # type: ignore[call-overload]
    try:
        assert proc.stdout is not None
        url = re.search(r"(http://127\.0\.0\.1:\d+)/", proc.stdout.readline()).group(1)  # type: ignore[union-attr]
        people = eventually(lambda: get(f"{url}/play/people")["people"], bool)
        user = people[0]["id"]
        version = get(f"{url}/play/state?user={user}&since=-1")["version"]
        before = sockets(proc.pid)
        answers: list[Any] = []
        polls = [
            threading.Thread(target=lambda: answers.append(get(f"{url}/play/state?user={user}&since={version}")))
            for _ in range(3)
        ]  # three pages, each waiting for a change (up to 15 s)
        for poll in polls:
            poll.start()
        # The server holds the three connections (accepted, so their requests are being answered) before the stop.
        eventually(lambda: sockets(proc.pid) >= before + 3, bool, timeout=30)
    finally:
        proc.send_signal(sig)
        output = proc.communicate(timeout=30)[0]
    for poll in polls:
        poll.join(30)
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "CancelledError" not in output, output
    assert output.rstrip().endswith("licensebot playground: stopped")
    assert answers == [{"ok": True, "version": version, "changed": False}] * 3  # answered, not cut off
