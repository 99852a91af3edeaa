"""Served-process benchmark: the bot as `licensebot serve` against a do-nothing Bolt app served the same way
(bench/floor_app.py, its own uvicorn process), each with its own fake Slack Web API, signed clicks interleaved
between the two. Times run from sending a click (its signed bytes handed to the HTTP client) to the fake receiving
its `views.update`. Prints figures and ratios; asserts nothing about time.

    .venv/bin/python bench/bench_served.py         # BENCH_RUNS=300 clicks each by default

1. Page clicks (Next / Previous on Globex's users page, the demo's 2,500 users, SQLite) against the floor's click.
2. Opening Manage licenses with 100 selected users, BENCH_RUNS / 2 times (send -> the pushed view in the answer).
3. Starvation: six operators press Save on a connected customer while the fake Microsoft 365 answers each `$batch`
   after 3 s; meanwhile a seventh clicks Next on a users page: the time to its `views.update`, and each Save's
   result.

Target (issue 20): page click p50 <= 3x the floor, p99 <= 4x; Manage licenses with 100 selected <= 4x; the seventh
operator's click within 1 s while the Saves wait on Graph.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2 as httpx

from bench.floor_app import ACTION, VIEW
from blocks import ids
from fakes.m365 import FakeM365
from fakes.slack import FakeSlack
from fakes.slack.client import SlackUser
from licensing.types import Desired
from tests.net import free_port

ROOT = Path(__file__).resolve().parents[1]
LICENSEBOT = str(Path(sys.executable).with_name("licensebot"))
SECRET = "bench-served-secret"
ADMIN = "U0ADMIN01"  # the demo's admin agent, every customer
TENANT = "contoso.onmicrosoft.com"
SAVERS = [f"U0SAVER0{i}" for i in range(1, 7)]
OPERATORS = "".join(f"  - {{slack_user_id: {u}, role: admin_agent, customers: ['*']}}\n" for u in SAVERS)
CONNECTED = f"""
customers:
  - {{id: connected, name: Connected Ltd, tenant_id: {TENANT}}}
operators:
{OPERATORS}"""


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


class Served:
    """A process serving Slack's requests on a loopback port, stopped with SIGTERM."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(cwd / f"served-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [*args, str(self.port)],
            env=env,
            cwd=cwd,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.http = httpx.Client(base_url=self.base, timeout=30)
        deadline = time.monotonic() + 120
        while True:
            try:
                if self.http.get("/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{args[:3]} did not come up; see {self.log.name}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.http.close()
        self.log.close()


def environment(fake: FakeSlack, db: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "LICENSEBOT_"))}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{db}",
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        **more,
    }


class SendClock:
    """The HTTP client a SlackUser posts with, noting when each request's signed bytes were handed over: the clock
    starts there, not before the client side built and encoded the payload (a larger view takes the test client
    longer to encode, which is no cost of the app's)."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.sent = 0.0  # time.time() of the last send
        self.sent_perf = 0.0  # time.perf_counter() of the last send

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
        self.sent, self.sent_perf = time.time(), time.perf_counter()
        return self.http.post(url, content=content, headers=headers)


def click_ms(user: SlackUser, action: str, *, answers: list[int] | None = None, **fields: Any) -> float:
    """From sending the click to the fake receiving the view's update (the fake's own clock of arrival). With
    `answers`, the HTTP status is noted there instead of being required to be 200 (Slack shows an error otherwise)."""
    view_id = user.top
    before = len(user.fake.calls("views.update"))
    assert isinstance(user.http, SendClock)
    response = user.action(action, **fields)
    sent = user.http.sent
    if answers is None:
        assert response.status_code == 200, response.text
    else:
        answers.append(response.status_code)
    while True:
        calls = user.fake.wait_for("views.update", before + 1, timeout=30)[before:]
        mine = [c for c in calls if c.args.get("view_id") == view_id]
        if mine:
            return (mine[0].time - sent) * 1000
        before += len(calls)


def interleaved(floor: SlackUser, bot: SlackUser, runs: int) -> tuple[list[float], list[float]]:
    floor_ms, bot_ms = [], []
    for i in range(runs):
        floor_ms.append(click_ms(floor, ACTION))
        bot_ms.append(click_ms(bot, ids.PAGE_NEXT if i % 2 == 0 else ids.PAGE_PREV))
    return floor_ms, bot_ms


def select_100(user: SlackUser) -> None:
    """Tick every user on the first pages until 100 are selected, as an operator would, page by page."""
    chosen = 0
    while chosen < 100:
        box = next(e for e in user.block_with(ids.SELECT_USERS)["elements"] if e["action_id"] == ids.SELECT_USERS)
        options = box["options"][: 100 - chosen]
        user.act_and_wait(ids.SELECT_USERS, selected_options=options)
        chosen += len(options)
        if chosen < 100:
            user.act_and_wait(ids.PAGE_NEXT)


def open_manage_ms(user: SlackUser) -> float:
    """Send the users page's submission (Manage licenses) and time the answer that pushes the view; the users page
    stays on top, so it can be sent again."""
    payload = {"type": "view_submission", "trigger_id": user.fake.new_trigger(), "view": user.with_state(user.view)}
    assert isinstance(user.http, SendClock)
    response = user.interact(payload)
    ms = (time.perf_counter() - user.http.sent_perf) * 1000
    assert response.status_code == 200 and response.json()["response_action"] == "push", response.text
    return ms


def row(name: str, values: list[float], floor_p50: float, floor_p99: float) -> None:
    p50, p99 = pct(values, 50), pct(values, 99)
    print(f"{name:<38}{len(values):>5}{p50:>9.1f}{p99:>9.1f}{p50 / floor_p50:>9.2f}{p99 / floor_p99:>9.2f}")


def clicks(tmp: Path, runs: int) -> None:
    with FakeSlack(validate=False) as floor_fake, FakeSlack(validate=False) as bot_fake:
        db = tmp / "clicks.db"
        env = environment(bot_fake, db)
        subprocess.run([LICENSEBOT, "db", "upgrade"], env=env, cwd=tmp, check=True, capture_output=True)
        floor_app = Served([sys.executable, str(ROOT / "bench" / "floor_app.py")], environment(floor_fake, db), tmp)
        bot_app = Served([LICENSEBOT, "serve", "--demo", "--port"], env, tmp)
        try:
            floor = SlackUser(SendClock(floor_app.http), floor_fake, SECRET, ADMIN)
            floor.top = floor_fake.client().views_open(trigger_id=floor_fake.new_trigger(), view=VIEW)["view"]["id"]
            bot = SlackUser(SendClock(bot_app.http), bot_fake, SECRET, ADMIN)
            bot.open("globex")
            interleaved(floor, bot, 20)  # warm both up
            floor_ms, bot_ms = interleaved(floor, bot, runs)
            select_100(bot)
            manage_ms = []
            for _ in range(max(10, runs // 2)):
                floor_ms.append(click_ms(floor, ACTION))
                manage_ms.append(open_manage_ms(bot))
        finally:
            bot_app.stop()
            floor_app.stop()
    f50, f99 = pct(floor_ms, 50), pct(floor_ms, 99)
    print(f"{'click -> views.update':<38}{'n':>5}{'p50':>9}{'p99':>9}{'p50 x':>9}{'p99 x':>9}  (ms; x: of the floor)")
    row("floor: do-nothing Bolt app (uvicorn)", floor_ms, f50, f99)
    row("bot: page click (Globex, 2,500 users)", bot_ms, f50, f99)
    row("bot: open Manage licenses (100 users)", manage_ms, f50, f99)


def starvation(tmp: Path) -> None:
    with FakeSlack(validate=False) as fake, FakeM365() as m365:
        m365.add_tenant(TENANT)
        for i in range(12):
            m365.add_user(TENANT, f"user{i:02d}@{TENANT}")
        db = tmp / "starve.db"
        graph = {
            "LICENSEBOT_GRAPH_CLIENT_ID": m365.client_id,
            "LICENSEBOT_GRAPH_CLIENT_SECRET": m365.client_secret,
            "LICENSEBOT_GRAPH_URL": m365.graph_url,
            "LICENSEBOT_LOGIN_URL": m365.login_url,
            "LICENSEBOT_CA_BUNDLE": m365.ca_pem_path,
        }
        env = environment(fake, db, **graph)
        (tmp / "connected.yaml").write_text(CONNECTED)
        for step in (["db", "upgrade"], ["import", str(ROOT / "examples" / "demo.yaml")], ["import", "connected.yaml"]):
            subprocess.run([LICENSEBOT, *step], env=env, cwd=tmp, check=True, capture_output=True)
        subprocess.run([LICENSEBOT, "sync"], env=env, cwd=tmp, check=True, capture_output=True)
        bot_app = Served([LICENSEBOT, "serve", "--port"], env, tmp)
        try:
            savers = [SlackUser(bot_app.http, fake, SECRET, u, channel="C0BENCH") for u in SAVERS]
            for i, saver in enumerate(savers):
                saver.open("connected")
                saver.act_and_wait(ids.SELECT_USERS, selected_options=[_option(saver, i)])
                saver.submit()  # Manage licenses, pushed
                saver.type(f"{ids.PRODUCT_BLOCK_PREFIX}ENTERPRISEPACK", ids.PRODUCT_CHOICE, _radio(Desired.ASSIGN))
            seventh = SlackUser(SendClock(bot_app.http), fake, SECRET, ADMIN)
            seventh.open("globex")
            m365.set_latency(3.0, path=r"/\$batch$")
            results: dict[str, float] = {}
            failed: list[str] = []
            threads = [threading.Thread(target=_save, args=(s, results, failed)) for s in savers]
            for t in threads:
                t.start()
            time.sleep(0.3)  # the Saves are waiting on Graph
            answers: list[int] = []
            page_ms = click_ms(seventh, ids.PAGE_NEXT, answers=answers)
            for t in threads:
                t.join(timeout=120)
        finally:
            m365.set_latency(0)
            bot_app.stop()
    shown = sorted(v for v in results.values())
    print(
        f"starvation: a page click during six Saves waiting on Graph ($batch after 3 s): {page_ms:.1f} ms"
        f" to its views.update (HTTP answer {answers[0]})"
    )
    print(f"  Saves with their result shown: {len(shown)} of 6; after {', '.join(f'{s:.1f}' for s in shown)} s")
    print(f"  Saves Slack would show an error for (no answer in 3 s): {', '.join(failed) or 'none'}")


def _option(user: SlackUser, index: int) -> dict[str, Any]:
    box = next(e for e in user.block_with(ids.SELECT_USERS)["elements"] if e["action_id"] == ids.SELECT_USERS)
    assert index < len(box["options"]), user.text()
    return dict(box["options"][index])


def _radio(choice: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": choice}}


def _save(user: SlackUser, results: dict[str, float], failed: list[str]) -> None:
    """Save, and wait for the result view to be shown (answered in time, or updated after "Saving…")."""
    t = time.monotonic()
    view = user.view
    payload = {"type": "view_submission", "trigger_id": user.fake.new_trigger(), "view": user.with_state(view)}
    response = user.interact(payload)
    if response.status_code != 200 or time.monotonic() - t > 3:
        failed.append(f"{user.user_id} (HTTP {response.status_code} after {time.monotonic() - t:.1f} s)")
    answer = response.json() if response.status_code == 200 and response.content else None
    user.top = user.fake.answer_submission(view["id"], answer, view["hash"])
    deadline = t + 90
    while time.monotonic() < deadline:
        if answer and answer["view"]["callback_id"] == ids.RESULT_VIEW or user.view["callback_id"] == ids.RESULT_VIEW:
            results[user.user_id] = time.monotonic() - t
            return
        user.fake.wait_for_change(user.fake.version, timeout=1)


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "300"))
    only: Callable[[str], bool] = lambda part: part in os.environ.get("BENCH_ONLY", "clicks,starvation")  # noqa: E731
    with tempfile.TemporaryDirectory() as d:
        if only("clicks"):
            clicks(Path(d), runs)
        if only("starvation"):
            starvation(Path(d))


if __name__ == "__main__":
    main()
