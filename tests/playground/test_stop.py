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


# Runs `licensebot playground` with a stop sent to itself the moment it first imports MODULE: a point in its start-up
# chosen by what it loads, not by a time, so the test lands there on a loaded machine as on an idle one.
STOPPED_WHILE_LOADING = """
import os, signal, sys

class StopOnImport:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), {sig})
        return None

sys.meta_path.insert(0, StopOnImport())
from cli import main
main()
"""


@pytest.mark.parametrize(
    ("module", "sig", "code", "said"),
    [
        # While the command line loads (every command): the interrupted command's exit 130, nothing printed.
        ("sqlalchemy", signal.SIGINT, 130, ""),
        # Once the playground's own start-up began: the stop a running playground makes.
        ("playground.server", signal.SIGINT, 0, "licensebot playground: stopped"),
        ("playground.server", signal.SIGTERM, 0, "licensebot playground: stopped"),
    ],
)
def test_a_stop_while_starting_is_quiet(tmp_path: Path, module: str, sig: signal.Signals, code: int, said: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'playground.db'}"
    script = STOPPED_WHILE_LOADING.format(module=module, sig=int(sig))
    done = subprocess.run(
        [sys.executable, "-c", script, "playground", "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
        # A child of a shell's background job may inherit SIGINT ignored: give it Python's own handler back.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert done.returncode == code, done.stdout
    assert "Traceback" not in done.stdout and "Aborted" not in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1:] == ([said] if said else [])
